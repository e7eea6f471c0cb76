"""All writes to tickets: each agent action appends one event and updates what derives from it.

Every ``ticket_<verb>`` runs in ``transaction.atomic``, locks the ticket row, checks the
transition, appends one :class:`TicketEvent`, closes the current :class:`TicketInterval` and
opens the next when the status, queue, reassignment count or escalation level changes, and
refreshes the ticket's derived fields, through the same rules (``servicedesk.history.step``)
that :func:`ticket_history_rebuild` replays in bulk. Illegal transitions raise
:class:`TransitionError` with one of the messages below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from servicedesk import statuses
from servicedesk.calendars import holiday_calendar, queue_calendar
from servicedesk.choices import (
    PAUSED_STATUSES,
    EscalationLevel,
    EventKind,
    Kind,
    Status,
    StatusClass,
)
from servicedesk.history import (
    TicketState,
    derived_fields,
    events_as_of,
    initial_state,
    interval_from,
    replay,
    state_of,
    step,
)
from servicedesk.models import (
    Category,
    Queue,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketInterval,
    TicketNote,
)

# Error texts, reused by the tests and shown to agents as they are.
CANNOT_ACT_ON_STATUS = "You cannot {action} a {status} ticket"
ALREADY_IN_QUEUE = "The ticket is already in the {queue} queue"
ALREADY_ASSIGNED = "The ticket is already assigned to {name} in the {queue} queue"
ALREADY_ON_HOLD = "The ticket is already on hold"
NOT_ON_HOLD = "The ticket is not on hold"
NOT_A_HOLD_STATUS = "Choose whether the ticket awaits the customer or a supplier"
REASON_REQUIRED = "Give a reason"
ESCALATION_NOT_HIGHER = (
    "The ticket is already escalated to level {current}; escalate to a higher level"
)
ESCALATION_LEVEL_INVALID = "Choose an escalation level from 1 to 3"
BEFORE_LAST_CHANGE = "A change cannot be dated before the ticket's last change ({last})"
REFERENCE_TAKEN = "A ticket with reference {reference} already exists: use another reference"
NOT_RECLASSIFIED = "Choose a different kind or category"

AS_OF_FIELDS = ("ticket_queue_id", "ticket_kind", "ticket_category_id", "ticket_channel")


# Who acts: a signed-in person, or nobody (an import or a job, named by ``actor_name``).
Actor = User | None


class Act(TypedDict, total=False):
    """Who acts on which ticket, and when: the keywords every ``ticket_<verb>`` takes
    (``actor_name`` names one who is not a signed-in person: an import, a job)."""

    ticket: Required[Ticket]
    actor: Required[Actor]
    at: Required[datetime]
    actor_name: str


class TransitionError(ValidationError):
    """An agent action that the ticket's current state does not allow."""


def _status_word(status: str) -> str:
    if status in PAUSED_STATUSES:
        return "on-hold"
    return Status(status).label.lower()


def _refuse(action: str, ticket: Ticket) -> TransitionError:
    return TransitionError(
        CANNOT_ACT_ON_STATUS.format(action=action, status=_status_word(ticket.status))
    )


def _actor_name(actor: Actor, actor_name: str) -> str:
    if actor_name or actor is None:
        return actor_name
    return actor.get_full_name() or actor.get_username()


def _target_seconds(kind: str, priority: str) -> int | None:
    return (
        SlaTarget.objects.filter(kind=kind, priority=priority)
        .values_list("resolution_seconds", flat=True)
        .first()
    )


