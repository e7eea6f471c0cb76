"""Agent actions and hand-made histories, checked against DESIGN.md's metric dictionary."""

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import services
from servicedesk.choices import EventKind, Status, StatusClass
from servicedesk.models import Ticket, TicketEvent, TicketInterval
from tests.servicedesk.factories import MORNING, log_ticket

H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


INTERVAL_FIELDS = [f.attname for f in TicketInterval._meta.concrete_fields if not f.primary_key]
"""Everything an interval stores but its key (a rebuild writes the intervals anew)."""


def snapshot(ticket: Ticket) -> tuple:
    """What the services derive: the ticket's fields and its intervals."""
    ticket.refresh_from_db()
    fields = (
        ticket.status,
        ticket.status_class,
        ticket.status_since,
        ticket.queue_id,
        ticket.assignee_id,
        ticket.first_assigned_at,
        ticket.last_sequence,
        ticket.reassignment_count,
        ticket.reopen_count,
        ticket.escalation_level,
        ticket.last_resolved_at,
        ticket.business_resolution_seconds,
        ticket.sla_target_seconds,
        ticket.sla_due_at,
        ticket.sla_at_risk_at,
    )
    intervals = list(ticket.intervals.order_by("started_at", "pk").values_list(*INTERVAL_FIELDS))
    return fields, intervals


def assert_rebuild_changes_nothing(ticket: Ticket) -> None:
    before = snapshot(ticket)
    services.ticket_history_rebuild(ticket=ticket)
    assert snapshot(ticket) == before
    services.ticket_history_rebuild(ticket=ticket)
    assert snapshot(ticket) == before


