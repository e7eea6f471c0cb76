"""The DMT review: its metric set, how it is grouped, and the page built from its figures.

Pure: the figures come in as the JSON-able dict of ``selectors.review_figures`` (which is
also what a frozen ``ReviewPack`` keeps), and dataclasses come out. The live review and a
frozen pack are drawn by the same code from the same shape, so they cannot drift.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from hackperf.metrics import Ratio

POINT: Final = "point"  # as of the fortnight's end
PERIOD: Final = "period"  # counted over the fortnight


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    kind: str  # POINT or PERIOD
    lower_is_better: bool = True


METRICS: Final[tuple[Metric, ...]] = (
    Metric("servicedesk.open_incidents", "Open incidents", POINT),
    Metric("servicedesk.open_requests", "Open service requests", POINT),
    Metric("servicedesk.over_a_week_old", "Open over a week", POINT),
    Metric("servicedesk.on_hold", "On hold", POINT),
    Metric("servicedesk.multiple_reassignments", "Reassigned two or more times", POINT),
    Metric("servicedesk.escalated_open", "Escalated, still open", POINT),
    Metric("servicedesk.new_starter_open", "New-starter requests open", POINT),
    Metric("servicedesk.joiners_movers_leavers_open", "Joiners, movers, leavers open", POINT),
    Metric("servicedesk.mfd_open", "MFD print and copy tickets open", POINT),
    Metric("servicedesk.logged_incidents", "Incidents logged", PERIOD, lower_is_better=False),
    Metric("servicedesk.logged_requests", "Requests logged", PERIOD, lower_is_better=False),
    Metric("servicedesk.closures", "Closures", PERIOD, lower_is_better=False),
    Metric("servicedesk.reopens", "Reopened", PERIOD),
    Metric("servicedesk.escalations", "Escalations", PERIOD),
    Metric("servicedesk.new_starter_logged", "New-starter requests logged", PERIOD),
    Metric("servicedesk.joiners_movers_leavers_logged", "Joiners, movers, leavers logged", PERIOD),
    Metric(
        "servicedesk.self_service_logged",
        "Logged through self-service",
        PERIOD,
        lower_is_better=False,
    ),
    Metric("infogov.open_cases", "Open FOI, EIR and SAR cases", POINT),
    Metric("infogov.due_within_5_working_days", "Due within 5 working days", POINT),
    Metric("infogov.overdue", "Overdue", POINT),
)
BY_CODE: Final = {metric.code: metric for metric in METRICS}
SELF_SERVICE_SHARE: Final = "self_service_share"

SECTIONS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (
        "open-work",
        "Open work",
        (
            "servicedesk.open_incidents",
            "servicedesk.open_requests",
            "servicedesk.over_a_week_old",
            "servicedesk.on_hold",
        ),
    ),
    (
        "flow",
        "Logged, closed and reopened in the fortnight",
        (
            "servicedesk.logged_incidents",
            "servicedesk.logged_requests",
            "servicedesk.closures",
            "servicedesk.reopens",
        ),
    ),
    (
        "stuck",
        "Stuck work",
        ("servicedesk.multiple_reassignments", "servicedesk.escalated_open"),
    ),
    (
        "new-starters",
        "New-starter requests",
        ("servicedesk.new_starter_logged", "servicedesk.new_starter_open"),
    ),
    (
        "information-governance",
        "Information governance",
        ("infogov.open_cases", "infogov.due_within_5_working_days", "infogov.overdue"),
    ),
)

# The priority areas the DMT is watching, each with the figures that show it.
PRIORITY_AREAS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("mfd", "MFD print and copy", ("servicedesk.mfd_open",)),
    (
        "joiners-movers-leavers",
        "Joiners, movers and leavers",
        ("servicedesk.joiners_movers_leavers_logged", "servicedesk.joiners_movers_leavers_open"),
    ),
    ("escalations", "Escalations", ("servicedesk.escalations", "servicedesk.escalated_open")),
    (
        "self-service",
        "Self-service share of new tickets",
        (SELF_SERVICE_SHARE, "servicedesk.self_service_logged"),
    ),
)


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
        amount = abs(difference)
        shown = f"{amount:.1f} points" if self.unit == "percent" else f"{amount:,.0f}"
        return f"{word} {shown}"

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


def _series(figures: dict, code: str) -> list[Decimal | None]:
    values = figures["metrics"].get(code) or [None] * len(figures["instants"])
    return [None if value is None else Decimal(value) for value in values]


def _self_service_series(figures: dict) -> list[Decimal | None]:
    self_service = _series(figures, "servicedesk.self_service_logged")
    incidents = _series(figures, "servicedesk.logged_incidents")
    requests = _series(figures, "servicedesk.logged_requests")
    shares: list[Decimal | None] = []
    for part, a, b in zip(self_service, incidents, requests, strict=True):
        if part is None or a is None or b is None:
            shares.append(None)
        else:
            shares.append(Ratio(int(part), int(a + b)).percent)
    return shares


def _row(figures: dict, code: str) -> FigureRow:
    if code == SELF_SERVICE_SHARE:
        series = _self_service_series(figures)
        label, unit, drill = (
            "Self-service share of new tickets",
            "percent",
            ("servicedesk.self_service_logged"),
        )
    else:
        series = _series(figures, code)
        label, unit, drill = BY_CODE[code].label, "count", code
    return FigureRow(
        code=code,
        label=label,
        unit=unit,
        current=series[-1] if series else None,
        previous=series[-2] if len(series) > 1 else None,
        series=series,
        drill_metric=drill,
    )


def build(figures: dict) -> Review:
    """The review page's content from the figures (``selectors.review_figures``' shape)."""
    return Review(
        instants=[datetime.fromisoformat(text) for text in figures["instants"]],
        sections=[
            Group(slug, title, [_row(figures, code) for code in codes])
            for slug, title, codes in SECTIONS
        ],
        priority_areas=[
            Group(slug, title, [_row(figures, code) for code in codes])
            for slug, title, codes in PRIORITY_AREAS
        ],
        breakdowns=list(figures.get("breakdowns", [])),
    )


def breakdown_table(
    breakdowns: Sequence[dict[str, object]], *, breakdown: str
) -> tuple[list[str], list[tuple[str, str, list[int | None]]]]:
    """The latest fortnight's point figures by one breakdown, as (metric labels, rows of
    (key, label, values)); keys in the order of their labels."""
    codes = [m.code for m in METRICS if m.kind == POINT and m.code.startswith("servicedesk.")]
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
    return [BY_CODE[code].label for code in used], rows
