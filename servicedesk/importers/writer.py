"""Write imported ticket histories to the database: one transaction, all or nothing, in bulk.

Every row of a file is checked before anything is written to the real tables (ADR 0004).

* **PostgreSQL: one read.** The file is streamed through the parsing layer
  (``read_histories``) and the writer's own checks once, inside one transaction; each batch's
  tickets, events and intervals, compared with what is stored, are copied to temporary tables
  (``servicedesk.importers.staging``) on a background thread as the next batch is parsed.
  Only when the whole file is clean do a few set-based statements move them to the real
  tables (``Stage.apply``). A refused file rolls back, taking the temporary tables with it:
  the real tables see no insert, update or delete, as with a dry run.
* **Elsewhere (SQLite, for ``make run``; or ``staged=False``): two reads.** The first pass
  checks and writes nothing at all (new queues and categories get stand-in keys); only a
  clean file is read again and written, in batches of ``BATCH_SIZE``. Both paths make the
  same decisions in ``_Writer._store`` and store the same rows (a test compares them).
* **Dry runs** are the first pass of the two-read path on every database: read once, every
  ticket compared with what is stored, so the summary is exact; nothing is staged.

* **Natural key.** A ticket is found by its reference; queues by name and categories by their
  path (created on first sight, with a unique slug).
* **Re-imports.** A ticket's imported events are compared with its stored ones, sequence by
  sequence, on everything an import sets (kind, instant, statuses, queues, actor, reason, level).
  The same events: nothing is written (a re-import of the same file changes nothing). The
  stored events are the first of the imported ones (a newer export): the new ones are
  appended. The imported events are the first of the stored ones (the ticket has been worked
  here since): the stored history is kept, only the ticket's attributes are updated. Anything
  else (the source rewrote its history): the ticket's events are replaced by the imported ones,
  except that a ticket-per-row file, whose history is only a sketch (logged, resolved,
  closed), never replaces a stored history: it updates the ticket's attributes.
* **Combining exports.** On a ticket that exists, an import changes only the attributes its
  file gives (a mapped column with a value); ``[defaults]`` fill new tickets and never
  overwrite. So an incident list and an audit log of the same tickets combine in either order:
  kinds and summaries from the one, history from the other (BPI 2014's two files).
* **Derived state** (intervals, status, counts, SLA fields) comes from ``servicedesk.history``
  (``replay`` and ``derived_fields``), the rules the services use, never a second copy of them.
  Imports bypass the services' transition checks on purpose: an export is what happened, so a
  reassignment to the same queue (BPI 2014's "Reassignment" rows) is kept and counted.
* **Speed and memory.** Per batch: one query to find existing tickets (and one for their
  events, when there are any) and one PostgreSQL ``COPY`` each for tickets, events and
  intervals (to the stage, or on the two-read path to the real tables, with the new tickets'
  keys taken from their sequence first), run on a second thread while the next batch is
  parsed (``bulk_create`` on other databases). Only one batch is held in Python.

Each event's ``actor_name`` is the source row's person (``assignee`` in the mapping: audit
exports name who held the ticket, usually the one who changed it); imported escalations,
which carry no level, are level 1.
"""

from __future__ import annotations

import operator
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import Any, Final, Protocol

from django.db import DatabaseError, connection, transaction
from django.utils.text import slugify

from hackperf.copy import Copier, Job, copy_rows
from servicedesk.as_of import tickets_as_of_fill
from servicedesk.calendars import holiday_calendar, service_calendar
from servicedesk.choices import EscalationLevel, EventKind, Kind, Priority
from servicedesk.history import (
    DERIVED_FIELDS,
    IntervalRow,
    derived_fields,
    events_as_of,
    replay,
)
from servicedesk.importers.history import NO_KIND, TicketHistory, has_kind
from servicedesk.importers.mapping import JOINER, Mapping
from servicedesk.importers.pipeline import read_histories
from servicedesk.importers.reader import TOO_LONG, RowError, RowErrors, Source
from servicedesk.importers.staging import CLEAR, EVENTS, INTERVALS, TICKETS, Stage
from servicedesk.models import (
    RESERVED_QUEUE_SLUGS,
    Category,
    Queue,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketInterval,
)
from servicedesk.sla import ServiceCalendar

__all__ = [
    "BATCH_SIZE",
    "CHECKING",
    "WRITING",
    "ImportFileError",
    "ImportSummary",
    "Progress",
    "tickets_import",
]

BATCH_SIZE: Final = 2000
UNASSIGNED_QUEUE: Final = "Unassigned"
"""The queue of a ticket whose export names none (e.g. a ticket-shaped file without a team)."""
NO_SUMMARY: Final = "(no summary in the export)"

# Error texts, reused by the tests (NO_KIND and TOO_LONG are the parsing layer's, which
# checks every row before anything is written).
__all__ += ["NO_KIND", "TOO_LONG"]
CANNOT_READ = "cannot read {name}: {reason}"