def resolutions(ticket: Ticket) -> int:
    """Resolution events: from open/paused to resolved or closed (resolved→closed is not)."""
    return (
        ticket.events.filter(to_status__in=[Status.RESOLVED, Status.CLOSED])
        .exclude(from_status__in=[Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
        .count()
    )


@pytest.mark.django_db
class ReopenedTwiceTests:
    @pytest.fixture
    def ticket(self, desk, targets):
        t = log_ticket(queue=desk, at=MORNING)  # Tue 3 Mar 2026 09:00 GMT
        services.ticket_assign(ticket=t, actor=None, at=MORNING + 5 * M)
        services.ticket_resolve(ticket=t, actor=None, at=MORNING + 1 * H)
        services.ticket_reopen(ticket=t, actor=None, at=MORNING + 2 * H, reason="Still jams")
        services.ticket_resolve(ticket=t, actor=None, at=MORNING + 3 * H)
        services.ticket_close(ticket=t, actor=None, at=MORNING + 4 * H)
        services.ticket_reopen(ticket=t, actor=None, at=MORNING + 5 * H, reason="Again")
        services.ticket_close(ticket=t, actor=None, at=MORNING + 6 * H)
        t.refresh_from_db()
        return t

    def test_it_counts_two_reopens(self, ticket):
        assert ticket.reopen_count == 2
        assert ticket.events.filter(kind=EventKind.REOPENED).count() == 2

    def test_it_counts_each_resolution_but_not_resolved_to_closed(self, ticket):
        # resolve 10:00, resolve 12:00 (then closed 13:00: not one), close 15:00.
        assert resolutions(ticket) == 3

    def test_its_resolution_time_runs_to_the_last_resolution_event(self, ticket):
        assert ticket.last_resolved_at == MORNING + 6 * H
        assert ticket.business_resolution_seconds == 6 * 3600
        assert ticket.status == Status.CLOSED
        assert ticket.status_class == StatusClass.DONE

    def test_it_is_open_only_between_reopen_and_resolution(self, ticket):
        open_at = lambda t: Ticket.objects.open_at(t).filter(pk=ticket.pk).exists()  # noqa: E731
        assert open_at(MORNING)
        assert not open_at(MORNING + 90 * M)
        assert open_at(MORNING + 150 * M)
        assert not open_at(MORNING + 4 * H + 30 * M)
        assert open_at(MORNING + 5 * H + 30 * M)
        assert not open_at(MORNING + 7 * H)
        assert not open_at(MORNING - 1 * M)

    def test_rebuilding_from_the_events_changes_nothing(self, ticket):
        assert_rebuild_changes_nothing(ticket)


@pytest.mark.django_db
class ReassignedBackAndForthTests:
    @pytest.fixture
    def ticket(self, desk, networks, desktop, targets):
        t = log_ticket(queue=desk, at=MORNING)
        # The first assignment moves it to Networks: not a reassignment.
        services.ticket_assign(ticket=t, actor=None, at=MORNING + 10 * M, queue=networks)
        services.ticket_reassign(ticket=t, actor=None, at=MORNING + 1 * H, queue=desktop)
        services.ticket_reassign(ticket=t, actor=None, at=MORNING + 2 * H, queue=networks)
        services.ticket_reassign(ticket=t, actor=None, at=MORNING + 3 * H, queue=desktop)
        t.refresh_from_db()
        return t

    def test_it_counts_queue_changes_after_the_first_assignment(self, ticket):
        assert ticket.reassignment_count == 3
        assert ticket.queue.slug == "desktop"

    def test_it_knows_the_count_as_of_any_instant(self, ticket):
        def multiple(t):
            qs = Ticket.objects.with_multiple_reassignments_at(t, n=2)
            return qs.filter(pk=ticket.pk).exists()

        assert not multiple(MORNING + 30 * M)
        assert not multiple(MORNING + 90 * M)  # one reassignment
        assert multiple(MORNING + 2 * H)  # two, from 11:00 exactly
        assert multiple(MORNING + 4 * H)

    def test_it_knows_which_queue_it_was_in(self, ticket, desk, networks, desktop):
        def in_queue(t, queue):
            return Ticket.objects.in_queue_at(t, queue).filter(pk=ticket.pk).exists()

        assert in_queue(MORNING + 5 * M, desk)
        assert in_queue(MORNING + 30 * M, networks)
        assert in_queue(MORNING + 90 * M, desktop)
        assert in_queue(MORNING + 150 * M, networks)
        assert not in_queue(MORNING + 150 * M, desktop)

    def test_the_live_count_agrees(self, ticket):
        assert Ticket.objects.with_multiple_reassignments(2).filter(pk=ticket.pk).exists()
        assert not Ticket.objects.with_multiple_reassignments(4).filter(pk=ticket.pk).exists()

    def test_rebuilding_from_the_events_changes_nothing(self, ticket):
        assert_rebuild_changes_nothing(ticket)


@pytest.mark.django_db
class OnHoldAcrossABankHolidayWeekendTests:
    """Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr are England & Wales holidays."""

    LOGGED = at(2026, 4, 2, 8, 0)  # Thu 2 Apr 09:00 BST
    HOLD = at(2026, 4, 2, 12, 0)  # Thu 13:00 BST
    RESUME = at(2026, 4, 7, 9, 0)  # Tue 7 Apr 10:00 BST
    RESOLVE = at(2026, 4, 7, 11, 0)  # Tue 12:00 BST

    @pytest.fixture
    def ticket(self, desk, targets):
        t = log_ticket(queue=desk, at=self.LOGGED)
        services.ticket_assign(ticket=t, actor=None, at=self.LOGGED + M)
        services.ticket_put_on_hold(
            ticket=t,
            actor=None,
            at=self.HOLD,
            reason="Awaiting the part",
            status=Status.AWAITING_SUPPLIER,
        )
        t.refresh_from_db()
        return t

    def test_its_clock_stops_while_on_hold(self, ticket):
        # 4 h used on Thursday; the due instant is unknown until it resumes, so the stored
        # one counts only the ended pauses: Thursday 17:00 BST.
        assert ticket.sla_due_at == at(2026, 4, 2, 16, 0)
        assert not Ticket.objects.breaching(now=at(2026, 4, 7, 15, 0)).exists()
        assert not Ticket.objects.at_risk(now=at(2026, 4, 7, 15, 0)).exists()

    def test_it_is_on_hold_over_the_weekend(self, ticket):
        saturday = at(2026, 4, 4, 12, 0)
        assert Ticket.objects.on_hold_at(saturday).filter(pk=ticket.pk).exists()
        assert Ticket.objects.open_at(saturday).filter(pk=ticket.pk).exists()
        assert not Ticket.objects.on_hold_at(self.HOLD - M).filter(pk=ticket.pk).exists()

    def test_its_due_time_skips_the_pause_and_the_holidays(self, ticket):
        services.ticket_take_off_hold(ticket=ticket, actor=None, at=self.RESUME)
        ticket.refresh_from_db()
        # 4 h left from Tue 10:00 BST: due Tue 14:00 BST (13:00 UTC).
        assert ticket.sla_due_at == at(2026, 4, 7, 13, 0)
        # At risk from 6 h used: Tue 12:00 BST.
        assert ticket.sla_at_risk_at == at(2026, 4, 7, 11, 0)

    def test_its_resolution_time_leaves_out_the_pause(self, ticket):
        services.ticket_take_off_hold(ticket=ticket, actor=None, at=self.RESUME)
        services.ticket_resolve(ticket=ticket, actor=None, at=self.RESOLVE)
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 6 * 3600
        assert_rebuild_changes_nothing(ticket)


@pytest.mark.django_db
class LoggedOnASundayTests:
    SUNDAY = at(2026, 3, 1, 14, 0)  # Sun 1 Mar 2026 14:00 GMT

    @pytest.fixture
    def ticket(self, desk, targets):
        return log_ticket(queue=desk, at=self.SUNDAY)

    def test_its_clock_starts_on_monday_morning(self, ticket):
        assert ticket.sla_due_at == at(2026, 3, 2, 17, 0)
        assert ticket.sla_at_risk_at == at(2026, 3, 2, 15, 0)

    def test_its_resolution_time_counts_from_monday_09_00(self, ticket):
        services.ticket_assign(ticket=ticket, actor=None, at=at(2026, 3, 2, 9, 30))
        services.ticket_resolve(ticket=ticket, actor=None, at=at(2026, 3, 2, 11, 0))
        ticket.refresh_from_db()
        assert ticket.business_resolution_seconds == 2 * 3600

    def test_it_is_over_a_week_old_a_second_after_seven_days(self, ticket):
        week = self.SUNDAY + timedelta(days=7)
        old = lambda t: Ticket.objects.over_a_week_old_at(t).filter(pk=ticket.pk).exists()  # noqa: E731
        assert not old(week)
        assert old(week + timedelta(seconds=1))
        assert Ticket.objects.over_a_week_old(now=week + timedelta(seconds=1)).exists()
        assert not Ticket.objects.over_a_week_old(now=week).exists()

    def test_it_is_not_open_before_it_was_logged(self, ticket):
        assert not Ticket.objects.open_at(self.SUNDAY - M).exists()
        assert Ticket.objects.open_at(self.SUNDAY).exists()


@pytest.mark.django_db
class EscalationTests:
    def test_it_records_the_level_and_reason(self, desk, targets):
        t = log_ticket(queue=desk)
        services.ticket_escalate(ticket=t, actor=None, at=MORNING + H, level=2, reason="VIP")
        t.refresh_from_db()
        assert t.escalation_level == 2
        event = t.events.get(kind=EventKind.ESCALATED)
        assert (event.level, event.reason) == (2, "VIP")
        assert Ticket.objects.escalated_at(MORNING + H).filter(pk=t.pk).exists()
        assert not Ticket.objects.escalated_at(MORNING + 59 * M).filter(pk=t.pk).exists()


@pytest.mark.django_db
class BreachTests:
    def test_it_breaches_a_second_after_the_due_instant(self, desk, targets):
        t = log_ticket(queue=desk)  # due 17:00, at risk from 15:00
        due = MORNING + 8 * H
        assert not Ticket.objects.breaching(now=due).exists()
        assert Ticket.objects.breaching(now=due + timedelta(seconds=1)).exists()
        assert Ticket.objects.at_risk(now=due).filter(pk=t.pk).exists()
        assert not Ticket.objects.at_risk(now=MORNING + 6 * H - M).exists()
        assert Ticket.objects.at_risk(now=MORNING + 6 * H).exists()

    def test_a_ticket_put_on_hold_after_its_due_time_stays_breached(self, desk, targets):
        t = log_ticket(queue=desk)
        services.ticket_put_on_hold(ticket=t, actor=None, at=MORNING + 9 * H, reason="x")
        assert Ticket.objects.breaching(now=MORNING + 30 * H).filter(pk=t.pk).exists()


@pytest.mark.django_db
class IllegalTransitionTests:
    @pytest.fixture
    def ticket(self, desk, targets):
        return log_ticket(queue=desk)

    @pytest.fixture
    def refuses(self, ticket):
        """``refuses(service, message, **kwargs)``: ``service``, applied to the ticket later
        that day, refuses with ``message`` and records no event and no interval."""

        def check(service, message, **kwargs):
            events = TicketEvent.objects.count()
            intervals = TicketInterval.objects.count()
            with pytest.raises(services.TransitionError) as caught:
                service(ticket=ticket, actor=None, at=MORNING + 10 * H, **kwargs)
            assert caught.value.messages == [message]
            assert TicketEvent.objects.count() == events
            assert TicketInterval.objects.count() == intervals

        return check

    def test_it_refuses_to_resolve_a_closed_ticket(self, ticket, refuses):
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_resolve, "You cannot resolve a closed ticket")

    def test_it_refuses_to_resolve_a_resolved_ticket(self, ticket, refuses):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_resolve, "You cannot resolve a resolved ticket")

    def test_it_refuses_to_resolve_a_cancelled_ticket(self, ticket, refuses):
        services.ticket_cancel(ticket=ticket, actor=None, at=MORNING + H, reason="Duplicate")
        refuses(services.ticket_resolve, "You cannot resolve a cancelled ticket")

    def test_it_refuses_to_reassign_to_the_same_queue(self, desk, refuses):
        refuses(
            services.ticket_reassign, "The ticket is already in the Service desk queue", queue=desk
        )

    def test_it_refuses_to_reassign_a_resolved_ticket(self, ticket, networks, refuses):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_reassign, "You cannot reassign a resolved ticket", queue=networks)

    def test_it_refuses_to_assign_a_closed_ticket(self, ticket, refuses):
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_assign, "You cannot assign a closed ticket")

    def test_it_refuses_to_assign_to_the_same_person_again(self, ticket, make_user, refuses):
        person = make_user(first_name="Ana", last_name="Lee")
        services.ticket_assign(ticket=ticket, actor=None, at=MORNING + H, assignee=person)
        refuses(
            services.ticket_assign,
            "The ticket is already assigned to Ana Lee in the Service desk queue",
            assignee=person,
        )

    def test_it_refuses_to_put_an_on_hold_ticket_on_hold(self, ticket, refuses):
        services.ticket_put_on_hold(ticket=ticket, actor=None, at=MORNING + H, reason="x")
        refuses(services.ticket_put_on_hold, services.ALREADY_ON_HOLD, reason="y")

    def test_it_refuses_a_hold_without_a_reason(self, refuses):
        refuses(services.ticket_put_on_hold, services.REASON_REQUIRED, reason=" ")

    def test_it_refuses_a_hold_status_that_is_not_on_hold(self, refuses):
        refuses(
            services.ticket_put_on_hold,
            services.NOT_A_HOLD_STATUS,
            reason="x",
            status=Status.RESOLVED,
        )

    def test_it_refuses_to_put_a_resolved_ticket_on_hold(self, ticket, refuses):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_put_on_hold, "You cannot put on hold a resolved ticket", reason="x")

    def test_it_refuses_to_take_off_hold_a_ticket_not_on_hold(self, refuses):
        refuses(services.ticket_take_off_hold, services.NOT_ON_HOLD)

    def test_it_refuses_an_escalation_that_is_not_higher(self, ticket, refuses):
        services.ticket_escalate(ticket=ticket, actor=None, at=MORNING + H, level=2, reason="x")
        refuses(
            services.ticket_escalate,
            services.ESCALATION_NOT_HIGHER.format(current=2),
            level=1,
            reason="y",
        )

    def test_it_refuses_an_escalation_level_out_of_range(self, refuses):
        refuses(services.ticket_escalate, services.ESCALATION_LEVEL_INVALID, level=4, reason="x")

    def test_it_refuses_to_escalate_a_closed_ticket(self, ticket, refuses):
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + H)
        refuses(
            services.ticket_escalate, "You cannot escalate a closed ticket", level=1, reason="x"
        )

    def test_it_refuses_to_reopen_an_open_ticket(self, refuses):
        refuses(services.ticket_reopen, "You cannot reopen a logged ticket", reason="x")

    def test_it_refuses_to_reopen_a_cancelled_ticket(self, ticket, refuses):
        services.ticket_cancel(ticket=ticket, actor=None, at=MORNING + H, reason="Duplicate")
        refuses(services.ticket_reopen, "You cannot reopen a cancelled ticket", reason="x")

    def test_it_refuses_a_reopen_without_a_reason(self, ticket, refuses):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_reopen, services.REASON_REQUIRED, reason="")

    def test_it_refuses_to_close_a_closed_ticket(self, ticket, refuses):
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_close, "You cannot close a closed ticket")

    def test_it_refuses_to_cancel_a_resolved_ticket(self, ticket, refuses):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + H)
        refuses(services.ticket_cancel, "You cannot cancel a resolved ticket", reason="x")

    def test_it_refuses_a_change_dated_before_the_last_one(self, ticket, refuses):
        services.ticket_assign(ticket=ticket, actor=None, at=MORNING + 11 * H)
        refuses(
            services.ticket_resolve,
            services.BEFORE_LAST_CHANGE.format(last=(MORNING + 11 * H).isoformat()),
        )

    def test_it_refuses_a_reference_that_is_taken(self, desk):
        log_ticket(queue=desk, reference="INC1")
        with pytest.raises(services.ValidationError):
            log_ticket(queue=desk, reference="INC1")
        assert Ticket.objects.filter(reference="INC1").count() == 1


