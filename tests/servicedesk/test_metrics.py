"""servicedesk.metrics: the figures indicators reads, on hand-made histories.

Every expected number below is worked out by hand from DESIGN.md's metric dictionary.
"""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hackperf.metrics import ALL, Ratio
from servicedesk import declarations, metrics, services
from servicedesk.choices import Channel, Kind, Status
from servicedesk.metrics import (
    CLOSURES,
    ESCALATED_OPEN,
    ESCALATIONS,
    LOGGED_INCIDENTS,
    LOGGED_REQUESTS,
    MFD_OPEN,
    MULTIPLE_REASSIGNMENTS,
    NEW_STARTER_LOGGED,
    NEW_STARTER_OPEN,
    ON_HOLD,
    OPEN_INCIDENTS,
    OPEN_REQUESTS,
    OVER_A_WEEK_OLD,
    PERIOD_METRICS,
    REOPENS,
    SELF_SERVICE_LOGGED,
    SNAPSHOT_METRICS,
)
from tests.servicedesk.factories import CategoryFactory, log_ticket

H = timedelta(hours=1)
DAY = timedelta(days=1)
# Mon 2 Mar 2026 09:00 GMT.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def counted(user, metric, **window):
    """The rows the records behind ``metric`` count (``servicedesk.declarations``, as the
    drill-downs read them): the interval each ticket was in at ``as_of``, or the events in
    ``[start, end)``."""
    behind = declarations.as_of_behind if "as_of" in window else declarations.event_behind
    return behind(metric=metric, user=user, **window).counted


def value(rows, metric, breakdown=ALL, key=""):
    found = [r.value for r in rows if (r.metric, r.breakdown, r.key) == (metric, breakdown, key)]
    assert len(found) == 1, (metric, breakdown, key, found)
    return found[0]


def assign(ticket, at, queue=None):
    return services.ticket_assign(ticket=ticket, actor=None, at=at, queue=queue)


def reassign(ticket, at, queue):
    return services.ticket_reassign(ticket=ticket, actor=None, at=at, queue=queue)


def resolve(ticket, at):
    return services.ticket_resolve(ticket=ticket, actor=None, at=at)


def reopen(ticket, at):
    return services.ticket_reopen(ticket=ticket, actor=None, at=at, reason="Still broken")


def close(ticket, at):
    return services.ticket_close(ticket=ticket, actor=None, at=at)


def hold(ticket, at):
    return services.ticket_put_on_hold(ticket=ticket, actor=None, at=at, reason="Awaiting user")


def off_hold(ticket, at):
    return services.ticket_take_off_hold(ticket=ticket, actor=None, at=at)


def escalate(ticket, at, level=1):
    return services.ticket_escalate(ticket=ticket, actor=None, at=at, level=level, reason="VIP")


@pytest.fixture
def new_starter(db):
    accounts = CategoryFactory(name="Accounts")
    return CategoryFactory(name="New starter", parent=accounts, is_new_starter=True)


@pytest.fixture
def mfd(db):
    return CategoryFactory(name="MFD print and copy", is_mfd_print=True)


