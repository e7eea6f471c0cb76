"""Reading a case-management export (CSV) into case records, with a TOML mapping (no ORM).

The same approach as the ticket import (``servicedesk/importers``): one TOML file per export
says which column is which of our fields, how its dates are written, which markers mean "no
value", and how its kind, status, outcome and channel names translate to ours. Presets live in
``infogov/presets/<name>.toml``; a council can pass its own file. The mapping is validated
once, with errors naming the key at fault; every bad row is reported with its line number and
reason, and ``services.cases_import`` writes nothing unless every row is good.

The generic pieces (null markers, date formats, case-folded value maps, the preset-or-path
rule) repeat ``servicedesk.importers.mapping`` because apps do not import each other; they
could move to ``hackperf`` and serve both.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterator
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from hackperf.dates import DateInputError, check_in_range
from infogov.choices import Channel, Kind, Outcome, Status

PRESETS_DIR: Final = Path(__file__).resolve().parent / "presets"

FIELDS: Final = (
    "reference",
    "kind",
    "received",
    "channel",
    "subject",
    "directorate",
    "service",
    "status",
    "outcome",
    "exemptions",
    "responded",
    "withdrawn",
    "requester_name",
    "requester_email",
)
REQUIRED: Final = ("reference", "kind", "received", "subject", "directorate")
DATE_FIELDS: Final = ("received", "responded", "withdrawn")
VALUE_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "kind": tuple(Kind.values),
    "status": tuple(Status.values),
    "outcome": tuple(Outcome.values),
    "channel": tuple(Channel.values),
}
TOP_KEYS: Final = frozenset(
    {"name", "description", "null_markers", "file", "columns", "defaults", "dates", "values"}
)
NO_REQUESTER: Final = "Not in the export"

# The csv module refuses fields over 128 kB; such a field is a row error of ours (too long),
# not a crash. The same limit as the ticket reader's (the setting is the process's).
csv.field_size_limit(16 * 1024 * 1024)

# Row error texts (tests reuse them).
ERR_MISSING = "{field} is empty"
ERR_DATE = "{field} {value!r} is not a date in the formats {formats}"
ERR_VALUE = "{field} {value!r} is not in the mapping's [values.{field}] (nor one of {allowed})"
ERR_DUPLICATE = "reference {reference!r} is also on line {line}"
ERR_BEFORE_RECEIVED = "{field} ({value}) is before the date received ({received})"
ERR_RESPONDED_NO_DATE = "status {status!r} needs a date responded or a date withdrawn"
ERR_WITHDRAWN_NO_DATE = "status 'withdrawn' needs a date withdrawn"
ERR_NO_OUTCOME = "a responded case needs its outcome"
ERR_OPEN_WITH_DATE = "status {status!r} is open, but the row has a date {field}"
ERR_WIDTH = "the row has {got} fields but the header has {want}"
ERR_TOO_LONG = "{field} is {length:,} characters long: at most {limit} fit"
ERR_NUL = "{field} contains a NUL byte"

PERSONAL_FIELDS: Final = frozenset({"subject", "requester_name", "requester_email"})

# Our fields' lengths (infogov.models: Case, Requester, Directorate, Service). A longer value
# is a row error: cutting it to fit would change the record without anyone knowing.
MAX_LENGTHS: Final = {
    "reference": 40,
    "subject": 300,
    "directorate": 120,
    "service": 120,
    "exemptions": 300,
    "requester_name": 200,
    "requester_email": 254,
}


class MappingError(ValueError):
    """The mapping file is not valid; the message names the key at fault."""


@dataclass(frozen=True)
class RowError:
    """A bad row: its line in the file (the header is line 1) and why; with the column and
    the value at fault where there is one (as the ticket import's ``RowError``)."""

    line: int
    reason: str
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class CaseMapping:
    """A validated mapping. ``values`` maps have case-folded, stripped keys."""

    name: str
    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ("iso",)
    null_markers: frozenset[str] = frozenset({""})
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str = "utf-8-sig"
    delimiter: str = ","


@dataclass(frozen=True)
class CaseRecord:
    """One case as the export describes it, in our vocabulary."""

    line: int
    reference: str
    kind: str
    received: date
    channel: str
    subject: str
    directorate: str
    service: str = ""
    status: str = Status.RECEIVED
    outcome: str = ""
    exemptions: str = ""
    responded: date | None = None
    withdrawn: date | None = None
    requester_name: str = NO_REQUESTER
    requester_email: str = ""

    @property
    def is_open(self) -> bool:
        return self.responded is None and self.withdrawn is None


# ---------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------


def load_mapping(preset_or_path: str | Path) -> CaseMapping:
    """A preset name (``infogov/presets/<name>.toml``) or a path to a TOML file.

    A bare name without a slash or ``.toml`` is a preset; anything else is a path.
    """
    text = str(preset_or_path)
    if isinstance(preset_or_path, str) and "/" not in text and not text.endswith(".toml"):
        path = PRESETS_DIR / f"{text}.toml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.toml")))
            raise MappingError(f"no preset called {text!r}; presets: {known}")
    else:
        path = Path(preset_or_path)
        if not path.is_file():
            raise MappingError(f"mapping file {text!r} does not exist")
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{path.name}: not valid TOML: {e}") from e
    return parse_mapping(data, source=path.name)


