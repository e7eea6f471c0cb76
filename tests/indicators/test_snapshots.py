"""Trend snapshots: fortnight arithmetic, the upsert (idempotent, and safe at once), backfill
equal to a live snapshot on real service-desk and IG history, the command, tasks and API."""

import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from hackperf.metrics import ALL, MetricRow
from hackperf.roles import Role
from indicators import periods, tasks
from indicators.choices import Granularity
from indicators.models import Snapshot
from indicators.services.api_tokens import api_token_create
from indicators.services.snapshots import snapshot_backfill, snapshot_take, snapshot_window
from tests.concurrency import run_at_once

LONDON = ZoneInfo("Europe/London")
# Monday 9 March 2026, 00:00 GMT: a fortnight end (fortnights run from Monday 4 April 2016).
FORTNIGHT_END = datetime(2026, 3, 9, tzinfo=UTC)


def row_versions():
    """Each stored figure's pk and row version (PostgreSQL's xmin: a rewrite changes it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM indicators_snapshot ORDER BY id")
        return cursor.fetchall()


def rows_of(snapshots):
    return sorted((s.metric, s.breakdown, s.key, s.label, s.value) for s in snapshots)


def stored(instant, granularity=Granularity.FORTNIGHTLY):
    return rows_of(Snapshot.objects.filter(instant=instant, granularity=granularity))


class FortnightTests:
    def test_it_ends_fortnights_on_mondays_at_london_midnight(self):
        ends = periods.fortnight_ends(date(2026, 2, 20), date(2026, 4, 10))
        assert [periods.local_date(end) for end in ends] == [
            date(2026, 2, 23),
            date(2026, 3, 9),
            date(2026, 3, 23),
            date(2026, 4, 6),
        ]
        assert all(periods.local_date(end).weekday() == 0 for end in ends)
        # After the clocks go forward (29 March 2026), London midnight is 23:00 UTC.
        assert ends[-1] == datetime(2026, 4, 5, 23, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("instant", "expected"),
        [
            (
                datetime(2026, 3, 9, tzinfo=UTC) - timedelta(seconds=1),
                datetime(2026, 2, 23, tzinfo=UTC),
            ),
            (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)),
            (datetime(2026, 3, 22, 23, 59, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)),
            (datetime(2026, 4, 5, 23, tzinfo=UTC), datetime(2026, 4, 5, 23, tzinfo=UTC)),
        ],
    )
    def test_it_finds_the_fortnight_end_on_or_before_an_instant(self, instant, expected):
        assert periods.fortnight_end_on_or_before(instant) == expected

    def test_it_counts_a_window_across_the_clocks_changing_in_local_days(self):
        end = datetime(2026, 4, 5, 23, tzinfo=UTC)  # Mon 6 Apr 00:00 BST
        start, _ = snapshot_window(as_of=end, granularity=Granularity.FORTNIGHTLY)
        assert start == datetime(2026, 3, 23, tzinfo=UTC)  # Mon 23 Mar 00:00 GMT
        assert end - start == timedelta(days=14, hours=-1)

    def test_it_lists_every_day_end_in_a_range(self):
        ends = periods.day_ends(date(2026, 3, 28), date(2026, 3, 30))
        assert ends == [
            datetime(2026, 3, 28, tzinfo=UTC),
            datetime(2026, 3, 29, tzinfo=UTC),
            datetime(2026, 3, 29, 23, tzinfo=UTC),
        ]


@pytest.mark.django_db
class SnapshotTakeTests:
    def test_it_stores_both_sources_rows_with_the_fortnights_window(self, fake_sources):
        servicedesk, infogov = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        servicedesk.period_rows = [MetricRow("servicedesk.closures", "queue", "desk", 3, "Desk")]
        infogov.snapshot_rows = [MetricRow("infogov.overdue", "kind", "foi", 2, "FOI")]
        snapshot_take(as_of=FORTNIGHT_END, granularity=Granularity.FORTNIGHTLY)
        assert stored(FORTNIGHT_END) == [
            ("infogov.overdue", "kind", "foi", "FOI", 2),
            ("servicedesk.closures", "queue", "desk", "Desk", 3),
            ("servicedesk.open_incidents", ALL, "", "All", 7),
        ]
        assert (
            "period_metrics",
            {"start": datetime(2026, 2, 23, tzinfo=UTC), "end": FORTNIGHT_END},
        ) in servicedesk.calls

    def test_it_is_idempotent_when_run_twice(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        first = snapshot_take(as_of=FORTNIGHT_END)
        second = snapshot_take(as_of=FORTNIGHT_END)
        assert Snapshot.objects.count() == 1
        assert [s.pk for s in first] == [s.pk for s in second]

    def test_it_updates_changed_figures_and_drops_rows_no_longer_given(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [
            MetricRow("servicedesk.open_incidents", ALL, "", 7, "All"),
            MetricRow("servicedesk.open_incidents", "category", "12", 1, "Printers"),
        ]
        snapshot_take(as_of=FORTNIGHT_END)
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 8, "All")]
        snapshot_take(as_of=FORTNIGHT_END)
        assert stored(FORTNIGHT_END) == [("servicedesk.open_incidents", ALL, "", "All", 8)]

    def test_a_retake_with_nothing_changed_writes_nothing(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [
            MetricRow("servicedesk.open_incidents", ALL, "", 7, "All"),
            MetricRow("servicedesk.open_incidents", "queue", "desk", 7, "Desk"),
        ]
        first = snapshot_take(as_of=FORTNIGHT_END, now=FORTNIGHT_END + timedelta(minutes=5))
        versions = row_versions()
        again = snapshot_take(as_of=FORTNIGHT_END, now=FORTNIGHT_END + timedelta(days=30))
        assert row_versions() == versions  # not a row rewritten
        assert [(s.pk, s.taken_at, s.value) for s in again] == [
            (s.pk, s.taken_at, s.value) for s in first
        ]
        assert {s.taken_at for s in again} == {FORTNIGHT_END + timedelta(minutes=5)}

    def test_a_retake_that_finds_a_change_writes_the_instants_figures_again(self, fake_sources):
        servicedesk, _ = fake_sources
        early, late = FORTNIGHT_END + timedelta(minutes=5), FORTNIGHT_END + timedelta(days=3)
        servicedesk.snapshot_rows = [
            MetricRow("servicedesk.open_incidents", ALL, "", 7, "All"),
            MetricRow("servicedesk.open_incidents", "queue", "desk", 4, "Desk"),
            MetricRow("servicedesk.open_incidents", "queue", "net", 3, "Net"),
        ]
        snapshot_take(as_of=FORTNIGHT_END, now=early)
        servicedesk.snapshot_rows = [
            MetricRow("servicedesk.open_incidents", ALL, "", 7, "All"),  # as it was
            MetricRow("servicedesk.open_incidents", "queue", "desk", 3, "Service desk"),
            MetricRow("servicedesk.open_incidents", "queue", "new", 4, "New"),  # net moved here
        ]
        returned = snapshot_take(as_of=FORTNIGHT_END, now=late)
        stored = {(s.key, s.label, s.value, s.taken_at) for s in Snapshot.objects.all()}
        assert stored == {
            ("", "All", 7, late),
            ("desk", "Service desk", 3, late),
            ("new", "New", 4, late),
        }
        assert {(s.key, s.label, s.value, s.taken_at) for s in returned} == stored
        assert len({s.pk for s in returned} & {s.pk for s in Snapshot.objects.all()}) == 3

    def test_an_instant_left_alone_keeps_its_time_when_another_changes(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 1, "")]
        snapshot_backfill(start=date(2026, 2, 20), end=date(2026, 3, 10))  # two fortnights
        first = dict(Snapshot.objects.values_list("instant", "taken_at"))
        later = FORTNIGHT_END + timedelta(days=9)
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 2, "")]
        snapshot_take(as_of=FORTNIGHT_END, now=later)
        after = dict(Snapshot.objects.values_list("instant", "taken_at"))
        (earlier,) = set(first) - {FORTNIGHT_END}
        assert after == {earlier: first[earlier], FORTNIGHT_END: later}

    def test_a_fortnight_taken_on_time_is_not_backfilled_by_a_later_unchanged_retake(
        self, fake_sources
    ):
        from indicators.review_fortnights import was_backfilled
        from indicators.selectors import review_snapshot_instants

        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        snapshot_take(as_of=FORTNIGHT_END, now=FORTNIGHT_END + timedelta(minutes=5))
        snapshot_take(as_of=FORTNIGHT_END, now=FORTNIGHT_END + timedelta(days=40))
        assert not was_backfilled(FORTNIGHT_END, review_snapshot_instants())

    def test_its_binary_copy_gives_the_tables_own_column_types(self):
        from django.db import connection

        from hackperf.copy import column_types
        from indicators.services import snapshots

        with connection.cursor() as cursor:
            types = column_types(cursor, Snapshot._meta.db_table, snapshots._SNAPSHOT_COLUMNS)
        assert tuple(types) == snapshots._COPY_TYPES

    def test_a_backfill_run_twice_writes_nothing_the_second_time(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 1, "")]
        snapshot_backfill(start=date(2026, 2, 20), end=date(2026, 4, 10))
        versions = row_versions()
        snapshot_backfill(start=date(2026, 2, 20), end=date(2026, 4, 10))
        assert row_versions() == versions
        assert Snapshot.objects.count() == 4

    def test_it_keeps_a_daily_and_a_fortnightly_snapshot_at_the_same_instant(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.period_rows = [MetricRow("servicedesk.closures", ALL, "", 5, "")]
        snapshot_take(as_of=FORTNIGHT_END, granularity=Granularity.FORTNIGHTLY)
        servicedesk.period_rows = [MetricRow("servicedesk.closures", ALL, "", 1, "")]
        snapshot_take(as_of=FORTNIGHT_END, granularity=Granularity.DAILY)
        assert stored(FORTNIGHT_END)[0][-1] == 5
        assert stored(FORTNIGHT_END, Granularity.DAILY)[0][-1] == 1

    @pytest.mark.parametrize("fold", [0, 1])
    def test_an_instant_a_london_clock_shows_twice_is_stored_and_taken_again(
        self, fake_sources, fold
    ):
        """Given by code as a London time with its fold (the store keys instants in UTC)."""
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        instant = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=fold)
        first = snapshot_take(as_of=instant)
        versions = row_versions()
        again = snapshot_take(as_of=instant)
        assert row_versions() == versions  # nothing written the second time
        assert [s.pk for s in again] == [s.pk for s in first]
        assert first[0].instant is instant  # as given
        assert Snapshot.objects.get().instant == instant.astimezone(UTC)

    def test_it_refuses_a_naive_instant(self, fake_sources):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            snapshot_take(as_of=datetime(2026, 3, 9))  # noqa: DTZ001

    def test_it_backfills_every_fortnight_end_in_a_range(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 1, "")]
        instants = snapshot_backfill(start=date(2026, 2, 20), end=date(2026, 4, 10))
        assert len(instants) == 4
        assert sorted(Snapshot.objects.values_list("instant", flat=True)) == instants


@pytest.mark.django_db(transaction=True)
class SnapshotConcurrencyTests:
    def test_it_leaves_one_row_each_when_two_workers_snapshot_at_once(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [
            MetricRow("servicedesk.open_incidents", ALL, "", 7, "All"),
            MetricRow("servicedesk.open_incidents", "queue", "desk", 7, "Desk"),
        ]
        # Both workers gather their figures before either writes: a real race on the upsert.
        barrier = threading.Barrier(2, timeout=10)
        original = servicedesk.snapshot_metrics

        def gather(*, as_of):
            rows = original(as_of=as_of)
            barrier.wait()
            return rows

        servicedesk.snapshot_metrics = gather
        _, errors = run_at_once(lambda: snapshot_take(as_of=FORTNIGHT_END), together=False)
        assert errors == []
        assert Snapshot.objects.count() == 2

    def test_two_workers_with_different_figures_end_with_one_workers_figures(self, fake_sources):
        servicedesk, _ = fake_sources
        barrier = threading.Barrier(2, timeout=10)
        values = iter([7, 8])
        lock = threading.Lock()

        def gather(*, as_of):
            with lock:
                value = next(values)
            barrier.wait()  # both have their figures before either writes
            return [
                MetricRow("servicedesk.open_incidents", ALL, "", value, "All"),
                MetricRow("servicedesk.open_incidents", "queue", "desk", value, "Desk"),
                MetricRow("servicedesk.open_incidents", "queue", f"only-{value}", 1, "One"),
            ]

        servicedesk.snapshot_metrics = gather
        _, errors = run_at_once(lambda: snapshot_take(as_of=FORTNIGHT_END), together=False)
        assert errors == []
        stored = dict(Snapshot.objects.values_list("key", "value"))
        assert stored in (
            {"": 7, "desk": 7, "only-7": 1},
            {"": 8, "desk": 8, "only-8": 1},
        )


def _real_history():
    """Tickets and cases written through servicedesk's and infogov's own services, all before
    ``FORTNIGHT_END`` (Mon 9 Mar 2026)."""
    from servicedesk import services as sd
    from servicedesk.choices import Kind
    from tests.infogov.factories import DirectorateFactory, ServiceFactory
    from tests.servicedesk.factories import QueueFactory, log_ticket

    desk, network = QueueFactory(slug="desk", name="Desk"), QueueFactory(slug="net", name="Net")
    monday = datetime(2026, 2, 23, 9, tzinfo=UTC)
    a = log_ticket(queue=desk, at=monday)
    b = log_ticket(queue=desk, at=monday + timedelta(days=1), kind=Kind.REQUEST)
    c = log_ticket(queue=network, at=monday + timedelta(days=2))
    sd.ticket_assign(ticket=a, actor=None, at=monday + timedelta(hours=1), queue=desk)
    sd.ticket_reassign(ticket=a, actor=None, at=monday + timedelta(hours=2), queue=network)
    sd.ticket_assign(ticket=c, actor=None, at=monday + timedelta(days=2, hours=1), queue=network)
    sd.ticket_resolve(ticket=c, actor=None, at=monday + timedelta(days=3))
    service = ServiceFactory(directorate=DirectorateFactory(name="Finance"))
    cases = []
    for reference, kind in (("FOI-1", "foi"), ("SAR-1", "sar")):
        cases.append(_log_case(reference, kind, date(2026, 2, 2), service))
    return {"tickets": (a, b, c), "cases": cases, "queues": (desk, network), "service": service}


def _log_case(reference, kind, received, service):
    from tests.infogov.factories import log_case

    return log_case(reference, kind, received, service, today=received)


@pytest.mark.django_db
class BackfillEqualsLiveTests:
    """DESIGN.md: a backfilled snapshot says exactly what a live one said at that instant."""

    def test_it_reproduces_a_live_snapshot_after_later_events(self):
        from infogov.choices import Outcome
        from infogov.services.cases import case_respond
        from servicedesk import services as sd
        from tests.servicedesk.factories import log_ticket

        history = _real_history()
        live = rows_of(snapshot_take(as_of=FORTNIGHT_END))
        assert ("servicedesk.open_incidents", ALL, "", "", 1) in [
            (m, b, k, "", v) for m, b, k, _, v in live
        ]
        assert any(row[0].startswith("infogov.") and row[-1] for row in live)

        # After the instant: tickets resolved, reassigned, reopened, logged; a case answered.
        a, b, c = history["tickets"]
        desk, _ = history["queues"]
        later = FORTNIGHT_END + timedelta(hours=10)
        sd.ticket_resolve(ticket=a, actor=None, at=later)
        sd.ticket_assign(ticket=b, actor=None, at=later, queue=desk)
        sd.ticket_reopen(ticket=c, actor=None, at=later, reason="Still broken")
        log_ticket(queue=desk, at=later)
        case_respond(
            case=history["cases"][0],
            responded=date(2026, 3, 10),
            outcome=Outcome.SUPPLIED_IN_FULL,
            today=date(2026, 3, 10),
        )

        instants = snapshot_backfill(
            start=periods.local_date(FORTNIGHT_END), end=periods.local_date(FORTNIGHT_END)
        )
        assert instants == [FORTNIGHT_END]
        assert stored(FORTNIGHT_END) == live
        # …while a snapshot of now sees the later events.
        after = rows_of(snapshot_take(as_of=later + timedelta(hours=1)))
        assert after != live

    def test_a_backfill_of_many_fortnights_stores_what_one_at_a_time_stores(self):
        from servicedesk import services as sd

        history = _real_history()
        a, _, _ = history["tickets"]
        sd.ticket_reclassify(
            ticket=a, actor=None, at=FORTNIGHT_END + timedelta(days=3), kind="request"
        )
        start = periods.local_date(FORTNIGHT_END) - timedelta(days=28)
        end = periods.local_date(FORTNIGHT_END) + timedelta(days=28)
        instants = snapshot_backfill(start=start, end=end)
        assert len(instants) == 5
        backfilled = {instant: stored(instant) for instant in instants}
        Snapshot.objects.all().delete()
        for instant in instants:
            snapshot_take(as_of=instant)
        assert {instant: stored(instant) for instant in instants} == backfilled
        assert backfilled[FORTNIGHT_END] != backfilled[instants[-1]]


@pytest.mark.django_db
class SnapshotCommandTests:
    def test_it_takes_one_snapshot_as_of_an_instant_and_prints_json(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        out = io.StringIO()
        call_command("snapshot", "--as-of", "2026-03-09T00:00:00+00:00", "--json", stdout=out)
        printed = json.loads(out.getvalue())
        assert printed[0]["instant"] == "2026-03-09T00:00:00+00:00"
        assert printed[0]["rows"][0]["value"] == 7
        assert Snapshot.objects.count() == 1

    def test_it_reads_an_instant_without_offset_as_london_time(self, fake_sources):
        call_command("snapshot", "--as-of", "2026-04-06T00:00", stdout=io.StringIO())
        assert fake_sources[0].calls[0] == (
            "snapshot_metrics",
            {"as_of": datetime(2026, 4, 5, 23, tzinfo=UTC)},
        )

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            (
                "2026-10-25T01:30:00",
                "--as-of: 2026-10-25T01:30:00 happens twice in London: the clocks go back over "
                "it. Give the offset, 2026-10-25T01:30:00+01:00 for the first or "
                "2026-10-25T01:30:00+00:00 for the second.",
            ),
            (
                "2026-03-29T01:30",
                "--as-of: 2026-03-29T01:30 does not exist in London: the clocks go forward over "
                "it. Give another time, or the offset meant.",
            ),
        ],
    )
    def test_it_refuses_a_london_time_that_is_not_one_instant(self, fake_sources, text, says):
        # It was a KeyError traceback from the store: a time shown twice (fold) is never
        # equal to the same instant in UTC.
        from django.core.management import CommandError

        with pytest.raises(CommandError) as refused:
            call_command("snapshot", "--as-of", text, stdout=io.StringIO())
        assert str(refused.value) == says
        assert not Snapshot.objects.exists()

    def test_it_takes_either_of_a_night_with_two_half_past_ones_by_its_offset(self, fake_sources):
        fake_sources[0].snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        for offset in ("+01:00", "+00:00"):
            call_command(
                "snapshot", "--as-of", f"2026-10-25T01:30:00{offset}", stdout=io.StringIO()
            )
        assert sorted(Snapshot.objects.values_list("instant", flat=True).distinct()) == [
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ]

    def test_it_backfills_a_range_twice_with_the_same_rows(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        for _ in range(2):
            out = io.StringIO()
            call_command("snapshot", "--from", "2026-02-20", "--to", "2026-04-10", stdout=out)
        assert out.getvalue().count("fortnightly: 1 rows") == 4
        assert Snapshot.objects.count() == 4

    @pytest.mark.parametrize(
        "args",
        [
            ["--from", "2026-02-20"],
            ["--from", "2026-04-20", "--to", "2026-04-10"],
            ["--as-of", "yesterday"],
            ["--as-of", "2026-03-09T00:00", "--from", "2026-02-20", "--to", "2026-03-10"],
        ],
    )
    def test_it_refuses_bad_options(self, fake_sources, args):
        from django.core.management import CommandError

        with pytest.raises(CommandError):
            call_command("snapshot", *args, stdout=io.StringIO())


@pytest.mark.django_db
class SnapshotTaskTests:
    def test_it_snapshots_the_latest_fortnight_end_twice_without_change(self, fake_sources):
        servicedesk, _ = fake_sources
        servicedesk.snapshot_rows = [MetricRow("servicedesk.open_incidents", ALL, "", 7, "All")]
        tasks.snapshot_fortnightly.apply()  # through Celery, in this process
        first = tasks.snapshot_fortnightly()
        before = list(Snapshot.objects.values_list("pk", "value"))
        second = tasks.snapshot_fortnightly()
        assert first == second
        assert list(Snapshot.objects.values_list("pk", "value")) == before
        instant = datetime.fromisoformat(first)
        assert periods.local_date(instant).weekday() == 0

    def test_it_snapshots_a_given_day(self, fake_sources):
        assert tasks.snapshot_daily("2026-03-10T00:00:00+00:00") == "2026-03-10T00:00:00+00:00"
        assert fake_sources[0].calls[1][1]["start"] == datetime(2026, 3, 9, tzinfo=UTC)


@pytest.mark.django_db
class SnapshotApiTests:
    def make(self):
        for n, instant in enumerate((FORTNIGHT_END, FORTNIGHT_END + timedelta(days=14))):
            for metric in ("servicedesk.open_incidents", "infogov.overdue"):
                Snapshot.objects.create(
                    instant=instant,
                    granularity=Granularity.FORTNIGHTLY,
                    metric=metric,
                    breakdown=ALL,
                    key="",
                    label="All",
                    value=n,
                    taken_at=instant,
                )

    def test_it_lists_snapshots_newest_first_paginated(self, client_as):
        self.make()
        client = client_as(Role.DMT)
        response = client.get(reverse("indicators:api_snapshot_list"), {"page_size": 3})
        body = response.json()
        assert body["count"] == 4
        assert len(body["results"]) == 3
        assert body["next"].endswith("page=2")
        assert body["results"][0]["instant"] == "2026-03-23T00:00:00+00:00"

    def test_it_filters_by_metric_and_date(self, client_as):
        self.make()
        client = client_as(Role.DMT)
        body = client.get(
            reverse("indicators:api_snapshot_list"),
            {"metric": "infogov.overdue", "from": "2026-03-20"},
        ).json()
        assert [(r["metric"], r["value"]) for r in body["results"]] == [("infogov.overdue", 1)]
        body = client.get(reverse("indicators:api_snapshot_list"), {"to": "2026-03-09"}).json()
        assert body["count"] == 2

    def test_it_takes_a_bearer_token_and_refuses_strangers(self, client, make_user):
        self.make()
        user = make_user(Role.QUEUE_OWNER)
        _, raw = api_token_create(user=user, name="Power BI")
        url = reverse("indicators:api_snapshot_list")
        assert client.get(url).status_code == 401
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
        outsider = make_user(Role.DIRECTOR)
        _, raw = api_token_create(user=outsider, name="Elsewhere")
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403

    @pytest.mark.parametrize(
        ("name", "value"),
        [("from", "x"), ("to", "9999-12-31"), ("from", "0001-01-01"), ("to", "0001-01-01T00:00")],
    )
    def test_it_answers_400_with_the_reason_for_a_bad_date(self, client_as, name, value):
        url = reverse("indicators:api_snapshot_list")
        response = client_as(Role.DMT).get(url, {name: value})
        assert response.status_code == 400
        assert response.json()["detail"].startswith(f"'{name}': Enter a date")