@pytest.mark.django_db
class ClosureAndReopenTests:
    def test_it_counts_resolved_then_closed_as_one_closure(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        resolve(ticket, MONDAY + H)
        close(ticket, MONDAY + 2 * H)
        rows = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(rows, CLOSURES) == 1
        assert value(rows, REOPENS) == 0

    def test_it_counts_resolved_reopened_resolved_as_two_closures(self, desk, targets, dmt):
        ticket = log_ticket(queue=desk, at=MONDAY)
        resolve(ticket, MONDAY + H)
        reopen(ticket, MONDAY + 2 * H)
        resolve(ticket, MONDAY + 3 * H)
        close(ticket, MONDAY + 4 * H)
        rows = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(rows, CLOSURES) == 2
        assert value(rows, REOPENS) == 1
        events = counted(dmt, CLOSURES, start=MARCH[0], end=MARCH[1])
        assert sorted(e.at for e in events) == [MONDAY + H, MONDAY + 3 * H]

    def test_it_counts_closing_an_unresolved_ticket_as_a_closure(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        close(ticket, MONDAY + H)
        assert value(metrics.period_metrics(start=MARCH[0], end=MARCH[1]), CLOSURES) == 1

    def test_it_counts_a_ticket_reopened_twice(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        for hour in (1, 3):
            resolve(ticket, MONDAY + hour * H)
            reopen(ticket, MONDAY + (hour + 1) * H)
        rows = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(rows, REOPENS) == 2
        assert value(rows, CLOSURES) == 2
        # Open again after the second reopen: an open incident at the end.
        snapshot = metrics.snapshot_metrics(as_of=MONDAY + 5 * H)
        assert value(snapshot, OPEN_INCIDENTS) == 1
        # ... but not while it was resolved in between.
        assert (
            value(
                metrics.snapshot_metrics(as_of=MONDAY + 90 * timedelta(minutes=1)), OPEN_INCIDENTS
            )
            == 0
        )

    def test_it_counts_events_by_the_half_open_period(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        resolve(ticket, MONDAY + H)
        assert value(metrics.period_metrics(start=MONDAY, end=MONDAY + H), CLOSURES) == 0
        assert value(metrics.period_metrics(start=MONDAY + H, end=MONDAY + 2 * H), CLOSURES) == 1
        rows = metrics.period_metrics(start=MONDAY + H, end=MONDAY + 2 * H)
        assert value(rows, LOGGED_INCIDENTS) == 0


@pytest.mark.django_db
class ReassignmentTests:
    def test_it_counts_reassignments_back_and_forth_up_to_the_instant(
        self, desk, networks, targets
    ):
        ticket = log_ticket(queue=desk, at=MONDAY)
        assign(ticket, MONDAY + 0.1 * H)  # the first assignment is not a reassignment
        reassign(ticket, MONDAY + H, networks)
        reassign(ticket, MONDAY + 2 * H, desk)
        reassign(ticket, MONDAY + 3 * H, networks)
        assert value(metrics.snapshot_metrics(as_of=MONDAY + 1.5 * H), MULTIPLE_REASSIGNMENTS) == 0
        at_two = metrics.snapshot_metrics(as_of=MONDAY + 2.5 * H)
        assert value(at_two, MULTIPLE_REASSIGNMENTS) == 1
        # Counted in the queue it was in at that instant, not where it is now.
        assert value(at_two, MULTIPLE_REASSIGNMENTS, "queue", "service-desk") == 1
        assert value(at_two, MULTIPLE_REASSIGNMENTS, "queue", "networks") == 0
        later = metrics.snapshot_metrics(as_of=MONDAY + 4 * H)
        assert value(later, MULTIPLE_REASSIGNMENTS, "queue", "networks") == 1

    def test_it_drops_a_reassigned_ticket_once_it_is_resolved(self, desk, networks, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        assign(ticket, MONDAY + 0.1 * H)
        reassign(ticket, MONDAY + H, networks)
        reassign(ticket, MONDAY + 2 * H, desk)
        resolve(ticket, MONDAY + 3 * H)
        assert value(metrics.snapshot_metrics(as_of=MONDAY + 4 * H), MULTIPLE_REASSIGNMENTS) == 0

    def test_it_attributes_period_events_to_the_queue_at_the_event(self, desk, networks, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        assign(ticket, MONDAY + 0.1 * H)
        reassign(ticket, MONDAY + H, networks)
        resolve(ticket, MONDAY + 2 * H)
        rows = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(rows, LOGGED_INCIDENTS, "queue", "service-desk") == 1
        assert value(rows, CLOSURES, "queue", "networks") == 1
        assert value(rows, CLOSURES, "queue", "service-desk") == 0


@pytest.mark.django_db
class SnapshotTests:
    def test_open_at_t_includes_t_and_excludes_tickets_logged_after(self, desk, targets):
        log_ticket(queue=desk, at=MONDAY)
        log_ticket(queue=desk, at=MONDAY + H, kind=Kind.REQUEST)
        rows = metrics.snapshot_metrics(as_of=MONDAY)
        assert value(rows, OPEN_INCIDENTS) == 1
        assert value(rows, OPEN_REQUESTS) == 0
        assert value(rows, OPEN_INCIDENTS, "kind", "incident") == 1
        assert value(rows, OPEN_INCIDENTS, "kind", "request") == 0

    def test_over_a_week_old_is_logged_before_t_minus_seven_days(self, desk, targets):
        log_ticket(queue=desk, at=MONDAY)
        week = timedelta(days=7)
        assert value(metrics.snapshot_metrics(as_of=MONDAY + week), OVER_A_WEEK_OLD) == 0
        one_second = timedelta(seconds=1)
        assert (
            value(metrics.snapshot_metrics(as_of=MONDAY + week + one_second), OVER_A_WEEK_OLD) == 1
        )

    def test_on_hold_escalated_new_starter_and_mfd(self, desk, targets, new_starter, mfd):
        printer = log_ticket(queue=desk, at=MONDAY, category=mfd)
        hold(printer, MONDAY + H)
        starter = log_ticket(
            queue=desk, at=MONDAY, kind=Kind.REQUEST, category=new_starter, channel=Channel.PORTAL
        )
        escalate(starter, MONDAY + H, level=2)
        rows = metrics.snapshot_metrics(as_of=MONDAY + 2 * H)
        assert value(rows, ON_HOLD) == 1
        assert value(rows, MFD_OPEN) == 1
        assert value(rows, ESCALATED_OPEN) == 1
        assert value(rows, NEW_STARTER_OPEN) == 1
        assert value(rows, NEW_STARTER_OPEN, "category", str(new_starter.pk)) == 1
        label = [r.label for r in rows if r.key == str(new_starter.pk)][0]
        assert label == "Accounts / New starter"
        period = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(period, NEW_STARTER_LOGGED) == 1
        assert value(period, SELF_SERVICE_LOGGED) == 1
        assert value(period, ESCALATIONS) == 1
        assert value(period, LOGGED_REQUESTS) == 1
        assert value(period, LOGGED_INCIDENTS) == 1

    def test_every_queue_and_kind_has_a_row_even_at_zero(self, desk, networks, targets):
        rows = metrics.snapshot_metrics(as_of=MONDAY)
        assert value(rows, OPEN_INCIDENTS, "queue", "networks") == 0
        assert {r.breakdown for r in rows} == {"all", "queue", "kind"}
        assert [r.label for r in rows if r.breakdown == "queue"][:2] == ["Networks", "Service desk"]


@pytest.mark.django_db
class FrIct17Tests:
    def test_a_pause_across_the_easter_bank_holiday_weekend_does_not_count(self, desk, targets):
        # Thu 2 Apr 2026 10:00 BST; Good Friday 3 Apr and Easter Monday 6 Apr are holidays.
        logged = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
        ticket = log_ticket(queue=desk, at=logged)
        hold(ticket, logged + 5 * H)  # 15:00 BST: 5 business hours used
        off_hold(ticket, datetime(2026, 4, 7, 9, 0, tzinfo=UTC))  # Tue 10:00 BST
        resolve(ticket, datetime(2026, 4, 7, 11, 0, tzinfo=UTC))  # Tue 12:00 BST: +2 h
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 7 * 3600
        april = (datetime(2026, 3, 31, 23, tzinfo=UTC), datetime(2026, 4, 30, 23, tzinfo=UTC))
        assert metrics.fr_ict_17(start=april[0], end=april[1]) == Ratio(1, 1)
        assert metrics.fr_ict_17(
            start=april[0], end=april[1], threshold_seconds=7 * 3600 - 1
        ) == Ratio(0, 1)

    def test_bank_holidays_are_not_business_time(self, desk, targets):
        # Thu 2 Apr 16:00 BST to Tue 7 Apr 11:00 BST: 1 h + 2 h, Good Friday to Easter Monday.
        ticket = log_ticket(queue=desk, at=datetime(2026, 4, 2, 15, tzinfo=UTC))
        resolve(ticket, datetime(2026, 4, 7, 10, tzinfo=UTC))
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 3 * 3600

    def test_a_ticket_logged_on_a_sunday_starts_its_clock_on_monday(self, desk, targets):
        sunday = datetime(2026, 3, 1, 14, tzinfo=UTC)
        ticket = log_ticket(queue=desk, at=sunday)
        resolve(ticket, datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 7.5 * 3600
        assert metrics.fr_ict_17(start=MARCH[0], end=MARCH[1]) == Ratio(1, 1)
        assert metrics.logged(kind=Kind.INCIDENT, start=MARCH[0], end=MARCH[1]) == 1

    def test_it_uses_the_last_resolution_and_the_time_to_it(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY)
        resolve(ticket, MONDAY + 2 * H)
        reopen(ticket, MONDAY + 3 * H)
        # Still open: its last resolution is still to come.
        assert metrics.fr_ict_17(start=MARCH[0], end=MARCH[1]) == Ratio(0, 0)
        resolve(ticket, MONDAY + DAY + 2 * H)  # Tuesday 11:00: 8 h + 2 h of business time
        close(ticket, MONDAY + 2 * DAY)
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 10 * 3600
        assert metrics.fr_ict_17(start=MARCH[0], end=MARCH[1]) == Ratio(0, 1)
        assert list(metrics.period_incidents_resolved(start=MARCH[0], end=MARCH[1])) == [ticket]

    def test_it_counts_only_incidents(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST)
        resolve(ticket, MONDAY + H)
        assert metrics.fr_ict_17(start=MARCH[0], end=MARCH[1]) == Ratio(0, 0)
        assert metrics.fr_ict_17(start=MARCH[0], end=MARCH[1]).percent is None

    def test_logged_counts_by_kind_in_the_period(self, desk, targets):
        log_ticket(queue=desk, at=MONDAY)
        log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST)
        log_ticket(queue=desk, at=MARCH[1])
        assert metrics.logged(kind="incident", start=MARCH[0], end=MARCH[1]) == 1
        assert metrics.logged(kind="request", start=MARCH[0], end=MARCH[1]) == 1


def _busy_desk(desk, networks, new_starter, mfd, *, n=1, start=MONDAY):
    """``n`` copies of a mix of histories, all in the first days of March."""
    for i in range(n):
        at = start + i * timedelta(minutes=1)
        a = log_ticket(queue=desk, at=at)
        assign(a, at + 0.1 * H)
        reassign(a, at + H, networks)
        reassign(a, at + 2 * H, desk)
        b = log_ticket(
            queue=networks, at=at, kind=Kind.REQUEST, category=new_starter, channel=Channel.PORTAL
        )
        escalate(b, at + H)
        hold(b, at + 2 * H)
        c = log_ticket(queue=desk, at=at, category=mfd)
        resolve(c, at + H)
        reopen(c, at + 2 * H)
        resolve(c, at + 3 * H)
        close(c, at + 4 * H)
        log_ticket(queue=desk, at=at - 9 * DAY)


@pytest.mark.django_db
class ConsistencyTests:
    @pytest.fixture
    def busy(self, desk, networks, targets, new_starter, mfd):
        _busy_desk(desk, networks, new_starter, mfd)

    def test_the_records_behind_every_row_match_its_value(self, busy, dmt):
        as_of = MONDAY + 2.5 * H
        rows = metrics.snapshot_metrics(as_of=as_of)
        assert {r.metric for r in rows} == set(SNAPSHOT_METRICS)
        assert any(r.value for r in rows if r.breakdown == "category")
        for row in rows:
            behind = counted(dmt, row.metric, as_of=as_of, breakdown=row.breakdown, key=row.key)
            assert behind.count() == row.value, row
            assert len({i.ticket_id for i in behind}) == row.value, row  # one row a ticket
        period = metrics.period_metrics(start=MARCH[0] - 30 * DAY, end=MARCH[1])
        assert {r.metric for r in period} == set(PERIOD_METRICS)
        for row in period:
            behind = counted(
                dmt,
                row.metric,
                start=MARCH[0] - 30 * DAY,
                end=MARCH[1],
                breakdown=row.breakdown,
                key=row.key,
            )
            assert behind.count() == row.value, row
            assert len(list(behind)) == row.value, row

    def test_fr_ict_17_drill_down_matches_its_denominator(self, busy):
        ratio = metrics.fr_ict_17(start=MARCH[0], end=MARCH[1])
        assert ratio.denominator == 1
        resolved = metrics.period_incidents_resolved(start=MARCH[0], end=MARCH[1])
        assert resolved.count() == ratio.denominator

    def test_a_past_instant_gives_what_a_snapshot_then_said(self, busy, desk, networks):
        as_of = MONDAY + 2.5 * H
        before = metrics.snapshot_metrics(as_of=as_of)
        period_before = metrics.period_metrics(start=MARCH[0], end=as_of)
        # Everything that happens after the instant.
        for ticket in services.Ticket.objects.filter(status_class__in=["open", "paused"]):
            if ticket.status == Status.AWAITING_CUSTOMER:
                off_hold(ticket, as_of + H)
            elif ticket.queue_id == desk.pk:
                reassign(ticket, as_of + H, networks)
                escalate(ticket, as_of + 2 * H, level=3)
            resolve(ticket, as_of + 3 * H)
            reopen(ticket, as_of + 4 * H)
        log_ticket(queue=desk, at=as_of + H)
        assert metrics.snapshot_metrics(as_of=as_of) == before
        assert metrics.period_metrics(start=MARCH[0], end=as_of) == period_before
        assert metrics.snapshot_metrics(as_of=as_of + 5 * H) != before

    def test_a_breakdown_it_does_not_know_is_refused(self, busy, dmt):
        with pytest.raises(ValueError, match="breakdown"):
            counted(dmt, OPEN_INCIDENTS, as_of=MONDAY, breakdown="colour")
        with pytest.raises(ValueError, match="breakdown"):
            counted(dmt, CLOSURES, start=MARCH[0], end=MARCH[1], breakdown="colour")


@pytest.mark.django_db
class QueryCountTests:
    @pytest.mark.parametrize("n", [1, 10])  # 4 and 40 tickets
    def test_the_figures_run_a_fixed_number_of_queries(
        self, n, desk, networks, targets, new_starter, mfd, dmt, django_assert_num_queries
    ):
        _busy_desk(desk, networks, new_starter, mfd, n=n)
        # 1 grouped aggregates over the intervals (ended after T, union all not ended), 2 the
        # categories' labels and flags, 3 the queues.
        with django_assert_num_queries(3):
            metrics.snapshot_metrics(as_of=MONDAY + 2.5 * H)
        # 1 grouped aggregate over the events, 2 the categories, 3 the queues.
        with django_assert_num_queries(3):
            metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        with django_assert_num_queries(1):
            metrics.fr_ict_17(start=MARCH[0], end=MARCH[1])
        with django_assert_num_queries(1):
            metrics.logged(kind="incident", start=MARCH[0], end=MARCH[1])
        closures = counted(dmt, CLOSURES, start=MARCH[0], end=MARCH[1])
        on_hold = counted(dmt, ON_HOLD, as_of=MONDAY + 2.5 * H, breakdown="queue", key="networks")
        with django_assert_num_queries(1):
            list(closures)
        with django_assert_num_queries(1):
            list(on_hold)


def reclassify(ticket, at, **changes):
    return services.ticket_reclassify(ticket=ticket, actor=None, at=at, **changes)


@pytest.mark.django_db
class ReclassificationTests:
    """Issue 14: a snapshot's kind and category are those of its instant, from history."""

    def test_a_snapshot_before_a_recategorisation_counts_the_old_category(
        self, desk, targets, new_starter, mfd, dmt
    ):
        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST, category=new_starter)
        reclassify(ticket, MONDAY + 2 * H, category=mfd)
        before = metrics.snapshot_metrics(as_of=MONDAY + H)
        assert value(before, NEW_STARTER_OPEN) == 1
        assert value(before, MFD_OPEN) == 0
        assert value(before, OPEN_REQUESTS, "category", str(new_starter.pk)) == 1
        assert not [r for r in before if r.breakdown == "category" and r.key == str(mfd.pk)]
        after = metrics.snapshot_metrics(as_of=MONDAY + 3 * H)
        assert value(after, NEW_STARTER_OPEN) == 0
        assert value(after, MFD_OPEN) == 1
        assert value(after, OPEN_REQUESTS, "category", str(mfd.pk)) == 1
        # Logged as a new starter: the period figure keeps the category it was logged in.
        period = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert value(period, NEW_STARTER_LOGGED) == 1
        behind = counted(
            dmt, OPEN_REQUESTS, as_of=MONDAY + H, breakdown="category", key=str(new_starter.pk)
        )
        assert [i.ticket for i in behind] == [ticket]

    def test_a_snapshot_before_a_change_of_kind_counts_the_old_kind(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.INCIDENT)
        reclassify(ticket, MONDAY + 2 * H, kind=Kind.REQUEST)
        before = metrics.snapshot_metrics(as_of=MONDAY + H)
        assert (value(before, OPEN_INCIDENTS), value(before, OPEN_REQUESTS)) == (1, 0)
        assert value(before, OPEN_INCIDENTS, "kind", Kind.INCIDENT) == 1
        after = metrics.snapshot_metrics(as_of=MONDAY + 3 * H)
        assert (value(after, OPEN_INCIDENTS), value(after, OPEN_REQUESTS)) == (0, 1)
        period = metrics.period_metrics(start=MARCH[0], end=MARCH[1])
        assert (value(period, LOGGED_INCIDENTS), value(period, LOGGED_REQUESTS)) == (1, 0)
        ticket.refresh_from_db()
        assert ticket.kind == Kind.REQUEST

    def test_the_event_records_before_and_after(self, desk, targets, new_starter, mfd):
        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST, category=new_starter)
        reclassify(ticket, MONDAY + H, kind=Kind.INCIDENT, category=None)
        event = ticket.events.get(kind="reclassified")
        assert (event.from_kind, event.to_kind) == (Kind.REQUEST, Kind.INCIDENT)
        assert (event.from_category_id, event.to_category_id) == (new_starter.pk, None)
        ticket.refresh_from_db()
        assert (ticket.kind, ticket.category_id) == (Kind.INCIDENT, None)

    def test_it_refuses_a_change_that_changes_nothing(self, desk, targets):
        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.INCIDENT)
        with pytest.raises(services.TransitionError, match="different kind or category"):
            reclassify(ticket, MONDAY + H, kind=Kind.INCIDENT)

    def test_a_rebuild_and_the_sql_fill_give_what_the_services_wrote(
        self, desk, networks, targets, new_starter, mfd
    ):
        from servicedesk.as_of import tickets_as_of_fill
        from servicedesk.models import TicketEvent, TicketInterval

        ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST, category=new_starter)
        assign(ticket, MONDAY + 0.5 * H)
        reclassify(ticket, MONDAY + H, category=mfd)
        reassign(ticket, MONDAY + 2 * H, networks)
        reclassify(ticket, MONDAY + 3 * H, kind=Kind.INCIDENT)
        resolve(ticket, MONDAY + 4 * H)

        def stored():
            intervals = TicketInterval.objects.filter(ticket=ticket).order_by("started_at", "pk")
            events = TicketEvent.objects.filter(ticket=ticket).order_by("sequence")
            return (
                list(intervals.values_list("started_at", "kind", "category_id", "queue_id")),
                list(
                    events.values_list(
                        "sequence", "ticket_queue_id", "ticket_kind", "ticket_category_id"
                    )
                ),
            )

        written = stored()
        assert [kind for _, kind, _, _ in written[0]] == ["request"] * 4 + ["incident"] * 2
        services.ticket_history_rebuild(ticket=ticket)
        assert stored() == written
        TicketInterval.objects.filter(ticket=ticket).update(kind="", category=None)
        TicketEvent.objects.filter(ticket=ticket).update(
            ticket_kind="", ticket_queue=None, ticket_category=None
        )
        tickets_as_of_fill()
        assert stored() == written


@pytest.mark.django_db
class ManyInstantsTests:
    """A backfill's one query for many instants gives each instant's own figures."""

    def test_many_instants_give_what_one_at_a_time_gives(
        self, busy_march, django_assert_num_queries
    ):
        instants = [MONDAY + k * 0.5 * H for k in range(-2, 12)] + [MONDAY - 20 * DAY]
        # 1-2 the grouped aggregates for every instant (intervals ended after the first
        # instant; not ended), 3 the categories, 4 the queues.
        with django_assert_num_queries(4):
            many = metrics.snapshot_metrics_many(instants=instants)
        assert many == [metrics.snapshot_metrics(as_of=t) for t in instants]

    def test_many_periods_give_what_one_at_a_time_gives(
        self, busy_march, django_assert_num_queries
    ):
        edges = [MARCH[0] - 20 * DAY, MONDAY, MONDAY + H, MONDAY + 2.5 * H, MARCH[1]]
        spans = list(itertools.pairwise(edges))
        with django_assert_num_queries(3):
            many = metrics.period_metrics_many(spans=spans)
        assert many == [metrics.period_metrics(start=s, end=e) for s, e in spans]
        assert any(r.value for rows in many for r in rows)


@pytest.fixture
def busy_march(desk, networks, targets, new_starter, mfd):
    _busy_desk(desk, networks, new_starter, mfd, n=2)
    ticket = log_ticket(queue=desk, at=MONDAY, kind=Kind.REQUEST, category=new_starter)
    reclassify(ticket, MONDAY + 1.5 * H, category=mfd, kind=Kind.INCIDENT)
