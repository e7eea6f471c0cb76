"""Reads of the indicators app that span models or feed a page, a chart, an export or the API."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.models import User

from hackperf import registry, windows
from hackperf.metrics import ALL
from indicators import rag
from indicators.choices import Granularity
from indicators.models import (
    ApiToken,
    Indicator,
    PeriodValue,
    Snapshot,
    Target,
    ValueRevision,
)
from indicators.periods import shift_month
from indicators.rag import RAG_COLOURS, Direction

SPARKLINE_MONTHS = 13  # a year and the same month the year before


def target_for(targets: Sequence[Target], period_start: date) -> Target | None:
    """The target in force for a period: the latest ``effective_from`` on or before its start.

    ``targets`` are one indicator's, in any order (already fetched: no query).
    """
    in_force = [t for t in targets if t.effective_from <= period_start]
    return max(in_force, key=lambda t: (t.effective_from, t.pk or 0), default=None)


class TargetFigures(Protocol):
    """What RAG reads of a target: a ``Target``, or a row's annotated copy of one."""

    @property
    def value(self) -> Decimal: ...

    @property
    def tolerance(self) -> rag.Tolerance: ...


def rag_of(indicator: Indicator, value: Decimal | None, target: TargetFigures | None) -> rag.Rag:
    if indicator.rag_polarity is rag.Polarity.NONE:
        return rag.Rag.NO_TARGET
    if value is None or target is None:
        return rag.Rag.NOT_ASSESSED
    return rag.rag(value, target.value, polarity=indicator.rag_polarity, tolerance=target.tolerance)


def direction_of(
    indicator: Indicator, current: Decimal | None, previous: Decimal | None
) -> rag.Direction:
    return rag.direction(
        current,
        previous,
        polarity=indicator.rag_polarity,
        unchanged_within=indicator.unchanged_within,
    )


@dataclass(frozen=True)
class ScorecardRow:
    """One indicator on the scorecard: its latest value and how it reads."""

    indicator: Indicator
    latest: PeriodValue | None
    target: Target | None
    rag: rag.Rag
    previous: PeriodValue | None
    year_before: PeriodValue | None
    direction_previous: Direction  # not rag.Direction: the field above is named rag
    direction_year: Direction
    sparkline: list[tuple[date, Decimal | None]]
    by_month: dict[date, PeriodValue]


def scorecard(*, today: date, approved_only: bool, month: date | None = None) -> list[ScorecardRow]:
    """Every indicator with its latest value (approved only, or of any status), its target,
    RAG, direction against the month before and the same month a year before, and the last
    13 months for a sparkline. An indicator with no value yet shows the target in force
    ``today``.

    With ``month``, "latest" is the value for that month, or the latest before it where the
    indicator lags (the briefing reports one month: ``reporting_month``).

    Three queries whatever the number of indicators: indicators, targets, values.
    """
    indicators = list(Indicator.objects.all())
    targets: dict[int, list[Target]] = defaultdict(list)
    target: Target | None
    for target in Target.objects.all():
        targets[target.indicator_id].append(target)
    values_qs = PeriodValue.objects.all()
    if approved_only:
        values_qs = values_qs.approved()
    by_indicator: dict[int, dict[date, PeriodValue]] = defaultdict(dict)
    if month is not None:
        values_qs = values_qs.filter(period_start__lte=month)
    for value in values_qs.order_by("indicator_id", "period_start"):
        by_indicator[value.indicator_id][value.period_start] = value

    rows = []
    for indicator in indicators:
        values = by_indicator[indicator.pk]
        latest = values[max(values)] if values else None
        if latest is None:
            rows.append(
                ScorecardRow(
                    indicator=indicator,
                    latest=None,
                    target=target_for(targets[indicator.pk], today),
                    rag=rag_of(indicator, None, None),
                    previous=None,
                    year_before=None,
                    direction_previous=rag.Direction.NO_COMPARISON,
                    direction_year=rag.Direction.NO_COMPARISON,
                    sparkline=[],
                    by_month={},
                )
            )
            continue
        period = latest.period_start
        target = target_for(targets[indicator.pk], period)
        previous = values.get(shift_month(period, -1))
        year_before = values.get(shift_month(period, -12))
        months = [shift_month(period, -n) for n in range(SPARKLINE_MONTHS - 1, -1, -1)]
        rows.append(
            ScorecardRow(
                indicator=indicator,
                latest=latest,
                target=target,
                rag=rag_of(indicator, latest.value, target),
                previous=previous,
                year_before=year_before,
                direction_previous=direction_of(
                    indicator, latest.value, previous.value if previous else None
                ),
                direction_year=direction_of(
                    indicator, latest.value, year_before.value if year_before else None
                ),
                sparkline=[(m, values[m].value if m in values else None) for m in months],
                by_month=values,
            )
        )
    return rows