_QUEUE_KINDS: Final = frozenset({EventKind.LOGGED, EventKind.ASSIGNED, EventKind.REASSIGNED})
_ATTRS: Final = (
    "kind",
    "summary",
    "category_id",
    "priority",
    "channel",
    "customer_name",
    "customer_email",
    "customer_directorate",
    "export_reassignment_count",
    "export_reopen_count",
)
# Our ticket attribute -> (the mapping's fields that can give it, the record's attribute).
_ATTR_SOURCES: Final = {
    "kind": (("kind",), "kind"),
    "summary": (("summary",), "summary"),
    "category_id": (("category", "subcategory"), "category"),
    "priority": (("priority",), "priority"),
    "channel": (("channel",), "channel"),
    "customer_name": (("customer_name",), "customer_name"),
    "customer_email": (("customer_email",), "customer_email"),
    "customer_directorate": (("directorate",), "directorate"),
    "export_reassignment_count": (("reassignment_count",), "reassignment_count"),
    "export_reopen_count": (("reopen_count",), "reopen_count"),
}
_DERIVED: Final = DERIVED_FIELDS
_SIGNATURE: Final = (
    "sequence",
    "kind",
    "at",
    "actor_name",
    "from_status",
    "to_status",
    "from_queue_id",
    "to_queue_id",
    "reason",
    "level",
)
_TICKET_COLUMNS: Final = ("reference", *_ATTRS, *_DERIVED)
# The ticket as of each event and interval (servicedesk.as_of), written with the rows: the
# writer knows them as it builds each history, and filling them afterwards in SQL rewrote
# every event and interval of an import (half the UCI log's database time).
_EVENT_AS_OF: Final = ("ticket_queue_id", "ticket_kind", "ticket_category_id", "ticket_channel")
_EVENT_COLUMNS: Final = ("ticket_id", *_SIGNATURE, *_EVENT_AS_OF)
_AT: Final = _SIGNATURE.index("at")
_INTERVAL_COLUMNS: Final = (
    "ticket_id",
    "status",
    "status_class",
    "queue_id",
    "reassignment_count",
    "escalation_level",
    "started_at",
    "ended_at",
    "kind",
    "category_id",
    "logged_at",
)

CHECKING: Final = "checking"
"""The first pass: every row read and checked, nothing written."""
WRITING: Final = "writing"
"""The second pass, for a clean file that is not a dry run."""
PROGRESS_EVERY: Final = 1000
"""Rows between two calls of the progress callback."""


class Progress(Protocol):
    """Told how far an import has gone: its pass, the rows read in it, the file's rows (known
    once the first pass has read them all; None until then) and the tickets so far."""

    def __call__(
        self, phase: str, rows: int, total: int | None, *, items: int | None = None
    ) -> None: ...


class ImportFileError(Exception):
    """The file cannot be read at all (missing, not gzip though it says so, truncated)."""


@dataclass
class ImportSummary:
    """What an import read and did (or, for a dry run or a refused file, would have done)."""

    mapping: str
    dry_run: bool = False
    rows: int = 0
    tickets: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events_added: int = 0
    events_removed: int = 0
    queues_created: int = 0
    categories_created: int = 0
    seconds: float = 0.0
    errors: RowErrors = field(default_factory=RowErrors)
    """The first ``ERRORS_KEPT`` bad rows; ``error_count`` says how many there were."""

    @property
    def error_count(self) -> int:
        """Every error found, including those counted but not kept."""
        return self.errors.total

    @property
    def written(self) -> bool:
        """Whether the changes were committed."""
        return not self.errors and not self.dry_run

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        """The summary as the command prints it and the upload page lists it."""
        return [
            f"Rows read: {self.rows:,}",
            f"Tickets: {self.tickets:,} ({self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged)",
            f"Events added: {self.events_added:,}"
            + (f" ({self.events_removed:,} replaced)" if self.events_removed else ""),
            f"Queues created: {self.queues_created:,}; categories created: "
            f"{self.categories_created:,}",
            f"Time taken: {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s)",
        ]


class _Rollback(Exception):
    """Leaves the import's transaction without committing (dry run, or bad rows)."""


def tickets_import(
    *,
    source: Source,
    mapping: Mapping,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    staged: bool | None = None,
) -> ImportSummary:
    """Import an export: every ticket in it, or (if any row is bad) nothing.

    Returns the summary; its ``errors`` list every bad row, and when it is not empty nothing
    was written. A dry run is read once and writes nothing. On PostgreSQL (``staged``, the
    default there) a file is read once: its rows go to temporary tables as they are checked,
    and only a clean file moves from them to the real tables, in SQL. Elsewhere (SQLite, or
    ``staged=False``) a bad file is read once and a clean one a second time to be written (a
    stream ``source`` must then be seekable); both ways store the same rows. ``progress``, if
    given, is called every ``PROGRESS_EVERY`` rows of each pass. Raises
    :class:`ImportFileError` when the file cannot be read at all.
    """
    started = time.perf_counter()
    name = getattr(source, "name", source)
    summary = ImportSummary(mapping=mapping.name, dry_run=dry_run)
    if staged is None:
        staged = connection.vendor == "postgresql"
    try:
        if staged and not dry_run:
            summary = _import_staged(source, mapping, batch_size, progress)
        else:
            _check(source, mapping, summary, batch_size, progress)
            if not summary.errors and not dry_run:
                if not isinstance(source, str | Path):
                    source.seek(0)
                summary = _write(source, mapping, batch_size, progress, total=summary.rows)
    except (OSError, EOFError, zlib.error) as e:
        raise ImportFileError(CANNOT_READ.format(name=name, reason=e)) from e
    summary.seconds = time.perf_counter() - started
    return summary


