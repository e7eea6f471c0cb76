"""The Information Governance Group's quarterly report: FOI/EIR and subject access by
directorate for one quarter, the last eight quarters, targets and RAG of FR ICT 18a and 19a,
the indicators' commentary, and the cases behind every figure.

Every figure is one rule in :func:`figure_filters`, a ``Q`` over requests (``stage=request``,
as FR ICT 18 and 19 count them): the counts aggregate it and the drill-down filters by it, so a
list always holds exactly the cases its figure counted. Targets, RAG and commentary belong to
``indicators``, which infogov may not import: they come through ``hackperf.indicator_status``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from hackperf import indicator_status
from hackperf.indicator_status import Assessment, Commentary
from hackperf.metrics import percent
from infogov.choices import EventKind, Stage
from infogov.models import Case, ClockEvent, Directorate
from infogov.selectors import (
    ALL_DIRECTORATES,
    BEYOND_20_FLAGS,
    SECOND_EXTENSION_FLAGS,
    YOUR_DIRECTORATES,
    Period,
    extension_flagged,
    parse_period,
)

TREND_QUARTERS = 8
PICKER_QUARTERS = 20  # five years back in the quarter picker; older ones by ?quarter=YYYY-Qn

# The figures of a row, in the order of the tables and the CSV.
RECEIVED = "received"
RESPONDED = "responded"
WITHIN = "within"  # FOI/EIR: within the statutory time, without an extension (FR ICT 18a)
IN_TIME = "in_time"  # on or before the due date, permitted extensions counted (19a for SARs)
OUTSTANDING = "outstanding"
OVERDUE = "overdue"
SECOND_EXTENSIONS = "second_extensions"
BEYOND_20 = "extensions_beyond_20"
FIGURES = (RECEIVED, RESPONDED, WITHIN, IN_TIME, OUTSTANDING, OVERDUE, SECOND_EXTENSIONS, BEYOND_20)

FIGURE_LABELS = {
    RECEIVED: "Received",
    RESPONDED: "Responded",
    WITHIN: "Responded within the statutory time, without extension",
    IN_TIME: "Responded in time, permitted extensions counted",
    OUTSTANDING: "Outstanding",
    OVERDUE: "Overdue",
    SECOND_EXTENSIONS: "Received in the quarter and extended twice",
    BEYOND_20: "Received in the quarter and extended beyond 20 working days",
}


@dataclass(frozen=True)
class Group:
    """A section of the report: which requests, and which indicator rates their timeliness."""

    key: str
    title: str
    kinds: tuple[str, ...]
    indicator: str  # the timeliness indicator, rated against its target
    rated: str  # the figure that indicator is: WITHIN for FOI/EIR, IN_TIME for SARs


FOI_EIR = Group(
    "foi_eir",
    "FOI and EIR requests",
    ("foi", "eir"),
    "FR ICT 18a",
    WITHIN,
)
SAR = Group(
    "sar",
    "Subject access requests",
    ("sar",),
    "FR ICT 19a",
    IN_TIME,
)
GROUPS = (FOI_EIR, SAR)
GROUP_BY_KEY = {g.key: g for g in GROUPS}


@dataclass(frozen=True)
class Row:
    """One directorate's (or the total's) figures for one group and quarter."""

    directorate: str
    directorate_id: int | None  # None for the total
    counts: dict[str, int]

    def __getattr__(self, name: str) -> int:
        # row.received, row.within ... in templates and tests
        try:
            return self.__dict__["counts"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def percent(self, figure: str) -> Decimal | None:
        """``figure`` as a % of the requests responded to; None when none were."""
        return percent(self.counts[figure], self.counts[RESPONDED])

    @property
    def percent_within(self) -> Decimal | None:
        return self.percent(WITHIN)

    @property
    def percent_in_time(self) -> Decimal | None:
        return self.percent(IN_TIME)


@dataclass(frozen=True)
class CommentaryLine:
    """What the owner of a section's indicator wrote, for one or more months of the quarter
    (the same words on consecutive months are shown once, "July to September 2026")."""

    months: str
    code: str
    text: str
    approved: bool


def commentary_lines(notes: list[Commentary]) -> list[CommentaryLine]:
    """``notes`` (oldest first) with the same words on consecutive months merged."""
    runs: list[list[Commentary]] = []
    for note in notes:
        prev = runs[-1][-1] if runs else None
        if prev and (prev.code, prev.text, prev.approved) == (note.code, note.text, note.approved):
            runs[-1].append(note)
        else:
            runs.append([note])
    lines = []
    for run in runs:
        first, last = run[0].month, run[-1].month
        if first == last:
            months = f"{first:%B %Y}"
        elif first.year == last.year:
            months = f"{first:%B} to {last:%B %Y}"
        else:
            months = f"{first:%B %Y} to {last:%B %Y}"
        lines.append(CommentaryLine(months, run[0].code, run[0].text, run[0].approved))
    return lines


@dataclass(frozen=True)
class Section:
    group: Group
    rows: list[Row]
    total: Row
    assessment: Assessment  # the group's indicator for the quarter, against its target
    commentary: list[CommentaryLine] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.group.title


@dataclass(frozen=True)
class TrendQuarter:
    period: Period
    ended: bool
    totals: dict[str, Row]  # by group key
    assessments: dict[str, Assessment]  # by group key

    @property
    def rows(self) -> list[tuple[Group, Row, Assessment]]:
        return [(g, self.totals[g.key], self.assessments[g.key]) for g in GROUPS]


@dataclass(frozen=True)
class Report:
    period: Period
    ended: bool  # False: the quarter is still running, figures are to date
    as_of: date  # outstanding and overdue are counted at the end of this day
    sections: list[Section]
    trend: list[TrendQuarter]  # oldest first, ending with ``period``
    all_directorates: bool


# ---------------------------------------------------------------------------------------------
# Quarters
# ---------------------------------------------------------------------------------------------


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def shift_quarter(period: Period, by: int) -> Period | None:
    """The quarter ``by`` quarters after ``period`` (before, when negative); None beyond the
    years a date can hold (before year 1, after 9999)."""
    index = int(period.key[:4]) * 4 + int(period.key[-1]) - 1 + by
    try:
        return parse_period(f"{index // 4:04d}-Q{index % 4 + 1}")
    except ValueError:
        return None


def default_quarter(today: date) -> Period:
    """The last full quarter."""
    quarter = shift_quarter(quarter_of(today), -1)
    assert quarter is not None  # today is after year 1
    return quarter


def previous_quarters(period: Period, count: int) -> list[Period]:
    """``period`` and the ``count - 1`` quarters before it that exist, oldest first."""
    quarters = [shift_quarter(period, -n) for n in range(count - 1, -1, -1)]
    return [q for q in quarters if q is not None]


def picker_quarters(today: date, selected: Period | None = None) -> list[Period]:
    """The quarter picker's choices, newest first: the current quarter (to date) and the
    ``PICKER_QUARTERS - 1`` before it, plus ``selected`` when it is older."""
    quarters = previous_quarters(quarter_of(today), PICKER_QUARTERS)[::-1]
    if selected is not None and selected not in quarters:
        quarters.append(selected)
    return quarters


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def extended() -> Exists:
    """The case has had an extension (FOIA s.10(3), EIR reg 7 or a SAR's Art 12(3))."""
    return Exists(ClockEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.EXTENSION))


