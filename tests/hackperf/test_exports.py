"""Tables as CSV (``hackperf.exports``): formula safety, cells in words, and the other long
tables' downloads (people, import history, peers) with a fixed number of queries."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.safestring import mark_safe

from hackperf.exports import csv_safe, plain
from hackperf.roles import Role
from infogov.peers.models import BodyType, PeerBody, PeerStatistic, Source
from tests.hackperf.factories import UserFactory


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


class CellTests:
    @pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
    def test_it_defuses_what_a_spreadsheet_would_run(self, text):
        assert csv_safe(text) == "'" + text

    @pytest.mark.parametrize("cell", ["Printer", "", 3, -2, None])
    def test_it_leaves_the_rest(self, cell):
        assert csv_safe(cell) == cell

    def test_a_cell_loses_its_tags_and_its_screen_reader_words(self):
        cell = mark_safe(
            '<a class="govuk-link" href="/x">INC1<span class="govuk-visually-hidden"> open in'
            ' Desk</span></a><span class="hp-cell-note">Incident</span>'
        )
        assert plain(cell) == "INC1 — Incident"
        assert plain("Fish &amp; chips") == "Fish & chips"

    @pytest.mark.parametrize(
        ("cell", "text"),
        [
            # A hidden stretch holding other elements is dropped whole, and only it.
            (
                '<a href="/x">SAR-1<span class="govuk-visually-hidden"> open <span>in</span>'
                "<br> Desk</span></a> now",
                "SAR-1 now",
            ),
            # An attribute may hold ">"; a comment is not read.
            ('<a title="a > b" href="/x">INC2</a><!-- note -->', "INC2"),
            # Each tag parts words; entities read as characters, numeric ones too.
            ("Due<br>today &lt;soon&gt; &#8212; &pound;5", "Due today <soon> — £5"),
            (
                '<strong class="lbh-tag hp-rag hp-rag--red">Overdue</strong>by 2 days',
                "Overdue by 2 days",
            ),
            ("", ""),
        ],
    )
    def test_it_reads_the_html_as_a_browser_would(self, cell, text):
        assert plain(mark_safe(cell)) == text

    def test_numbers_stay_numbers_and_dates_read_in_uk_time(self):
        assert plain(7) == 7
        assert plain(None) == ""
        assert plain(date(2026, 3, 2)) == "2026-03-02"
        # 12:30 UTC in June is 13:30 in London (BST).
        assert plain(datetime(2026, 6, 1, 12, 30, tzinfo=UTC)) == "2026-06-01 13:30"


@pytest.mark.django_db
class PeopleCsvTests:
    @pytest.mark.parametrize("people", [2, 20])
    def test_it_lists_everyone_in_the_same_queries_for_2_or_20(
        self, client_as, django_assert_num_queries, people
    ):
        client = client_as(Role.DMT)
        UserFactory.create_batch(people, roles=(Role.QUEUE_OWNER,))
        url = reverse("person_list") + "?format=csv"
        # 1 session, 2 user, 3 savepoint, 4-5 the user's own and group permissions,
        # 6 release savepoint; then, streaming, 7 the first chunk of people, 8 their groups.
        with django_assert_num_queries(8):
            rows = rows_of(client.get(url))
        assert len(rows) == 1 + people + 1  # the header, them, and the DMT member
        assert rows[0][0] == "User name"
        assert "<" not in ",".join(",".join(row) for row in rows)

    def test_the_page_links_to_it(self, client_as):
        html = client_as(Role.DMT).get(reverse("person_list")).content.decode()
        assert 'href="?format=csv"' in html
        assert "Download everyone with their roles as CSV" in html


@pytest.mark.django_db
class ImportHistoryCsvTests:
    def test_it_answers_with_every_run_and_only_to_importers(self, client_as):
        url = reverse("import_run_list") + "?format=csv"
        rows = rows_of(client_as(Role.DMT).get(url))
        assert rows[0][0] and len(rows) == 1
        assert client_as(Role.DIRECTOR).get(url).status_code == 403


def peer(name, year, share):
    body, _ = PeerBody.objects.get_or_create(
        name=name,
        defaults={
            "body_type": BodyType.LONDON_BOROUGH,
            "region": "London",
            "classified_from": "test",
        },
    )
    return PeerStatistic.objects.create(
        body=body,
        source=Source.LOCALGOV_2017,
        year=year,
        requests=1000,
        in_time=int(10 * share),
        in_time_base=1000,
        in_time_share=Decimal(share),
        year_basis="Calendar",
    )


@pytest.mark.django_db
class PeersCsvTests:
    @pytest.mark.parametrize("bodies", [2, 20])
    def test_it_lists_every_body_of_the_year_in_fixed_queries(
        self, client_as, django_assert_num_queries, bodies
    ):
        for i in range(bodies):
            peer(f"Borough {i:02d}", 2016, 80)
            peer(f"Borough {i:02d}", 2017, 90)
        client = client_as(Role.DMT)
        url = reverse("infogov:peer_list") + "?year=2017&format=csv"
        client.get(url)
        # 1 session, 2 user, 3 savepoint, 4-5 permissions, 6 the regions (the filter's
        # choices, to validate it), 7 release savepoint; then, streaming, 8 the first chunk
        # of 500 figures with their bodies, 9 their trends.
        with django_assert_num_queries(9):
            rows = rows_of(client.get(url))
        assert len(rows) == 1 + bodies
        cells = dict(zip(rows[0], rows[1], strict=True))
        assert cells["Year"] == "2017"
        assert cells["Trend"] == "2016: 80%, 2017: 90%"
        assert "<" not in ",".join(rows[1])
