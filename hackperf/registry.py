"""The metric registry: every figure the dashboards count, declared once, by the app that
owns its data (DESIGN.md "Layout", ADR 0003).

The pattern is NetBox's ``netbox/registry.py``: a plain dict in the project package, filled
by each app from its ``AppConfig.ready`` and read by the others. ``servicedesk`` and
``infogov`` declare their metrics (``<app>/declarations.py``); ``indicators`` drives the
snapshots, the DMT review, ``compute_indicators``, the drill-downs, the API and the
definitions from these declarations alone, so it imports neither app, and hackperf imports
none of the three. Adding a metric is one :class:`Metric` (plus, for a monthly indicator,
the data migration that creates its ``Indicator`` row).

A declaration holds no ORM at import time: its ``count`` and ``behind`` are functions the
owning app runs when asked. ``count`` is called with the keyword arguments of the metric's
:class:`Window` (the one place a span becomes ``as_of=``, ``start=``/``end=`` or ``at=``)
and the current value of each :class:`Parameter`:

- an ``INSTANT`` or ``PERIOD`` metric (the DMT set, snapshotted) returns
  ``hackperf.metrics.MetricRow``\\s for every breakdown. Metrics whose figures come from one
  grouped query share one ``count`` function (a batch): it may return rows of all of them,
  and the caller calls each distinct function once per span;
- a ``MONTHLY`` metric (an indicator's monthly value) returns an ``int``, a ``Ratio`` or a
  :class:`Figure` (a value with extra fields, such as FR ICT 18c's overdue count).

``behind`` returns the records behind one figure, already shaped for display and narrowed
to what the viewer may open (:class:`Behind`); ``permission`` is the site permission a
viewer needs to see them at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Protocol

from django.conf import settings
from django.utils.text import slugify

from hackperf.metrics import ALL, Ratio
from hackperf.windows import Span

__all__ = [
    "Behind",
    "Column",
    "Figure",
    "Kind",
    "Metric",
    "Parameter",
    "Polarity",
    "Record",
    "Window",
    "all_metrics",
    "apply_sort",
    "get",
    "provider",
    "register",
    "register_provider",
    "registered",
]


class Kind(StrEnum):
    """What a figure is."""

    INSTANT = "instant"  # as of an instant ("open at T"); snapshotted
    PERIOD = "period"  # counted over a span (the fortnight, the day); snapshotted
    MONTHLY = "monthly"  # a monthly indicator's value (FR ICT 17–19), stored and approved


SNAPSHOT_KINDS: Final = (Kind.INSTANT, Kind.PERIOD)


class Window(StrEnum):
    """How a metric reads a :class:`~hackperf.windows.Span`: the keyword arguments its
    ``count`` and ``behind`` take. Tickets are counted in instants; the law counts FOI and
    SAR deadlines in dates, so case figures read the span's London dates."""

    AS_OF = "as_of"  # as_of=T: the span's end
    EVENTS = "events"  # start=, end=: instants, events in [start, end)
    DAYS = "days"  # start=, end=: the first and last London dates, inclusive
    AT_LAST_DAY = "at_last_day"  # at=: as at the end of the span's last London date

    def arguments(self, span: Span) -> dict[str, object]:
        if self is Window.AS_OF:
            return {"as_of": span.end}
        if span.start is None and self is not Window.AT_LAST_DAY:
            raise ValueError(f"A {self.value} window needs a period, not an instant.")
        if self is Window.EVENTS:
            return {"start": span.start, "end": span.end}
        if self is Window.DAYS:
            return {"start": span.first_day, "end": span.last_day}
        return {"at": span.last_day}


class Polarity(StrEnum):
    """Which way is better; the values are ``indicators.rag.Polarity``'s."""

    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"
    NONE = "none"  # a volume measure: neither