def figure_filters(*, start: date, end: date, as_of: date) -> dict[str, Q]:
    """The rule of each figure, as a ``Q`` over ``Case``: received and responded in
    [start, end]; within the statutory time (responded on or before the due date and never
    extended: DESIGN.md FR ICT 18a); in time (on or before the due date, permitted extensions
    counted: 18a "in time", 19a); outstanding and overdue at the end of ``as_of`` (the
    quarter's end, or today for a quarter not yet over, against the stored due date); the
    extensions the engine flags, of requests received in the quarter."""
    received = Q(received__range=(start, end))
    responded = Q(responded__range=(start, end))
    on_time = responded & Q(responded__lte=F("due"))
    outstanding = (
        Q(received__lte=as_of)
        & (Q(responded__isnull=True) | Q(responded__gt=as_of))
        & (Q(withdrawn__isnull=True) | Q(withdrawn__gt=as_of))
    )
    return {
        RECEIVED: received,
        RESPONDED: responded,
        WITHIN: on_time & ~Q(was_extended=True),
        IN_TIME: on_time,
        OUTSTANDING: outstanding,
        OVERDUE: outstanding & Q(due__lt=as_of),
        SECOND_EXTENSIONS: received & extension_flagged(SECOND_EXTENSION_FLAGS),
        BEYOND_20: received & extension_flagged(BEYOND_20_FLAGS),
    }


