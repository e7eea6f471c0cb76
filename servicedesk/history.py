"""Replay a ticket's events into its state and intervals: the one place the rules live.

Used event by event by the services (``step``) and in bulk by ``ticket_history_rebuild``,
the importer and the demo data (``replay``), so a ticket worked through the pages and the same
ticket imported from its audit log end up identical. No ORM queries: events are anything with
the attributes of :class:`~servicedesk.models.TicketEvent` (saved or not).

Rules (DESIGN.md, metric dictionary):

* a *resolution event* is a change from an open or paused status to resolved or closed
  (resolved → closed is not one);
* a *reopen* is a change from resolved or closed to any status that is not done (open or
  paused);

both stated once, in ``servicedesk.statuses`` (``is_resolution``, ``is_reopen``);
* a *reassignment* is a change of queue after the first assignment (the first ``assigned`` or
  ``reassigned`` event), whatever the event's kind, and any later ``reassigned`` event, even
  to the same queue (only imports make those: the services refuse them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

from servicedesk import sla
from servicedesk.choices import STATUS_CLASSES, EventKind, Status, StatusClass, status_class
from servicedesk.sla import ServiceCalendar
from servicedesk.statuses import is_reopen, is_resolution

AT_RISK_SHARE = 0.75
"""Share of the SLA target used from which a ticket is "at risk" (the issue's 75%)."""

NO_LOGGED_EVENT = "A ticket's history must start with its logged event."
EVENTS_OUT_OF_ORDER = "Event {sequence} ({at}) is earlier than the event before it ({before})."


@dataclass(frozen=True)
class TicketState:
    """A ticket's derived state after some of its events."""

    status: str
    queue_id: int
    assignee_id: int | None
    logged_at: datetime
    status_since: datetime
    first_assigned_at: datetime | None = None
    reassignment_count: int = 0
    reopen_count: int = 0
    escalation_level: int = 0
    last_resolved_at: datetime | None = None
    last_at: datetime | None = None
    last_sequence: int = 0
    # The ticket's kind and category (a reclassification event changes them); "" and None
    # when the caller did not say (a bulk load: ``servicedesk.as_of`` fills them in SQL).
    kind: str = ""
    category_id: int | None = None

    @property
    def status_class(self) -> StatusClass:
        return status_class(self.status)

    @property
    def interval_key(self) -> tuple[str, int, int, int, str, int | None]:
        """What starts a new interval when it changes."""
        return (
            self.status,
            self.queue_id,
            self.reassignment_count,
            self.escalation_level,
            self.kind,
            self.category_id,
        )


@dataclass
class IntervalRow:
    """An interval before it is saved: what :class:`TicketInterval` is built from."""

    status: str
    queue_id: int
    reassignment_count: int
    escalation_level: int
    started_at: datetime
    ended_at: datetime | None = None
    kind: str = ""
    category_id: int | None = None
    logged_at: datetime | None = None

    @property
    def status_class(self) -> StatusClass:
        return status_class(self.status)

    def model_kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in INTERVAL_COLUMNS}


INTERVAL_COLUMNS: Final = (*(f.name for f in fields(IntervalRow)), "status_class")
"""The :class:`TicketInterval` columns an interval row gives: its fields and its status's
class (a property here, a column there, for the queries)."""

_ON_TICKET: Final = tuple(f.name for f in fields(TicketState) if f.name != "last_at")
"""What a saved ticket records of its state: all but ``last_at`` (its events hold that)."""


def state_of(ticket: Any) -> TicketState:
    """The state a saved ticket's fields record (``last_at`` unknown there: None)."""
    return TicketState(**{name: getattr(ticket, name) for name in _ON_TICKET})