def reporting_month() -> date | None:
    """The briefing's month: the latest for which every indicator with an approved value has
    one; where there is no such month, the latest approved month of any (and the indicators
    that lag say "latest available: …"). ``None`` when nothing is approved. One query.
    """
    months: dict[int, set[date]] = defaultdict(set)
    for indicator_id, period_start in PeriodValue.objects.approved().values_list(
        "indicator_id", "period_start"
    ):
        months[indicator_id].add(period_start)
    if not months:
        return None
    common = set.intersection(*months.values())
    return max(common) if common else max(max(m) for m in months.values())


@dataclass(frozen=True)
class Movement:
    """How far an indicator moved between two months, for the briefing's opening summary."""

    indicator: Indicator
    direction: rag.Direction
    before: str
    after: str
    since: date
    size: Decimal  # the change relative to the earlier value, for ranking

    @property
    def words(self) -> str:
        return (
            f"{self.indicator.code} {self.indicator.title}: {self.direction.label.lower()}, "
            f"{self.before} in {self.since:%B %Y} to {self.after}"
        )


def movements(rows: Sequence[ScorecardRow], *, since: date, top: int = 3) -> list[Movement]:
    """The indicators that moved most from ``since`` to their reported value (no query).

    Ranked by the size of the change relative to the earlier value, so a percentage and a
    count compare; volume measures (neither better nor worse), indicators without both
    values, and unchanged ones are left out.
    """
    found = []
    for row in rows:
        if row.indicator.rag_polarity is rag.Polarity.NONE:
            continue
        then = row.by_month.get(since)
        if row.latest is None or then is None or row.latest.period_start == since:
            continue
        travel = direction_of(row.indicator, row.latest.value, then.value)
        if travel in (rag.Direction.UNCHANGED, rag.Direction.NO_COMPARISON):
            continue
        size = abs(row.latest.value - then.value) / max(abs(then.value), Decimal(1))
        fmt = row.indicator.format_value
        found.append(
            Movement(row.indicator, travel, fmt(then.value), fmt(row.latest.value), since, size)
        )
    return sorted(found, key=lambda m: (-m.size, m.indicator.display_order))[:top]


def scorecard_card(
    row: ScorecardRow,
    *,
    no_value: str = "No value yet",
    month: date | None = None,
) -> dict[str, Any]:
    """A scorecard row's figures as people read them, for the scorecard and the briefing.

    Volume measures say "No target (volume measure)" and move "Up to 152 from 140", never
    "Improving" (``rag.travel_words``).
    """
    indicator = row.indicator
    fmt = indicator.format_value
    volume = indicator.rag_polarity is rag.Polarity.NONE
    current = fmt(row.latest.value) if row.latest else ""
    previous = fmt(row.previous.value) if row.previous else "none"
    year_before = fmt(row.year_before.value) if row.year_before else "none"
    target = fmt(row.target.value) if row.target and not volume else "No target"
    lags = bool(month and row.latest and row.latest.period_start != month)
    return {
        "row": row,
        "lags": lags,
        "value": current or no_value,
        "target": target,
        "rag_class": RAG_COLOURS[row.rag],
        "previous": previous,
        "year_before": year_before,
        "travel_previous": rag.travel_words(
            row.direction_previous, current=current, previous=previous, since="on the month before"
        ),
        "travel_year": rag.travel_words(
            row.direction_year, current=current, previous=year_before, since="on a year before"
        ),
    }


