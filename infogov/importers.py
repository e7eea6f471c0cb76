"""Reading a case-management export (CSV) into case records, with a TOML mapping (no ORM).

The same approach as the ticket import (``servicedesk/importers``): one TOML file per export
says which column is which of our fields, how its dates are written, which markers mean "no
value", and how its kind, status, outcome and channel names translate to ours. Presets live in
``infogov/presets/<name>.toml``; a council can pass its own file. The mapping is validated
once, with errors naming the key at fault; every bad row is reported with its line number and
reason, and ``infogov.services.imports.cases_import`` writes nothing unless every row is good.

The loader and validator of the mapping (presets, ``[file]``, ``[dates]``, null markers, value
maps), ``MappingError`` and ``RowError`` are the ones ticket import uses
(``hackperf.importing``); this module gives them the case vocabulary.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from hackperf.dates import DateInputError, check_in_range
from hackperf.importing.mapping import (
    Mappings,
    MappingSpec,
    Where,
    check_columns,
    check_defaults,
    check_required,
    check_values,
    fold,
    load_toml,
    validate_spec,
)
from hackperf.importing.rows import RowError
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
    data, path = load_toml(preset_or_path, presets_dir=PRESETS_DIR)
    return parse_mapping(data, source=path.name)


def parse_mapping(data: AbstractMapping[str, Any], *, source: str = "<mapping>") -> CaseMapping:
    """Validate parsed TOML and build a :class:`CaseMapping`; raise :class:`MappingError`.

    The same checks as a ticket mapping's: an unknown key anywhere, a bad ``[file]`` or
    ``[dates]`` (formats, time zone, ``ambiguous``, ``nonexistent``) is refused, naming the key.
    """
    where = Where(source)
    spec = validate_spec(MappingSpec, data, where)
    columns = {
        name: column
        for name, (column,) in check_columns(spec.columns, fields=FIELDS, where=where).items()
    }
    check_required(columns, REQUIRED, where=where)
    defaults = check_defaults(
        spec.defaults,
        fields=FIELDS,
        no_default=(*DATE_FIELDS, "reference"),
        targets=VALUE_TARGETS,
        where=where,
    )
    if "channel" not in columns and "channel" not in defaults:
        raise where("[columns].channel", "map the channel column or set [defaults].channel")
    return CaseMapping(
        name=spec.name if spec.name is not None else Path(source).name,
        columns=columns,
        defaults=defaults,
        date_formats=spec.dates.date_formats,
        null_markers=spec.markers,
        values=check_values(spec.values, targets=VALUE_TARGETS, where=where),
        encoding=spec.file.encoding,
        delimiter=spec.file.delimiter,
    )


MAPPINGS: Final = Mappings(PRESETS_DIR, load_mapping, parse_mapping)
"""Case mappings, for the upload page, the import job and ``import_cases``."""


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
        ours = self.mapping.values.get(name, {}).get(fold(value))
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
            errors.append(RowError(1, None, None, _unreadable(e, mapping.encoding)))
            return
        header = set(fieldnames)
        width = len(fieldnames)
        missing = sorted(set(mapping.columns.values()) - header)
        if missing:
            errors.append(
                RowError(1, None, None, f"the header has no column {', '.join(map(repr, missing))}")
            )
            return
        rows = iter(reader)
        while True:
            try:
                raw = next(rows)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as e:
                # Nothing after an undecodable byte or broken quoting can be trusted.
                errors.append(
                    RowError(reader.line_num + 1, None, None, _unreadable(e, mapping.encoding))
                )
                return
            line = reader.line_num
            extra = raw.pop(None, None)  # DictReader's restkey: fields beyond the header
            got = width + len(extra) if extra else width - sum(v is None for v in raw.values())
            if got != width:
                errors.append(RowError(line, None, None, ERR_WIDTH.format(got=got, want=width)))
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
                errors.append(RowError(line, column, value, "; ".join(row.errors)))
            elif record is not None:
                yield record


def _unreadable(error: Exception, encoding: str) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not valid {encoding} text ({error.reason})"
    return f"broken CSV: {error}"