def initial_state(event: Any, *, kind: str = "", category_id: int | None = None) -> TicketState:
    """The state a logged event creates, for a ticket of ``kind`` in ``category_id`` then."""
    if event.kind != EventKind.LOGGED or event.to_queue_id is None:
        raise ValueError(NO_LOGGED_EVENT)
    return TicketState(
        status=event.to_status or Status.LOGGED,
        queue_id=event.to_queue_id,
        assignee_id=event.assignee_id,
        logged_at=event.at,
        status_since=event.at,
        last_at=event.at,
        last_sequence=event.sequence,
        kind=kind,
        category_id=category_id,
    )


def classification_at_logging(
    events: Iterable[Any], *, kind: str, category_id: int | None
) -> tuple[str, int | None]:
    """A ticket's kind and category when it was logged, from its current ones (``kind``,
    ``category_id``) and its events: the first reclassification's ``from_`` values, if any."""
    for event in events:
        if event.kind == EventKind.RECLASSIFIED:
            return event.from_kind, event.from_category_id
    return kind, category_id


def step(state: TicketState, event: Any) -> TicketState:
    """The state after one more event."""
    at = event.at
    if state.last_at is not None and at < state.last_at:
        raise ValueError(
            EVENTS_OUT_OF_ORDER.format(sequence=event.sequence, at=at, before=state.last_at)
        )
    # The new state is a copy of the frozen state's fields, changed in place before anyone
    # sees it: ``dataclasses.replace`` without its per-field ``__init__`` or a dictionary of
    # changes (a third of an import's replay time).
    new = object.__new__(TicketState)
    changes = new.__dict__
    changes.update(state.__dict__)
    changes["last_at"] = at
    changes["last_sequence"] = event.sequence
    kind = event.kind
    new_queue = event.to_queue_id
    moved = new_queue is not None and new_queue != state.queue_id
    if moved:
        changes["queue_id"] = new_queue
    # An explicit "reassigned" event counts even when it names the same queue: imported logs
    # (BPI 2014) record the team that made the reassignment, not the one it went to, and the
    # source's own count agrees. People cannot do this: the services refuse it.
    if state.first_assigned_at is not None and (moved or kind == EventKind.REASSIGNED):
        changes["reassignment_count"] = state.reassignment_count + 1
    if kind in _ASSIGNING:
        if state.first_assigned_at is None:
            changes["first_assigned_at"] = at
        changes["assignee_id"] = event.assignee_id
    if kind == EventKind.ESCALATED and event.level is not None:
        changes["escalation_level"] = max(state.escalation_level, event.level)
    if kind == EventKind.RECLASSIFIED:
        changes["kind"] = event.to_kind
        changes["category_id"] = event.to_category_id
    to_status = event.to_status
    if to_status and to_status != state.status:
        changes["status"] = to_status
        changes["status_since"] = at
        if is_resolution(state.status, to_status):
            changes["last_resolved_at"] = at
        elif is_reopen(state.status, to_status):
            changes["reopen_count"] = state.reopen_count + 1
    return new


_ASSIGNING: Final = (EventKind.ASSIGNED, EventKind.REASSIGNED)


@dataclass
class Replayed:
    state: TicketState
    intervals: list[IntervalRow]


def replay(events: Iterable[Any], *, kind: str = "", category_id: int | None = None) -> Replayed:
    """Fold a ticket's events (in sequence order) into its final state and its intervals.

    ``kind`` and ``category_id`` are the ticket's current ones: given, the intervals carry
    the kind and category of their time (``classification_at_logging``); not given, they
    carry "" and None, for ``servicedesk.as_of`` to fill.
    """
    if kind:
        events = list(events)
        kind, category_id = classification_at_logging(events, kind=kind, category_id=category_id)
    iterator = iter(events)
    first = next(iterator, None)
    if first is None:
        raise ValueError(NO_LOGGED_EVENT)
    state = initial_state(first, kind=kind, category_id=category_id)
    intervals = [interval_from(state, first.at)]
    key = state.interval_key  # each state's key made once, not once on each side
    for event in iterator:
        state = step(state, event)
        new_key = state.interval_key
        if new_key != key:
            key = new_key
            intervals[-1].ended_at = event.at
            intervals.append(interval_from(state, event.at))
    return Replayed(state=state, intervals=intervals)


