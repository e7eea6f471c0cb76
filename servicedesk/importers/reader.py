"""Stream an export (CSV or gzip-compressed CSV) and normalise each row through a mapping.

Memory stays flat whatever the file size: rows are read one at a time through the csv module
over a text wrapper and turned into small frozen records, and nothing here keeps a row after
yielding it. Compression is detected from the file's first bytes, not its name, because uploads
arrive with whatever name the browser or the other system gave them.

Bad rows never stop the reading: each problem is appended to the caller's ``errors`` list as a
:class:`RowError` with the row's line number, and the row is skipped. Every kind of problem a
row can have is found in the one pass (an unknown status does not hide a bad date on the same
row, nor a later row's bad e-mail address). Pass a :class:`RowErrors` to keep only the first
``ERRORS_KEPT`` in memory and count the rest, so a file of bad rows costs no more memory than a
good one. The caller decides what a
bad row means; ``import_tickets`` refuses the whole file (all-or-nothing), ``--dry-run`` only
reports.
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import io
import operator
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Final, TypeVar, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from hackperf.dates import EARLIEST, LATEST
from hackperf.importing.mapping import fold as _fold
from hackperf.importing.rows import ERRORS_KEPT, RowError, RowErrors, error_count, refuse_row
from servicedesk.importers.mapping import (
    COUNT_FIELDS,
    DATE_FIELDS,
    FIELDS,
    JOINER,
    KEEP,
    VALUE_TARGETS,
    Mapping,
)

__all__ = [
    "ERRORS_KEPT",
    "FIELD_LIMITS",
    "EventRecord",
    "RowError",
    "RowErrors",
    "Source",
    "TicketRecord",
    "error_count",
    "iter_rows",
    "parse_instant",
    "read_events",
    "read_records",
    "read_tickets",
]

Source = str | Path | IO[bytes]
GZIP_MAGIC: Final = b"\x1f\x8b"
NONEXISTENT: Final = (
    "{value} does not exist in {tz}: the clocks went forward over it; if the export writes "
    'such times, set [dates].nonexistent = "shift_forward" in the mapping to read them as the '
    "instant the clocks changed"
)
AMBIGUOUS: Final = (
    "{value} happened twice in {tz} (the clocks went back): give the offset, or set "
    '[dates].ambiguous = "earlier" or "later" in the mapping'
)
BAD_DATE: Final = "not a date and time in any of the formats {formats}"
UNKNOWN_VALUE: Final = "unknown {field} {value!r}: add it to [values.{field}] in the mapping"
NOT_OURS: Final = "{value!r} is not one of {allowed}: add a [values.{field}] table to the mapping"
NOT_A_COUNT: Final = "not a whole number"
NO_REFERENCE: Final = "the ticket reference is empty"
MISSING_COLUMN: Final = "column not in the file's header (the mapping reads it for {field})"
WRONG_WIDTH: Final = "the row has {got} fields but the header has {want}"
BAD_ENCODING: Final = (
    "not valid {encoding} text ({reason}): set [file].encoding in the mapping to the file's "
    'encoding (e.g. "cp1252" for Excel on Windows, "utf-16")'
)
NUL: Final = "contains a NUL character (byte 0), which no field can hold"
HUGE: Final = (
    "{length:,} characters long, over the {limit:,} any field may have: is a quote unbalanced?"
)
TOO_LONG: Final = "longer than {limit} characters"
CONTROL: Final = "contains a line break, tab or other control character"
NOT_AN_EMAIL: Final = "not an e-mail address"
OUT_OF_RANGE: Final = "the year {year} is not between {first} and {last}: not a real time"

HUGE_FIELD: Final = 10_000
"""No field of ours is longer (the longest real value seen is a few hundred characters); a
longer one is a broken quote swallowing rows, or not a value at all."""
FIELD_LIMITS: Final = {
    "reference": 40,
    "queue": 100,
    "category": 100,
    "subcategory": 100,
    "customer_name": 200,
    "customer_email": 254,
    "directorate": 200,
    "assignee": 200,
}
"""Our fields' lengths (servicedesk.models; a test keeps them equal). A summary is cut to its
field's length with an ellipsis instead: it is free text, and the export keeps it whole."""
YEARS: Final = (EARLIEST.year, LATEST.year)
"""The years a ticket's times may fall in: year 1 or 9999 is a placeholder, not a time.
The bounds are hackperf.dates', the site's one rule for plausible dates."""
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_UNDECODED: Final = re.compile("[\udc80-\udcff]")
"""What ``errors="surrogateescape"`` makes of a byte the file's encoding cannot read."""

