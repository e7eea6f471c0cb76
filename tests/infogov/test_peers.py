"""Peers' published FOI statistics: the mapping of each set (made-up rows) and the loader
over the real sets in ../shared/data/real (which must be there: these tests fail without)."""

import csv
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infogov.peers import comparison, mapping
from infogov.peers.loader import peer_statistics_load
from infogov.peers.models import BodyType, PeerBody, PeerStatistic, Source
from infogov.peers.tables import PeerStatisticTable
from tests.tables import sortable_columns

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"

CLASSES = {"Camden Borough Council": ("london_borough", "London")}


def localgov(**values):
    row = {"council": "Camden Borough Council", "type": "Calendar", "all": "1893"}
    row.update({"in_time": "1543", "ir": "40", "ico": "7"})
    row.update(values)
    return row


class MappingTests:
    def test_it_maps_a_localgov_row(self):
        row = mapping.map_localgov(localgov(), CLASSES)
        assert (row.body, row.body_type, row.region) == (
            "Camden Borough Council",
            "london_borough",
            "London",
        )
        assert (row.year, row.quarter, row.year_basis) == (2017, 0, "Calendar")
        assert (row.requests, row.in_time, row.internal_reviews, row.appeals) == (1893, 1543, 40, 7)
        assert row.in_time_share == Decimal("81.51")  # README: Camden 81.51%

    def test_it_keeps_a_row_whose_in_time_is_not_supplied(self):
        row = mapping.map_localgov(localgov(in_time="-", ico="-"), CLASSES)
        assert (row.in_time, row.in_time_share, row.appeals) == (None, None, None)

    @pytest.mark.parametrize("value", ["-", ""])
    def test_it_refuses_a_row_without_requests(self, value):
        with pytest.raises(ValueError, match=re.escape(mapping.ERR_NO_REQUESTS)):
            mapping.map_localgov(localgov(all=value), CLASSES)

    def test_it_refuses_an_unclassified_council(self):
        with pytest.raises(ValueError, match=re.escape(mapping.ERR_NOT_CLASSIFIED)):
            mapping.map_localgov(localgov(council="Nowhere Council"), CLASSES)

    def test_it_refuses_a_count_that_is_not_one(self):
        with pytest.raises(ValueError, match="not a count"):
            mapping.map_localgov(localgov(all="12.5"), CLASSES)

    def test_it_drops_an_in_time_figure_above_the_requests(self):
        row = mapping.map_localgov(localgov(all="10", in_time="11"), CLASSES)
        assert (row.requests, row.in_time, row.in_time_share) == (10, None, None)
        assert row.warning == mapping.WARN_IN_TIME_ABOVE

    def test_it_adds_foisa_and_eir_in_a_scottish_row(self):
        row = mapping.map_scotland(
            {
                "AuthorityName": "Fife Council and Licensing Board",
                "Region": "Fife",
                "Sector": "Local Government",
                "FOISA requests": "1,000",
                "FOISA response on time": "900",
                "EIR requests": "100",
                "EIRs response on time": "80",
                "FOISA reviews ": "12",  # OSIC's header has a trailing space
                "EIRs reviews": "3",
            },
            2017,
        )
        assert (row.body_type, row.region, row.year) == (BodyType.SCOTTISH_COUNCIL, "Fife", 2017)
        assert (row.requests, row.in_time, row.internal_reviews) == (1100, 980, 15)
        assert row.in_time_share == Decimal("89.09")
        assert row.appeals is None

    def test_it_leaves_in_time_out_when_eir_on_time_is_missing(self):
        row = mapping.map_scotland(
            {
                "AuthorityName": "Angus Council",
                "Sector": "Local Government",
                "FOISA requests": "10",
                "FOISA response on time": "9",
                "EIR requests": "2",
                "EIRs response on time": "",
            },
            2016,
        )
        assert (row.requests, row.in_time) == (12, None)

    @pytest.mark.parametrize(
        ("name", "sector", "expected"),
        [
            ("Glasgow City Council", "Local Government", BodyType.SCOTTISH_COUNCIL),
            ("Comhairle nan Eilean Siar", "Local Government", BodyType.SCOTTISH_COUNCIL),
            ("Angus Licensing Board", "Local Government", BodyType.OTHER),
            ("Assessor for Fife Council", "Local Government", BodyType.OTHER),
            ("NHS Fife", "National Health Service", BodyType.OTHER),
        ],
    )
    def test_it_classifies_scottish_bodies_from_the_sector(self, name, sector, expected):
        assert mapping.scottish_body_type(name, sector) == expected

    def test_it_maps_a_central_row_as_published(self):
        row = mapping.map_central(
            {
                "Quarter": "2020",
                "Government body": "Department for Business, Energy and Industrial Strategy",
                "Total requests received": "866",
                "Total requests received (excluding on-hold and lapsed)": "849",
                "20-day deadline met": "614",
                "Permitted extension to 20-day deadline": "85",
                "Total Internal Reviews": "-",
                "ICO Total Complaints": "4",
            }
        )
        assert (row.year, row.quarter, row.body_type) == (2020, 0, BodyType.CENTRAL_GOVERNMENT)
        assert (row.requests, row.in_time, row.in_time_base) == (866, 699, 849)
        assert row.in_time_share == Decimal("82.33")  # README: BEIS 2020, 699/849
        assert (row.internal_reviews, row.appeals) == (None, 4)

    @pytest.mark.parametrize(("text", "expected"), [("Q3 2017", (2017, 3)), ("2010", (2010, 0))])
    def test_it_reads_central_periods(self, text, expected):
        assert mapping.central_period(text) == expected

    @pytest.mark.parametrize("text", ["Q5 2017", "2017/18", ""])
    def test_it_refuses_other_periods(self, text):
        with pytest.raises(ValueError):
            mapping.central_period(text)

    def test_the_shipped_list_classifies_every_council_of_the_set(self):
        classes = mapping.load_classification()
        with (REAL / Source.LOCALGOV_2017 / mapping.LOCALGOV_FILE).open(newline="") as handle:
            names = {row["council"].strip() for row in csv.DictReader(handle)}
        assert names == set(classes)
        assert {t for t, _ in classes.values()} <= set(BodyType.values)