def _set_derived(ticket: Ticket, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(ticket, name, value)


def _refresh(
    ticket: Ticket, state: TicketState, intervals: list[TicketInterval] | None = None
) -> None:
    """Recompute the derived fields from ``state`` and ``intervals`` (by default the ticket's
    saved paused ones)."""
    if intervals is None:
        intervals = list(ticket.intervals.paused())
    queue = Queue.objects.get(pk=state.queue_id)
    fields = derived_fields(
        state,
        intervals,
        calendar=queue_calendar(queue),
        target_seconds=_target_seconds(ticket.kind, ticket.priority),
    )
    _set_derived(ticket, fields)
    ticket.queue = queue


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("queue").get(pk=ticket.pk)


def _open_interval(ticket: Ticket, state: TicketState, at: datetime) -> None:
    """The interval ``state`` starts at ``at`` (the previous one, if any, ended there)."""
    TicketInterval.objects.create(ticket=ticket, **interval_from(state, at).model_kwargs())


def _append(
    ticket: Ticket,
    act: Act,
    *,
    kind: str,
    to_status: str = "",
    to_queue: Queue | None = None,
    assignee: Any = None,
    reason: str = "",
    level: int | None = None,
    **reclassification: Any,
) -> TicketEvent:
    """Append one ``kind`` event to the (locked) ``ticket``, as ``act`` says who and when."""
    actor, at = act["actor"], act["at"]
    last_at = (
        ticket.events.order_by("-sequence").values_list("at", flat=True).first() or ticket.logged_at
    )
    if at < last_at:
        raise TransitionError(BEFORE_LAST_CHANGE.format(last=last_at.isoformat()))
    state = state_of(ticket)
    event = TicketEvent(
        ticket=ticket,
        sequence=ticket.last_sequence + 1,
        kind=kind,
        at=at,
        actor=actor,
        actor_name=_actor_name(actor, act.get("actor_name", "")),
        from_status=state.status,
        to_status=to_status,
        from_queue_id=state.queue_id if to_queue is not None else None,
        to_queue=to_queue,
        assignee=assignee,
        reason=reason,
        level=level,
        **reclassification,
    )
    new = step(state, event)
    ticket.kind, ticket.category_id = new.kind, new.category_id
    _set_as_of(event, new, channel=ticket.channel)
    event.save()
    if new.interval_key != state.interval_key:
        ticket.intervals.filter(ended_at__isnull=True).update(ended_at=at)
        _open_interval(ticket, new, at)
        # Earlier events at this same instant read the interval it starts, as the figures
        # always have (the latest interval started by an event's instant).
        ticket.events.filter(at=at).exclude(pk=event.pk).update(
            ticket_queue_id=new.queue_id, ticket_kind=new.kind, ticket_category_id=new.category_id
        )
    _refresh(ticket, new)
    ticket.save()
    return event


def _set_as_of(event: TicketEvent, state: TicketState, *, channel: str) -> None:
    """The ticket as of ``event`` (``servicedesk.as_of``): the state after it."""
    event.ticket_queue_id = state.queue_id
    event.ticket_kind = state.kind
    event.ticket_category_id = state.category_id
    event.ticket_channel = channel


def _require_allowed(ticket: Ticket, action: str, verb: str = "") -> None:
    """Refuse ``action`` unless ``statuses.ALLOWED_ACTIONS`` allows it in the ticket's status
    (the forms read the same table to decide what to offer)."""
    if not statuses.allows(ticket.status, action):
        raise _refuse(verb or action, ticket)


def _locked_for(ticket: Ticket, action: str) -> Ticket:
    """The ticket re-read under a row lock, refused unless its status allows ``action``."""
    ticket = _locked(ticket)
    _require_allowed(ticket, action)
    return ticket


def _given(reason: str) -> str:
    """The reason without its surrounding blanks; refused when there is none."""
    if not reason.strip():
        raise TransitionError(REASON_REQUIRED)
    return reason.strip()


def _once_taken_on(ticket: Ticket) -> str:
    """The status an assignment or a move gives: a ticket still logged becomes assigned;
    any other keeps its status ("")."""
    return Status.ASSIGNED if ticket.status == Status.LOGGED else ""


def _higher_level(ticket: Ticket, level: int) -> EscalationLevel:
    """``level`` as an escalation level; refused unless it is one (1 to 3) and above the
    ticket's current one."""
    if level not in (1, 2, 3):
        raise TransitionError(ESCALATION_LEVEL_INVALID)
    if level <= ticket.escalation_level:
        raise TransitionError(ESCALATION_NOT_HIGHER.format(current=ticket.escalation_level))
    return EscalationLevel(level)


# -- the verbs ------------------------------------------------------------------------------


class TicketDetails(TypedDict, total=False):
    """What the person logging a ticket says of it: ``ticket_log``'s keywords, each the
    ticket field of the same name."""

    reference: Required[str]
    kind: Required[str]
    summary: Required[str]
    queue: Required[Queue]
    channel: Required[str]
    priority: str
    category: Category | None
    customer_name: str
    customer_email: str
    customer_directorate: str
    customer_phone: str
    description: str


@transaction.atomic
def ticket_log(
    *, actor: Actor, at: datetime, actor_name: str = "", **details: Unpack[TicketDetails]
) -> Ticket:
    """Log a new ticket in ``details["queue"]`` (its first event), priority P3 unless said."""
    reference, kind, queue = details["reference"], details["kind"], details["queue"]
    if Ticket.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": REFERENCE_TAKEN.format(reference=reference)})
    ticket = Ticket(
        **{"priority": "P3", **details},
        status=Status.LOGGED,
        status_class=StatusClass.OPEN,
        logged_at=at,
        status_since=at,
    )
    ticket.full_clean()
    ticket.save()
    event = TicketEvent(
        ticket=ticket,
        sequence=1,
        kind=EventKind.LOGGED,
        at=at,
        actor=actor,
        actor_name=_actor_name(actor, actor_name),
        to_status=Status.LOGGED,
        to_queue=queue,
    )
    state = initial_state(event, kind=kind, category_id=ticket.category_id)
    _set_as_of(event, state, channel=ticket.channel)
    event.save()
    _open_interval(ticket, state, at)
    _refresh(ticket, state)
    ticket.save()
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    assignee: User | None = None,
    queue: Queue | None = None,
    **act: Unpack[Act],
) -> Ticket:
    """Assign the ticket to a person (and, for the first assignment, optionally a queue)."""
    ticket = _locked_for(act["ticket"], "assign")
    target_queue = queue or ticket.queue
    if ticket.assignee_id is not None and assignee is not None:
        if ticket.assignee_id == assignee.pk and target_queue.pk == ticket.queue_id:
            raise TransitionError(
                ALREADY_ASSIGNED.format(
                    name=assignee.get_full_name() or assignee.get_username(),
                    queue=ticket.queue.name,
                )
            )
    _append(
        ticket,
        act,
        kind=EventKind.ASSIGNED,
        to_status=_once_taken_on(ticket),
        to_queue=queue if queue is not None and queue.pk != ticket.queue_id else None,
        assignee=assignee,
    )
    return ticket


