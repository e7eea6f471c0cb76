"""The TOML mapping that says how another system's export maps to an app's records.

A council's systems export whatever columns, date formats and names they have. Rather than one
importer per product, one TOML file per export says which column is which of our fields, how
its dates are written (and in which time zone, and what to do with the wall times that a change
of the clocks skips or repeats), which markers mean "no value", and how its names translate to
ours. Ticket import (``servicedesk.importers.mapping``) and case import
(``infogov.importers``) read their mappings through this module, each with its own vocabulary.

The TOML's structure (its tables, their keys and the type of each value) is checked with
pydantic (``extra="forbid"``: an unknown key is refused, never ignored), and its errors are
translated: the person writing a mapping is not a programmer, so a refusal names the file, the
section and the key, and says why, e.g. ``export.toml: [dates].timezone: unknown time zone
'Europe/Londres'``. The meaning of the values (which fields exist, what a value may map to) is
checked by the helpers below, with the app's vocabulary passed in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

__all__ = [
    "Ambiguous",
    "DatesSpec",
    "FileSpec",
    "MappingError",
    "MappingSpec",
    "Mappings",
    "Nonexistent",
    "Where",
    "check_columns",
    "check_required",
    "check_defaults",
    "check_values",
    "fold",
    "is_preset",
    "load_toml",
    "loads_toml",
    "preset_names",
    "validate_spec",
]

Ambiguous = Literal["earlier", "later", "error"]
"""A wall time the autumn change of the clocks repeats: the earlier (summer time, the default:
exports are written as things happen, and the first 01:30 comes first), the later, or refused."""
Nonexistent = Literal["error", "shift_forward"]
"""A wall time the spring change skips: refused (the default), or read as the instant the
clocks changed, for exports whose clock did not change with ours."""

NULL_MARKERS_HELP = 'must be a list of strings, e.g. ["", "NULL", "n/a"]'
FORMATS_HELP = 'must be a list of strptime formats or "iso"'


class MappingError(ValueError):
    """The mapping file is not valid; the message names the file and the key at fault."""


# ---------------------------------------------------------------------------------------------
# Finding and reading the file
# ---------------------------------------------------------------------------------------------


def is_preset(option: str) -> bool:
    """A bare name without a slash or ``.toml`` is a preset; anything else is a path, so a
    council's own ``./mapping.toml`` is never confused with a preset of the same name."""
    return "/" not in option and not option.endswith(".toml")


def preset_names(presets_dir: Path) -> list[str]:
    """The presets in ``presets_dir``, by name."""
    return sorted(path.stem for path in presets_dir.glob("*.toml"))


def load_toml(preset_or_path: str | Path, *, presets_dir: Path) -> tuple[dict[str, Any], Path]:
    """The parsed TOML of a preset (``<presets_dir>/<name>.toml``) or of a file, and its path."""
    text = str(preset_or_path)
    if isinstance(preset_or_path, str) and is_preset(text):
        path = presets_dir / f"{text}.toml"
        if not path.is_file():
            known = ", ".join(preset_names(presets_dir))
            raise MappingError(f"no preset called {text!r}; presets: {known}")
    else:
        path = Path(preset_or_path)
        if not path.is_file():
            raise MappingError(f"mapping file {text!r} does not exist")
    try:
        with path.open("rb") as f:
            return tomllib.load(f), path
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{path.name}: not valid TOML: {e}") from e