@dataclass(frozen=True)
class HistoryPoint:
    """One month of an indicator's history, as the chart, the export and the API show it."""

    period_start: date
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    rag: rag.Rag
    status: str
    status_label: str
    commentary: str
    data_quality_note: str
    approved_by: str
    approved_at: object


def indicator_history(indicator: Indicator) -> list[HistoryPoint]:
    """Every value of the indicator, oldest first, with its target and RAG (two queries:
    the values with their approvers, and the targets)."""
    targets = list(indicator.targets.all())
    points = []
    for value in indicator.values.select_related("approved_by").order_by("period_start"):
        target = target_for(targets, value.period_start)
        points.append(
            HistoryPoint(
                period_start=value.period_start,
                value=value.value,
                numerator=value.numerator,
                denominator=value.denominator,
                target=target.value if target else None,
                rag=rag_of(indicator, value.value, target),
                status=value.status,
                status_label=value.get_status_display(),
                commentary=value.commentary,
                data_quality_note=value.data_quality_note,
                approved_by=(
                    value.approved_by.get_full_name() or value.approved_by.get_username()
                    if value.approved_by
                    else ""
                ),
                approved_at=value.approved_at,
            )
        )
    return points


def period_values_for_table(indicator: Indicator):
    """The indicator's values for its table: target annotated, people joined (one query per
    page, plus the count)."""
    return (
        PeriodValue.objects.filter(indicator=indicator)
        .with_target()
        .select_related("indicator", "entered_by", "checked_by", "approved_by")
    )


