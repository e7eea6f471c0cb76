"""The event day tallies (``EventDayTally``, kept by the triggers of migration 0018) stay exact
through every kind of write, count what the ORM's conditions count for every pair of statuses,
and the period figures read from them equal those counted from the events, for any period:
whole days, part days, across the clocks changing."""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Case, Value, When

from hackperf.windows import LONDON, local_date
from servicedesk import metrics, tallies
from servicedesk.choices import Channel, EventKind, Kind
from servicedesk.models import (
    COUNTED_EVENT,
    RESOLUTION_Q,
    EventDayTally,
    TicketEvent,
)
from servicedesk.statuses import STATUSES
from tests.servicedesk.factories import CategoryFactory, QueueFactory, log_ticket

H = timedelta(hours=1)
# The spring-forward Sunday of 2026 (29 March) and the days around it.
SPRING = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)
FIGURES = ("closures", "reopens", "escalations", "logged", "self_service")
GROUP = ("ticket_queue_id", "ticket_kind", "ticket_category_id")


def tally_rows() -> set[tuple]:
    return set(EventDayTally.objects.values_list("day", *GROUP, *FIGURES))


def recounted() -> set[tuple]:
    """The tallies as the ORM's conditions count the events, by London day."""
    rows: dict[tuple, list[int]] = {}
    flagged = TicketEvent.objects.filter(COUNTED_EVENT).annotate(
        **{
            f"is_{name}": Case(When(q, then=Value(1)), default=Value(0))
            for name, q in metrics.PERIOD_COUNTED.items()
        }
    )
    for event in flagged.values("at", *GROUP, *(f"is_{name}" for name in FIGURES)):
        key = (local_date(event["at"]), *(event[g] for g in GROUP))
        counts = rows.setdefault(key, [0] * len(FIGURES))
        for i, name in enumerate(FIGURES):
            counts[i] += event[f"is_{name}"]
    return {(*key, *counts) for key, counts in rows.items() if any(counts)}


def assert_exact() -> None:
    """The tallies are the ORM's recount, a rebuild changes nothing, no row is all zeros."""
    kept = tally_rows()
    assert kept == recounted()
    tallies.event_day_tallies_rebuild()
    assert tally_rows() == kept
    assert all(any(row[-len(FIGURES) :]) for row in kept), "a tally fallen to 0 is removed"


def scatter(count: int, *, seed: int) -> list[TicketEvent]:
    """Events at random over six days around the clocks going forward, every pair of
    statuses and every counted kind among them, in two queues and three categories (or none),
    some not yet filled (kind ""), some exactly on a London midnight."""
    rng = random.Random(seed)
    queues = [QueueFactory(), QueueFactory(), None]
    categories = [CategoryFactory(), CategoryFactory(), None]
    tickets = [log_ticket(queue=queues[0], at=SPRING - 48 * H) for _ in range(4)]
    pairs = list(itertools.product(("", *STATUSES), repeat=2))
    kinds = [k.value for k in EventKind]
    events = []
    for n in range(count):
        at = SPRING + rng.randint(0, 6 * 24 * 4) * H / 4
        if rng.random() < 0.1:  # a London midnight
            at = datetime.combine(local_date(at), datetime.min.time(), tzinfo=LONDON)
        from_status, to_status = pairs[n % len(pairs)]
        queue, category = rng.choice(queues), rng.choice(categories)
        events.append(
            TicketEvent(
                ticket=rng.choice(tickets),
                sequence=1000 + n,
                kind=kinds[n % len(kinds)],
                at=at,
                from_status=from_status,
                to_status=to_status,
                ticket_queue=queue,
                ticket_kind=rng.choice((Kind.INCIDENT, Kind.REQUEST, Kind.REQUEST, "")),
                ticket_category=category,
                ticket_channel=rng.choice((Channel.PORTAL, Channel.PHONE)),
            )
        )
    return TicketEvent.objects.bulk_create(events)


def from_events(start: datetime, end: datetime):
    """The period figures counted from the events alone."""
    original = metrics._whole_days
    metrics._whole_days = lambda start, end: None  # type: ignore[assignment]
    try:
        return metrics.period_metrics(start=start, end=end)
    finally:
        metrics._whole_days = original  # type: ignore[assignment]