@dataclass(frozen=True)
class Parameter:
    """A setting of a metric's rule (FR ICT 17's threshold, N of "multiple reassignments"):
    passed to ``count`` and ``behind`` as ``name=``, ``default`` unless the Django setting
    ``setting`` says otherwise, so a council changes it without code."""

    name: str
    default: int | bool | str
    setting: str
    label: str

    def value(self) -> int | bool | str:
        value = getattr(settings, self.setting, self.default)
        return type(self.default)(value)


@dataclass(frozen=True)
class Figure:
    """A monthly metric's value with fields shown beside it (``compute_indicators --json``
    prints them after the value's own)."""

    value: int | Ratio
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """A column of a drill-down: ``key`` names it in a sort (``?sort=key`` or ``-key``)."""

    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Record:
    """One record behind a figure as people read it: its reference (linked to its page)
    and one cell per column after the reference, each saying why it counted."""

    reference: str
    url: str
    cells: tuple[str, ...]


class Sliceable(Protocol):
    """A lazy list of records (a QuerySet): counted and sliced without loading them all."""

    def count(self) -> int: ...

    def __getitem__(self, index: slice) -> Any: ...


@dataclass(frozen=True)
class Behind:
    """The records behind one figure, as one viewer may see them.

    ``counted`` is every record the figure counted (``count()`` equals the figure);
    ``visible`` those the viewer may open, sorted as asked; ``shape`` turns a slice of
    ``visible`` into :class:`Record`\\s (no further query: the owning app has joined what
    its cells need). ``hidden_text`` says where the others are ("and {n} more in queues you
    cannot open").
    """

    noun: str
    plural: str
    columns: tuple[Column, ...]
    counted: Sliceable
    visible: Sliceable
    shape: Callable[[Iterable[Any]], list[Record]]
    hidden_text: str
    sort: str = ""  # the sort applied, as given in ``?sort=``


def apply_sort(
    queryset: Any, sort: str, orderings: Mapping[str, Sequence[str]], default: Sequence[str]
) -> tuple[Any, str]:
    """``queryset`` ordered by ``?sort=`` (a column key, "-key" descending) when ``orderings``
    knows it, else by ``default``; the primary key last, so pages never skip or repeat a row
    (STYLE.md). Returns the queryset and the sort applied ("" for the default)."""
    descending = sort.startswith("-")
    fields = orderings.get(sort.removeprefix("-"))
    if not fields:
        return queryset.order_by(*default, "pk"), ""
    if not descending:
        return queryset.order_by(*fields, "pk"), sort
    flipped = (name[1:] if name.startswith("-") else f"-{name}" for name in fields)
    return queryset.order_by(*flipped, "-pk"), sort


# The signature of a behind function: the window's arguments and the parameters, then
# ``user``, ``breakdown``, ``key`` and ``sort`` (a column key, "-" for descending, "" for the
# default order).
BehindFunction = Callable[..., Behind]