# The csv module refuses fields over 128 kB by default; ticket descriptions can be long.
csv.field_size_limit(16 * 1024 * 1024)


# Not frozen, though never changed once made: a frozen dataclass's __init__ sets each field
# through object.__setattr__, a tenth of an import's reading time. unsafe_hash keeps it
# hashable as a frozen one is.
@dataclass(slots=True, unsafe_hash=True)
class TicketRecord:
    """A ticket's attributes in our vocabulary, from a ticket row or an event row.

    For the ticket shape the instants are the export's own; for the event shape only
    ``opened_at`` may be (when the mapping has it) and the history says when things happened.
    ``reassignment_count`` and ``reopen_count`` are always the export's own counts (None when
    it gives none); the counts derived from history are on the ticket's ``TicketHistory``.
    ``category`` is the path from the top of the category tree (category, then subcategory).
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


# Not frozen, though never changed once made: a frozen dataclass's __init__ sets each field
# through object.__setattr__, a tenth of an import's reading time. unsafe_hash keeps it
# hashable as a frozen one is.
@dataclass(slots=True, unsafe_hash=True)
class EventRecord:
    """One audit row: the state of a ticket (or one activity on it) at an instant.

    ``at`` is an aware UTC datetime; ``source_offset`` is the UTC offset the source gave (or
    that its time zone had then, for naive times), so offsets such as BPI 2013's +01:00 and
    +02:00 are kept, not just honoured. ``status`` is ours, or None when the row says nothing
    about it; ``raw_status`` and ``activity`` are the source's words, used as event reasons.
    Consecutive rows whose ticket columns are the same share one ``ticket`` record, whose
    ``line`` is the first of them.
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
    raw_at: str | None = None
    """The time as the file writes it, for an error about it."""


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
            if any("\x00" in h or _UNDECODED.search(h) for h in header):
                # UTF-16 read as UTF-8, or the wrong single-byte code page: nothing can be
                # trusted, and the missing columns would only mislead.
                errors.append(
                    RowError(
                        1,
                        None,
                        ",".join(header),
                        BAD_ENCODING.format(encoding=encoding, reason="the header is unreadable"),
                    )
                )
                return
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
                    refuse_row(errors)
                    continue
                yield line, values
        except UnicodeDecodeError as e:
            errors.append(
                RowError(
                    end_of_previous + 1,
                    None,
                    None,
                    BAD_ENCODING.format(encoding=encoding, reason=e.reason),
                )
            )
        except csv.Error as e:
            errors.append(RowError(end_of_previous + 1, None, None, f"broken CSV: {e}"))


_R = TypeVar("_R")


def _read(
    source: Source,
    mapping: Mapping,
    errors: list[RowError],
    record_of: Callable[[_Normaliser, int, Row], _R | None],
) -> Iterator[_R]:
    """Yield ``record_of`` each row of the file, normalised as the mapping says, refusing
    (and counting against the error limit) each row it makes nothing of."""
    rows = _mapped_rows(source, mapping, errors)
    header = next(rows, None)
    if header is None:
        return
    normalise = _Normaliser(mapping, header[1])
    for line, row in rows:
        record = record_of(normalise, line, row)
        if record is not None:
            yield record
        else:
            refuse_row(errors)