@transaction.atomic
def ticket_reassign(
    *,
    queue: Queue,
    assignee: User | None = None,
    reason: str = "",
    **act: Unpack[Act],
) -> Ticket:
    """Move the ticket to another queue (a reassignment, once it has been assigned)."""
    ticket = _locked_for(act["ticket"], "reassign")
    if queue.pk == ticket.queue_id:
        raise TransitionError(ALREADY_IN_QUEUE.format(queue=queue.name))
    _append(
        ticket,
        act,
        kind=EventKind.REASSIGNED,
        to_status=_once_taken_on(ticket),
        to_queue=queue,
        assignee=assignee,
        reason=reason,
    )
    return ticket


@transaction.atomic
def ticket_put_on_hold(
    *,
    reason: str,
    status: str = Status.AWAITING_CUSTOMER,
    **act: Unpack[Act],
) -> Ticket:
    """Put the ticket on hold (its SLA clock stops) awaiting the customer or a supplier."""
    ticket = _locked(act["ticket"])
    if ticket.status_class == StatusClass.PAUSED:
        raise TransitionError(ALREADY_ON_HOLD)
    _require_allowed(ticket, "hold", "put on hold")
    if status not in PAUSED_STATUSES:
        raise TransitionError(NOT_A_HOLD_STATUS)
    _append(
        ticket,
        act,
        kind=EventKind.ON_HOLD,
        to_status=status,
        reason=_given(reason),
    )
    return ticket


@transaction.atomic
def ticket_take_off_hold(**act: Unpack[Act]) -> Ticket:
    """Take the ticket off hold: back in progress, its SLA clock runs again."""
    ticket = _locked(act["ticket"])
    if not statuses.allows(ticket.status, "off-hold"):
        raise TransitionError(NOT_ON_HOLD)
    _append(
        ticket,
        act,
        kind=EventKind.OFF_HOLD,
        to_status=Status.IN_PROGRESS,
    )
    return ticket


@transaction.atomic
def ticket_escalate(
    *,
    level: int,
    reason: str,
    **act: Unpack[Act],
) -> Ticket:
    """Escalate the ticket to a higher level, with a reason."""
    ticket = _locked_for(act["ticket"], "escalate")
    _append(
        ticket,
        act,
        kind=EventKind.ESCALATED,
        level=_higher_level(ticket, level),
        reason=_given(reason),
    )
    return ticket


_UNCHANGED: Any = object()