@dataclass(frozen=True)
class Metric:
    """One figure, declared once: what it is called and means, how it is counted, and the
    records behind it. See the module docstring for ``count`` and ``behind``.

    ``review`` names the groups of the DMT review it appears in ("open-work", "flow", …;
    ``indicators.review`` lists them), as a NetBox plugin names its menu group; a snapshot
    metric naming none appears under "Other figures". ``share_of`` makes a derived
    percentage of snapshot figures (numerator code, denominator codes), with no count of
    its own. ``owner`` and ``rag_rule`` are the monthly indicator's, for its definition.

    ``headline`` is the figure's label on the review's first screen, the meeting's headline
    (empty: not there); labels there say what is counted without the tables' group headings
    around them. ``headline_per_week`` shows a fortnight's count there per week (half of
    it, as "closures per week"). ``briefing`` is its column heading in the Mayor's
    briefing's summary of open cases (empty: not there).
    """

    code: str
    label: str
    definition: str
    kind: Kind
    window: Window
    source: str
    count: Callable[..., Any] | None = None
    # Optional, for snapshot metrics: ``count`` for many spans at once (a backfill), called
    # with ``arguments``, a list of what ``count`` takes for each span, and returning each
    # span's rows in that order, in fewer queries than a call of ``count`` per span.
    count_many: Callable[..., Any] | None = None
    polarity: Polarity = Polarity.NONE
    unit: str = "count"
    parameters: tuple[Parameter, ...] = ()
    breakdowns: tuple[str, ...] = (ALL,)
    behind: BehindFunction | None = None
    permission: str | None = None
    review: tuple[str, ...] = ()
    share_of: tuple[str, tuple[str, ...]] | None = None
    owner: str = ""
    rag_rule: str = ""
    headline: str = ""
    headline_per_week: bool = False
    briefing: str = ""

    def __post_init__(self) -> None:
        if (self.count is None) == (self.share_of is None):
            raise ValueError(f"{self.code}: give a count function or share_of, not both.")
        if self.behind is not None and not self.permission:
            raise ValueError(f"{self.code}: the records behind it need a permission.")

    @property
    def slug(self) -> str:
        return slugify(self.code)

    @property
    def is_snapshot(self) -> bool:
        """Snapshotted (the DMT set) rather than stored as a monthly value."""
        return self.kind in SNAPSHOT_KINDS and self.count is not None

    def parameter_values(self) -> dict[str, object]:
        return {parameter.name: parameter.value() for parameter in self.parameters}

    def arguments(self, span: Span) -> dict[str, object]:
        """The keyword arguments ``count`` and ``behind`` take for ``span``."""
        return {**self.window.arguments(span), **self.parameter_values()}


# -- the registry ------------------------------------------------------------------------------

_metrics: dict[str, Metric] = {}

ALREADY: Final = "Metric {code!r} is already registered."
UNKNOWN: Final = "No metric {code!r} is registered."


def register(*metrics: Metric) -> None:
    """Add declarations, in the order their pages list them; a code is registered once."""
    for metric in metrics:
        if metric.code in _metrics:
            raise ValueError(ALREADY.format(code=metric.code))
        _metrics[metric.code] = metric


def get(code: str) -> Metric:
    try:
        return _metrics[code]
    except KeyError:
        raise LookupError(UNKNOWN.format(code=code)) from None


def find(code: str) -> Metric | None:
    return _metrics.get(code)


def all_metrics(*kinds: Kind) -> list[Metric]:
    """Every declaration (of ``kinds``, when given), in registration order."""
    return [m for m in _metrics.values() if not kinds or m.kind in kinds]


def snapshot_metrics() -> list[Metric]:
    """The metrics snapshots count (the DMT set), in registration order."""
    return [m for m in _metrics.values() if m.is_snapshot]


def monthly_metrics() -> list[Metric]:
    """The monthly indicators, by code: the order of the returns (FR ICT 17, 17a, … 19c)."""
    return sorted(all_metrics(Kind.MONTHLY), key=lambda m: m.code)


@contextmanager
def registered(*metrics: Metric) -> Iterator[Sequence[Metric]]:
    """Register ``metrics`` for the length of a ``with`` block (tests, throwaway metrics)."""
    register(*metrics)
    try:
        yield metrics
    finally:
        for metric in metrics:
            _metrics.pop(metric.code, None)


# -- providers: functions an app offers by name --------------------------------------------------
# Figures that are not metrics but that indicators shows (infogov's Cabinet Office columns,
# the FOI peer comparison) are offered the same way, so indicators still imports no app.

_providers: dict[str, Callable[..., Any]] = {}


def register_provider(name: str, function: Callable[..., Any]) -> None:
    if name in _providers:
        raise ValueError(f"Provider {name!r} is already registered.")
    _providers[name] = function


def provider(name: str) -> Callable[..., Any]:
    try:
        return _providers[name]
    except KeyError:
        raise LookupError(f"No provider {name!r} is registered.") from None