def interval_from(state: TicketState, at: datetime) -> IntervalRow:
    """The interval ``state`` starts at ``at`` (still open: its ``ended_at`` is None)."""
    # Every field but its span comes from the state; positionally, in IntervalRow's field
    # order (a test checks each one): keywords built in a dictionary for each interval were
    # a third of replay's own time.
    return IntervalRow(
        state.status,
        state.queue_id,
        state.reassignment_count,
        state.escalation_level,
        at,
        None,
        state.kind,
        state.category_id,
        state.logged_at,
    )


def events_as_of(events: Iterable[Any], intervals: list[Any]) -> list[tuple[int, str, int | None]]:
    """Each event's (queue, kind, category) once its instant is over: those of the ticket's
    latest interval started by then (``TicketEvent.ticket_queue`` and the rest). Events and
    intervals in order, as ``replay`` gives them."""
    result = []
    n, current = len(intervals), -1
    for event in events:
        while current + 1 < n and intervals[current + 1].started_at <= event.at:
            current += 1
        interval = intervals[max(current, 0)]
        result.append((interval.queue_id, interval.kind, interval.category_id))
    return result


DERIVED_FIELDS: Final = (
    "status",
    "status_class",
    "status_since",
    "queue_id",
    "assignee_id",
    "logged_at",
    "first_assigned_at",
    "last_sequence",
    "reassignment_count",
    "reopen_count",
    "escalation_level",
    "last_resolved_at",
    "business_resolution_seconds",
    "sla_target_seconds",
    "sla_due_at",
    "sla_at_risk_at",
)
"""The ticket fields ``derived_fields`` returns: what a ticket's history decides."""


def derived_fields(
    state: TicketState,
    intervals: Iterable[Any],
    *,
    calendar: ServiceCalendar,
    target_seconds: int | None,
    at_risk_share: float = AT_RISK_SHARE,
) -> dict[str, Any]:
    """The ticket's denormalised fields for a state and its intervals (no queries)."""
    pauses = pauses_of(intervals)
    ended = [(start, end) for start, end in pauses if end is not None]
    business = None
    if state.last_resolved_at is not None:
        business = sla.business_seconds(
            state.logged_at, state.last_resolved_at, calendar=calendar, pauses=pauses
        )
    due = at_risk = None
    if target_seconds is not None:
        due = sla.due_at(state.logged_at, target_seconds, calendar=calendar, pauses=ended)
        at_risk = sla.due_at(
            state.logged_at,
            math.ceil(target_seconds * at_risk_share),
            calendar=calendar,
            pauses=ended,
        )
    return {
        "status": state.status,
        "status_class": state.status_class,
        "status_since": state.status_since,
        "queue_id": state.queue_id,
        "assignee_id": state.assignee_id,
        "logged_at": state.logged_at,
        "first_assigned_at": state.first_assigned_at,
        "last_sequence": state.last_sequence,
        "reassignment_count": state.reassignment_count,
        "reopen_count": state.reopen_count,
        "escalation_level": state.escalation_level,
        "last_resolved_at": state.last_resolved_at,
        "business_resolution_seconds": business,
        "sla_target_seconds": target_seconds,
        "sla_due_at": due,
        "sla_at_risk_at": at_risk,
    }


def pauses_of(intervals: Iterable[Any]) -> list[tuple[datetime, datetime | None]]:
    """The (from, to) spans on hold, for the SLA clock; ``to`` is None while still on hold."""
    classes = STATUS_CLASSES  # status_class(), without a call for each interval
    return [
        (interval.started_at, interval.ended_at)
        for interval in intervals
        if classes[interval.status] == StatusClass.PAUSED
    ]