def requests(directorates: QuerySet | None) -> QuerySet:
    """Requests (not reviews or complaints), of ``directorates`` when given, aliased
    ``was_extended`` for :func:`figure_filters`."""
    queryset = Case.objects.filter(stage=Stage.REQUEST).alias(was_extended=extended())
    if directorates is not None:
        queryset = queryset.filter(directorate__in=directorates.values("pk"))
    return queryset


def _as_of(period: Period, today: date) -> date:
    return min(period.end, today)


def build(*, period: Period, today: date, directorates: QuerySet | None = None) -> Report:
    """The report for ``period`` as at ``today``, council-wide or over ``directorates`` (a
    director's own). Five queries whatever the data: the counts of all eight quarters by
    directorate and kind (one aggregate), the directorates, and from indicators two for the
    targets and one for the commentary."""
    quarters = previous_quarters(period, TREND_QUARTERS)
    aggregates = {}
    for i, quarter in enumerate(quarters):
        filters = figure_filters(start=quarter.start, end=quarter.end, as_of=_as_of(quarter, today))
        for name, q in filters.items():
            aggregates[f"q{i}_{name}"] = Count("pk", filter=q)
    grouped = list(
        requests(directorates).order_by().values("directorate_id", "kind").annotate(**aggregates)
    )
    names = list(
        (Directorate.objects.all() if directorates is None else directorates)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    group_of_kind = {kind: g.key for g in GROUPS for kind in g.kinds}

    # counts[quarter index][group key][directorate pk][figure]
    counts: dict[int, dict[str, dict[int, dict[str, int]]]] = {
        i: {g.key: {pk: dict.fromkeys(FIGURES, 0) for pk, _ in names} for g in GROUPS}
        for i in range(len(quarters))
    }
    for row in grouped:
        group = group_of_kind.get(row["kind"])
        if group is None:
            continue
        for i in range(len(quarters)):
            target = counts[i][group].setdefault(row["directorate_id"], dict.fromkeys(FIGURES, 0))
            for name in FIGURES:
                target[name] += row[f"q{i}_{name}"]

    label = ALL_DIRECTORATES if directorates is None else YOUR_DIRECTORATES
    name_of = dict(names)

    def rows(i: int, group: Group) -> list[Row]:
        return [
            Row(name_of.get(pk, "Unknown directorate"), pk, figures)
            for pk, figures in counts[i][group.key].items()
        ]

    def total(rows_: list[Row]) -> Row:
        return Row(label, None, {n: sum(r.counts[n] for r in rows_) for n in FIGURES})

    totals = {(i, g.key): total(rows(i, g)) for i in range(len(quarters)) for g in GROUPS}
    wanted = [
        (g.indicator, quarter.start, totals[(i, g.key)].percent(g.rated))
        for i, quarter in enumerate(quarters)
        for g in GROUPS
    ]
    assessed = iter(indicator_status.assess(wanted))
    assessments = {(i, g.key): next(assessed) for i in range(len(quarters)) for g in GROUPS}
    words = indicator_status.commentary([g.indicator for g in GROUPS], period.start, period.end)

    last = len(quarters) - 1
    sections = [
        Section(
            group=g,
            rows=rows(last, g),
            total=totals[(last, g.key)],
            assessment=assessments[(last, g.key)],
            commentary=commentary_lines([c for c in words if c.code == g.indicator]),
        )
        for g in GROUPS
    ]
    trend = [
        TrendQuarter(
            period=quarter,
            ended=quarter.end < today,
            totals={g.key: totals[(i, g.key)] for g in GROUPS},
            assessments={g.key: assessments[(i, g.key)] for g in GROUPS},
        )
        for i, quarter in enumerate(quarters)
    ]
    return Report(
        period=period,
        ended=period.end < today,
        as_of=_as_of(period, today),
        sections=sections,
        trend=trend,
        all_directorates=directorates is None,
    )


def cases_behind(
    *,
    period: Period,
    today: date,
    group: Group,
    figure: str,
    directorate_id: int | None = None,
    directorates: QuerySet | None = None,
) -> QuerySet:
    """The requests one figure of the report counted, by due date: the same rule as the count
    (:func:`figure_filters`), within ``directorates`` (a director's own) when given. Never
    joins the requester."""
    rule = figure_filters(start=period.start, end=period.end, as_of=_as_of(period, today))[figure]
    queryset = requests(directorates).filter(rule, kind__in=group.kinds)
    if directorate_id is not None:
        queryset = queryset.filter(directorate_id=directorate_id)
    return (
        queryset.annotate(extended=extended()).select_related("directorate").order_by("due", "pk")
    )


def as_of_instant(report: Report, now: datetime) -> date | datetime:
    """What the report's "as at" names: the quarter's end, or now for a quarter not yet over."""
    return report.as_of if report.ended else now


# ---------------------------------------------------------------------------------------------
# The trend chart (a small inline SVG: it prints crisply and needs no script)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartLine:
    name: str
    colour: str
    dash: str  # SVG stroke-dasharray, "" for solid
    points: str  # SVG polyline points
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    bottom: float
    lines: list[ChartLine]
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    summary: str


# Distinguishable in colour and in greyscale print (the review's trend colours and dashes).
CHART_SERIES = (
    (FOI_EIR, WITHIN, "FOI and EIR within the statutory time", "#1d70b8", ""),
    (FOI_EIR, IN_TIME, "FOI and EIR in time, extensions counted", "#0b0c0c", "6 3"),
    (SAR, IN_TIME, "Subject access in time", "#f47738", "2 3"),
)


def trend_chart(trend: list[TrendQuarter], *, width: int = 640, height: int = 170) -> TrendChart:
    """Three lines of % over the quarters: FOI/EIR within the statutory time and in time,
    subject access in time. A quarter with no responses has no point on its line."""
    left, right, top, bottom = 40, 30, 10, height - 22
    values = [
        value
        for q in trend
        for g, figure, *_ in CHART_SERIES
        if (value := q.totals[g.key].percent(figure)) is not None
    ]
    low = min([Decimal(100), *values])
    floor = max(0, int(low // 10) * 10 - (10 if low % 10 < 2 else 0))
    span = 100 - floor or 100

    def y(value: Decimal) -> float:
        return round(bottom - float(value - floor) / span * (bottom - top), 1)

    step = (width - left - right) / max(len(trend) - 1, 1)
    xs = [round(left + n * step, 1) for n in range(len(trend))]
    lines = []
    for group, figure, name, colour, dash in CHART_SERIES:
        dots = [
            (x, y(v))
            for x, q in zip(xs, trend, strict=True)
            if (v := q.totals[group.key].percent(figure)) is not None
        ]
        lines.append(ChartLine(name, colour, dash, " ".join(f"{a},{b}" for a, b in dots), dots))
    ticks = [(y(Decimal(v)), f"{v}%") for v in range(floor, 101, 10 if span <= 50 else 20)]
    labels = [
        (x, f"Q{q.period.key[-1]} {q.period.key[:4]}") for x, q in zip(xs, trend, strict=True)
    ]

    def shown(group: Group, figure: str, q: TrendQuarter) -> str:
        value = q.totals[group.key].percent(figure)
        return "no responses" if value is None else f"{value}%"

    first, last = trend[0], trend[-1]
    summary = (
        f"{len(trend)} quarters, {first.period.key} to {last.period.key}: "
        + "; ".join(
            f"{name} from {shown(g, f, first)} to {shown(g, f, last)}"
            for g, f, name, *_ in CHART_SERIES
        )
        + "."
    )
    return TrendChart(width, height, left, bottom, lines, ticks, labels, summary)
