"""Computed monthly values (FR ICT 17–19): the registry's monthly metrics, counted and stored."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from hackperf import registry, windows
from hackperf.metrics import Ratio
from indicators.models import Indicator
from indicators.services.values import period_value_upsert_computed

NO_DATA: Final = "no data"  # a percentage with nothing to divide by is not stored as 0%


@dataclass(frozen=True)
class ComputedFigure:
    """One indicator's figures for a month, as computed from a source, and what was stored."""

    code: str
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    extra: dict[str, object] | None = None
    result: str = NO_DATA


def _figure(code: str, counted: object) -> ComputedFigure:
    """A registered monthly metric's count (an int, a Ratio or a ``registry.Figure``) as the
    figure stored and printed."""
    extra: dict[str, object] | None = None
    if isinstance(counted, registry.Figure):
        extra = dict(counted.extra) or None
        counted = counted.value
    if isinstance(counted, Ratio):
        return ComputedFigure(
            code=code,
            value=counted.percent,
            numerator=counted.numerator,
            denominator=counted.denominator,
            extra=extra,
        )
    if isinstance(counted, int):
        return ComputedFigure(code=code, value=Decimal(counted), extra=extra)
    raise TypeError(f"{code}: a monthly count gives an int, a Ratio or a Figure, not {counted!r}")


def indicators_figures(*, period_start: date) -> list[ComputedFigure]:
    """Every monthly metric of the registry (FR ICT 17–19, ICT SAT) for a month (not stored).

    One span, ``windows.month``, which each metric reads by its window: London midnights for
    tickets, the month's first and last days for cases, the last day's end for outstanding
    counts.
    """
    span = windows.month(period_start)
    return [
        _figure(metric.code, metric.count(**metric.arguments(span)))
        for metric in registry.monthly_metrics()
        if metric.count is not None
    ]


def indicators_compute(*, period_start: date, now: datetime | None = None) -> list[ComputedFigure]:
    """Compute FR ICT 17–19 for a month and store each with ``period_value_upsert_computed``.

    Idempotent: a second run with the same source data changes nothing. A percentage with
    no denominator is not stored (``NO_DATA``). Each value is its own transaction, so one
    failure does not undo the others' upserts (the next run retries them).
    """
    indicators = {i.code: i for i in Indicator.objects.filter(is_computed=True)}
    stored = []
    for figure in indicators_figures(period_start=period_start):
        indicator = indicators.get(figure.code)
        if indicator is None or figure.value is None:
            stored.append(figure)
            continue
        denominator = figure.denominator if figure.denominator else None
        _, result = period_value_upsert_computed(
            indicator=indicator,
            period_start=period_start,
            value=figure.value,
            numerator=figure.numerator,
            denominator=denominator,
            now=now,
        )
        stored.append(replace(figure, result=result.value))
    return stored