@transaction.atomic
def ticket_reclassify(
    *,
    kind: str | None = None,
    category: Category | None = _UNCHANGED,
    reason: str = "",
    **act: Unpack[Act],
) -> Ticket:
    """Change the ticket's kind and/or category (``category=None``: no category), in any
    status. One reclassification event records both before and after, so the snapshots of
    any instant count the ticket under the kind and category it had then (issue 14)."""
    ticket = _locked(act["ticket"])
    to_kind = kind or ticket.kind
    to_category_id = ticket.category_id if category is _UNCHANGED else getattr(category, "pk", None)
    if to_kind == ticket.kind and to_category_id == ticket.category_id:
        raise TransitionError(NOT_RECLASSIFIED)
    if to_kind not in Kind.values:
        raise ValidationError({"kind": f"Choose a kind: {', '.join(Kind.values)}"})
    from_kind, from_category_id = ticket.kind, ticket.category_id
    _append(
        ticket,
        act,
        kind=EventKind.RECLASSIFIED,
        reason=reason.strip(),
        from_kind=from_kind,
        to_kind=to_kind,
        from_category_id=from_category_id,
        to_category_id=to_category_id,
    )
    return ticket


@dataclass(frozen=True)
class StatusMove:
    """A verb that only changes the status (resolve, reopen, close, cancel), as data: called
    like the other ``ticket_<verb>`` services, it requires ``action`` allowed in the ticket's
    status and a reason when ``reason_required``, and appends one ``kind`` event to
    ``to_status``."""

    action: str
    to_status: str
    kind: str
    reason_required: bool = False

    @transaction.atomic
    def __call__(self, *, reason: str = "", **act: Unpack[Act]) -> Ticket:
        ticket = _locked_for(act["ticket"], self.action)
        _append(
            ticket,
            act,
            kind=self.kind,
            to_status=self.to_status,
            reason=_given(reason) if self.reason_required else reason,
        )
        return ticket


ticket_resolve = StatusMove("resolve", Status.RESOLVED, EventKind.RESOLVED)
"""Resolve the ticket (a resolution event: its SLA clock stops)."""
ticket_reopen = StatusMove("reopen", Status.IN_PROGRESS, EventKind.REOPENED, reason_required=True)
"""Reopen a resolved or closed ticket: back in progress, a reopen is counted."""
ticket_close = StatusMove("close", Status.CLOSED, EventKind.CLOSED)
"""Close the ticket; closing an unresolved one is also a resolution event."""
ticket_cancel = StatusMove("cancel", Status.CANCELLED, EventKind.CANCELLED, reason_required=True)
"""Cancel the ticket (logged in error, duplicate): done, but not a resolution."""


# -- bulk -----------------------------------------------------------------------------------


@transaction.atomic
def ticket_history_rebuild(*, ticket: Ticket) -> Ticket:
    """Recompute the ticket's intervals and derived fields from its events alone.

    The history is the source of truth: the importer appends or replaces events, then calls
    this. Running it twice changes nothing.
    """
    ticket = _locked(ticket)
    events = list(ticket.events.order_by("sequence", "pk"))
    replayed = replay(events, kind=ticket.kind, category_id=ticket.category_id)
    ticket.intervals.all().delete()
    intervals = TicketInterval.objects.bulk_create(
        TicketInterval(ticket=ticket, **row.model_kwargs()) for row in replayed.intervals
    )
    for event, (queue_id, kind, category_id) in zip(
        events, events_as_of(events, replayed.intervals), strict=True
    ):
        event.ticket_queue_id, event.ticket_kind = queue_id, kind
        event.ticket_category_id, event.ticket_channel = category_id, ticket.channel
    TicketEvent.objects.bulk_update(events, AS_OF_FIELDS)
    _refresh(ticket, replayed.state, intervals)
    ticket.save()
    return ticket


def tickets_sla_recompute(*, tickets=None) -> int:
    """Recompute the SLA due instants of open tickets (after their calendars changed).

    Run when bank holidays change (``hackperf.signals.bank_holidays_changed``) or a queue's
    hours do: two queries to read, one bulk update to write. Returns how many changed.
    """
    tickets = list(
        (tickets if tickets is not None else Ticket.objects.open()).select_related("queue")
    )
    holidays = holiday_calendar()
    targets = {
        (kind, priority): seconds
        for kind, priority, seconds in SlaTarget.objects.values_list(
            "kind", "priority", "resolution_seconds"
        )
    }
    paused: dict[int, list[TicketInterval]] = {}
    for interval in TicketInterval.objects.paused().filter(ticket__in=[t.pk for t in tickets]):
        paused.setdefault(interval.ticket_id, []).append(interval)
    changed = []
    fields = ("sla_target_seconds", "sla_due_at", "sla_at_risk_at")
    for ticket in tickets:
        derived = derived_fields(
            state_of(ticket),
            paused.get(ticket.pk, []),
            calendar=queue_calendar(ticket.queue, holidays=holidays),
            target_seconds=targets.get((ticket.kind, ticket.priority)),
        )
        if any(getattr(ticket, name) != derived[name] for name in fields):
            for name in fields:
                setattr(ticket, name, derived[name])
            changed.append(ticket)
    Ticket.objects.bulk_update(changed, fields, batch_size=1000)
    return len(changed)