def _independent_counts() -> dict[str, tuple[int, int]]:
    """(rows, rows with a request count) per set, counted with the csv module alone."""

    def tally(paths, column):
        rows = with_count = 0
        for path in paths:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    rows += 1
                    value = next(v for k, v in row.items() if k.strip() == column)
                    with_count += value.strip() not in ("", "-")
        return rows, with_count

    return {
        Source.LOCALGOV_2017: tally(
            [REAL / Source.LOCALGOV_2017 / "total_fois_with_wdtk.csv"], "all"
        ),
        Source.SCOTLAND: tally(
            sorted((REAL / Source.SCOTLAND).glob("foisa_*.csv")), "FOISA requests"
        ),
        Source.CENTRAL: tally(
            [REAL / Source.CENTRAL / "foi-statistics-2020-published-data.csv"],
            "Total requests received",
        ),
    }


@pytest.mark.django_db
class LoaderTests:
    def test_the_real_sets_are_there(self):
        # Fails (never skips) without ../shared: the loader's figures are checked on them.
        for source in Source.values:
            assert (REAL / source).is_dir(), f"{REAL / source} is missing"

    def test_it_loads_every_set_in_full_and_a_rerun_changes_nothing(self):
        expected = _independent_counts()
        assert expected[Source.LOCALGOV_2017] == (349, 345)
        assert expected[Source.CENTRAL] == (2303, 2276)
        for source in Source.values:
            report = peer_statistics_load(root=REAL, source=source)
            rows, with_count = expected[source]
            assert report.read == rows
            assert report.created == report.loaded == with_count
            assert report.refused_total == rows - with_count
            assert PeerStatistic.objects.filter(source=source).count() == with_count
        again = [peer_statistics_load(root=REAL, source=s) for s in Source.values]
        assert [(r.created, r.updated) for r in again] == [(0, 0)] * 3
        assert [r.unchanged for r in again] == [expected[s][1] for s in Source.values]

        camden = PeerStatistic.objects.get(body__name="Camden Borough Council")
        assert (camden.requests, camden.in_time_share) == (1893, Decimal("81.51"))
        assert camden.body.body_type == BodyType.LONDON_BOROUGH
        # One row per Scottish authority and year, so the trend reads across the years.
        glasgow = PeerStatistic.objects.filter(body__name="Glasgow City Council")
        assert list(glasgow.values_list("year", flat=True)) == list(range(2013, 2021))
        assert PeerBody.objects.get(name="Glasgow City Council").body_type == "scottish_council"

    def test_the_command_reports_each_set(self, capsys):
        call_command("load_peer_statistics", "--root", str(REAL), "--source", Source.LOCALGOV_2017)
        out = capsys.readouterr().out
        assert "uk-localgov-foi-stats-2017: read 349, loaded 345" in out
        assert "refused 4: no request count" in out


# --- How we compare ---------------------------------------------------------------------------


def peer(name, share, *, body_type=BodyType.LONDON_BOROUGH, region="London", requests=1000):
    body = PeerBody.objects.create(
        name=name, body_type=body_type, region=region, classified_from="test"
    )
    return PeerStatistic.objects.create(
        body=body,
        source=Source.LOCALGOV_2017,
        year=2017,
        requests=requests,
        in_time=int(requests * Decimal(share) / 100),
        in_time_base=requests,
        in_time_share=Decimal(share),
        year_basis="Calendar",
    )


