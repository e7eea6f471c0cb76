"""The TOML mapping that says how another system's export maps to our tickets and events.

A council's service-management tool exports whatever columns, date formats and status names it
has. Rather than one importer per product, one file per export says which column is which of
our fields, how to read its dates, which markers mean "no value", how its status, priority, kind
and channel names translate to ours, and whether a row is a ticket or an audit event. Presets
for known exports live in ``servicedesk/presets/<name>.toml``; a council can pass its own file.

The TOML is validated once, by the loader ticket and case import share
(``hackperf.importing.mapping``), with errors that name the offending key, because the person
writing one is not a programmer and the alternative is a confusing failure on row 40,000. This
module gives it the ticket vocabulary and the ticket-only sections (``shape``, ``[grouping]``).
"""

from __future__ import annotations

from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator

from hackperf.importing.mapping import (
    Ambiguous,
    MappingError,
    Mappings,
    MappingSpec,
    Nonexistent,
    Section,
    Where,
    check_columns,
    check_defaults,
    check_required,
    check_values,
    load_toml,
    validate_spec,
)
from servicedesk import statuses

__all__ = [
    "ACTIVITY_TARGETS",
    "CHANNELS",
    "EVENT_KINDS",
    "FIELDS",
    "KINDS",
    "MAPPINGS",
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
    "reclassified",
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

Shape = Literal["ticket", "event"]
HistorySource = Literal["state", "activity"]


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


class GroupingSpec(Section):
    """``[grouping]``: how an event export's rows make up each ticket's history."""

    by: str | None = None
    order_by: list[str] = ["file"]
    contiguous: bool = True
    history: HistorySource = "state"
    spill_buckets: int = 64

    @field_validator("order_by", mode="before")
    @classmethod
    def _order_keys(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value:
            raise ValueError(f"must be a list of {', '.join(ORDER_KEYS)}")
        for key in value:
            if key not in ORDER_KEYS:
                raise ValueError(f"{key!r} is not one of {', '.join(ORDER_KEYS)}")
        return value

    @field_validator("spill_buckets", mode="before")
    @classmethod
    def _buckets(cls, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4096:
            raise ValueError("must be a whole number from 1 to 4096")
        return value


class TicketMappingSpec(MappingSpec):
    """A ticket mapping's TOML: the sections every mapping has, its shape and ``[grouping]``."""

    shape: Shape
    grouping: GroupingSpec = GroupingSpec()


def load_mapping(preset_or_path: str | Path) -> Mapping:
    """Load a mapping from a preset name (``servicedesk/presets/<name>.toml``) or a TOML path.

    A bare name without a slash or ``.toml`` is a preset; anything else is a path, so a council's
    own ``./mapping.toml`` is never confused with a preset of the same name.
    """
    data, path = load_toml(preset_or_path, presets_dir=PRESETS_DIR)
    return parse_mapping(data, source=str(path))


def parse_mapping(data: AbstractMapping[str, Any], *, source: str = "<mapping>") -> Mapping:
    """Validate parsed TOML and build a :class:`Mapping`; raise :class:`MappingError` if bad."""
    where = Where(source)
    spec = validate_spec(TicketMappingSpec, data, where)
    shape, grouping = spec.shape, spec.grouping
    columns = check_columns(
        spec.columns, fields=FIELDS, aliases=FIELD_ALIASES, several=True, where=where
    )
    if grouping.by is not None and columns.setdefault("reference", (grouping.by,)) != (
        grouping.by,
    ):
        raise where("[grouping].by", "must be the same column as [columns].reference")
    defaults = check_defaults(
        spec.defaults,
        fields=FIELDS,
        no_default=(*DATE_FIELDS, "reference"),
        targets=DEFAULT_TARGETS,
        aliases=FIELD_ALIASES,
        where=where,
    )
    check_required(columns, REQUIRED[shape], where=where, why=f" for shape = {shape!r}")
    if shape == "event":
        for given_by_history in ("resolved_at", "closed_at"):
            if given_by_history in columns:
                raise where(
                    f"[columns].{given_by_history}",
                    'for shape = "event" the history gives it (the row where the status '
                    "changes): remove it",
                )
    values = check_values(spec.values, targets=VALUE_TARGETS, aliases=FIELD_ALIASES, where=where)
    for key in grouping.order_by:
        if key != "file" and key not in columns:
            raise where("[grouping].order_by", f"orders by {key!r} but [columns].{key} is missing")
    if shape == "event" and grouping.history == "activity":
        if "activity" not in columns:
            raise where("[columns].activity", 'is required when [grouping].history = "activity"')
        if "activity" not in values:
            raise where("[values.activity]", 'is required when [grouping].history = "activity"')
    if (
        shape == "event"
        and grouping.history == "state"
        and "status" not in columns.keys() | defaults
    ):
        raise where("[columns].status", 'is required when [grouping].history = "state"')

    return Mapping(
        name=spec.name if spec.name is not None else Path(source).stem,
        source=source,
        shape=shape,
        columns=columns,
        defaults=defaults,
        date_formats=spec.dates.date_formats,
        timezone=spec.dates.zone,
        ambiguous=spec.dates.ambiguous,
        nonexistent=spec.dates.nonexistent,
        null_markers=spec.markers,
        values=values,
        encoding=spec.file.encoding,
        delimiter=spec.file.delimiter,
        order_by=tuple(grouping.order_by),
        contiguous=grouping.contiguous,
        history=grouping.history,
        spill_buckets=grouping.spill_buckets,
    )


MAPPINGS: Final = Mappings(PRESETS_DIR, load_mapping, parse_mapping)
"""Ticket mappings, for the upload page, the import job and ``import_tickets``."""
