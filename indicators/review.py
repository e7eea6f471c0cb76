"""The DMT review: its metric set, how it is grouped, and the page built from its figures.

The metric set, labels, definitions and groups come from the metric registry
(``hackperf.registry``: each metric names the review groups it belongs to), never from codes
written here. No ORM: the figures come in as the JSON-able dict of
``selectors.review_figures`` (which is also what a frozen ``ReviewPack`` keeps), and
dataclasses come out. The live review and a frozen pack are drawn by the same code from the
same shape, so they cannot drift.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from hackperf import registry
from hackperf.metrics import Ratio

POINT: Final = "point"  # as of the fortnight's end
PERIOD: Final = "period"  # counted over the fortnight


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    kind: str  # POINT or PERIOD
    lower_is_better: bool = True
    definition: str = ""
    unit: str = "count"
    share_of: tuple[str, tuple[str, ...]] | None = None  # a percentage of other figures


# The review's groups, in page order. Which figures each shows is said by the metrics
# themselves (``hackperf.registry.Metric.review``), in the order they were registered.
SECTION_TITLES: Final[tuple[tuple[str, str], ...]] = (
    ("open-work", "Open work"),
    ("flow", "Logged, closed and reopened in the fortnight"),
    ("stuck", "Stuck work"),
    ("new-starters", "New-starter requests"),
    ("information-governance", "Information governance"),
)
# The priority areas the DMT is watching.
PRIORITY_AREA_TITLES: Final[tuple[tuple[str, str], ...]] = (
    ("mfd", "MFD print and copy"),
    ("joiners-movers-leavers", "Joiners, movers and leavers"),
    ("escalations", "Escalations"),
    ("self-service", "Self-service share of new tickets"),
)
OTHER: Final = ("other", "Other figures")  # snapshot metrics that name no group above
# The breakdown tables show the as-of figures broken down by all three of these.
TABLE_BREAKDOWNS: Final = ("queue", "kind", "category")


def review_metrics() -> tuple[Metric, ...]:
    """The review's figures, from the metric registry: every snapshot metric and every
    derived share, in registration order."""
    return tuple(
        Metric(
            code=m.code,
            label=m.label,
            kind=POINT if m.kind == registry.Kind.INSTANT else PERIOD,
            lower_is_better=m.polarity != registry.Polarity.HIGHER,
            definition=m.definition,
            unit=m.unit,
            share_of=m.share_of,
        )
        for m in registry.all_metrics(*registry.SNAPSHOT_KINDS)
    )


def by_code() -> dict[str, Metric]:
    return {metric.code: metric for metric in review_metrics()}


def _groups(titles: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    declared = registry.all_metrics(*registry.SNAPSHOT_KINDS)
    return tuple(
        (slug, title, tuple(m.code for m in declared if slug in m.review)) for slug, title in titles
    )


def sections() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(slug, title, codes) of each section, with "Other figures" last when some snapshot
    metric names no group (a new metric shows in the review before anyone places it)."""
    known = {slug for slug, _ in SECTION_TITLES + PRIORITY_AREA_TITLES}
    other = tuple(
        m.code
        for m in registry.all_metrics(*registry.SNAPSHOT_KINDS)
        if not known.intersection(m.review)
    )
    return _groups(SECTION_TITLES) + (((*OTHER, other),) if other else ())


def priority_areas() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return _groups(PRIORITY_AREA_TITLES)


def __getattr__(name: str) -> object:
    """``METRICS``, ``BY_CODE``, ``SECTIONS`` and ``PRIORITY_AREAS``, as they were when they
    were constants: read from the registry when asked, so a metric registered later (a test's
    throwaway one) is in them."""
    if name == "METRICS":
        return review_metrics()
    if name == "BY_CODE":
        return by_code()
    if name == "SECTIONS":
        return sections()
    if name == "PRIORITY_AREAS":
        return priority_areas()
    raise AttributeError(name)


