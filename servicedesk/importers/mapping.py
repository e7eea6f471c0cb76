"""The TOML mapping that says how another system's export maps to our tickets and events.

A council's service-management tool exports whatever columns, date formats and status names it
has. Rather than one importer per product, one file per export says which column is which of
our fields, how to read its dates, which markers mean "no value", how its status, priority, kind
and channel names translate to ours, and whether a row is a ticket or an audit event. Presets
for known exports live in ``servicedesk/presets/<name>.toml``; a council can pass its own file.

The TOML is validated here, once, with errors that name the offending key, because the person
writing one is not a programmer and the alternative is a confusing failure on row 40,000.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servicedesk import statuses

__all__ = [
    "ACTIVITY_TARGETS",
    "CHANNELS",
    "EVENT_KINDS",
    "FIELDS",
    "KINDS",
    "PRESETS_DIR",
    "PRIORITIES",
    "STATUSES",
    "Mapping",
    "MappingError",
    "load_mapping",
    "parse_mapping",
]

PRESETS_DIR: Final = Path(__file__).resolve().parent.parent / "presets"

# Our vocabulary. It mirrors servicedesk/choices.py (a test keeps them equal) without importing
# Django, so this layer stays a plain-Python parser; statuses come from servicedesk.statuses.
STATUSES: Final = statuses.STATUSES
KINDS: Final = ("incident", "request")
PRIORITIES: Final = ("P1", "P2", "P3", "P4")
CHANNELS: Final = ("phone", "email", "portal", "walk_in")
EVENT_KINDS: Final = (
    "logged",
    "assigned",
    "reassigned",
    "status_changed",
    "on_hold",
    "off_hold",
    "escalated",
    "resolved",
    "reopened",
    "closed",
    "cancelled",
)
KEEP: Final = "keep"
"""A status-map value meaning "this row says nothing about the status" (e.g. BPI 2013's
``Unmatched``): the ticket keeps the status it had."""
IGNORE: Final = "ignore"
"""An activity-map value meaning "this activity changes nothing" (a note, a customer update)."""

# What an activity can be mapped to when the history comes from an activity column: an event
# that moves the ticket between queues or escalates it, a status to move to (which is then
# classified like any status change: on hold, resolved, reopened ...), "off_hold" (back to the
# status the ticket had before it was put on hold), or "ignore".
ACTIVITY_TARGETS: Final = (
    "logged",
    "assigned",
    "reassigned",
    "escalated",
    "reopened",
    "off_hold",
    *STATUSES,
    IGNORE,
)

FIELDS: Final = (
    "reference",
    "kind",
    "summary",
    "category",
    "subcategory",
    "priority",
    "channel",
    "queue",
    "assignee",
    "status",
    "customer_name",
    "customer_email",
    "directorate",
    "opened_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "sequence",
    "reassignment_count",
    "reopen_count",
    "activity",
)
FIELD_ALIASES: Final = {"event": "activity"}
DATE_FIELDS: Final = ("opened_at", "resolved_at", "closed_at", "updated_at")
COUNT_FIELDS: Final = ("reassignment_count", "reopen_count")
ORDER_KEYS: Final = ("updated_at", "sequence", "file")
JOINER: Final = "/"
"""Separator used when a field is read from several columns, e.g. BPI 2013's status is
``Status`` and ``Sub Status`` read together as ``"Accepted/Wait - User"``."""

# The value maps and what their right-hand sides may be.
VALUE_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "status": (*STATUSES, KEEP),
    "priority": PRIORITIES,
    "kind": KINDS,
    "channel": CHANNELS,
    "activity": ACTIVITY_TARGETS,
}
DEFAULT_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "status": STATUSES,
    "priority": PRIORITIES,
    "kind": KINDS,
    "channel": CHANNELS,
}

REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "ticket": ("reference", "opened_at"),
    "event": ("reference", "updated_at"),
}

TOP_KEYS: Final = frozenset(
    {"name", "description", "shape", "null_markers", "file", "columns", "defaults", "dates"}
    | {"values", "grouping"}
)


class MappingError(ValueError):
    """The mapping file is not valid; the message names the key at fault."""


Shape = Literal["ticket", "event"]
HistorySource = Literal["state", "activity"]
Ambiguous = Literal["earlier", "later", "error"]
Nonexistent = Literal["error", "shift_forward"]


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: how to read one export into our fields.

    ``columns`` maps each of our field names to the source columns it is read from (usually
    one; several are joined with ``/``). ``values`` holds the value maps with case-folded keys,
    because exports are inconsistent about case and trailing spaces.
    """

    name: str
    source: str
    shape: Shape
    columns: dict[str, tuple[str, ...]]
    defaults: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ("iso",)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    ambiguous: Ambiguous = "earlier"
    nonexistent: Nonexistent = "error"
    null_markers: frozenset[str] = frozenset({""})
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    order_by: tuple[str, ...] = ("file",)
    contiguous: bool = True
    history: HistorySource = "state"
    spill_buckets: int = 64

    def has(self, name: str) -> bool:
        """Whether the export has a column for our field ``name``."""
        return name in self.columns

    @property
    def source_columns(self) -> frozenset[str]:
        """Every source column the mapping reads, to check against the file's header."""
        return frozenset(c for cols in self.columns.values() for c in cols)


