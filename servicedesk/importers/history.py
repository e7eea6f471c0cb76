"""Turn an export's rows into each ticket's history in our event vocabulary.

A ticket is its history (DESIGN.md): the pages and snapshots count events, so an import must
produce events, not just a final state. Two kinds of export give two derivations:

* **Event shape**: one row per audit event. A ticket's rows are put in order (by the mapping's
  ``order_by``, then file line) and the events are read off the changes between consecutive
  rows (``history = "state"``: the status and queue columns), or off an activity column whose
  values the mapping translates (``history = "activity"``: e.g. BPI 2014's "Reassignment" rows).
* **Ticket shape**: one row per ticket. Only a minimal history can be synthesised: logged (and
  assigned) at the opened time, resolved and closed at theirs, and the export's current status
  at its last update. The export's own reassignment and reopen counts stay on the record.

The classification of a status change follows the metric dictionary, whose rules are stated
once in ``servicedesk.statuses``: a *resolution* is open or paused -> resolved or closed (kind
``resolved``, whatever the target; resolved -> closed is ``closed``), a *reopen* is resolved or
closed -> open or paused (kind ``reopened``), and a *reassignment* is a change of queue after
the first assignment.
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from hackperf.importing.mapping import fold as _fold
from servicedesk import statuses
from servicedesk.importers.mapping import IGNORE, JOINER, STATUSES, Mapping
from servicedesk.importers.reader import EventRecord, RowError, TicketRecord, refuse_row

__all__ = [
    "NO_KIND",
    "NormalisedEvent",
    "TicketHistory",
    "classify_status_change",
    "derive_history",
    "group_events",
    "has_kind",
    "histories_from_groups",
    "synthesise_history",
    "synthesised",
    "unique_tickets",
]

OPEN: Final = frozenset(statuses.OPEN)
PAUSED: Final = frozenset(statuses.PAUSED)
RESOLVED: Final = frozenset(statuses.RESOLVED)
DONE: Final = frozenset(statuses.DONE)
NOT_GROUPED: Final = (
    "ticket {reference} already had rows ending at line {last}: the file is not grouped by "
    "ticket; set [grouping].contiguous = false in the mapping"
)
DUPLICATE_TICKET: Final = "ticket {reference} is already on line {line}"
OUT_OF_ORDER: Final = "{later} is before {earlier}"
BACK_IN_TIME: Final = (
    "{at} is before {before} on line {line}, which comes first in the ticket's order "
    "([grouping].order_by = {order}): a history cannot go back in time"
)
NO_KIND: Final = "the ticket's kind is empty: map a kind column or set [defaults].kind"


# Not frozen, though never changed once made: a frozen dataclass's __init__ sets each field
# through object.__setattr__, a tenth of an import's reading time. unsafe_hash keeps it
# hashable as a frozen one is.
@dataclass(slots=True, unsafe_hash=True)
class NormalisedEvent:
    """One event of a ticket's history, in our vocabulary.

    ``sequence`` is the event's 1-based position in the ticket's history, so events at the same
    instant (a row that both moves queue and changes status) keep their order. ``reason`` is the
    source's own words (its status or activity name), shown on the timeline and used as the
    on-hold reason. ``line`` is the source row it came from, for tracing an odd event back.
    """

    kind: str
    at: datetime
    status_from: str | None
    status_to: str | None
    queue_from: str | None
    queue_to: str | None
    assignee: str | None
    sequence: int
    reason: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class TicketHistory:
    """A ticket's attributes and its history, ready to be written by the services.

    For the event shape, ``ticket`` holds the latest non-empty value of each attribute over the
    ticket's rows, and its instants, status and queue are the ones the history gives; its
    ``reassignment_count`` and ``reopen_count`` are the export's own (None when it has none),
    and the properties below are the history's.
    """

    ticket: TicketRecord
    events: list[NormalisedEvent]

    @property
    def reassignment_count(self) -> int:
        """Reassignments in the history (a change of queue after the first assignment)."""
        return sum(1 for e in self.events if e.kind == "reassigned")

    @property
    def reopen_count(self) -> int:
        """Reopens in the history (resolved or closed back to open or paused)."""
        return sum(1 for e in self.events if e.kind == "reopened")


def classify_status_change(status_from: str | None, status_to: str) -> str:
    """The event kind of a change of status, per the metric dictionary in DESIGN.md."""
    if status_from is None:
        return "logged"
    if status_to == "cancelled":
        return "cancelled"
    if statuses.is_resolution(status_from, status_to):
        return "resolved"
    if status_from == "resolved" and status_to == "closed":
        return "closed"
    if statuses.is_reopen(status_from, status_to):
        return "reopened"
    if status_from in OPEN and status_to in PAUSED:
        return "on_hold"
    if status_from in PAUSED and status_to in OPEN:
        return "off_hold"
    # open -> open, paused -> paused, closed -> resolved, cancelled -> anything else.
    return "status_changed"


def unique_tickets(
    records: Iterable[TicketRecord], mapping: Mapping, errors: list[RowError]
) -> Iterator[TicketRecord]:
    """Each ticket of a ticket-shaped export once: a later row of the same reference is an
    error against that row (naming the first), and is skipped."""
    seen: dict[str, int] = {}
    column = "/".join(mapping.columns["reference"])
    for record in records:
        first = seen.setdefault(record.reference, record.line)
        if first != record.line:
            errors.append(
                RowError(
                    record.line,
                    column,
                    record.reference,
                    DUPLICATE_TICKET.format(reference=record.reference, line=first),
                )
            )
            refuse_row(errors)
            continue
        yield record


def synthesised(records: Iterable[TicketRecord], errors: list[RowError]) -> Iterator[TicketHistory]:
    """:func:`synthesise_history` of each ticket row; a row whose times disagree is skipped."""
    for record in records:
        history = synthesise_history(record, errors=errors)
        if history is None:
            refuse_row(errors)
        else:
            yield history


def histories_from_groups(
    groups: Iterable[list[EventRecord]], mapping: Mapping, errors: list[RowError]
) -> Iterator[TicketHistory]:
    """Each ticket's history from its ordered rows; a ticket whose rows go back in time (in
    the mapping's order) is reported, every bad row of it, and skipped."""
    column = _column(mapping, "updated_at")
    for rows in groups:
        if _in_time_order(rows, mapping, column, errors):
            yield derive_history(rows, mapping)