# -- reference data edited in the admin ----------------------------------------------------

# A queue's fields that make its SLA calendar.
CALENDAR_FIELDS = ("working_hours", "holiday_division")


@transaction.atomic
def queue_save(*, queue: Queue, changed: Iterable[str] = CALENDAR_FIELDS) -> int:
    """Save a queue (validated, hours included); when its hours or holiday division changed,
    recompute the SLA clocks of its open tickets. Returns how many tickets' clocks moved."""
    queue.full_clean()
    queue.save()
    if set(CALENDAR_FIELDS) & set(changed):
        return tickets_sla_recompute(tickets=Ticket.objects.open().filter(queue=queue))
    return 0


def _open_of(kind: str, priority: str):
    return Ticket.objects.open().filter(kind=kind, priority=priority)


@transaction.atomic
def sla_target_save(*, target: SlaTarget) -> int:
    """Save an SLA target and recompute the SLA clocks of the open tickets it applies to (and
    of those it applied to, if its kind or priority changed). Returns how many moved."""
    before = (
        SlaTarget.objects.filter(pk=target.pk).values_list("kind", "priority").first()
        if target.pk
        else None
    )
    target.full_clean()
    target.save()
    moved = tickets_sla_recompute(tickets=_open_of(target.kind, target.priority))
    if before and before != (target.kind, target.priority):
        moved += tickets_sla_recompute(tickets=_open_of(*before))
    return moved


@transaction.atomic
def sla_target_delete(*, target: SlaTarget) -> int:
    """Delete an SLA target; its open tickets lose their SLA clock. Returns how many moved."""
    kind, priority = target.kind, target.priority
    target.delete()
    return tickets_sla_recompute(tickets=_open_of(kind, priority))


NOTE_REQUIRED = "Enter the note"


@transaction.atomic
def ticket_add_note(*, text: str, **act: Unpack[Act]) -> Ticket:
    """Add an internal work note (who, when, what); on any ticket, open or closed.

    A note is not an event: the ticket's status, clock and counts do not change.
    """
    if not text.strip():
        raise TransitionError(NOTE_REQUIRED)
    ticket, actor = act["ticket"], act["actor"]
    TicketNote.objects.create(
        ticket=ticket,
        at=act["at"],
        author=actor,
        author_name=_actor_name(actor, act.get("actor_name", "")) or "System",
        text=text.strip(),
    )
    return ticket


# -- many tickets at once ---------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the tickets it changed, and each refusal with its reason."""

    done: list[str]
    refused: list[tuple[str, str]]

    def summary(self, past: str) -> str:
        """ "2 reassigned: INC-7, INC-8; 1 refused: INC-9 (You cannot reassign a closed
        ticket)": each ticket named, so the person can check what was done."""
        parts = [f"{len(self.done)} {past}" + (f": {', '.join(self.done)}" if self.done else "")]
        if self.refused:
            reasons = "; ".join(f"{reference} ({why})" for reference, why in self.refused)
            parts.append(f"{len(self.refused)} refused: {reasons}")
        return "; ".join(parts)


def tickets_bulk(
    *,
    service: Callable[..., Ticket],
    tickets: Iterable[Ticket],
    actor: Actor,
    at: datetime,
    **kwargs: Any,
) -> BulkOutcome:
    """Apply one action (a ``ticket_<verb>`` above) to each ticket, one transaction each.

    Each ticket goes through the same service, checks and messages as one at a time; a ticket
    the service refuses is listed with its reason and does not undo the others (call this
    outside any enclosing transaction for each ticket to commit on its own).
    """
    done: list[str] = []
    refused: list[tuple[str, str]] = []
    for ticket in tickets:
        try:
            with transaction.atomic():
                service(ticket=ticket, actor=actor, at=at, **kwargs)
        except ValidationError as error:
            refused.append((ticket.reference, " ".join(error.messages)))
        else:
            done.append(ticket.reference)
    return BulkOutcome(done=done, refused=refused)