@pytest.mark.django_db
class EventDayTallyTests:
    def test_the_triggers_count_what_the_orm_counts_for_every_pair_of_statuses(self):
        assert tuple(metrics.PERIOD_COUNTED) == FIGURES  # the tally's columns, in order
        scatter(len(STATUSES) ** 2 * 3, seed=1)
        assert EventDayTally.objects.exists()
        assert_exact()

    def test_they_stay_exact_through_updates_and_deletes(self):
        events = scatter(300, seed=2)
        pks = [e.pk for e in events]
        # Moved across days, re-grouped, re-classified, filled, deleted: set-based and one by one.
        TicketEvent.objects.filter(pk__in=pks[:40]).update(at=SPRING + 50 * H)
        TicketEvent.objects.filter(pk__in=pks[40:80]).update(ticket_queue=None, ticket_kind="")
        TicketEvent.objects.filter(pk__in=pks[80:120]).update(
            from_status="in_progress", to_status="resolved"
        )
        TicketEvent.objects.filter(pk__in=pks[120:140]).update(reason="only a reason")
        TicketEvent.objects.filter(pk__in=pks[140:180]).delete()
        event = TicketEvent.objects.get(pk=pks[200])
        event.kind, event.ticket_channel = EventKind.LOGGED, Channel.PORTAL
        event.save()
        assert_exact()

    def test_an_unchanged_update_touches_no_tally(self):
        scatter(50, seed=3)
        before = tally_rows()
        with connection.cursor() as cursor:
            cursor.execute("SELECT xmin::text::bigint FROM servicedesk_eventdaytally ORDER BY id")
            versions = cursor.fetchall()
            TicketEvent.objects.update(reason="noted")
            cursor.execute("SELECT xmin::text::bigint FROM servicedesk_eventdaytally ORDER BY id")
            assert cursor.fetchall() == versions
        assert tally_rows() == before

    def test_a_truncate_empties_them(self):
        scatter(20, seed=4)
        assert tally_rows()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE servicedesk_ticketevent")
        assert tally_rows() == set()

    def test_the_triggers_fire_always_so_the_importers_replica_insert_counts(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = 'servicedesk_ticketevent'::regclass AND NOT tgisinternal"
            )
            enabled = dict(cursor.fetchall())
        assert {name: enabled.get(name) for name in enabled if "eventdaytally" in name} == {
            f"servicedesk_eventdaytally_{op}": "A"
            for op in ("insert", "update", "delete", "truncate")
        }

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            # Whole London days, across the clocks going forward (a 23-hour day).
            (SPRING, SPRING + 5 * 24 * H),
            (
                datetime(2026, 3, 28, tzinfo=LONDON),
                datetime(2026, 3, 31, tzinfo=LONDON),
            ),
            # Part days at either edge, one edge, inside one day, an empty period.
            (SPRING + 7 * H + H / 4, SPRING + 4 * 24 * H + 13 * H),
            (datetime(2026, 3, 28, tzinfo=LONDON), SPRING + 3 * 24 * H + 5 * H),
            (SPRING + 30 * H, SPRING + 40 * H),
            (SPRING + 30 * H, SPRING + 30 * H),
            # The whole of it and more.
            (SPRING - 10 * 24 * H, SPRING + 10 * 24 * H),
        ],
    )
    def test_the_period_figures_read_from_them_are_the_events_own(self, start, end):
        scatter(600, seed=5)
        assert metrics.period_metrics(start=start, end=end) == from_events(start, end)

    def test_a_fortnight_reads_its_days_from_the_tallies(self):
        scatter(100, seed=6)
        start = datetime(2026, 3, 23, tzinfo=LONDON)
        end = start + timedelta(days=14)
        assert metrics._whole_days(start, end) == (start, end)
        # The tallies are what is read: change one behind the triggers' back, and it shows.
        row = EventDayTally.objects.filter(closures__gt=0).first()
        EventDayTally.objects.filter(pk=row.pk).update(closures=row.closures + 5)
        closures = {
            (r.breakdown, r.key): r.value
            for r in metrics.period_metrics(start=start, end=end)
            if r.metric == metrics.CLOSURES
        }
        assert closures[("all", "")] == (
            TicketEvent.objects.filter(RESOLUTION_Q, at__gte=start, at__lt=end).count() + 5
        )

    def test_the_counted_events_are_read_once_per_period(self, django_assert_num_queries):
        scatter(50, seed=7)
        start, end = SPRING + 5 * H, SPRING + 4 * 24 * H
        # The grouped query, the category tree, the queues.
        with django_assert_num_queries(3):
            metrics.period_metrics(start=start, end=end)