def _table(value: Any, key: str, fail: Callable[[str, str], Exception]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(key, "must be a table")
    return value


def parse_mapping(data: AbstractMapping[str, Any], *, source: str = "<mapping>") -> CaseMapping:
    """Validate parsed TOML and build a :class:`CaseMapping`; raise :class:`MappingError`."""

    def fail(key: str, message: str) -> MappingError:
        return MappingError(f"{source}: {key}: {message}")

    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (expected one of {', '.join(sorted(TOP_KEYS))})")
    name = data.get("name", source)
    if not isinstance(name, str):
        raise fail("name", "must be a string")

    file = _table(data.get("file", {}), "[file]", fail)
    if set(file) - {"encoding", "delimiter"}:
        raise fail("[file]", "only encoding and delimiter may be set")
    encoding = file.get("encoding", "utf-8-sig")
    try:
        "".encode(encoding)
    except (LookupError, TypeError):
        raise fail("[file].encoding", f"unknown encoding {encoding!r}") from None
    delimiter = file.get("delimiter", ",")
    delimiter = "\t" if delimiter == "\\t" else delimiter
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise fail("[file].delimiter", f"must be one character, got {delimiter!r}")

    markers = data.get("null_markers", [""])
    if not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
        raise fail("null_markers", 'must be a list of strings, e.g. ["", "NULL", "n/a"]')

    columns: dict[str, str] = {}
    for key, value in _table(data.get("columns"), "[columns]", fail).items():
        if key not in FIELDS:
            raise fail(f"[columns].{key}", f"not one of our fields ({', '.join(FIELDS)})")
        if not isinstance(value, str) or not value:
            raise fail(f"[columns].{key}", "must be a column name")
        columns[key] = value
    for required in REQUIRED:
        if required not in columns:
            raise fail(f"[columns].{required}", "is required but missing")

    defaults: dict[str, str] = {}
    for key, value in _table(data.get("defaults", {}), "[defaults]", fail).items():
        if key not in FIELDS or key in DATE_FIELDS or key == "reference":
            raise fail(f"[defaults].{key}", "not a field that can have a default")
        if not isinstance(value, str):
            raise fail(f"[defaults].{key}", "must be a string")
        if key in VALUE_TARGETS and value not in VALUE_TARGETS[key]:
            raise fail(
                f"[defaults].{key}", f"{value!r} is not one of {', '.join(VALUE_TARGETS[key])}"
            )
        defaults[key] = value
    if "channel" not in columns and "channel" not in defaults:
        raise fail("[columns].channel", "map the channel column or set [defaults].channel")

    dates = _table(data.get("dates", {}), "[dates]", fail)
    formats = dates.get("formats", ["iso"])
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        raise fail("[dates].formats", 'must be a list of strptime formats or "iso"')

    values: dict[str, dict[str, str]] = {}
    for key, table in _table(data.get("values", {}), "[values]", fail).items():
        if key not in VALUE_TARGETS:
            raise fail(f"[values].{key}", f"no value map for {key} ({', '.join(VALUE_TARGETS)})")
        for source_value, ours in _table(table, f"[values.{key}]", fail).items():
            if ours not in VALUE_TARGETS[key]:
                raise fail(
                    f"[values.{key}].{source_value}",
                    f"{ours!r} is not one of {', '.join(VALUE_TARGETS[key])}",
                )
        values[key] = {k.strip().casefold(): v for k, v in table.items()}

    return CaseMapping(
        name=name,
        columns=columns,
        defaults=defaults,
        date_formats=tuple(formats),
        null_markers=frozenset(m.strip() for m in markers),
        values=values,
        encoding=encoding,
        delimiter=delimiter,
    )


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


def _parse_date(text: str, formats: tuple[str, ...]) -> date | None:
    for fmt in formats:
        try:
            if fmt == "iso":
                return date.fromisoformat(text[:10])
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    return None


class _Row:
    """One CSV row read through the mapping, collecting its errors."""

    def __init__(self, raw: dict[str, str], mapping: CaseMapping, line: int):
        self.raw, self.mapping, self.line = raw, mapping, line
        self.errors: list[str] = []
        # Where a single column is at fault: (column, value) for the row's RowError.
        self.fault: tuple[str | None, str | None] = (None, None)

    def blame(self, name: str, value: str | None) -> None:
        if self.fault == (None, None):
            # A requester's identity and a subject are personal data (DESIGN.md): the row's
            # error names the column, never its value, since import runs are the DMT's to see.
            shown = None if name in PERSONAL_FIELDS else value
            self.fault = (self.mapping.columns.get(name), shown)

    def check_text(self) -> None:
        """Every mapped field: no NUL byte, and not longer than our field."""
        for name, column in self.mapping.columns.items():
            value = (self.raw.get(column) or "").strip()
            if "\x00" in value:
                self.errors.append(ERR_NUL.format(field=name))
                self.blame(name, value)
            limit = MAX_LENGTHS.get(name)
            if limit is not None and len(value) > limit:
                self.errors.append(ERR_TOO_LONG.format(field=name, length=len(value), limit=limit))
                self.blame(name, value)

    def text(self, name: str) -> str:
        column = self.mapping.columns.get(name)
        value = (self.raw.get(column) or "").strip() if column else ""
        if value in self.mapping.null_markers:
            value = ""
        return value or self.mapping.defaults.get(name, "")

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.errors.append(ERR_MISSING.format(field=name))
        return value

    def mapped(self, name: str) -> str:
        value = self.text(name)
        if not value:
            return ""
        ours = self.mapping.values.get(name, {}).get(value.casefold())
        if ours is None and value in VALUE_TARGETS[name]:
            ours = value
        if ours is None:
            self.errors.append(
                ERR_VALUE.format(field=name, value=value, allowed=", ".join(VALUE_TARGETS[name]))
            )
            self.blame(name, value)
            return ""
        return ours

    def date(self, name: str) -> date | None:
        value = self.text(name)
        if not value:
            return None
        parsed = _parse_date(value, self.mapping.date_formats)
        if parsed is None:
            self.errors.append(
                ERR_DATE.format(
                    field=name, value=value, formats=", ".join(self.mapping.date_formats)
                )
            )
            self.blame(name, value)
        else:
            try:
                check_in_range(parsed, shown=value)
            except DateInputError as error:
                self.errors.append(f"{name}: {error}")
                self.blame(name, value)
                return None
        return parsed


def _record(row: _Row) -> CaseRecord | None:
    row.check_text()
    reference = row.required("reference")
    kind = row.mapped("kind") if row.text("kind") else row.required("kind")
    received = row.date("received") if row.text("received") else row.required("received")
    channel = row.mapped("channel") if row.text("channel") else row.required("channel")
    subject = row.required("subject")
    directorate = row.required("directorate")
    status = row.mapped("status") or Status.RECEIVED
    outcome = row.mapped("outcome")
    responded, withdrawn = row.date("responded"), row.date("withdrawn")
    if isinstance(received, date):
        for name, value in (("responded", responded), ("withdrawn", withdrawn)):
            if value is not None and value < received:
                row.errors.append(
                    ERR_BEFORE_RECEIVED.format(field=name, value=value, received=received)
                )
    if status in (Status.RESPONDED, Status.CLOSED) and responded is None and withdrawn is None:
        row.errors.append(ERR_RESPONDED_NO_DATE.format(status=status))
    if status == Status.WITHDRAWN and withdrawn is None:
        row.errors.append(ERR_WITHDRAWN_NO_DATE)
    if status not in (Status.RESPONDED, Status.WITHDRAWN, Status.CLOSED):
        for name, value in (("responded", responded), ("withdrawn", withdrawn)):
            if value is not None:
                row.errors.append(ERR_OPEN_WITH_DATE.format(status=status, field=name))
    if responded is not None and withdrawn is None and not outcome:
        row.errors.append(ERR_NO_OUTCOME)
    if row.errors or not isinstance(received, date):
        return None
    return CaseRecord(
        line=row.line,
        reference=reference,
        kind=kind,
        received=received,
        channel=channel,
        subject=subject,
        directorate=directorate,
        service=row.text("service"),
        status=status,
        outcome=Outcome.WITHDRAWN if withdrawn and not responded else outcome,
        exemptions=row.text("exemptions"),
        responded=responded,
        withdrawn=withdrawn,
        requester_name=row.text("requester_name") or NO_REQUESTER,
        requester_email=row.text("requester_email"),
    )


def read_records(
    path: Path, mapping: CaseMapping, *, errors: list[RowError]
) -> Iterator[CaseRecord]:
    """The good rows of ``path`` as records; each bad row is appended to ``errors``.

    A file whose header lacks a mapped column is one error on line 1, and no records. A row
    with more or fewer fields than the header is refused (the csv module would quietly put
    the extra fields aside, or leave the missing ones empty).
    """
    seen: dict[str, int] = {}
    with Path(path).open(encoding=mapping.encoding, newline="") as f:
        reader = csv.DictReader(f, delimiter=mapping.delimiter)
        try:
            fieldnames = reader.fieldnames or ()
        except (UnicodeDecodeError, csv.Error) as e:
            errors.append(RowError(1, _unreadable(e, mapping.encoding)))
            return
        header = set(fieldnames)
        width = len(fieldnames)
        missing = sorted(set(mapping.columns.values()) - header)
        if missing:
            errors.append(RowError(1, f"the header has no column {', '.join(map(repr, missing))}"))
            return
        rows = iter(reader)
        while True:
            try:
                raw = next(rows)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as e:
                # Nothing after an undecodable byte or broken quoting can be trusted.
                errors.append(RowError(reader.line_num + 1, _unreadable(e, mapping.encoding)))
                return
            line = reader.line_num
            extra = raw.pop(None, None)  # DictReader's restkey: fields beyond the header
            got = width + len(extra) if extra else width - sum(v is None for v in raw.values())
            if got != width:
                errors.append(RowError(line, ERR_WIDTH.format(got=got, want=width)))
                continue
            row = _Row(raw, mapping, line)
            record = _record(row)
            reference = row.text("reference")
            if reference in seen:
                row.errors.append(ERR_DUPLICATE.format(reference=reference, line=seen[reference]))
            elif reference:
                seen[reference] = line
            if row.errors:
                column, value = row.fault if len(row.errors) == 1 else (None, None)
                errors.append(RowError(line, "; ".join(row.errors), column, value))
            elif record is not None:
                yield record


def _unreadable(error: Exception, encoding: str) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not valid {encoding} text ({error.reason})"
    return f"broken CSV: {error}"