def _check(
    source: Source,
    mapping: Mapping,
    summary: ImportSummary,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """The first pass: read and check every row, count what a dry run would do; no writes."""
    errors = summary.errors
    checker = _Writer(summary, writing=False, counting=summary.dry_run)
    rows = _histories(
        source, mapping, errors, summary, _reporter(progress, CHECKING, None, summary)
    )
    for batch in _batches(rows, batch_size):
        if not errors:  # once a row is bad there is nothing to count: read on for the rest
            checker.write(batch, mapping)
    if progress is not None:
        progress(CHECKING, summary.rows, summary.rows, items=summary.tickets)


def _write(
    source: Source, mapping: Mapping, batch_size: int, progress: Progress | None, *, total: int
) -> ImportSummary:
    """The second pass, for a clean file: write it, in one transaction."""
    summary = ImportSummary(mapping=mapping.name)
    errors = summary.errors
    try:
        with transaction.atomic():
            writer = _Writer(summary)
            try:
                rows = _histories(
                    source, mapping, errors, summary, _reporter(progress, WRITING, total, summary)
                )
                for batch in _batches(rows, batch_size):
                    if not errors:  # the file changed since the first pass: keep nothing
                        writer.write(batch, mapping)
                writer.finish()
            finally:
                writer.close()
            if errors:
                raise _Rollback
            tickets_as_of_fill(tickets=writer.touched)
    except _Rollback:
        pass
    if progress is not None:
        progress(WRITING, summary.rows, total, items=summary.tickets)
    return summary


def _import_staged(
    source: Source, mapping: Mapping, batch_size: int, progress: Progress | None
) -> ImportSummary:
    """One pass, in one transaction: check every row and stage what a clean file would store
    in temporary tables (``servicedesk.importers.staging``), then, only if no row was bad,
    move the staged rows to the real tables in a few set-based statements.

    A refused file has written only to the temporary tables, which the rollback drops: the
    real tables see no insert, update or delete, as with the two-pass path.
    """
    summary = ImportSummary(mapping=mapping.name)
    errors = summary.errors
    try:
        with transaction.atomic():
            stage = Stage(
                ticket_columns=_TICKET_COLUMNS,
                event_columns=_EVENT_COLUMNS,
                interval_columns=_INTERVAL_COLUMNS,
            ).create()
            writer = _Writer(summary, writing=False, counting=True, stage=stage)
            try:
                rows = _histories(
                    source, mapping, errors, summary, _reporter(progress, CHECKING, None, summary)
                )
                for batch in _batches(rows, batch_size):
                    if not errors:  # once a row is bad there is nothing to stage: read on
                        writer.write(batch, mapping)
                writer.finish()
            finally:
                writer.close()
            if progress is not None:
                progress(CHECKING, summary.rows, summary.rows, items=summary.tickets)
            if errors:
                raise _Rollback
            if progress is not None:
                progress(WRITING, 0, summary.rows, items=summary.tickets)
            writer.apply()
            tickets_as_of_fill(tickets=writer.touched)
            stage.drop()
    except _Rollback:
        pass
    if progress is not None and not errors:
        progress(WRITING, summary.rows, summary.rows, items=summary.tickets)
    return summary


def _reporter(
    progress: Progress | None, phase: str, total: int | None, summary: ImportSummary
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda rows: progress(phase, rows, total, items=summary.tickets)


def _histories(
    source: Source,
    mapping: Mapping,
    errors: list[RowError],
    summary: ImportSummary,
    report: Callable[[int], None] | None = None,
) -> Iterator[TicketHistory]:
    """``read_histories``, counting the rows read and the tickets found on the way (and
    reporting them): tickets counted as each is read, not as each batch is written, so the
    progress page's ticket count keeps up with its rows (it read 0 until the first batch)."""

    def counted() -> None:
        summary.rows += 1
        if report is not None and summary.rows % PROGRESS_EVERY == 0:
            report(summary.rows)

    for history in read_histories(source, mapping, errors=errors, on_row=counted):
        if has_kind(history, mapping, errors):
            summary.tickets += 1
            yield history
    summary.rows += summary.errors.rows_refused


def _batches(histories: Iterable[TicketHistory], size: int) -> Iterator[list[TicketHistory]]:
    batch: list[TicketHistory] = []
    for history in histories:
        batch.append(history)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(slots=True)
class _Event:
    """An event as it will be stored; it has what ``servicedesk.history.replay`` reads."""

    sequence: int
    kind: str
    at: datetime
    actor_name: str
    from_status: str
    to_status: str
    from_queue_id: int | None
    to_queue_id: int | None
    reason: str
    level: int | None
    assignee_id: None = None
    # The ticket as of this event (``_Writer._as_of``), once its kind, category and channel
    # are settled; written with the event, never compared.
    ticket_queue_id: int | None = None
    ticket_kind: str = ""
    ticket_category_id: int | None = None
    ticket_channel: str = ""

    def signature(self) -> tuple[Any, ...]:
        return (
            self.sequence,
            self.kind,
            self.at,
            self.actor_name,
            self.from_status,
            self.to_status,
            self.from_queue_id,
            self.to_queue_id,
            self.reason,
            self.level,
        )


@dataclass(slots=True)
class _Prepared:
    reference: str
    attrs: dict[str, Any]
    events: list[_Event]
    intervals: list[IntervalRow]
    derived: dict[str, Any]
    # The attributes this file really gives (mapped columns with a value): the only ones an
    # import may change on a ticket that exists. Defaults fill new tickets, never overwrite.
    given: frozenset[str]
    # A ticket-shaped file's history is a sketch (logged, resolved, closed); it never replaces
    # a stored history, which may have come from an audit log or from work done here.
    sketch: bool
    replayed: Any


class _Writer:
    """Writes batches of histories; holds only small lookups (queues, categories, targets).

    With ``writing=False`` it checks and (with ``counting``) counts the same batches and
    writes nothing: queues and categories it would create get negative stand-in keys. With a
    ``stage`` as well, it copies what it would write to the stage's temporary tables (new
    tickets with stand-in keys too); ``apply`` then moves them to the real tables.
    """

    def __init__(
        self,
        summary: ImportSummary,
        *,
        writing: bool = True,
        counting: bool = True,
        stage: Stage | None = None,
    ):
        self.summary = summary
        self.stage = stage
        # The stand-in queues and categories, in the order they were made (parents first),
        # and the new tickets' stand-in keys: created for real by apply().
        self.made: list[Any] = []
        # Stored tickets whose attributes this file changed over events it keeps (all of
        # them, or those it appends to): their events' and intervals' as-of columns are
        # refilled at the end (servicedesk.as_of). Every row the writer itself writes has
        # them already.
        self.touched: list[int] = []
        self.ticket_stand_in = 0
        self.references: dict[int, str] = {}
        self.errors = summary.errors
        self.writing = writing
        self.counting = counting
        self.stand_in = 0
        self.sources: dict[str, list[tuple[str, str]]] = {}
        self.queues: dict[str, int] = {}
        self.slugs: set[str] = set()
        self.queue_calendars: dict[int, ServiceCalendar] = {}
        self.holidays = holiday_calendar()
        for pk, name, slug, hours, division in Queue.objects.values_list(
            "pk", "name", "slug", "working_hours", "holiday_division"
        ):
            self.queues[name] = pk
            self.slugs.add(slug)
            self.queue_calendars[pk] = service_calendar(hours, division, holidays=self.holidays)
        self.categories: dict[tuple[int | None, str], int] = {
            (parent, name): pk
            for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")
        }
        self.targets: dict[tuple[str, str], int] = {
            (kind, priority): seconds
            for kind, priority, seconds in SlaTarget.objects.values_list(
                "kind", "priority", "resolution_seconds"
            )
        }
        self.copy = writing and connection.vendor == "postgresql"
        self.copier: Copier | None = None
        # This batch's COPYs (table, columns, rows), handed to the copier once the batch's
        # queries are done.
        self.pending: list[Job] = []
        if self.copy:
            # Foreign keys are checked as each COPY ends (on the copier's thread, beside the
            # parsing), not all at once at COMMIT; reset in close().
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if self.copy or stage is not None:
            # Binary COPY: the rows' values are already of their columns' types (hackperf.copy).
            self.copier = Copier(connection.connection, name="import-copier", binary=True)

    def finish(self) -> None:
        """Wait for the last COPY; raise its error, if it had one."""
        if self.copier is not None:
            self.copier.close()
            self.copier.check()

    def close(self) -> None:
        """Stop the copier (idempotent); the transaction is then the caller's alone."""
        if self.copier is not None:
            self.copier.close()
            self.copier = None
            if not self.copy or connection.needs_rollback or connection.connection.closed:
                return
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            except DatabaseError:
                pass  # the transaction failed: it is rolled back whatever its settings

    # -- lookups ------------------------------------------------------------------------------

    def ensure_lookups(self, batch: list[TicketHistory]) -> None:
        """Create the batch's new queues and categories: one INSERT per table per batch."""
        names: dict[str, None] = {}
        for history in batch:
            moved_to = [e.queue_to for e in history.events if e.queue_to is not None]
            for name in moved_to or [history.ticket.queue or UNASSIGNED_QUEUE]:
                names.setdefault(name)
        missing = [n for n in names if n not in self.queues and len(n) <= 100]
        if missing:
            queues = []
            for name in missing:
                base = slugify(name)[:90] or "queue"
                slug, n = base, 1
                while slug in self.slugs or slug in RESERVED_QUEUE_SLUGS:
                    n += 1
                    slug = f"{base}-{n}"
                self.slugs.add(slug)
                queues.append(Queue(name=name, slug=slug))
            if self.writing:
                made_queues = Queue.objects.bulk_create(queues)
            else:
                made_queues = [self._stand_in(q) for q in queues]
            for queue in made_queues:
                self.queues[queue.name] = queue.pk
                self.queue_calendars[queue.pk] = service_calendar(
                    queue.working_hours, queue.holiday_division, holidays=self.holidays
                )
            self.summary.queues_created += len(queues)
        # Categories, level by level: a subcategory needs its parent's key.
        depth = max((len(h.ticket.category) for h in batch), default=0)
        for level in range(depth):
            wanted: dict[tuple[int | None, str], None] = {}
            for history in batch:
                path = history.ticket.category
                if len(path) > level and all(len(part) <= 100 for part in path):
                    parent = self.category_id(path[:level]) if level else None
                    if (parent, path[level]) not in self.categories:
                        wanted.setdefault((parent, path[level]))
            if wanted:
                made = [Category(parent_id=parent, name=name) for parent, name in wanted]
                if self.writing:
                    made = Category.objects.bulk_create(made)
                else:
                    made = [self._stand_in(c) for c in made]
                for category in made:
                    self.categories[(category.parent_id, category.name)] = category.pk
                self.summary.categories_created += len(made)

    def _stand_in(self, obj: Any) -> Any:
        """Give an unsaved queue or category a key no stored row has (checking only)."""
        self.stand_in -= 1
        obj.pk = self.stand_in
        if self.stage is not None:
            self.made.append(obj)
        return obj

    def category_id(self, path: tuple[str, ...]) -> int | None:
        parent: int | None = None
        for name in path:
            parent = self.categories[(parent, name)]
        return parent

    # -- one ticket -----------------------------------------------------------------------------

    def prepare(self, history: TicketHistory, mapping: Mapping) -> _Prepared | None:
        """The rows to store for one history; None (with errors) if it cannot be stored."""
        # Every row was checked as it was read (lengths, references, e-mail addresses, times,
        # kinds: servicedesk.importers.reader and .history), so the whole file's bad rows are
        # known before anything is written; what is left is the database's own backstop.
        record = history.ticket

        def column(name: str) -> str | None:
            columns = mapping.columns.get(name)
            return JOINER.join(columns) if columns else None

        first_queue = next((e.queue_to for e in history.events if e.queue_to), None)
        queues = self.queues
        current_queue = queues[first_queue or record.queue or UNASSIGNED_QUEUE]
        current_status = ""
        events: list[_Event] = []
        append = events.append
        for e in history.events:
            kind = e.kind
            to_queue = from_queue = None
            if kind == EventKind.LOGGED:
                to_queue = current_queue
            elif e.queue_to is not None and (kind in _QUEUE_KINDS or e.queue_to != e.queue_from):
                from_queue, to_queue = current_queue, queues[e.queue_to]
                current_queue = to_queue
            status_to = e.status_to
            to_status = status_to if status_to and status_to != current_status else ""
            # Positional, in _Event's field order (the hottest loop of the writer).
            append(
                _Event(
                    e.sequence,
                    kind,
                    e.at,
                    e.assignee[:200] if e.assignee else "",
                    current_status,
                    to_status,
                    from_queue,
                    to_queue,
                    e.reason,
                    EscalationLevel.TEAM_LEADER if kind == EventKind.ESCALATED else None,
                )
            )
            current_status = to_status or current_status
        ticket_kind = record.kind
        category_id = self.category_id(record.category)
        try:
            # With the kind and category, the intervals carry them (servicedesk.as_of).
            replayed = replay(events, kind=ticket_kind or "", category_id=category_id)
        except ValueError as err:
            self.errors.append(RowError(record.line, column("updated_at"), None, str(err)))
            return None

        priority = record.priority or Priority.P3
        summary = record.summary or NO_SUMMARY
        attrs = {
            "kind": ticket_kind,
            "summary": summary if len(summary) <= 250 else summary[:249] + "…",
            "category_id": category_id,
            "priority": priority,
            "channel": record.channel or "",
            "customer_name": (record.customer_name or "")[:200],
            "customer_email": record.customer_email or "",
            "customer_directorate": (record.directorate or "")[:200],
            # The export's own counts, beside the ones the history gives (derived fields).
            "export_reassignment_count": record.reassignment_count,
            "export_reopen_count": record.reopen_count,
        }
        sources = self.sources.get(mapping.name)
        if sources is None:  # the attributes this mapping can give at all, worked out once
            sources = self.sources[mapping.name] = [
                (attr, field)
                for attr, (fields, field) in _ATTR_SOURCES.items()
                if any(mapping.has(f) for f in fields)
            ]
        given = frozenset(
            attr for attr, field in sources if getattr(record, field) not in (None, "", ())
        )
        return _Prepared(
            record.reference,
            attrs,
            events,
            replayed.intervals,
            # Checking a file that will be read again to be written: nothing to derive yet.
            self._derive(replayed, ticket_kind, priority) if self.writing or self.counting else {},
            given,
            mapping.shape == "ticket",
            replayed,
        )

    @staticmethod
    def _as_of(p: _Prepared) -> None:
        """Set each event's ticket as of it (``servicedesk.as_of``), from the intervals
        replayed with the ticket's settled kind and category, as the services and the demo
        data do (``history.events_as_of``)."""
        channel = p.attrs["channel"]
        for event, (queue_id, kind, category_id) in zip(
            p.events, events_as_of(p.events, p.intervals), strict=True
        ):
            event.ticket_queue_id, event.ticket_kind = queue_id, kind
            event.ticket_category_id, event.ticket_channel = category_id, channel

    def _derive(self, replayed: Any, kind: str | None, priority: str) -> dict[str, Any]:
        """Derived state of a replayed history; the SLA target depends on kind and priority."""
        return derived_fields(
            replayed.state,
            replayed.intervals,
            calendar=self.queue_calendars[replayed.state.queue_id],
            target_seconds=self.targets.get((kind or Kind.INCIDENT, priority)),
        )

    # -- one batch ------------------------------------------------------------------------------

    def write(self, batch: list[TicketHistory], mapping: Mapping) -> None:
        self.ensure_lookups(batch)
        prepared = [p for h in batch if (p := self.prepare(h, mapping)) is not None]
        if self.errors or not (self.writing or self.counting):
            return
        # A query of this thread waits while the copier's COPY holds the connection
        # (psycopg 3 keeps other commands out of a COPY), so the two take turns.
        self._store(prepared)
        if self.copier is not None and self.pending:
            self.copier.submit(*self.pending)
        self.pending = []

    def _store(self, prepared: list[_Prepared]) -> None:
        summary = self.summary
        existing = {
            row["reference"]: row
            for row in Ticket.objects.filter(reference__in=[p.reference for p in prepared]).values(
                "pk", "reference", *_ATTRS
            )
        }
        stored: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        if existing:
            for row in (
                TicketEvent.objects.filter(ticket_id__in=[r["pk"] for r in existing.values()])
                .order_by("ticket_id", "sequence")
                .values_list("ticket_id", *_SIGNATURE)
            ):
                stored[row[0]].append(row[1:])

        new: list[_Prepared] = []
        updated: list[Ticket] = []
        attrs_only: list[Ticket] = []
        kept: list[tuple[int, dict[str, Any]]] = []
        replaced: list[int] = []
        event_rows: list[tuple[int, _Event]] = []
        interval_rows: list[tuple[int, IntervalRow]] = []
        for p in prepared:
            row = existing.get(p.reference)
            if row is None:
                self._as_of(p)
                new.append(p)
                continue
            pk = row["pk"]
            have = stored[pk]
            want = [e.signature() for e in p.events]
            # What the file gives wins; what it only defaults keeps the stored value.
            attrs = {name: p.attrs[name] if name in p.given else row[name] for name in _ATTRS}
            same_attrs = all(row[name] == value for name, value in attrs.items())
            if attrs != p.attrs:
                if _classification(attrs) != _classification(p.attrs):
                    # The intervals carry the kind and category: replay with the stored ones.
                    p.replayed = replay(
                        p.events, kind=attrs["kind"], category_id=attrs["category_id"]
                    )
                    p.intervals = p.replayed.intervals
                p.attrs = attrs
                p.derived = self._derive(p.replayed, attrs["kind"], attrs["priority"])
            keep_stored = len(have) > len(want) and have[: len(want)] == want
            if have != want and not keep_stored and p.sketch and have:
                # A ticket-shaped file over a richer history: keep the history, take the fields.
                keep_stored = True
            if have == want or keep_stored:
                if same_attrs:
                    summary.unchanged += 1
                elif have == want:
                    attrs_only.append(Ticket(pk=pk, reference=p.reference, **p.attrs, **p.derived))
                else:
                    kept.append((pk, p.attrs))  # the stored history is replayed with them
                    if self.stage is not None:
                        self.references[pk] = p.reference
                continue
            self._as_of(p)
            if len(have) < len(want) and want[: len(have)] == have:
                fresh = p.events[len(have) :]
                # The stored events keep their as-of columns unless the file changed what
                # they hold, or a new event shares the last stored one's instant (whose
                # as-of state is the one after every event of that instant).
                shared_instant = bool(have) and have[-1][_AT] == fresh[0].at
                if shared_instant or _as_of_attrs(row) != _as_of_attrs(p.attrs):
                    self.touched.append(pk)
            else:
                replaced.append(pk)
                summary.events_removed += len(have)
                fresh = p.events
            event_rows.extend((pk, e) for e in fresh)
            interval_rows.extend((pk, i) for i in p.intervals)
            updated.append(Ticket(pk=pk, reference=p.reference, **p.attrs, **p.derived))

        self.touched += [t.pk for t in attrs_only] + [pk for pk, _ in kept]
        if not self.writing:  # checking: count what would be written (and stage it)
            summary.created += len(new)
            summary.updated += len(updated) + len(attrs_only) + len(kept)
            summary.events_added += len(event_rows) + sum(len(p.events) for p in new)
            if self.stage is not None:
                self._stage(new, updated, attrs_only, kept, replaced, event_rows, interval_rows)
            return
        if new:
            for pk, p in zip(self._insert_tickets(new), new, strict=True):
                event_rows.extend((pk, e) for e in p.events)
                interval_rows.extend((pk, i) for i in p.intervals)
        changed = updated + attrs_only
        if changed:
            Ticket.objects.bulk_update(changed, [*_ATTRS, *_DERIVED], batch_size=500)
        if replaced:
            TicketEvent.objects.filter(ticket_id__in=replaced).delete()
        if updated:
            TicketInterval.objects.filter(ticket_id__in=[t.pk for t in updated]).delete()
        self._insert_events(event_rows)
        self._insert_intervals(interval_rows)
        if kept:
            self._rebuild(kept)
        summary.created += len(new)
        summary.updated += len(changed) + len(kept)
        summary.events_added += len(event_rows)

    def _stage(
        self,
        new: list[_Prepared],
        updated: list[Ticket],
        attrs_only: list[Ticket],
        kept: list[tuple[int, dict[str, Any]]],
        replaced: list[int],
        event_rows: list[tuple[int, _Event]],
        interval_rows: list[tuple[int, IntervalRow]],
    ) -> None:
        """Copy to the stage what ``_store`` would write for this batch (its key lookups are
        the same; new tickets get stand-in keys, as new queues and categories do)."""
        tickets: list[tuple[Any, ...]] = []
        for p in new:
            self.ticket_stand_in -= 1
            stand_in = self.ticket_stand_in
            tickets.append((stand_in, p.reference, *_TICKET_VALUES(p.attrs | p.derived)))
            event_rows.extend(zip(repeat(stand_in), p.events))
            interval_rows.extend(zip(repeat(stand_in), p.intervals))
        for ticket in updated + attrs_only:
            tickets.append(
                (
                    ticket.pk,
                    ticket.reference,
                    *(getattr(ticket, c) for c in _TICKET_COLUMNS[1:]),
                )
            )
        gone = set(replaced)
        clear = [(t.pk, t.pk in gone) for t in updated]
        if kept:
            self._replay_kept(kept, tickets, interval_rows, clear)
        assert self.stage is not None
        stage = self.stage
        if tickets:
            self._queue(TICKETS, stage.columns(TICKETS), tickets)
        if clear:
            self._queue(CLEAR, stage.columns(CLEAR), clear)
        if event_rows:
            self._queue(EVENTS, stage.columns(EVENTS), _event_values(event_rows))
        if interval_rows:
            self._queue(INTERVALS, stage.columns(INTERVALS), _interval_values(interval_rows))

    def _replay_kept(
        self,
        kept: list[tuple[int, dict[str, Any]]],
        tickets: list[tuple[Any, ...]],
        interval_rows: list[tuple[int, IntervalRow]],
        clear: list[tuple[int, bool]],
    ) -> None:
        """Tickets worked here since their export (or with a richer stored history than a
        ticket-shaped file's sketch) keep their stored events; replay them with the file's
        attributes and stage the result. This is ``ticket_history_rebuild`` (the same
        ``replay`` and ``derived_fields``) for a whole batch in one query, instead of a
        handful of queries per ticket: BPI 2014's incident list after its activity log
        spent minutes there."""
        stored: dict[int, list[TicketEvent]] = defaultdict(list)
        for event in TicketEvent.objects.filter(ticket_id__in=[pk for pk, _ in kept]).order_by(
            "ticket_id", "sequence", "pk"
        ):
            stored[event.ticket_id].append(event)
        for pk, attrs in kept:
            replayed = replay(stored[pk])
            values = attrs | self._derive(replayed, attrs["kind"], attrs["priority"])
            tickets.append(
                (
                    pk,
                    self.references.pop(pk),
                    *(values[c] for c in _TICKET_COLUMNS[1:]),
                )
            )
            interval_rows.extend((pk, i) for i in replayed.intervals)
            clear.append((pk, False))

    def apply(self) -> None:
        """Move a clean file's staged rows to the real tables: create the new queues and
        categories (parents first), then let the stage insert, update and delete in SQL, and
        that is all: tickets worked here since their export were replayed as they were
        staged."""
        assert self.stage is not None
        keys: dict[int, int] = {}
        stand_ins = {id(o): o.pk for o in self.made}
        queues = [o for o in self.made if isinstance(o, Queue)]
        for obj in self.made:
            obj.pk = None
        if queues:
            Queue.objects.bulk_create(queues)
            keys.update((stand_ins[id(q)], q.pk) for q in queues)
        pending = [o for o in self.made if isinstance(o, Category)]
        while pending:  # level by level: a subcategory needs its parent's key
            ready = [
                c for c in pending if c.parent_id is None or c.parent_id in keys or c.parent_id > 0
            ]
            for category in ready:
                if category.parent_id is not None:
                    category.parent_id = keys.get(category.parent_id, category.parent_id)
            Category.objects.bulk_create(ready)
            keys.update((stand_ins[id(c)], c.pk) for c in ready)
            pending = [c for c in pending if c.pk is None]
        self.stage.apply(keys)

    def _rebuild(self, kept: list[tuple[int, dict[str, Any]]]) -> None:
        """Tickets worked here after the export: new attributes, the stored history replayed."""
        from servicedesk.services import ticket_history_rebuild

        for pk, attrs in kept:
            Ticket.objects.filter(pk=pk).update(**attrs)
            ticket_history_rebuild(ticket=Ticket(pk=pk))

    # -- bulk inserts ---------------------------------------------------------------------------

    def _insert_tickets(self, new: list[_Prepared]) -> list[int]:
        """Insert new tickets; return their primary keys, in order.

        With COPY the keys are taken from the table's sequence first, so the COPY can run in
        the background like the events' (which it precedes on the same connection).
        """
        if not self.copy:
            tickets = [Ticket(reference=p.reference, **p.attrs, **p.derived) for p in new]
            Ticket.objects.bulk_create(tickets, batch_size=30)  # SQLite's variable limit
            return [t.pk for t in tickets]
        table = Ticket._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(new)],
            )
            keys = [pk for (pk,) in cursor.fetchall()]
        values = [(p.attrs | p.derived) for p in new]
        self._copy(
            Ticket,
            ("id", *_TICKET_COLUMNS),
            (
                (
                    pk,
                    p.reference,
                    *(d[c] for c in _TICKET_COLUMNS[1:]),
                )
                for pk, p, d in zip(keys, new, values, strict=True)
            ),
        )
        return keys

    def _insert_events(self, rows: list[tuple[int, _Event]]) -> None:
        self._insert(
            TicketEvent,
            _EVENT_COLUMNS,
            rows,
            _event_values,
            lambda pk, e: TicketEvent(
                ticket_id=pk, **{n: getattr(e, n) for n in (*_SIGNATURE, *_EVENT_AS_OF)}
            ),
        )

    def _insert_intervals(self, rows: list[tuple[int, IntervalRow]]) -> None:
        self._insert(
            TicketInterval,
            _INTERVAL_COLUMNS,
            rows,
            _interval_values,
            lambda pk, i: TicketInterval(ticket_id=pk, **i.model_kwargs()),
        )

    def _insert(
        self,
        model: Any,
        columns: tuple[str, ...],
        rows: list[tuple[int, Any]],
        values: Callable[[list[tuple[int, Any]]], Iterable[tuple[Any, ...]]],
        instance: Callable[[int, Any], Any],
    ) -> None:
        """Insert a batch's new child rows (ticket pk, row): by COPY (``values`` gives its
        rows) when writing to PostgreSQL, else by ``bulk_create`` (``instance`` builds each).
        Events and intervals take the same road, so the choice, the skip of an empty batch
        and the batch size have one home."""
        if not rows:
            return
        if self.copy:
            self._copy(model, columns, values(rows))
        else:
            model.objects.bulk_create((instance(pk, row) for pk, row in rows), batch_size=500)

    def _copy(self, model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """COPY rows into a model's table: on the copier's thread, after this batch's queries,
        when there is one; at once otherwise."""
        table = model._meta.db_table
        names = [model._meta.get_field(c).column for c in columns]
        if self.copier is not None:
            self._queue(table, names, rows)
            return
        with connection.cursor() as cursor:
            copy_rows(cursor, table, names, rows)

    def _queue(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """A COPY for the copier's thread, submitted once this batch's queries are done."""
        self.pending.append((table, columns, rows))


def _classification(attrs: dict[str, Any]) -> tuple[Any, Any]:
    """What a ticket's intervals carry of its attributes."""
    return attrs["kind"], attrs["category_id"]


def _as_of_attrs(attrs: dict[str, Any]) -> tuple[Any, Any, Any]:
    """What a ticket's events carry of its attributes (besides their queue)."""
    return attrs["kind"], attrs["category_id"], attrs["channel"]


def _event_values(rows: Iterable[tuple[int, _Event]]) -> Iterator[tuple[Any, ...]]:
    """Events as COPY rows, in ``_EVENT_COLUMNS`` order."""
    return ((pk, *_EVENT_VALUES(e)) for pk, e in rows)


_EVENT_VALUES: Final = operator.attrgetter(*_EVENT_COLUMNS[1:])
"""An event's values but its ticket's key, in ``_EVENT_COLUMNS`` order (``signature`` and
then the as-of columns) in one call."""
_TICKET_VALUES: Final = operator.itemgetter(*_TICKET_COLUMNS[1:])
"""A new ticket's values (its attributes and derived fields) but its reference, in
``_TICKET_COLUMNS`` order."""


_INTERVAL_VALUES: Final = operator.attrgetter(*_INTERVAL_COLUMNS[1:])


def _interval_values(rows: Iterable[tuple[int, IntervalRow]]) -> Iterator[tuple[Any, ...]]:
    """Intervals as COPY rows, in ``_INTERVAL_COLUMNS`` order."""
    return ((pk, *_INTERVAL_VALUES(i)) for pk, i in rows)