def load_mapping(preset_or_path: str | Path) -> Mapping:
    """Load a mapping from a preset name (``servicedesk/presets/<name>.toml``) or a TOML path.

    A bare name without a slash or ``.toml`` is a preset; anything else is a path, so a council's
    own ``./mapping.toml`` is never confused with a preset of the same name.
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
    return parse_mapping(data, source=str(path))


def parse_mapping(data: AbstractMapping[str, Any], *, source: str = "<mapping>") -> Mapping:
    """Validate parsed TOML and build a :class:`Mapping`; raise :class:`MappingError` if bad."""
    where = Path(source).name

    def fail(key: str, message: str) -> MappingError:
        return MappingError(f"{where}: {key}: {message}")

    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (expected one of {', '.join(sorted(TOP_KEYS))})")

    name = _string(data.get("name", Path(source).stem), "name", fail)
    shape = data.get("shape")
    if shape not in ("ticket", "event"):
        raise fail("shape", f'must be "ticket" or "event", got {shape!r}')

    file = _table(data.get("file", {}), "[file]", fail)
    _no_unknown(file, {"encoding", "delimiter"}, "[file]", fail)
    encoding = _string(file.get("encoding", "utf-8-sig"), "[file].encoding", fail)
    try:
        "".encode(encoding)
    except LookupError:
        raise fail("[file].encoding", f"unknown encoding {encoding!r}") from None
    delimiter = _string(file.get("delimiter", ","), "[file].delimiter", fail)
    if delimiter == "\\t":
        delimiter = "\t"
    if len(delimiter) != 1:
        raise fail("[file].delimiter", f"must be one character, got {delimiter!r}")

    markers = data.get("null_markers", [""])
    if not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
        raise fail("null_markers", 'must be a list of strings, e.g. ["", "NULL", "n/a"]')
    null_markers = frozenset(m.strip() for m in markers)

    columns: dict[str, tuple[str, ...]] = {}
    for key, value in _table(data.get("columns"), "[columns]", fail).items():
        ours = FIELD_ALIASES.get(key, key)
        if ours not in FIELDS:
            raise fail(f"[columns].{key}", f"not one of our fields ({', '.join(FIELDS)})")
        if isinstance(value, str) and value:
            columns[ours] = (value,)
        elif isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            columns[ours] = tuple(value)
        else:
            raise fail(f"[columns].{key}", "must be a column name or a list of column names")

    grouping = _table(data.get("grouping", {}), "[grouping]", fail)
    _no_unknown(
        grouping,
        {"by", "order_by", "contiguous", "history", "spill_buckets"},
        "[grouping]",
        fail,
    )
    if "by" in grouping:
        by = _string(grouping["by"], "[grouping].by", fail)
        if columns.setdefault("reference", (by,)) != (by,):
            raise fail("[grouping].by", "must be the same column as [columns].reference")

    defaults: dict[str, str] = {}
    for key, value in _table(data.get("defaults", {}), "[defaults]", fail).items():
        ours = FIELD_ALIASES.get(key, key)
        if ours not in FIELDS or ours in DATE_FIELDS or ours == "reference":
            raise fail(f"[defaults].{key}", "not a field that can have a default")
        value = _string(value, f"[defaults].{key}", fail)
        allowed = DEFAULT_TARGETS.get(ours)
        if allowed is not None and value not in allowed:
            raise fail(f"[defaults].{key}", f"{value!r} is not one of {', '.join(allowed)}")
        defaults[ours] = value

    for required in REQUIRED[shape]:
        if required not in columns:
            raise fail(f"[columns].{required}", f"is required for shape = {shape!r} but missing")

    if shape == "event":
        for given_by_history in ("resolved_at", "closed_at"):
            if given_by_history in columns:
                raise fail(
                    f"[columns].{given_by_history}",
                    'for shape = "event" the history gives it (the row where the status '
                    "changes): remove it",
                )

    dates = _table(data.get("dates", {}), "[dates]", fail)
    _no_unknown(
        dates, {"formats", "format", "timezone", "ambiguous", "nonexistent"}, "[dates]", fail
    )
    raw_formats = dates.get("formats", dates.get("format", ["iso"]))
    if isinstance(raw_formats, str):
        raw_formats = [raw_formats]
    if (
        not isinstance(raw_formats, list)
        or not raw_formats
        or not all(isinstance(f, str) and f for f in raw_formats)
    ):
        raise fail("[dates].formats", 'must be a list of strptime formats or "iso"')
    for fmt in raw_formats:
        if fmt != "iso" and "%" not in fmt:
            raise fail("[dates].formats", f'{fmt!r} is neither "iso" nor a strptime format')
    tz_name = _string(dates.get("timezone", "Europe/London"), "[dates].timezone", fail)
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail("[dates].timezone", f"unknown time zone {tz_name!r}") from None
    ambiguous = dates.get("ambiguous", "earlier")
    if ambiguous not in ("earlier", "later", "error"):
        raise fail("[dates].ambiguous", f'must be "earlier", "later" or "error", got {ambiguous!r}')
    nonexistent = dates.get("nonexistent", "error")
    if nonexistent not in ("error", "shift_forward"):
        raise fail(
            "[dates].nonexistent", f'must be "error" or "shift_forward", got {nonexistent!r}'
        )

    values: dict[str, dict[str, str]] = {}
    for key, table in _table(data.get("values", {}), "[values]", fail).items():
        ours = FIELD_ALIASES.get(key, key)
        if ours not in VALUE_TARGETS:
            raise fail(f"[values.{key}]", f"no value map for that ({', '.join(VALUE_TARGETS)})")
        allowed = VALUE_TARGETS[ours]
        value_map: dict[str, str] = {}
        for source_value, target in _table(table, f"[values.{key}]", fail).items():
            if not isinstance(target, str) or target not in allowed:
                raise fail(
                    f"[values.{key}] {source_value!r}",
                    f"{target!r} is not one of {', '.join(allowed)}",
                )
            value_map[_fold(source_value)] = target
        values[ours] = value_map

    order_by = grouping.get("order_by", ["file"])
    if isinstance(order_by, str):
        order_by = [order_by]
    if not isinstance(order_by, list) or not order_by:
        raise fail("[grouping].order_by", f"must be a list of {', '.join(ORDER_KEYS)}")
    for key in order_by:
        if key not in ORDER_KEYS:
            raise fail("[grouping].order_by", f"{key!r} is not one of {', '.join(ORDER_KEYS)}")
        if key != "file" and key not in columns:
            raise fail("[grouping].order_by", f"orders by {key!r} but [columns].{key} is missing")
    contiguous = grouping.get("contiguous", True)
    if not isinstance(contiguous, bool):
        raise fail("[grouping].contiguous", "must be true or false")
    history = grouping.get("history", "state")
    if history not in ("state", "activity"):
        raise fail("[grouping].history", f'must be "state" or "activity", got {history!r}')
    if shape == "event" and history == "activity":
        if "activity" not in columns:
            raise fail("[columns].activity", 'is required when [grouping].history = "activity"')
        if "activity" not in values:
            raise fail("[values.activity]", 'is required when [grouping].history = "activity"')
    if shape == "event" and history == "state" and "status" not in columns.keys() | defaults:
        raise fail("[columns].status", 'is required when [grouping].history = "state"')
    buckets = grouping.get("spill_buckets", 64)
    if not isinstance(buckets, int) or isinstance(buckets, bool) or not 1 <= buckets <= 4096:
        raise fail("[grouping].spill_buckets", "must be a whole number from 1 to 4096")

    return Mapping(
        name=name,
        source=source,
        shape=shape,
        columns=columns,
        defaults=defaults,
        date_formats=tuple(raw_formats),
        timezone=tz,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
        null_markers=null_markers,
        values=values,
        encoding=encoding,
        delimiter=delimiter,
        order_by=tuple(order_by),
        contiguous=contiguous,
        history=history,
        spill_buckets=buckets,
    )


def _fold(value: str) -> str:
    """The form in which source values are compared: case- and surrounding-space-insensitive."""
    return " ".join(value.split()).casefold()


def _table(value: Any, key: str, fail: Any) -> dict[str, Any]:
    if value is None:
        raise fail(key, "is missing")
    if not isinstance(value, dict):
        raise fail(key, "must be a table")
    return value


def _string(value: Any, key: str, fail: Any) -> str:
    if not isinstance(value, str):
        raise fail(key, f"must be a string, got {value!r}")
    return value


def _no_unknown(table: dict[str, Any], allowed: set[str], where: str, fail: Any) -> None:
    for key in table:
        if key not in allowed:
            raise fail(
                f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(allowed))})"
            )