def _column(mapping: Mapping, name: str) -> str | None:
    columns = mapping.columns.get(name)
    return JOINER.join(columns) if columns else None


def _in_time_order(
    rows: list[EventRecord], mapping: Mapping, column: str | None, errors: list[RowError]
) -> bool:
    """Whether each row is at or after every row before it; each row that is not is an error
    against that row (its line and value), naming the row it goes back from."""
    latest = rows[0]
    good = True
    for row in rows[1:]:
        if row.at < latest.at:
            good = False
            errors.append(
                RowError(
                    row.line,
                    column,
                    row.raw_at,
                    BACK_IN_TIME.format(
                        at=row.at.isoformat(),
                        before=latest.at.isoformat(),
                        line=latest.line,
                        order=list(mapping.order_by),
                    ),
                )
            )
        else:
            latest = row
    return good


def has_kind(history: TicketHistory, mapping: Mapping, errors: list[RowError]) -> bool:
    """Whether the ticket has a kind, as storing it needs (an error against its first row if
    not). The parsing layer alone does not need one, so only the importer asks."""
    if history.ticket.kind is not None:
        return True
    errors.append(RowError(history.ticket.line, _column(mapping, "kind"), None, NO_KIND))
    return False


def group_events(
    records: Iterable[EventRecord], mapping: Mapping, *, errors: list[RowError]
) -> Iterator[list[EventRecord]]:
    """Yield each ticket's event rows together, sorted by the mapping's ``order_by``.

    With ``[grouping].contiguous = true`` (the default) the file must keep each ticket's rows
    together, as audit exports normally do (BPI 2013 does); only one ticket's rows are held at a
    time, and a ticket whose rows reappear later is reported. With ``contiguous = false`` (BPI
    2014's activity log is two runs each sorted by incident, so 105 incidents are split), rows
    are spilled to ``spill_buckets`` temporary files by a hash of the reference and each file
    is grouped in memory, so memory is about the file's size over the bucket count.
    """
    if mapping.contiguous:
        yield from _contiguous_groups(records, mapping, errors)
    else:
        yield from _spilled_groups(records, mapping)


