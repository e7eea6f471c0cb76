"""Stream an export (CSV or gzip-compressed CSV) and normalise each row through a mapping.

Memory stays flat whatever the file size: rows are read one at a time through the csv module
over a text wrapper and turned into small frozen records, and nothing here keeps a row after
yielding it. Compression is detected from the file's first bytes, not its name, because uploads
arrive with whatever name the browser or the other system gave them.

Bad rows never stop the reading: each problem is appended to the caller's ``errors`` list as a
:class:`RowError` with the row's line number, and the row is skipped. The caller decides what a
bad row means; ``import_tickets`` refuses the whole file (all-or-nothing), ``--dry-run`` only
reports.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Final, cast
from zoneinfo import ZoneInfo

from hackperf.dates import check_in_range
from servicedesk.importers.mapping import (
    COUNT_FIELDS,
    DATE_FIELDS,
    JOINER,
    KEEP,
    VALUE_TARGETS,
    Mapping,
    _fold,
)

__all__ = [
    "EventRecord",
    "RowError",
    "Source",
    "TicketRecord",
    "iter_rows",
    "parse_instant",
    "read_events",
    "read_records",
    "read_tickets",
]

Source = str | Path | IO[bytes]
GZIP_MAGIC: Final = b"\x1f\x8b"
NONEXISTENT: Final = "{value} does not exist in {tz}: the clocks went forward over it"
AMBIGUOUS: Final = "{value} happened twice in {tz} (the clocks went back); give the offset"
BAD_DATE: Final = "not a date and time in any of the formats {formats}"
UNKNOWN_VALUE: Final = "unknown {field} {value!r}: add it to [values.{field}] in the mapping"
NOT_OURS: Final = "{value!r} is not one of {allowed}: add a [values.{field}] table to the mapping"
NOT_A_COUNT: Final = "not a whole number"
NO_REFERENCE: Final = "the ticket reference is empty"
MISSING_COLUMN: Final = "column not in the file's header (the mapping reads it for {field})"
WRONG_WIDTH: Final = "the row has {got} fields but the header has {want}"

# The csv module refuses fields over 128 kB by default; ticket descriptions can be long.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row: where it is, what was there, and why it is refused."""

    line: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f" = {self.value!r}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """A ticket's attributes in our vocabulary, from a ticket row or an event row.

    For the ticket shape the instants and counts are the export's own; for the event shape they
    are left empty and the history says when things happened. ``category`` is the path from
    the top of the category tree (category, then subcategory).
    """

    reference: str
    line: int
    kind: str | None = None
    summary: str | None = None
    category: tuple[str, ...] = ()
    priority: str | None = None
    channel: str | None = None
    queue: str | None = None
    assignee: str | None = None
    status: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    directorate: str | None = None
    opened_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    reassignment_count: int | None = None
    reopen_count: int | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One audit row: the state of a ticket (or one activity on it) at an instant.

    ``at`` is an aware UTC datetime; ``source_offset`` is the UTC offset the source gave (or
    that its time zone had then, for naive times), so offsets such as BPI 2013's +01:00 and
    +02:00 are kept, not just honoured. ``status`` is ours, or None when the row says nothing
    about it; ``raw_status`` and ``activity`` are the source's words, used as event reasons.
    """

    reference: str
    line: int
    at: datetime
    source_offset: timedelta | None
    sequence: str | None
    status: str | None
    raw_status: str | None
    queue: str | None
    assignee: str | None
    priority: str | None
    activity: str | None
    ticket: TicketRecord