def read_tickets(
    source: Source, mapping: Mapping, *, errors: list[RowError]
) -> Iterator[TicketRecord]:
    """Yield one :class:`TicketRecord` per good row of a ticket-shaped export."""
    return _read(
        source,
        mapping,
        errors,
        lambda normalise, line, row: normalise.ticket(line, row, errors, with_times=True),
    )


def read_events(
    source: Source, mapping: Mapping, *, errors: list[RowError]
) -> Iterator[EventRecord]:
    """Yield one :class:`EventRecord` per good row of an event-shaped export, in file order."""
    return _read(
        source, mapping, errors, lambda normalise, line, row: normalise.event(line, row, errors)
    )


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
    refused by default, since any guess would move the ticket without anyone knowing, unless
    ``[dates].nonexistent = "shift_forward"`` says the export writes such times (its clock did
    not change with ours): then it is read as the first instant after the gap, the instant the
    clocks changed (pandas' ``nonexistent="shift_forward"``), which keeps a ticket's rows in
    the gap in their order and before anything that happened after it; a wall time
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
                datetime.fromisoformat(raw) if fmt == "iso" else _strptime(raw, fmt)  # noqa: DTZ007
            )
        except ValueError:
            continue
        break
    if parsed is None:
        raise ValueError(BAD_DATE.format(formats=", ".join(mapping.date_formats)))
    first, last = YEARS
    if not first <= parsed.year <= last:
        # Also keeps the arithmetic away from datetime's limits (year 1 less an offset).
        raise ValueError(OUT_OF_RANGE.format(year=parsed.year, first=first, last=last))
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC), parsed.utcoffset()
    offset = _plain_offset(mapping.timezone, parsed.year, parsed.month, parsed.day, parsed.hour)
    if offset is not None:
        return (parsed - offset).replace(tzinfo=UTC), offset
    aware = _localise(parsed, mapping.timezone, mapping.ambiguous, raw, mapping.nonexistent)
    return aware.astimezone(UTC), aware.utcoffset()


_FAST_DIRECTIVES: Final = {"d": "day", "m": "month", "Y": "year", "H": "hour", "M": "minute"}
_FAST_DIRECTIVES_SECONDS: Final = {**_FAST_DIRECTIVES, "S": "second"}


