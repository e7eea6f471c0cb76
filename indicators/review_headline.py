"""The first screen of the DMT review: every headline figure as one row.

The DMT meets in front of a projector; what they discuss must be on the screen before anyone
scrolls. So each figure the meeting goes through (DESIGN.md's DMT list, the priority areas,
FOI/SAR open and overdue) is one row: this fortnight, the one before, the change in words
(saying whether it is better or worse), 13 fortnights as a sparkline, and where the DMT has
set a threshold, where the figure stands against it, in words.

Pure: it takes the built review (``review.build``) and the thresholds, and returns
dataclasses. Which figures are headline figures, and their labels, comes from the metric
registry (each declaration's ``headline``), never from codes written here. The rows come from
the review's own ``FigureRow``s, so the headline and the tables below it can never disagree.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from hackperf import registry
from indicators import review

# The order the meeting takes the headline figures in: by the first review group each names
# (``registry.Metric.review``), then in the order they were registered; a figure in none of
# these groups comes last. Which figures are on the first screen, and their labels there,
# the declarations say (``registry.Metric.headline``).
MEETING_ORDER: Final = (
    "open-work",
    "flow",
    "stuck",
    "escalations",
    "new-starters",
    "mfd",
    "joiners-movers-leavers",
    "self-service",
    "information-governance",
)
PER_WEEK: Final = "_per_week"  # the code of a figure shown per week: its metric's + this


def _meeting_position(metric: registry.Metric) -> int:
    positions = [MEETING_ORDER.index(slug) for slug in metric.review if slug in MEETING_ORDER]
    return positions[0] if positions else len(MEETING_ORDER)


def headline_metrics() -> list[registry.Metric]:
    """The declarations of the first screen's figures, in the order the meeting takes them."""
    declared = [m for m in registry.all_metrics(*registry.SNAPSHOT_KINDS) if m.headline]
    return sorted(declared, key=_meeting_position)  # stable: registration order within


def headline_code(metric: registry.Metric) -> str:
    """The code of a figure's headline row (a weekly figure's differs from its metric's)."""
    return f"{metric.code}{PER_WEEK}" if metric.headline_per_week else metric.code


def __getattr__(name: str) -> object:
    """``HEADLINE``, the (code, label) of each headline row, as it was when it was a
    constant: read from the registry when asked."""
    if name == "HEADLINE":
        return tuple((headline_code(m), m.headline) for m in headline_metrics())
    raise AttributeError(name)


@dataclass(frozen=True)
class WeeklyRow(review.FigureRow):
    """A fortnight's count shown per week: half the count, to one decimal place."""

    def show(self, value: Decimal | None) -> str:
        return "—" if value is None else f"{value:,.1f}"

    def show_change(self, amount: Decimal) -> str:
        return f"{amount:,.1f}"


@dataclass(frozen=True)
class HeadlineRow:
    """One row of the first screen."""

    row: review.FigureRow
    label: str
    lower_is_better: bool
    threshold: Decimal | None

    @property
    def verdict(self) -> str:
        """Whether the change is for the better, in a word ("" when there is none)."""
        current, previous = self.row.current, self.row.previous
        if current is None or previous is None or current == previous:
            return ""
        improved = (current < previous) == self.lower_is_better
        return "better" if improved else "worse"

    @property
    def change_text(self) -> str:
        change = self.row.change
        return f"{change}, {self.verdict}" if self.verdict else change

    @property
    def threshold_state(self) -> str:
        """Where the figure stands against its threshold, in words ("" with no threshold)."""
        if self.threshold is None:
            return ""
        limit = self.row.show(self.threshold)
        current = self.row.current
        if current is None:
            return f"No figure to compare with {limit}"
        if self.lower_is_better:
            if current > self.threshold:
                return f"Over the limit of {limit} by {self.row.show(current - self.threshold)}"
            return f"Within the limit of {limit}"
        if current < self.threshold:
            return f"Under the floor of {limit} by {self.row.show(self.threshold - current)}"
        return f"At or above the floor of {limit}"

    @property
    def over_threshold(self) -> bool:
        return self.threshold_state.startswith(("Over", "Under"))


def _weekly(fortnight: review.FigureRow, *, code: str, label: str) -> WeeklyRow:
    half = [None if value is None else value / 2 for value in fortnight.series]
    return WeeklyRow(
        code=code,
        label=label,
        unit="count",
        current=half[-1] if half else None,
        previous=half[-2] if len(half) > 1 else None,
        series=half,
        drill_metric=fortnight.drill_metric,
    )


def headline(
    built: review.Review, *, thresholds: Mapping[str, Decimal | int | float]
) -> list[HeadlineRow]:
    """The first screen's rows, in the order the meeting takes them.

    ``thresholds`` maps a headline code to its limit (a ceiling for a figure where lower is
    better, a floor otherwise); codes without one show no threshold.
    """
    rows: dict[str, review.FigureRow] = {}
    for group in (*built.sections, *built.priority_areas):
        for row in group.rows:
            rows.setdefault(row.code, row)
    result = []
    for metric in headline_metrics():
        code = headline_code(metric)
        row = rows[metric.code]
        if metric.headline_per_week:
            row = _weekly(row, code=code, label=metric.headline)
        limit = thresholds.get(code)
        result.append(
            HeadlineRow(
                row=row,
                label=metric.headline,
                lower_is_better=metric.polarity != registry.Polarity.HIGHER,
                threshold=None if limit is None else Decimal(str(limit)),
            )
        )
    return result