def api_token_user(raw: str) -> User | None:
    """The active user of an active API token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), is_active=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


REVIEW_FORTNIGHTS = 13
BREAKDOWNS_SHOWN = ("queue", "kind", "category")


def review_figures(*, end: datetime | None = None) -> dict[str, Any] | None:
    """The DMT review's figures: the last ``REVIEW_FORTNIGHTS`` fortnightly snapshots up to
    ``end`` (the latest when None), as plain JSON-able data (what a review pack keeps).

    ``{"instants": [ISO, … oldest first], "metrics": {metric: [value or None, …]},
    "breakdowns": [{metric, breakdown, key, label, value}, …]}`` (the breakdowns are the last
    instant's). None when there is no snapshot. Three queries, whatever the number of
    snapshots: the instants, the "all" figures, the last instant's breakdowns.
    """
    fortnightly = Snapshot.objects.filter(granularity=Granularity.FORTNIGHTLY)
    instants_qs = fortnightly.filter(breakdown=ALL)
    if end is not None:
        instants_qs = instants_qs.filter(instant__lte=end)
    instants = sorted(
        instants_qs.order_by("-instant")
        .values_list("instant", flat=True)
        .distinct()[:REVIEW_FORTNIGHTS]
    )
    if not instants:
        return None
    position = {instant: n for n, instant in enumerate(instants)}
    metrics: dict[str, list[int | None]] = {}
    for metric, instant, value in fortnightly.filter(
        breakdown=ALL, instant__in=instants
    ).values_list("metric", "instant", "value"):
        metrics.setdefault(metric, [None] * len(instants))[position[instant]] = value
    breakdowns = [
        {"metric": m, "breakdown": b, "key": k, "label": label or k, "value": v}
        for m, b, k, label, v in fortnightly.filter(
            instant=instants[-1], breakdown__in=BREAKDOWNS_SHOWN
        )
        .order_by("metric", "breakdown", "key")
        .values_list("metric", "breakdown", "key", "label", "value")
    ]
    return {
        "instants": [instant.isoformat() for instant in instants],
        "metrics": metrics,
        "breakdowns": breakdowns,
    }


def latest_snapshot_figures(*, prefix: str) -> tuple[datetime | None, list[Snapshot]]:
    """The most recent snapshot's rows (any granularity, daily preferred on a tie) of the
    metrics starting with ``prefix``, overall and by kind. Two queries."""
    latest = (
        Snapshot.objects.filter(metric__startswith=prefix, breakdown=ALL)
        .order_by("-instant", "granularity")
        .values_list("instant", "granularity")
        .first()
    )
    if latest is None:
        return None, []
    instant, granularity = latest
    rows = list(
        Snapshot.objects.filter(
            metric__startswith=prefix,
            instant=instant,
            granularity=granularity,
            breakdown__in=(ALL, "kind"),
        ).order_by("metric", "breakdown", "key")
    )
    return instant, rows


# -- the records behind a computed value --------------------------------------------------------


def behind_metric(code: str) -> registry.Metric | None:
    """The registered monthly metric of indicator ``code`` whose records can be listed."""
    metric = registry.find(code)
    if metric is None or metric.kind != registry.Kind.MONTHLY or metric.behind is None:
        return None
    return metric


def records_behind(
    *, code: str, period_start: date, user: User, sort: str = ""
) -> registry.Behind | None:
    """The tickets or cases a computed value of ``period_start``'s month counted, as ``user``
    may see them.

    The same span and window as ``services.compute.indicators_figures`` (``windows.month``
    read by the metric's window), so the list is the numerator's or denominator's records, never an
    approximation of them.
    """
    metric = behind_metric(code)
    if metric is None or metric.behind is None:
        return None
    return metric.behind(**metric.arguments(windows.month(period_start)), user=user, sort=sort)


def revisions_of(indicator: Indicator) -> list[ValueRevision]:
    """Every revision of an indicator's values, newest first, for its page (one query).

    Each carries ``old_value_text``, its old value as the indicator shows values.
    """
    revisions = list(
        ValueRevision.objects.filter(period_value__indicator=indicator)
        .select_related("period_value", "revised_by")
        .order_by("-revised_at", "-pk")
    )
    for revision in revisions:
        # A display attribute on the revision, for the page.
        revision.old_value_text = indicator.format_value(revision.old_value)  # type: ignore[attr-defined]
    return revisions


@dataclass(frozen=True)
class SnapshotVersion:
    """What identifies the figures stored for one fortnight end: any snapshot written for it
    (a take rewrites every row with its own ``taken_at``; new rows take new ids) changes it."""

    first_taken: datetime
    last_taken: datetime
    last_id: int
    rows: int
    total: int


def review_snapshot_versions() -> dict[datetime, SnapshotVersion]:
    """Every fortnight end with a fortnightly snapshot, oldest first, with the version of
    its figures: when they were first taken (the review's picker, and whether they were
    computed after the fact from the history) and what changes when a snapshot of that
    fortnight is written (what the review's cache is keyed on). One query."""
    from django.db.models import Count, Max, Min, Sum

    return {
        instant: SnapshotVersion(first, last, last_id, rows, total)
        for instant, first, last, last_id, rows, total in Snapshot.objects.filter(
            granularity=Granularity.FORTNIGHTLY, breakdown=ALL
        )
        .values("instant")
        .annotate(
            first=Min("taken_at"),
            last=Max("taken_at"),
            last_id=Max("pk"),
            rows=Count("pk"),
            total=Sum("value"),
        )
        .order_by("instant")
        .values_list("instant", "first", "last", "last_id", "rows", "total")
    }


def review_snapshot_instants() -> dict[datetime, datetime]:
    """Every fortnight end with a fortnightly snapshot, and when its figures were taken (the
    earliest ``taken_at``): the review's fortnight picker, and whether a fortnight's figures
    were taken at the time or computed later from the history. One query."""
    from django.db.models import Min

    return dict(
        Snapshot.objects.filter(granularity=Granularity.FORTNIGHTLY, breakdown=ALL)
        .values("instant")
        .annotate(taken=Min("taken_at"))
        .order_by("instant")
        .values_list("instant", "taken")
    )