def responded(received, responded_on, *, late=False):
    from tests.infogov.factories import CaseFactory

    case = CaseFactory(received=received)
    case.responded = case.due + timedelta(days=3) if late else responded_on
    case.save()
    return case


class DistributionTests:
    def test_it_gives_median_range_and_a_shared_rank_on_ties(self):
        shares = [Decimal(v) for v in ("90", "80", "80", "70")]
        stats = comparison.distribution(shares, Decimal("80"))
        assert (stats.count, stats.median, stats.low, stats.high) == (4, Decimal("80.0"), 70, 90)
        assert stats.rank == 2  # one peer above us; the two at 80 tie with us

    def test_it_has_no_rank_without_ours_and_nothing_without_peers(self):
        assert comparison.distribution([Decimal(1)], None).rank is None
        assert comparison.distribution([], Decimal(1)) is None

    @pytest.mark.parametrize(
        ("n", "words"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (22, "22nd")]
    )
    def test_it_writes_ordinals(self, n, words):
        assert comparison.ordinal(n) == words


@pytest.mark.django_db
class ComparisonTests:
    @pytest.fixture
    def peers(self):
        peer("Camden Borough Council", "90")
        peer("Islington Borough Council", "80")
        peer("Barnet Borough Council", "70")
        peer(
            "Leeds City Council",
            "60",
            body_type=BodyType.METROPOLITAN_DISTRICT,
            region="Yorkshire and the Humber",
        )
        peer("Allerdale District Council", "50", body_type=BodyType.DISTRICT, region="North West")
        peer("Hackney Borough Council", "99")  # ourselves, if the set had us: never a peer

    def test_it_compares_our_2017_with_the_london_boroughs(self, peers, django_assert_num_queries):
        for day in (3, 6, 9):
            responded(date(2017, 3, day), date(2017, 3, day + 2))
        responded(date(2017, 5, 1), None, late=True)
        with django_assert_num_queries(2):  # our 2017 figure; the peer rows with their bodies
            result = comparison.foi_peer_comparison(today=date(2026, 12, 1))
        assert result.ours == Decimal("75.0") and result.ours_is_peer_year
        assert [p.name for p in result.peers] == [
            "Camden Borough Council",
            "Islington Borough Council",
            "Barnet Borough Council",
        ]
        assert (result.stats.median, result.stats.count, result.rank_words) == (80, 3, "3rd of 4")
        assert not result.peer_data_older
        assert [row[4] for row in result.table_rows] == [False, False, True, False]

    def test_single_tier_leaves_districts_out(self, peers):
        result = comparison.foi_peer_comparison(
            today=date(2026, 12, 1), group="english_single_tier"
        )
        assert "Leeds City Council" in [p.name for p in result.peers]
        assert "Allerdale District Council" not in [p.name for p in result.peers]

    def test_the_nearest_by_volume_are_the_closest_request_counts(self, db):
        for n in range(20):
            peer(f"Council {n:02d}", "80", body_type=BodyType.DISTRICT, requests=100 * (n + 1))
        result = comparison.foi_peer_comparison(today=date(2026, 12, 1), group="nearest_15")
        # We have no cases: volume 0, so the 15 smallest.
        assert sorted(p.requests for p in result.peers) == [100 * (n + 1) for n in range(15)]

    def test_without_2017_figures_it_compares_our_latest_year_and_says_so(
        self, peers, django_assert_num_queries
    ):
        responded(date(2026, 6, 1), date(2026, 6, 3))
        with django_assert_num_queries(4):  # 2017 (none), the last 12 months, their volume, peers
            result = comparison.foi_peer_comparison(today=date(2026, 12, 1))
        assert result.ours == Decimal("100.0")
        assert result.ours_period == "the 12 months to November 2026"
        assert result.peer_data_older and result.years_older == 9
        assert result.rank_words == "1st of 4"

    def test_an_unknown_group_is_refused(self, db):
        with pytest.raises(ValueError, match="unknown peer group"):
            comparison.foi_peer_comparison(today=date(2026, 12, 1), group="nowhere")

    def test_the_chart_marks_ours_and_names_the_source_and_year(self, peers):
        responded(date(2026, 6, 1), date(2026, 6, 3))
        svg = str(comparison.foi_peer_comparison(today=date(2026, 12, 1)).chart)
        assert svg.count("<circle") == 3 and ">Ours</text>" in svg
        assert "2017 (mySociety" in svg and 'role="img"' in svg

    def test_the_report_shows_the_line_and_its_table(self, peers, client_as):
        from hackperf.roles import Role

        responded(date(2026, 6, 1), date(2026, 6, 3))
        html = client_as(Role.IG_OFFICER).get(reverse("infogov:ig_group_report")).content.decode()
        assert "FOI answered in time: we have no figures for 2017." in html
        assert "The peer data is older than ours (2017, 9 years before)." in html
        assert 'data-table="peers"' in html and "Camden Borough Council" in html
        assert "mySociety, Freedom of Information in Local Government (2019)" in html

    def test_the_report_says_when_no_peers_are_loaded(self, client_as):
        from hackperf.roles import Role

        html = client_as(Role.IG_OFFICER).get(reverse("infogov:ig_group_report")).content.decode()
        assert "no figures for London boroughs have been loaded yet" in html
        assert "load_peer_statistics" not in html  # a command is no words for its readers