def loads_toml(text: str, *, source: str) -> dict[str, Any]:
    """Parsed TOML from text (an uploaded mapping, or one stored on an import run)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{Path(source).name}: not valid TOML: {e}") from e


class Named(Protocol):
    """A mapping has a name (the presets' choice shows it). Read-only, so an app's frozen
    dataclass is one."""

    @property
    def name(self) -> str: ...


M = TypeVar("M", bound=Named)


@dataclass(frozen=True)
class Mappings(Generic[M]):
    """One app's mappings, as the upload page, the import job and the command use them: its
    presets, ``load`` (a preset name or a path) and ``parse`` (parsed TOML, ``source=``)."""

    presets_dir: Path
    load: Callable[[str], M]
    parse: Callable[..., M]

    def presets(self) -> list[tuple[str, str]]:
        """(preset, the mapping's name) for each preset, for a choice of them."""
        return [(name, self.load(name).name) for name in preset_names(self.presets_dir)]

    def from_text(self, text: str, *, source: str) -> M:
        """A mapping from TOML text (an upload, or the copy kept on an import run)."""
        return self.parse(loads_toml(text, source=source), source=source)


class Where:
    """Makes the errors of one mapping file: ``Where("x.toml")("[dates].formats", "why")``."""

    def __init__(self, source: str) -> None:
        self.name = Path(source).name

    def __call__(self, key: str, message: str) -> MappingError:
        return MappingError(f"{self.name}: {key}: {message}")


# ---------------------------------------------------------------------------------------------
# The structure every mapping shares (apps subclass MappingSpec to add their own sections)
# ---------------------------------------------------------------------------------------------


class Section(BaseModel):
    """A TOML table: unknown keys are refused, and values are not coerced (``"yes"`` is not
    true, ``"3"`` is not 3), since a mapping that means something else than it says is worse
    than one refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FileSpec(Section):
    """``[file]``: how the export's bytes are read."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            "".encode(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        value = "\t" if value == "\\t" else value
        if len(value) != 1:
            raise ValueError(f"must be one character, got {value!r}")
        return value


class DatesSpec(Section):
    """``[dates]``: the formats dates are written in, and how naive times are placed in time:
    the time zone they are in, and the DST policy (``ambiguous``, ``nonexistent``)."""

    formats: list[str] | None = None
    format: list[str] | None = None
    """The same as ``formats`` (the singular reads better for one format)."""
    timezone: str = "Europe/London"
    ambiguous: Ambiguous = "earlier"
    nonexistent: Nonexistent = "error"

    @field_validator("formats", "format", mode="before")
    @classmethod
    def _strptime_formats(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise ValueError(FORMATS_HELP)
        for fmt in value:
            if not isinstance(fmt, str) or not fmt:
                raise ValueError(FORMATS_HELP)
            if fmt != "iso" and "%" not in fmt:
                raise ValueError(f'{fmt!r} is neither "iso" nor a strptime format')
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def date_formats(self) -> tuple[str, ...]:
        return tuple(self.formats or self.format or ("iso",))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class MappingSpec(Section):
    """The top level every mapping has. ``[columns]``, ``[defaults]`` and ``[values.*]`` are
    only tables here: which keys they may hold is the app's vocabulary (``check_columns``,
    ``check_defaults``, ``check_values``)."""

    name: str | None = None
    description: str | None = None
    null_markers: list[str] = [""]
    file: FileSpec = FileSpec()
    dates: DatesSpec = DatesSpec()
    columns: dict[str, Any]
    defaults: dict[str, Any] = {}
    values: dict[str, dict[str, Any]] = {}

    @field_validator("null_markers", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise ValueError(NULL_MARKERS_HELP)
        return value

    @property
    def markers(self) -> frozenset[str]:
        """The null markers as a row's stripped values are compared with them."""
        return frozenset(m.strip() for m in self.null_markers)


Spec = TypeVar("Spec", bound=BaseModel)


def validate_spec(model: type[Spec], data: Mapping[str, Any], where: Where) -> Spec:
    """``data`` checked against ``model``; the first problem as a readable MappingError.

    An unknown key is reported before anything else, as a misspelt key is usually the cause
    of the other problems (``shap = "ticket"`` also leaves ``shape`` missing).
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as e:
        errors = e.errors(include_url=False)
        error = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        raise where(_key(model, error["loc"]), _reason(model, error)) from None


def _field(model: type[BaseModel], loc: Iterable[Any]) -> tuple[type[BaseModel] | None, Any]:
    """The section model holding the last key of ``loc``, and that key's annotation."""
    section: type[BaseModel] | None = model
    annotation: Any = None
    for part in loc:
        if section is None or not isinstance(part, str) or part not in section.model_fields:
            return section, None
        annotation = section.model_fields[part].annotation
        holder = section
        section = _section(annotation)
        if section is None:
            return holder, annotation
    return section, annotation


def _section(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_table(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        return False
    return _section(field.annotation) is not None or get_origin(field.annotation) is dict


def _key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """``("dates", "timezone")`` → ``[dates].timezone``; ``("values", "status", "Open")`` →
    ``[values.status] 'Open'``; list positions are left out (the key is the list)."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return "mapping"
    head, *rest = parts
    if head == "values" and rest:
        return f"[values.{rest[0]}]" + (f" {rest[1]!r}" if len(rest) > 1 else "")
    if _is_table(model, head):
        return f"[{head}]" + "".join(f".{p}" for p in rest)
    return ".".join(parts)


def _choices(annotation: Any) -> str:
    quoted = [f'"{choice}"' for choice in get_args(annotation)]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _reason(model: type[BaseModel], error: Any) -> str:
    """Why, in words for the person who wrote the mapping (pydantic's are for programmers)."""
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        section, _ = _field(model, error["loc"][:-1])
        allowed = sorted(section.model_fields) if section is not None else []
        return f"unknown key (expected one of {', '.join(allowed)})"
    _, annotation = _field(model, error["loc"])
    is_literal = get_origin(annotation) is Literal
    if kind == "missing":
        return f"is missing (it must be {_choices(annotation)})" if is_literal else "is missing"
    if kind == "literal_error" and is_literal:
        return f"must be {_choices(annotation)}, got {value!r}"
    if kind in ("value_error", "assertion_error"):
        return str(error["ctx"]["error"])
    return {
        "string_type": f"must be a string, got {value!r}",
        "bool_type": "must be true or false",
        "int_type": "must be a whole number",
        "list_type": "must be a list",
        "dict_type": "must be a table",
        "model_type": "must be a table",
        "model_attributes_type": "must be a table",
    }.get(kind, str(error["msg"]))


# ---------------------------------------------------------------------------------------------
# The app's vocabulary: columns, defaults and value maps
# ---------------------------------------------------------------------------------------------


def fold(value: str) -> str:
    """The form in which source values are compared: case- and spacing-insensitive, because
    exports are inconsistent about case and stray spaces."""
    return " ".join(value.split()).casefold()


def check_columns(
    columns: Mapping[str, Any],
    *,
    fields: Iterable[str],
    where: Where,
    aliases: Mapping[str, str] | None = None,
    several: bool = False,
) -> dict[str, tuple[str, ...]]:
    """``[columns]``: our field → the source columns it is read from (several only where the
    app joins them, e.g. BPI 2013's status is two columns read together)."""
    fields = tuple(fields)
    aliases = aliases or {}
    found: dict[str, tuple[str, ...]] = {}
    for key, value in columns.items():
        ours = aliases.get(key, key)
        if ours not in fields:
            raise where(f"[columns].{key}", f"not one of our fields ({', '.join(fields)})")
        if isinstance(value, str) and value:
            found[ours] = (value,)
        elif (
            several
            and isinstance(value, list)
            and value
            and all(isinstance(v, str) and v for v in value)
        ):
            found[ours] = tuple(value)
        else:
            wanted = "a column name or a list of column names" if several else "a column name"
            raise where(f"[columns].{key}", f"must be {wanted}")
    return found


def check_required(
    columns: Mapping[str, Any], required: Iterable[str], *, where: Where, why: str = ""
) -> None:
    """Every field of ``required`` has a column; ``why`` says when it is required."""
    for name in required:
        if name not in columns:
            raise where(f"[columns].{name}", f"is required{why} but missing")


def check_defaults(
    defaults: Mapping[str, Any],
    *,
    fields: Iterable[str],
    no_default: Iterable[str],
    targets: Mapping[str, tuple[str, ...]],
    where: Where,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``[defaults]``: the value a field takes when its column is empty (or there is none)."""
    fields, no_default, aliases = tuple(fields), frozenset(no_default), aliases or {}
    found: dict[str, str] = {}
    for key, value in defaults.items():
        ours = aliases.get(key, key)
        if ours not in fields or ours in no_default:
            raise where(f"[defaults].{key}", "not a field that can have a default")
        if not isinstance(value, str):
            raise where(f"[defaults].{key}", f"must be a string, got {value!r}")
        allowed = targets.get(ours)
        if allowed is not None and value not in allowed:
            raise where(f"[defaults].{key}", f"{value!r} is not one of {', '.join(allowed)}")
        found[ours] = value
    return found


def check_values(
    values: Mapping[str, Mapping[str, Any]],
    *,
    targets: Mapping[str, tuple[str, ...]],
    where: Where,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, dict[str, str]]:
    """``[values.<field>]``: the export's names → ours, with folded keys (``fold``)."""
    aliases = aliases or {}
    found: dict[str, dict[str, str]] = {}
    for key, table in values.items():
        ours = aliases.get(key, key)
        if ours not in targets:
            raise where(f"[values.{key}]", f"no value map for that ({', '.join(targets)})")
        allowed = targets[ours]
        value_map: dict[str, str] = {}
        for source_value, target in table.items():
            if not isinstance(target, str) or target not in allowed:
                raise where(
                    f"[values.{key}] {source_value!r}",
                    f"{target!r} is not one of {', '.join(allowed)}",
                )
            value_map[fold(source_value)] = target
        found[ours] = value_map
    return found
