"""The first screen of the DMT review: every headline figure as one row.

The DMT meets in front of a projector; what they discuss must be on the screen before anyone
scrolls. So each figure the meeting goes through (DESIGN.md's DMT list, the priority areas,
FOI/SAR open and overdue) is one row: this fortnight, the one before, the change in words
(saying whether it is better or worse), 13 fortnights as a sparkline, and where the DMT has
set a threshold, where the figure stands against it, in words.

Pure: it takes the built review (``review.build``) and the thresholds, and returns
dataclasses. The rows come from the review's own ``FigureRow``s, so the headline and the
tables below it can never disagree.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from indicators import review

CLOSURES_PER_WEEK: Final = "servicedesk.closures_per_week"

# (code, label on the first screen). Labels say what is counted, without the tables' group
# headings around them.
HEADLINE: Final[tuple[tuple[str, str], ...]] = (
    ("servicedesk.open_incidents", "Open incidents"),
    ("servicedesk.open_requests", "Open service requests"),
    ("servicedesk.over_a_week_old", "Open over a week"),
    (CLOSURES_PER_WEEK, "Closures per week"),
    ("servicedesk.reopens", "Reopened in the fortnight"),
    ("servicedesk.multiple_reassignments", "Reassigned two or more times, open"),
    ("servicedesk.escalations", "Escalations in the fortnight"),
    ("servicedesk.new_starter_logged", "New-starter requests logged"),
    ("servicedesk.new_starter_open", "New-starter requests open"),
    ("servicedesk.mfd_open", "Priority: MFD print and copy, open"),
    ("servicedesk.joiners_movers_leavers_open", "Priority: joiners, movers, leavers, open"),
    ("servicedesk.self_service_share", "Priority: self-service share of new tickets"),
    ("infogov.open_cases", "FOI, EIR and SAR cases open"),
    ("infogov.overdue", "FOI, EIR and SAR cases overdue"),
)


@dataclass(frozen=True)
class WeeklyRow(review.FigureRow):
    """A fortnight's count shown per week: half the count, to one decimal place."""

    def show(self, value: Decimal | None) -> str:
        return "—" if value is None else f"{value:,.1f}"

    @property
    def change(self) -> str:
        if self.current is None or self.previous is None:
            return "No comparison"
        difference = self.current - self.previous
        if difference == 0:
            return "No change"
        return f"{'Up' if difference > 0 else 'Down'} {abs(difference):,.1f}"


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


def _weekly(closures: review.FigureRow) -> WeeklyRow:
    half = [None if value is None else value / 2 for value in closures.series]
    return WeeklyRow(
        code=CLOSURES_PER_WEEK,
        label="Closures per week",
        unit="count",
        current=half[-1] if half else None,
        previous=half[-2] if len(half) > 1 else None,
        series=half,
        drill_metric="servicedesk.closures",
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
    rows[CLOSURES_PER_WEEK] = _weekly(rows["servicedesk.closures"])
    lower_is_better = {metric.code: metric.lower_is_better for metric in review.review_metrics()}
    lower_is_better[CLOSURES_PER_WEEK] = False
    result = []
    for code, label in HEADLINE:
        limit = thresholds.get(code)
        result.append(
            HeadlineRow(
                row=rows[code],
                label=label,
                lower_is_better=lower_is_better.get(code, True),
                threshold=None if limit is None else Decimal(str(limit)),
            )
        )
    return result