@pytest.mark.django_db
class PeerListTests:
    URL = "infogov:peer_list"

    @pytest.fixture
    def bodies(self):
        glasgow = PeerBody.objects.create(
            name="Glasgow City Council", body_type="scottish_council", region="Strathclyde"
        )
        for year, share in ((2016, "80"), (2017, None), (2018, "90")):
            PeerStatistic.objects.create(
                body=glasgow,
                source=Source.SCOTLAND,
                year=year,
                requests=3000,
                in_time_share=None if share is None else Decimal(share),
            )
        peer("Camden Borough Council", "81.51", requests=1893)
        peer(
            "Allerdale District Council", "93.68", body_type=BodyType.DISTRICT, region="North West"
        )

    def test_it_shows_2017_by_default_with_the_trend_of_several_years(self, bodies, client_as):
        from hackperf.roles import Role

        html = client_as(Role.IG_OFFICER).get(reverse(self.URL)).content.decode()
        assert "Camden Borough Council" in html and "81.5%" in html
        assert "Glasgow City Council" in html
        assert "2016: 80%, 2018: 90%" in html  # the trend skips the year without a share
        assert "One year only" in html

    @pytest.mark.parametrize(
        ("query", "shown", "hidden"),
        [
            ({"body__body_type": "london_borough"}, "Camden", "Allerdale"),
            ({"body__region": "North West"}, "Allerdale", "Camden"),
            ({"source": Source.SCOTLAND}, "Glasgow", "Camden"),
            ({"q": "camd"}, "Camden", "Glasgow"),
            ({"year": "2016"}, "Glasgow", "Camden"),
        ],
    )
    def test_each_filter_narrows_the_rows(self, bodies, client_as, query, shown, hidden):
        from hackperf.roles import Role

        html = client_as(Role.IG_OFFICER).get(reverse(self.URL), query).content.decode()
        assert shown in html and f"{hidden} " not in html.split("<tbody")[1]

    @pytest.mark.parametrize("column", sortable_columns(PeerStatisticTable))
    def test_it_sorts_by_every_column_both_ways(self, bodies, client_as, column):
        from hackperf.roles import Role

        client = client_as(Role.IG_OFFICER)
        for sort in (column, f"-{column}"):
            assert client.get(reverse(self.URL), {"sort": sort, "year": ""}).status_code == 200

    def test_not_supplied_sorts_last_both_ways(self, bodies, client_as):
        from hackperf.roles import Role

        client = client_as(Role.IG_OFFICER)
        for sort in ("in_time_share", "-in_time_share"):
            table = client.get(reverse(self.URL), {"sort": sort}).context["table"]
            assert list(table.page.object_list)[-1].record.body.name == "Glasgow City Council"

    @pytest.mark.parametrize(
        ("year", "q"), [("0", ""), ("99999", ""), ("x", ""), ("-1", ""), ("9999", "a\x00b")]
    )
    def test_bad_input_is_no_500(self, bodies, client_as, year, q):
        from hackperf.roles import Role

        query = {"year": year, "sort": "nope", "q": q, "body__region": "Atlantis"}
        response = client_as(Role.IG_OFFICER).get(reverse(self.URL), query)
        # A NUL anywhere in a query is a 400 (hackperf.middleware.RejectNulMiddleware).
        assert response.status_code == (400 if "\x00" in q else 200)

    def test_its_queries_do_not_grow_with_the_rows(self, client_as):
        from hackperf.roles import Role

        client = client_as(Role.IG_OFFICER)
        client.get(reverse(self.URL))  # warm the session and permission caches
        counts = []
        for n in (2, 20):
            for i in range(n - PeerStatistic.objects.count()):
                peer(f"Council {n}-{i}", "70")
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(self.URL)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_the_outsider_is_refused(self, bodies, client_as):
        from hackperf.roles import Role

        assert client_as(Role.QUEUE_OWNER).get(reverse(self.URL)).status_code == 403


@pytest.mark.django_db
def test_the_command_says_when_the_folder_is_missing(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is missing"):
        call_command("load_peer_statistics", "--root", str(tmp_path))
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("load_peer_statistics", "--root", str(tmp_path / "nowhere"))