def _sequence_key(seq: str | None) -> tuple[int, int, str]:
    """Numeric sequences sort as numbers; others (BPI 2014's "001A5891794") as text."""
    if seq is None:
        return (2, 0, "")
    if seq.isdigit():
        return (0, int(seq), "")
    return (1, 0, seq)


def _sort_key(mapping: Mapping) -> Any:
    keys = tuple(name for name in mapping.order_by if name in ("updated_at", "sequence"))
    if keys == ("updated_at", "sequence"):
        # The usual order (the UCI log's), without the loop below for each row.
        def usual(record: EventRecord) -> tuple[Any, ...]:
            return (record.at, _sequence_key(record.sequence), record.line)

        return usual

    def key(record: EventRecord) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name in keys:
            if name == "updated_at":
                parts.append(record.at)
            else:
                parts.append(_sequence_key(record.sequence))
        parts.append(record.line)
        return tuple(parts)

    return key


def _contiguous_groups(
    records: Iterable[EventRecord], mapping: Mapping, errors: list[RowError]
) -> Iterator[list[EventRecord]]:
    key = _sort_key(mapping)
    finished: dict[str, int] = {}
    group: list[EventRecord] = []
    column = "/".join(mapping.columns["reference"])
    for record in records:
        if group and record.reference != group[0].reference:
            finished[group[0].reference] = group[-1].line
            group.sort(key=key)
            yield group
            group = []
        if record.reference in finished:
            last = finished[record.reference]
            errors.append(
                RowError(
                    record.line,
                    column,
                    record.reference,
                    NOT_GROUPED.format(reference=record.reference, last=last),
                )
            )
            continue
        group.append(record)
    if group:
        group.sort(key=key)
        yield group