@pytest.mark.django_db
class EventRecordTests:
    def test_each_action_appends_one_numbered_event_with_its_actor(self, desk, networks, make_user):
        agent = make_user(first_name="Amir", last_name="Khan")
        t = log_ticket(queue=desk, actor=agent)
        services.ticket_assign(ticket=t, actor=agent, at=MORNING + M, assignee=agent)
        services.ticket_reassign(ticket=t, actor=agent, at=MORNING + 2 * M, queue=networks)
        events = list(t.events.order_by("sequence"))
        assert [e.sequence for e in events] == [1, 2, 3]
        assert [e.kind for e in events] == ["logged", "assigned", "reassigned"]
        assert events[2].from_queue == desk and events[2].to_queue == networks
        assert {e.actor_name for e in events} == {"Amir Khan"}
        t.refresh_from_db()
        # Reassigning to another queue without a person leaves it unassigned there.
        assert t.assignee is None
        assert t.status == Status.ASSIGNED


@pytest.mark.django_db
class SlaRecomputeTests:
    def test_a_new_bank_holiday_moves_open_tickets_due_time(self, desk, targets):
        from hackperf.models import BankHoliday
        from hackperf.signals import bank_holidays_changed

        ticket = log_ticket(queue=desk, at=at(2026, 3, 9, 9, 0))  # Mon 9 Mar, due 17:00
        assert ticket.sla_due_at == at(2026, 3, 9, 17, 0)
        BankHoliday.objects.create(
            division="england-and-wales",
            date=at(2026, 3, 9, 0, 0).date(),
            title="Extra",
            source="test",
        )
        bank_holidays_changed.send(sender=BankHoliday, changed_dates=[], reason="test")
        ticket.refresh_from_db()
        assert ticket.sla_due_at == at(2026, 3, 10, 17, 0)
        assert services.tickets_sla_recompute() == 0  # nothing left to change


@pytest.mark.django_db
def test_derived_fields_returns_exactly_the_named_fields(desk):
    """The importer and the demo's COPY write DERIVED_FIELDS: it must be what history derives."""
    from servicedesk.history import DERIVED_FIELDS, derived_fields, replay
    from servicedesk.sla import ServiceCalendar

    ticket = log_ticket(queue=desk)
    replayed = replay(list(TicketEvent.objects.filter(ticket=ticket).order_by("sequence")))
    fields = derived_fields(
        replayed.state, replayed.intervals, calendar=ServiceCalendar(), target_seconds=None
    )
    assert tuple(fields) == DERIVED_FIELDS