@functools.cache
def _fast_format(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A stricter, faster stand-in for ``strptime(raw, fmt)`` when ``fmt`` is only numeric
    day, month, year, hour, minute and second, each followed by a literal that is not a
    digit (``%d/%m/%Y %H:%M``); None for any other format.

    strptime was a third of an import's reading time. What this pattern matches, strptime
    reads as the same datetime; what it does not match (or ``datetime`` refuses: a month 13)
    goes to strptime itself, so the same values are accepted and refused as before.
    """
    parts = re.split(r"(%.)", fmt)
    pattern: list[str] = []
    names: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if any(c.isdigit() or c.isspace() and c != " " or c == "%" for c in part):
                return None
            pattern.append(re.escape(part))
            continue
        name = _FAST_DIRECTIVES_SECONDS.get(part[1])
        follower = parts[i + 1] if i + 1 < len(parts) else ""
        if name is None or name in names or (follower == "" and i + 1 < len(parts) - 1):
            return None
        pattern.append("([0-9]{4})" if name == "year" else "([0-9]{1,2})")
        names.append(name)
    if not {"day", "month", "year"} <= set(names):
        return None
    return re.compile("".join(pattern)), tuple(names)


_DATETIME_ARGS: Final = ("year", "month", "day", "hour", "minute", "second")


@functools.cache
def _fast_order(
    fmt: str,
) -> tuple[re.Pattern[str], Callable[[tuple[str, ...]], tuple[str, ...]]] | None:
    """:func:`_fast_format`'s pattern, and a getter putting its groups (and zeros for the
    hour, minute or second it lacks) in ``datetime``'s positional order, so the hot path
    builds no keyword dictionary."""
    fast = _fast_format(fmt)
    if fast is None:
        return None
    pattern, names = fast
    # Group 0 of the padded groups is "0": the time of day a format leaves out.
    order = [names.index(arg) + 1 if arg in names else 0 for arg in _DATETIME_ARGS]
    return pattern, operator.itemgetter(*order)


def _strptime(raw: str, fmt: str) -> datetime:
    fast = _fast_order(fmt)
    if fast is not None:
        pattern, order = fast
        match = pattern.fullmatch(raw)
        if match is not None:
            year, month, day, hour, minute, second = map(int, order(("0", *match.groups())))
            try:  # not contextlib.suppress, which makes a context manager for each new time
                return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
            except ValueError:
                pass  # a day or month out of range: strptime gives the reason
    return datetime.strptime(raw, fmt)  # noqa: DTZ007


@functools.lru_cache(maxsize=1 << 15)
def _plain_offset(tz: ZoneInfo, year: int, month: int, day: int, hour: int) -> timedelta | None:
    """The UTC offset of every wall time in that hour in ``tz``, when the hour has a single
    one (no gap, no overlap, no change); None otherwise, for :func:`_localise` to decide.

    The time-zone rules were a third of reading a date; an audit log's times fall in a few
    thousand distinct hours, and a change of offset (at most one an hour) shows as a gap, an
    overlap or a different offset at one end of the hour. About a megabyte at most.
    """
    start = datetime(year, month, day, hour)  # noqa: DTZ001 - a wall time in tz
    offsets = set()
    for naive in (start, start.replace(minute=59, second=59, microsecond=999_999)):
        for fold in (0, 1):
            aware = naive.replace(tzinfo=tz, fold=fold)
            if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
                return None
            offsets.add(aware.utcoffset())
    return offsets.pop() if len(offsets) == 1 else None


class _HourlyInstants:
    """:func:`parse_instant` of a time written to the minute (``... %H:%M``, the only date
    format, numeric), from its hour, read once: a time is its hour's instant plus its
    minutes whenever the whole hour has one offset in the mapping's zone.

    An audit log's times fall in a few thousand hours but tens of thousands of minutes (the
    UCI log: 3,845 and 50,664), and each new minute was a whole parse of its own, a tenth of
    the reading. What this cannot read the same way (another shape of value, an hour of a
    clock change, a date out of range or out of the years allowed) gets None, for
    :func:`parse_instant` to read, or refuse, as before.
    """

    HOURS_KEPT: Final = 10_000
    """Hours remembered (then forgotten all at once): under a megabyte, whatever the file."""

    def __init__(self, mapping: Mapping) -> None:
        (fmt,) = mapping.date_formats
        self.fmt = fmt
        fast = _fast_format(fmt)
        assert fast is not None
        self.pattern = fast[0]
        self.tz = mapping.timezone
        self.hours: dict[str, tuple[datetime, timedelta] | None] = {}

    @staticmethod
    def applies(mapping: Mapping) -> bool:
        formats = mapping.date_formats
        return (
            len(formats) == 1
            and formats[0].endswith(":%M")
            and "%S" not in formats[0]
            and _fast_format(formats[0]) is not None
        )

    def __call__(self, raw: str) -> tuple[datetime, timedelta] | None:
        head, colon, minutes = raw.rpartition(":")
        if not colon or not 0 < len(minutes) <= 2 or not minutes.isascii():
            return None
        if not minutes.isdigit() or (minute := int(minutes)) > 59:
            return None
        hours = self.hours
        hour = hours.get(head, _UNSEEN)
        if hour is _UNSEEN:
            if len(hours) >= self.HOURS_KEPT:
                hours.clear()
            hour = hours[head] = self._hour(head)
        if hour is None:
            return None
        start, offset = cast(tuple[datetime, timedelta], hour)
        return start + timedelta(minutes=minute), offset

    def _hour(self, head: str) -> tuple[datetime, timedelta] | None:
        """The instant the hour ``head`` starts, in UTC, and its one offset; None if that
        hour is not one this can add minutes to."""
        text = head + ":00"
        match = self.pattern.fullmatch(text)
        if match is None:
            return None
        try:
            naive = _strptime(text, self.fmt)
        except ValueError:
            return None
        first, last = YEARS
        if not first <= naive.year <= last:
            return None
        offset = _plain_offset(self.tz, naive.year, naive.month, naive.day, naive.hour)
        if offset is None:
            return None
        return (naive - offset).replace(tzinfo=UTC), offset


def _localise(
    naive: datetime, tz: ZoneInfo, ambiguous: str, raw: str, nonexistent: str = "error"
) -> datetime:
    early = naive.replace(tzinfo=tz, fold=0)
    # A wall time in the spring gap does not survive a round trip through UTC.
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        if nonexistent == "shift_forward":
            return _end_of_gap(naive, tz)
        raise ValueError(NONEXISTENT.format(value=raw, tz=tz.key))
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        if ambiguous == "error":
            raise ValueError(AMBIGUOUS.format(value=raw, tz=tz.key))
        return late if ambiguous == "later" else early
    return early


def _end_of_gap(naive: datetime, tz: ZoneInfo) -> datetime:
    """The instant the clocks went forward over ``naive`` (a wall time in the gap), in ``tz``.

    It lies between the wall time read with the offset after the change and with the one
    before (fold=1 and fold=0 in a gap, PEP 495); a bisection to the second finds it.
    """
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)  # before the change
    high = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)  # after it
    offset_after = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0).astimezone(tz)


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
_RAW_FIELDS: Final = (
    "reference",
    "opened_at",
    "updated_at",
    "summary",
    "category",
    "subcategory",
    "queue",
    "assignee",
    "customer_name",
    "customer_email",
    "directorate",
    "sequence",
    "status",
    "activity",
)
_EVENT_ONLY_FIELDS: Final = (
    "status",
    "activity",
    "sequence",
    "updated_at",
    "resolved_at",
    "closed_at",
)
_EVENT_TICKET_FIELDS: Final = tuple(f for f in FIELDS if f not in _EVENT_ONLY_FIELDS)
"""The fields whose columns make an event row's ticket record (``_Normaliser.ticket`` with
``with_times=False``): the same raw values always make the same record and the same errors.
Every field but the event's own, so a field added to the mapping later counts here too: a
row is then compared on more columns, never on too few (a stale ticket record)."""
_UNSEEN: Final = object()
_CACHE_LIMIT: Final = 10_000
_INSTANTS_KEPT: Final = 2_000
"""Parsed instants in each of the two generations of the cache: about 0.5 MB in all."""


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
        self.get = {f: self.getter(f) for f in _RAW_FIELDS}
        # A mapped value depends only on the raw string: remember the good ones.
        self.known: dict[str, dict[str, str]] = {}
        # So does a parsed instant (or the reason it is refused): an audit log repeats its
        # opened time on every row of a ticket and its update times minute by minute, and
        # strptime and the time zone rules were half the reading time. Bounded, so memory
        # stays flat whatever the file's size. Two generations: a full one becomes the older, whose
        # values are moved back as they are asked for again, so the ones in use survive.
        self.instants: dict[str, tuple[datetime, timedelta | None] | str] = {}
        self.older_instants: dict[str, tuple[datetime, timedelta | None] | str] = {}
        self.by_hour = _HourlyInstants(mapping) if _HourlyInstants.applies(mapping) else None
        # Every mapped column, to look for what no field can hold (NUL, huge values).
        self.checked = sorted({(position[c], c) for cs in mapping.columns.values() for c in cs})
        self.positions = [i for i, _ in self.checked]
        self.limits = [
            (field_, limit, self.column_name(field_))
            for field_, limit in FIELD_LIMITS.items()
            if field_ in self.readers
        ]
        # The hottest loop's lookups, each made once here rather than once a row.
        self.mapped = operator.itemgetter(*self.positions) if self.positions else None
        self.values = {f: self._value_getter(f) for f in ("status", "kind", "priority", "channel")}
        self.counts = [(f, self.getter(f)) for f in COUNT_FIELDS if self.raw_may_have(f)]
        self.opened_reader = "opened_at" in self.readers
        self.email_column = self.column_name("customer_email")
        self.reference_column = self.column_name("reference")
        # An audit log repeats a ticket's attributes on each of its rows, and most rows change
        # none of them (58 % of the UCI log's): the raw values a ticket record is made of,
        # compared with the previous row's, say when its record can be used again.
        ticket_positions = sorted(
            {position[c] for f in _EVENT_TICKET_FIELDS for c in mapping.columns.get(f, ())}
        )
        self.ticket_key: Callable[[Row], object] = (
            operator.itemgetter(*ticket_positions) if ticket_positions else lambda row: ()
        )
        # The rest of the mapped columns: all a row must still have checked when its ticket
        # columns are the same as the previous good row's.
        event_positions = [i for i in self.positions if i not in set(ticket_positions)]
        self.event_mapped = operator.itemgetter(*event_positions) if event_positions else None
        self.last_key: object = _UNSEEN
        self.last_ticket: TicketRecord | None = None
        # What an event row reads besides its ticket, each looked up once.
        self.read_at = self.get["updated_at"]
        self.read_sequence = self.get["sequence"]
        self.read_status = self.get["status"]
        self.read_activity = self.get["activity"]
        self.status_of = self._value_checker("status")
        self.at_column = self.column_name("updated_at")

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

    def getter(self, field_: str) -> Callable[[Row], str | None]:
        """:meth:`raw` for one field, as a function of the row (one call less a value, in
        the hottest loop)."""
        reader = self.readers.get(field_)
        if reader is not None:
            return reader
        default = self.mapping.defaults.get(field_)
        return lambda row: default

    def raw_may_have(self, field_: str) -> bool:
        """Whether a row can give the field a value (a column, or a default)."""
        return field_ in self.readers or self.mapping.defaults.get(field_) is not None

    def _value_getter(self, field_: str) -> Callable[[int, Row, list[RowError]], str | None]:
        """:meth:`value` for one field, its reader and cache looked up once."""
        read = self.getter(field_)
        value_of = self._value_checker(field_)

        def value(line: int, row: Row, errors: list[RowError]) -> str | None:
            return value_of(line, read(row), errors)

        return value

    def _value_checker(
        self, field_: str
    ) -> Callable[[int, str | None, list[RowError]], str | None]:
        """:meth:`value` for one field of a value already read from the row."""
        known = self.known.setdefault(field_, {})
        check = self._value

        def value_of(line: int, raw: str | None, errors: list[RowError]) -> str | None:
            if raw is None:
                return None
            ours = known.get(raw, _UNSEEN)
            if ours is not _UNSEEN:
                return cast(str, ours)
            ours = check(line, raw, field_, errors)
            if ours is not None and len(known) < _CACHE_LIMIT:
                known[raw] = ours
            return ours

        return value_of

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
        return self.instant_of(line, self.raw(row, field_), field_, errors)

    def instant_of(
        self, line: int, raw: str | None, field_: str, errors: list[RowError]
    ) -> tuple[datetime, timedelta | None] | None:
        """:meth:`instant` of a value already read from the row."""
        if raw is None:
            return None
        parsed = self.instants.get(raw)
        if parsed is None:
            parsed = self.older_instants.get(raw)
            if parsed is None:
                parsed = self.by_hour(raw) if self.by_hour is not None else None
                if parsed is None:
                    try:
                        parsed = parse_instant(raw, self.mapping)
                    except ValueError as e:
                        parsed = str(e)
            if len(self.instants) >= _INSTANTS_KEPT:
                self.older_instants, self.instants = self.instants, {}
            self.instants[raw] = parsed
        if isinstance(parsed, str):
            errors.append(RowError(line, self.column_name(field_), raw, parsed))
            return None
        return parsed

    def count(self, line: int, row: Row, field_: str, errors: list[RowError]) -> int | None:
        return self.count_of(line, self.raw(row, field_), field_, errors)

    def count_of(
        self, line: int, raw: str | None, field_: str, errors: list[RowError]
    ) -> int | None:
        """:meth:`count` of a value already read from the row."""
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

    def check(
        self, line: int, row: Row, errors: list[RowError], *, event_only: bool = False
    ) -> None:
        """What no field can hold (NUL, a huge value), in any mapped column; with
        ``event_only``, in the columns that are not a ticket column (an event row whose ticket
        columns are the previous good row's, already checked)."""
        mapped_ = self.event_mapped if event_only else self.mapped
        picked = mapped_(row) if mapped_ is not None else ()
        mapped = picked if isinstance(picked, str) else "".join(picked)
        if (
            "\x00" in mapped
            or len(mapped) > HUGE_FIELD
            or (not mapped.isascii() and _UNDECODED.search(mapped))
        ):
            self._check_columns(line, row, errors)

    def check_record(self, record: TicketRecord, errors: list[RowError]) -> None:
        """Our fields' lengths, and references and e-mail addresses that would break a page
        or a message later, on a row's values (already stripped, nulls None)."""
        line = record.line
        values = {
            "reference": record.reference or None,
            "queue": record.queue,
            "category": record.category[0] if record.category else None,
            "subcategory": record.category[1] if len(record.category) > 1 else None,
            "customer_name": record.customer_name,
            "customer_email": record.customer_email,
            "directorate": record.directorate,
            "assignee": record.assignee,
        }
        for field_, limit, column in self.limits:
            value = values[field_]
            if value is not None and limit < len(value) <= HUGE_FIELD:
                errors.append(RowError(line, column, value, TOO_LONG.format(limit=limit)))
        reference = record.reference
        if _CONTROL.search(reference) and "\x00" not in reference:
            errors.append(RowError(line, self.column_name("reference"), reference, CONTROL))
        email = record.customer_email
        if email is not None and "\x00" not in email and len(email) <= HUGE_FIELD:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(line, self.column_name("customer_email"), email, NOT_AN_EMAIL)
                )

    def _check_columns(self, line: int, row: Row, errors: list[RowError]) -> None:
        for i, column in self.checked:
            value = row[i]
            if not value.isascii() and _UNDECODED.search(value):
                errors.append(
                    RowError(
                        line,
                        column,
                        value,
                        BAD_ENCODING.format(
                            encoding=self.mapping.encoding, reason="a byte it cannot read"
                        ),
                    )
                )
            elif "\x00" in value:
                errors.append(RowError(line, column, value, NUL))
            elif len(value) > HUGE_FIELD:
                errors.append(
                    RowError(line, column, value, HUGE.format(length=len(value), limit=HUGE_FIELD))
                )

    def ticket(
        self, line: int, row: Row, errors: list[RowError], *, with_times: bool
    ) -> TicketRecord | None:
        """The ticket-level attributes of a row; None (with errors) if the row is bad."""
        before = errors.total if type(errors) is RowErrors else len(errors)
        self.check(line, row, errors)
        get = self.get
        values = self.values
        reference = get["reference"](row)
        if reference is None:
            errors.append(RowError(line, self.reference_column, None, NO_REFERENCE))
        status = values["status"](line, row, errors) if self.mapping.shape == "ticket" else None
        opened_at = resolved_at = closed_at = updated_at = None
        if with_times:
            times: dict[str, datetime | None] = {}
            for field_ in DATE_FIELDS:
                parsed = self.instant(line, row, field_, errors)
                times[field_] = parsed[0] if parsed else None
            if get["opened_at"](row) is None:
                errors.append(
                    RowError(line, self.column_name("opened_at"), None, "the opened time is empty")
                )
            opened_at, resolved_at = times["opened_at"], times["resolved_at"]
            closed_at, updated_at = times["closed_at"], times["updated_at"]
        elif self.opened_reader:
            # Event shape: the history gives the instants, except that an export's own opened
            # time is kept (a ticket may be opened before its first audit row: ServiceNow's
            # opened_at), and so are its own counts, beside the ones the history gives.
            parsed = self.instant_of(line, get["opened_at"](row), "opened_at", errors)
            opened_at = parsed[0] if parsed else None
        counts: dict[str, int | None] = {}
        for field_, read in self.counts:
            counts[field_] = self.count_of(line, read(row), field_, errors)
        kind = values["kind"](line, row, errors)
        category = get["category"](row)
        subcategory = get["subcategory"](row)
        # Positional, in TicketRecord's field order (a test keeps the two in step).
        record = TicketRecord(
            reference or "",
            line,
            kind,
            get["summary"](row),
            (
                ()
                if category is None and subcategory is None
                else tuple(p for p in (category, subcategory) if p is not None)
            ),
            values["priority"](line, row, errors),
            values["channel"](line, row, errors),
            get["queue"](row),
            get["assignee"](row),
            None if status == KEEP else status,
            get["customer_name"](row),
            get["customer_email"](row),
            get["directorate"](row),
            opened_at,
            resolved_at,
            closed_at,
            updated_at,
            counts.get("reassignment_count"),
            counts.get("reopen_count"),
        )
        self.check_record(record, errors)
        after = errors.total if type(errors) is RowErrors else len(errors)
        return record if after == before else None

    def _event_ticket(self, line: int, row: Row, errors: list[RowError]) -> TicketRecord | None:
        """:meth:`ticket` of an event row, or the previous row's record when the row's ticket
        columns are the same and that record was good: it would be equal, but for its
        ``line`` (the first of the run of rows; the history's ticket takes its first row's).
        The rest of the row is still checked for what no field can hold (its ticket columns
        are the previous row's, which were)."""
        key = self.ticket_key(row)
        if key == self.last_key and self.last_ticket is not None:
            self.check(line, row, errors, event_only=True)
            return self.last_ticket
        ticket = self.ticket(line, row, errors, with_times=False)
        self.last_key, self.last_ticket = key, ticket
        return ticket

    def event(self, line: int, row: Row, errors: list[RowError]) -> EventRecord | None:
        """An audit row as an :class:`EventRecord`; None (with errors) if the row is bad."""
        before = errors.total if type(errors) is RowErrors else len(errors)
        ticket = self._event_ticket(line, row, errors)
        raw_at = self.read_at(row)
        if raw_at is None:
            at = None
            errors.append(RowError(line, self.at_column, None, "the event time is empty"))
        else:
            known = self.instants.get(raw_at)  # the usual case, without a call
            if isinstance(known, tuple):
                at = known
            else:
                at = self.instant_of(line, raw_at, "updated_at", errors)
        raw_status = self.read_status(row)
        status = self.status_of(line, raw_status, errors)
        after = errors.total if type(errors) is RowErrors else len(errors)
        if ticket is None or at is None or after != before:
            return None
        return EventRecord(
            ticket.reference,
            line,
            at[0],
            at[1],
            self.read_sequence(row),
            None if status == KEEP else status,
            raw_status,
            ticket.queue,
            ticket.assignee,
            ticket.priority,
            self.read_activity(row),
            ticket,
            raw_at,
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
        # surrogateescape: a byte the encoding cannot read becomes a lone surrogate, which the
        # row check reports against its own row and column (every such row, in one pass),
        # instead of an exception somewhere in the next 8 kB that ends the file.
        text = io.TextIOWrapper(
            binary,
            encoding=self.encoding,
            errors="surrogateescape",
            newline="",
        )
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