def iter_rows(
    source: Source,
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    errors: list[RowError],
    required: dict[str, str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each data row; the header is line 1.

    ``line`` is the physical line where the row starts (a quoted field may span lines), so
    people can find it in an editor. ``required`` maps source columns to the field that needs
    them; if any is missing from the header, that is reported and no row is yielded. A row of
    the wrong width, an undecodable byte or broken quoting is reported; the last two end the
    file, since nothing after them can be trusted.
    """
    rows = _iter_values(
        source, encoding=encoding, delimiter=delimiter, errors=errors, required=required
    )
    header = next(rows, None)
    if header is None:
        return
    names = header[1]
    for line, values in rows:
        yield line, dict(zip(names, values, strict=True))


def _iter_values(
    source: Source,
    *,
    encoding: str,
    delimiter: str,
    errors: list[RowError],
    required: dict[str, str] | None,
) -> Iterator[tuple[int, list[str]]]:
    """:func:`iter_rows` with each row as a list: first ``(1, header)``, then the data rows
    (nothing at all if the file is empty or lacks a required column)."""
    with ExitStack() as stack:
        text = stack.enter_context(_open_text(source, encoding))
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        end_of_previous = 0
        try:
            header = next(reader, None)
            if header is None:
                return
            end_of_previous = reader.line_num
            header = [h.strip() for h in header]
            missing = [
                RowError(1, column, None, MISSING_COLUMN.format(field=field_))
                for column, field_ in (required or {}).items()
                if column not in header
            ]
            if missing:
                errors.extend(missing)
                return
            yield 1, header
            width = len(header)
            for values in reader:
                line = end_of_previous + 1
                end_of_previous = reader.line_num
                if len(values) != width:
                    if not any(values):
                        continue  # a blank line, e.g. at the end of a hand-edited file
                    errors.append(
                        RowError(line, None, None, WRONG_WIDTH.format(got=len(values), want=width))
                    )
                    continue
                yield line, values
        except UnicodeDecodeError as e:
            errors.append(
                RowError(end_of_previous + 1, None, None, f"not valid {encoding} text ({e.reason})")
            )
        except csv.Error as e:
            errors.append(RowError(end_of_previous + 1, None, None, f"broken CSV: {e}"))


def read_tickets(
    source: Source, mapping: Mapping, *, errors: list[RowError]
) -> Iterator[TicketRecord]:
    """Yield one :class:`TicketRecord` per good row of a ticket-shaped export."""
    rows = _mapped_rows(source, mapping, errors)
    header = next(rows, None)
    if header is None:
        return
    normalise = _Normaliser(mapping, header[1])
    for line, row in rows:
        record = normalise.ticket(line, row, errors, with_times=True)
        if record is not None:
            yield record


def read_events(
    source: Source, mapping: Mapping, *, errors: list[RowError]
) -> Iterator[EventRecord]:
    """Yield one :class:`EventRecord` per good row of an event-shaped export, in file order."""
    rows = _mapped_rows(source, mapping, errors)
    header = next(rows, None)
    if header is None:
        return
    normalise = _Normaliser(mapping, header[1])
    for line, row in rows:
        record = normalise.event(line, row, errors)
        if record is not None:
            yield record


def read_records(
    source: Source, mapping: Mapping, *, errors: list[RowError]
) -> Iterator[TicketRecord] | Iterator[EventRecord]:
    """:func:`read_tickets` or :func:`read_events`, as the mapping's shape says."""
    if mapping.shape == "ticket":
        return read_tickets(source, mapping, errors=errors)
    return read_events(source, mapping, errors=errors)


def parse_instant(raw: str, mapping: Mapping) -> tuple[datetime, timedelta | None]:
    """Parse a date and time as the mapping says; return it in UTC with the source's offset.

    Naive times are in the mapping's time zone. Twice a year that is not enough: a wall time
    in the spring gap (01:30 on the last Sunday of March in London) never happened, so it is
    refused, since any guess would move the ticket by an hour without anyone knowing; a wall time
    in the autumn overlap happened twice, and ``[dates].ambiguous`` picks the earlier (BST, the
    default: exports are written at the time things happen, and the first 01:30 comes first),
    the later, or refuses it. Times that carry an offset are taken as they are.

    Raises:
        ValueError: with the reason, to be reported against the row.
    """
    parsed: datetime | None = None
    for fmt in mapping.date_formats:
        try:
            parsed = (
                datetime.fromisoformat(raw) if fmt == "iso" else datetime.strptime(raw, fmt)  # noqa: DTZ007
            )
        except ValueError:
            continue
        break
    if parsed is None:
        raise ValueError(BAD_DATE.format(formats=", ".join(mapping.date_formats)))
    # Year 1 or 9999 parses, but no ticket was logged then, and SLA arithmetic near either end
    # of the calendar overflows: refuse it as a bad value (hackperf.dates' bounds).
    check_in_range(parsed.date(), shown=raw)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC), parsed.utcoffset()
    aware = _localise(parsed, mapping.timezone, mapping.ambiguous, raw)
    return aware.astimezone(UTC), aware.utcoffset()


def _localise(naive: datetime, tz: ZoneInfo, ambiguous: str, raw: str) -> datetime:
    early = naive.replace(tzinfo=tz, fold=0)
    # A wall time in the spring gap does not survive a round trip through UTC.
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValueError(NONEXISTENT.format(value=raw, tz=tz.key))
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        if ambiguous == "error":
            raise ValueError(AMBIGUOUS.format(value=raw, tz=tz.key))
        return late if ambiguous == "later" else early
    return early


def _mapped_rows(
    source: Source, mapping: Mapping, errors: list[RowError]
) -> Iterator[tuple[int, list[str]]]:
    """The header, then each data row, as lists (see :func:`_iter_values`)."""
    required = {c: f for f, cols in mapping.columns.items() for c in cols}
    return _iter_values(
        source,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        errors=errors,
        required=required,
    )


Row = list[str]
_UNSEEN: Final = object()
_CACHE_LIMIT: Final = 10_000


class _Normaliser:
    """Turns one raw row into a record, appending every problem found (not just the first).

    Built once per file from its header: each field's columns become positions in the row and
    a small function reads them, so a row costs no dictionary of its own and no per-row
    lookups of the mapping (the importer's hottest loop).
    """

    def __init__(self, mapping: Mapping, header: list[str]) -> None:
        self.mapping = mapping
        self.nulls = mapping.null_markers
        self.columns = mapping.columns
        # The last of two same-named columns wins, as in dict(zip(header, values)).
        position = {name: i for i, name in enumerate(header)}
        self.readers: dict[str, Callable[[Row], str | None]] = {
            field_: self._reader([position[c] for c in columns], mapping.defaults.get(field_))
            for field_, columns in mapping.columns.items()
        }
        # A mapped value depends only on the raw string: remember the good ones.
        self.known: dict[str, dict[str, str]] = {}

    def _reader(self, positions: list[int], default: str | None) -> Callable[[Row], str | None]:
        nulls = self.nulls
        if len(positions) == 1:
            (i,) = positions

            def one(row: Row) -> str | None:
                value = row[i].strip()
                return default if value in nulls else value

            return one

        def joined(row: Row) -> str | None:
            parts = [v for v in (row[i].strip() for i in positions) if v not in nulls]
            return JOINER.join(parts) if parts else default

        return joined

    def raw(self, row: Row, field_: str) -> str | None:
        """The row's value for our field: stripped, None if null; several columns joined."""
        reader = self.readers.get(field_)
        if reader is None:
            return self.mapping.defaults.get(field_)
        return reader(row)

    def column_name(self, field_: str) -> str | None:
        columns = self.columns.get(field_)
        return JOINER.join(columns) if columns else None

    def value(self, line: int, row: Row, field_: str, errors: list[RowError]) -> str | None:
        """A mapped value (status, priority, kind, channel): ours, or None; errors if unknown."""
        raw = self.raw(row, field_)
        if raw is None:
            return None
        known = self.known.setdefault(field_, {})
        ours = known.get(raw, _UNSEEN)
        if ours is not _UNSEEN:
            return cast(str, ours)
        ours = self._value(line, raw, field_, errors)
        if ours is not None and len(known) < _CACHE_LIMIT:
            known[raw] = ours
        return ours

    def _value(self, line: int, raw: str, field_: str, errors: list[RowError]) -> str | None:
        table = self.mapping.values.get(field_)
        if table is not None:
            ours = table.get(_fold(raw))
            if ours is None and raw in self.mapping.defaults.values():
                ours = raw  # a default is already in our vocabulary
            if ours is None:
                errors.append(
                    RowError(
                        line,
                        self.column_name(field_),
                        raw,
                        UNKNOWN_VALUE.format(field=field_, value=raw),
                    )
                )
            return ours
        allowed = [v for v in VALUE_TARGETS[field_] if v != KEEP]
        for ours in allowed:
            if ours.casefold() == raw.casefold():
                return ours
        errors.append(
            RowError(
                line,
                self.column_name(field_),
                raw,
                NOT_OURS.format(value=raw, allowed=", ".join(allowed), field=field_),
            )
        )
        return None

    def instant(
        self, line: int, row: Row, field_: str, errors: list[RowError]
    ) -> tuple[datetime, timedelta | None] | None:
        raw = self.raw(row, field_)
        if raw is None:
            return None
        try:
            return parse_instant(raw, self.mapping)
        except ValueError as e:
            errors.append(RowError(line, self.column_name(field_), raw, str(e)))
            return None

    def count(self, line: int, row: Row, field_: str, errors: list[RowError]) -> int | None:
        raw = self.raw(row, field_)
        if raw is None:
            return None
        try:
            number = int(raw)
        except ValueError:
            number = -1
        if number < 0:
            errors.append(RowError(line, self.column_name(field_), raw, NOT_A_COUNT))
            return None
        return number

    def ticket(
        self, line: int, row: Row, errors: list[RowError], *, with_times: bool
    ) -> TicketRecord | None:
        """The ticket-level attributes of a row; None (with errors) if the row is bad."""
        before = len(errors)
        raw = self.raw
        reference = raw(row, "reference")
        if reference is None:
            errors.append(RowError(line, self.column_name("reference"), None, NO_REFERENCE))
        status = self.value(line, row, "status", errors) if self.mapping.shape == "ticket" else None
        times: dict[str, datetime | None] = {}
        counts: dict[str, int | None] = {}
        if with_times:
            for field_ in DATE_FIELDS:
                parsed = self.instant(line, row, field_, errors)
                times[field_] = parsed[0] if parsed else None
            if raw(row, "opened_at") is None:
                errors.append(
                    RowError(line, self.column_name("opened_at"), None, "the opened time is empty")
                )
            for field_ in COUNT_FIELDS:
                counts[field_] = self.count(line, row, field_, errors)
        record = TicketRecord(
            reference=reference or "",
            line=line,
            kind=self.value(line, row, "kind", errors),
            summary=raw(row, "summary"),
            category=tuple(
                p for p in (raw(row, "category"), raw(row, "subcategory")) if p is not None
            ),
            priority=self.value(line, row, "priority", errors),
            channel=self.value(line, row, "channel", errors),
            queue=raw(row, "queue"),
            assignee=raw(row, "assignee"),
            status=None if status == KEEP else status,
            customer_name=raw(row, "customer_name"),
            customer_email=raw(row, "customer_email"),
            directorate=raw(row, "directorate"),
            opened_at=times.get("opened_at"),
            resolved_at=times.get("resolved_at"),
            closed_at=times.get("closed_at"),
            updated_at=times.get("updated_at"),
            reassignment_count=counts.get("reassignment_count"),
            reopen_count=counts.get("reopen_count"),
        )
        return record if len(errors) == before else None

    def event(self, line: int, row: Row, errors: list[RowError]) -> EventRecord | None:
        """An audit row as an :class:`EventRecord`; None (with errors) if the row is bad."""
        before = len(errors)
        ticket = self.ticket(line, row, errors, with_times=False)
        at = self.instant(line, row, "updated_at", errors)
        if self.raw(row, "updated_at") is None:
            errors.append(
                RowError(line, self.column_name("updated_at"), None, "the event time is empty")
            )
        status = self.value(line, row, "status", errors)
        if ticket is None or at is None or len(errors) != before:
            return None
        return EventRecord(
            reference=ticket.reference,
            line=line,
            at=at[0],
            source_offset=at[1],
            sequence=self.raw(row, "sequence"),
            status=None if status == KEEP else status,
            raw_status=self.raw(row, "status"),
            queue=ticket.queue,
            assignee=ticket.assignee,
            priority=ticket.priority,
            activity=self.raw(row, "activity"),
            ticket=ticket,
        )


def _open_text(source: Source, encoding: str) -> _TextOpener:
    return _TextOpener(source, encoding)


class _TextOpener:
    """Context manager: a text stream over a file or binary stream, gunzipped if gzip."""

    def __init__(self, source: Source, encoding: str) -> None:
        self.source = source
        self.encoding = encoding
        self.stack = ExitStack()

    def __enter__(self) -> io.TextIOWrapper:
        codecs.lookup(self.encoding)
        binary: IO[bytes]
        if isinstance(self.source, str | Path):
            binary = self.stack.enter_context(Path(self.source).open("rb"))
        else:
            binary = self.source
        magic = _peek(binary, 2)
        if magic == GZIP_MAGIC:
            gunzipped = self.stack.enter_context(gzip.GzipFile(fileobj=binary, mode="rb"))
            binary = cast(IO[bytes], gunzipped)
        # newline="" lets the csv module see quoted newlines (csv module docs).
        text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")  # type: ignore[arg-type]
        self.stack.callback(text.detach)  # the caller's stream is theirs to close
        return text

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


def _peek(binary: IO[bytes], size: int) -> bytes:
    peek: Callable[[int], bytes] | None = getattr(binary, "peek", None)
    if peek is not None:
        return peek(size)[:size]
    if not binary.seekable():
        raise ValueError("the import stream must be seekable or buffered")
    start = binary.tell()
    head = binary.read(size)
    binary.seek(start)
    return head