def _spilled_groups(
    records: Iterable[EventRecord], mapping: Mapping
) -> Iterator[list[EventRecord]]:
    key = _sort_key(mapping)
    buckets = mapping.spill_buckets
    with tempfile.TemporaryDirectory(prefix="hackperf-import-") as tmp:
        paths = [Path(tmp) / f"{i}.pickle" for i in range(buckets)]
        files = [p.open("wb") for p in paths]
        try:
            for record in records:
                # crc32, not hash(): the same file always groups in the same order.
                bucket = zlib.crc32(record.reference.encode()) % buckets
                pickle.dump(record, files[bucket], protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            for f in files:
                f.close()
        for path in paths:
            groups: dict[str, list[EventRecord]] = {}
            with path.open("rb") as spilled:
                while True:
                    try:
                        record = pickle.load(spilled)  # noqa: S301 - our own temporary file
                    except EOFError:
                        break
                    groups.setdefault(record.reference, []).append(record)
            path.unlink()
            for group in sorted(groups.values(), key=lambda g: g[0].line):
                group.sort(key=key)
                yield group


class _Builder:
    """Accumulates one ticket's events while walking its rows."""

    def __init__(self) -> None:
        self.events: list[NormalisedEvent] = []
        self.status: str | None = None
        self.queue: str | None = None
        self.assignee: str | None = None
        self.before_hold: str | None = None

    def emit(
        self,
        kind: str,
        at: datetime,
        line: int | None,
        reason: str,
        *,
        status_to: str | None = None,
        queue_to: str | None = None,
    ) -> None:
        status_to = self.status if status_to is None else status_to
        queue_to = self.queue if queue_to is None else queue_to
        events = self.events
        # Positional, in NormalisedEvent's field order (once per event of every ticket).
        events.append(
            NormalisedEvent(
                kind,
                at,
                self.status,
                status_to,
                self.queue,
                queue_to,
                self.assignee,
                len(events) + 1,
                reason,
                line,
            )
        )
        if kind == "on_hold":
            self.before_hold = self.status
        self.status = status_to
        self.queue = queue_to

    def move_status(self, target: str, at: datetime, line: int | None, reason: str) -> None:
        if target != self.status:
            kind = classify_status_change(self.status, target)
            self.emit(kind, at, line, reason, status_to=target)

    def move_queue(self, target: str, at: datetime, line: int | None, reason: str) -> None:
        if self.queue is None:
            self.emit("assigned", at, line, reason, queue_to=target)
        elif target != self.queue:
            self.emit("reassigned", at, line, reason, queue_to=target)


def derive_history(rows: list[EventRecord], mapping: Mapping) -> TicketHistory:
    """Derive one ticket's history from its rows, which must be in order (see group_events).

    The first row logs the ticket (status ``logged``, no queue), at the export's opened time
    when it has an earlier one (:func:`logged_at`), and its queue, if any, is the first
    assignment, at the first row. After that, in ``history = "state"`` mode each row's queue and
    status are compared with the ticket's: a new queue is ``assigned`` (the first) or
    ``reassigned``, and a new status is classified by :func:`classify_status_change`. In
    ``history = "activity"`` mode the activity decides: ``reassigned`` always counts (the source
    system's word wins, even if the row's team did not change, which keeps our count equal to
    the log's), ``assigned`` assigns or, once assigned, reassigns to a different queue, a status
    target moves the status, ``reopened`` moves a resolved or closed ticket back to assigned,
    ``off_hold`` returns to the status before the hold, and ``escalated`` records an escalation.
    """
    first = rows[0]
    build = _Builder()
    activity_map = mapping.values.get("activity", {}) if mapping.history == "activity" else {}
    build.assignee = first.assignee
    build.emit("logged", logged_at(rows), first.line, _reason(first), status_to="logged")
    if first.queue is not None:
        build.move_queue(first.queue, first.at, first.line, _reason(first))
    for row in rows:
        reason = _reason(row)
        if row.assignee is not None:
            build.assignee = row.assignee
        if mapping.history == "state":
            if row.queue is not None:
                build.move_queue(row.queue, row.at, row.line, reason)
        else:
            target = activity_map.get(_fold(row.activity), IGNORE) if row.activity else IGNORE
            _apply_activity(build, target, row, reason)
        if row.status is not None:
            build.move_status(row.status, row.at, row.line, reason)
    return TicketHistory(ticket=_merged_ticket(rows, build), events=build.events)


def logged_at(rows: list[EventRecord]) -> datetime:
    """When a ticket was logged: the export's opened time when it has one, else its first row.

    ServiceNow's audit log (the UCI log) writes ``opened_at`` on every row, and 13,100 of its
    24,918 incidents were opened before their first audit row (by up to 19 hours): the
    incident was logged then, and the first row is only its first recorded update. Five were
    opened up to 2.5 hours *after* rows of theirs (records created and updated, then given a
    later opened time by hand): a history cannot start after its own events, so the earliest
    of the two is taken. With no opened time the first row logs the ticket.
    """
    first = rows[0].at
    opened = [r.ticket.opened_at for r in rows if r.ticket.opened_at is not None]
    return min(first, *opened) if opened else first


def _reason(row: EventRecord) -> str:
    return row.activity or row.raw_status or ""


def _apply_activity(build: _Builder, target: str, row: EventRecord, reason: str) -> None:
    at, line = row.at, row.line
    if target == "reassigned":
        build.emit("reassigned", at, line, reason, queue_to=row.queue or build.queue)
    elif target == "assigned":
        if row.queue is not None:
            build.move_queue(row.queue, at, line, reason)
    elif target == "escalated":
        build.emit("escalated", at, line, reason)
    elif target == "reopened":
        if build.status in RESOLVED or build.status == "cancelled":
            build.move_status("assigned" if build.queue else "logged", at, line, reason)
    elif target == "off_hold":
        if build.status in PAUSED:
            build.move_status(build.before_hold or "in_progress", at, line, reason)
    elif target in STATUSES:
        # Only an explicit reopen activity reopens: BPI 2014 logs stray activities (a vendor
        # note) after the close, which must not count as reopens.
        if not (build.status in DONE and target not in DONE):
            build.move_status(target, at, line, reason)
    # "logged" (the first row already logged the ticket) and "ignore" change nothing.


_TICKET_FIELDS: Final = tuple(f.name for f in fields(TicketRecord))


def _merged_ticket(rows: list[EventRecord], build: _Builder) -> TicketRecord:
    """The ticket's attributes: the latest non-empty value of each, then what history says."""
    values: dict[str, Any] = {}
    # Consecutive rows often share one record (the reader reuses it while a ticket's columns
    # do not change): each is looked at once.
    tickets: list[TicketRecord] = []
    for row in reversed(rows):
        if not tickets or row.ticket is not tickets[-1]:
            tickets.append(row.ticket)
    for name in _TICKET_FIELDS:  # from the last row back: most fields stop at the first
        for ticket in tickets:
            value = getattr(ticket, name)
            if value is not None and value != ():
                values[name] = value
                break
    events = build.events
    resolved_at = [e.at for e in events if e.kind == "resolved"]
    closed = build.status == "closed"
    closed_at = next((e.at for e in reversed(events) if e.status_to == "closed"), None)
    values.update(
        reference=rows[0].reference,
        line=rows[0].line,
        status=build.status,
        queue=build.queue,
        assignee=build.assignee,
        opened_at=events[0].at,
        resolved_at=resolved_at[-1] if resolved_at else None,
        closed_at=closed_at if closed else None,
        updated_at=max(r.at for r in rows),
    )
    # reassignment_count and reopen_count stay the export's own (its latest row's values, as
    # ServiceNow's last row carries the final counters); the derived ones are the history's.
    return TicketRecord(**values)


def synthesise_history(record: TicketRecord, *, errors: list[RowError]) -> TicketHistory | None:
    """A minimal history for a ticket-shaped row; None (with an error) if its times disagree.

    Logged at ``opened_at`` (and assigned to its queue then), resolved at ``resolved_at``,
    closed at ``closed_at``; if the export's current status is still different (on hold,
    cancelled, reopened), one last change to it at ``updated_at`` (or the latest time known).
    Times out of order (closed before opened) are refused: the database would refuse them too.
    """
    opened = record.opened_at
    assert opened is not None  # the reader refuses ticket rows without one
    ordered = [("opened", opened)]
    for label, at in (("resolved", record.resolved_at), ("closed", record.closed_at)):
        if at is not None:
            for earlier_label, earlier in ordered:
                if at < earlier:
                    errors.append(
                        RowError(
                            record.line,
                            f"{label}_at",
                            at.isoformat(),
                            OUT_OF_ORDER.format(
                                later=f"{label} ({at.isoformat()})",
                                earlier=f"{earlier_label} ({earlier.isoformat()})",
                            ),
                        )
                    )
                    return None
            ordered.append((label, at))
    build = _Builder()
    build.assignee = record.assignee
    build.emit("logged", opened, record.line, "opened", status_to="logged")
    if record.queue is not None:
        build.emit("assigned", opened, record.line, "opened", queue_to=record.queue)
        build.status = "assigned"
        build.events[-1] = replace(build.events[-1], status_to="assigned")
    if record.resolved_at is not None:
        build.move_status("resolved", record.resolved_at, record.line, "resolved")
    if record.closed_at is not None:
        build.move_status("closed", record.closed_at, record.line, "closed")
    # "logged" after an assignment would move the ticket backwards: the export just never
    # updated its status column, so the assignment stands.
    if record.status not in (None, "logged", build.status):
        last = build.events[-1].at
        at = max(record.updated_at, last) if record.updated_at is not None else last
        build.move_status(str(record.status), at, record.line, str(record.status))
    return TicketHistory(ticket=record, events=build.events)