@dataclass(frozen=True)
class FigureRow:
    """One figure of the review: this fortnight, the one before, and the last 13."""

    code: str
    label: str
    unit: str  # "count" or "percent"
    current: Decimal | None
    previous: Decimal | None
    series: list[Decimal | None]
    drill_metric: str  # the metric whose tickets or cases are behind the figure

    @property
    def change(self) -> str:
        """The change on the previous fortnight, in words."""
        if self.current is None or self.previous is None:
            return "No comparison"
        difference = self.current - self.previous
        if difference == 0:
            return "No change"
        word = "Up" if difference > 0 else "Down"
        return f"{word} {self.show_change(abs(difference))}"

    def show_change(self, amount: Decimal) -> str:
        """The size of a change: a percentage's in points, since it is not a percentage."""
        return f"{amount:.1f} points" if self.unit == "percent" else f"{amount:,.0f}"

    def show(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        return f"{value:.1f}%" if self.unit == "percent" else f"{value:,.0f}"

    @property
    def current_text(self) -> str:
        return self.show(self.current)

    @property
    def previous_text(self) -> str:
        return self.show(self.previous)


@dataclass(frozen=True)
class Group:
    slug: str
    title: str
    rows: list[FigureRow]


@dataclass(frozen=True)
class Review:
    instants: list[datetime]  # oldest first; the last is the fortnight under review
    sections: list[Group]
    priority_areas: list[Group]
    breakdowns: list[dict[str, object]]

    @property
    def fortnight_end(self) -> datetime:
        return self.instants[-1]

    @property
    def previous_end(self) -> datetime | None:
        return self.instants[-2] if len(self.instants) > 1 else None


def _series(figures: dict[str, Any], code: str) -> list[Decimal | None]:
    values = figures["metrics"].get(code) or [None] * len(figures["instants"])
    return [None if value is None else Decimal(value) for value in values]


def _share_series(
    figures: dict[str, Any], share_of: tuple[str, tuple[str, ...]]
) -> list[Decimal | None]:
    """A derived percentage, fortnight by fortnight: the numerator figure over the sum of the
    denominator figures (None where any is missing)."""
    numerator_code, denominator_codes = share_of
    parts = _series(figures, numerator_code)
    wholes = [_series(figures, code) for code in denominator_codes]
    shares: list[Decimal | None] = []
    for part, *whole in zip(parts, *wholes, strict=True):
        if part is None or any(value is None for value in whole):
            shares.append(None)
        else:
            shares.append(Ratio(int(part), int(sum(v for v in whole if v is not None))).percent)
    return shares


def _row(figures: dict[str, Any], metric: Metric) -> FigureRow:
    if metric.share_of is not None:
        series = _share_series(figures, metric.share_of)
        drill = metric.share_of[0]  # the records behind a share are its numerator's
    else:
        series = _series(figures, metric.code)
        drill = metric.code
    return FigureRow(
        code=metric.code,
        label=metric.label,
        unit=metric.unit,
        current=series[-1] if series else None,
        previous=series[-2] if len(series) > 1 else None,
        series=series,
        drill_metric=drill,
    )


def build(figures: dict[str, Any]) -> Review:
    """The review page's content from the figures (``selectors.review_figures``' shape)."""
    metrics = by_code()
    return Review(
        instants=[datetime.fromisoformat(text) for text in figures["instants"]],
        sections=[
            Group(slug, title, [_row(figures, metrics[code]) for code in codes])
            for slug, title, codes in sections()
        ],
        priority_areas=[
            Group(slug, title, [_row(figures, metrics[code]) for code in codes])
            for slug, title, codes in priority_areas()
        ],
        breakdowns=list(figures.get("breakdowns", [])),
    )


def breakdown_table(
    breakdowns: Sequence[dict[str, object]], *, breakdown: str
) -> tuple[list[str], list[tuple[str, str, list[int | None]]]]:
    """The latest fortnight's point figures by one breakdown, as (metric labels, rows of
    (key, label, values)); keys in the order of their labels."""
    codes = [
        m.code
        for m in registry.all_metrics(registry.Kind.INSTANT)
        if m.count is not None and set(TABLE_BREAKDOWNS) <= set(m.breakdowns)
    ]
    labels = by_code()
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for item in breakdowns:
        if item["breakdown"] != breakdown or item["metric"] not in codes:
            continue
        cell = cells.setdefault((str(item["key"]), str(item["label"])), {})
        cell[str(item["metric"])] = int(item["value"])  # type: ignore[call-overload]
    used = [code for code in codes if any(code in cell for cell in cells.values())]
    rows = [
        (key, label, [cell.get(code) for code in used])
        for (key, label), cell in sorted(cells.items(), key=lambda pair: pair[0][1].lower())
    ]
    return [labels[code].label for code in used], rows
