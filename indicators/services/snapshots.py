"""Trend snapshots of the registry's snapshot metrics: taken, backfilled, upserted."""

from datetime import date, datetime
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hackperf import registry, windows
from hackperf.metrics import MetricRow
from indicators import periods
from indicators.choices import Granularity
from indicators.models import Snapshot

SNAPSHOT_KEY: Final = ("granularity", "instant", "metric", "breakdown", "key")


SNAPSHOT_SPANS: Final = {Granularity.FORTNIGHTLY: windows.fortnight, Granularity.DAILY: windows.day}


def snapshot_span(*, as_of: datetime, granularity: str) -> windows.Span:
    """The span a snapshot's period metrics count: the fortnight or day ending at ``as_of``
    (in London calendar days, so a span across the clocks changing is 14 local days)."""
    return SNAPSHOT_SPANS[Granularity(granularity)](as_of)


def snapshot_window(*, as_of: datetime, granularity: str) -> tuple[datetime, datetime]:
    """``snapshot_span`` as (start, end) instants."""
    span = snapshot_span(as_of=as_of, granularity=granularity)
    assert span.start is not None
    return span.start, span.end


def snapshot_rows(*, as_of: datetime, granularity: str) -> list[MetricRow]:
    """Every figure of the registry's snapshot metrics as of ``as_of`` (not stored).

    Metrics counted by one grouped query share a count function: each distinct function is
    called once, with its metrics' window arguments and parameters, and the rows of
    registered metrics are kept, in the order the functions return them.
    """
    span = snapshot_span(as_of=as_of, granularity=granularity)
    batches: dict[object, dict[str, object]] = {}
    codes: set[str] = set()
    for metric in registry.snapshot_metrics():
        codes.add(metric.code)
        arguments = batches.setdefault(metric.count, {})
        for name, value in metric.arguments(span).items():
            if arguments.get(name, value) != value:
                raise ValueError(f"{metric.code}: {name} differs within one count function")
            arguments[name] = value
    rows: list[MetricRow] = []
    for count, arguments in batches.items():
        rows.extend(row for row in count(**arguments) if row.metric in codes)  # type: ignore[operator]
    return rows


@transaction.atomic
def snapshot_take(
    *, as_of: datetime, granularity: str = Granularity.FORTNIGHTLY, now: datetime | None = None
) -> list[Snapshot]:
    """Snapshot the DMT metric set as of ``as_of``: one upsert of every row, then the removal
    of rows the figures no longer have. Safe to rerun, redeliver and run twice at once.

    The history is the source of truth, so a past ``as_of`` gives what a snapshot taken at
    that instant would have said (backfill). Returns the stored rows.
    """
    if timezone.is_naive(as_of):
        raise ValidationError("A snapshot instant must be an aware datetime.")
    granularity = Granularity(granularity)
    taken_at = now or timezone.now()
    rows: dict[tuple[str, str, str], MetricRow] = {}
    for row in snapshot_rows(as_of=as_of, granularity=granularity):
        rows[(row.metric, row.breakdown, row.key)] = row  # a source repeating a key: last wins
    snapshots = [
        Snapshot(
            instant=as_of,
            granularity=granularity,
            metric=row.metric,
            breakdown=row.breakdown,
            key=row.key,
            label=row.label,
            value=row.value,
            taken_at=taken_at,
        )
        for row in rows.values()
    ]
    # INSERT … ON CONFLICT (natural key) DO UPDATE: concurrent writers serialise on the
    # conflicting rows instead of failing, and every row ends with one writer's figures.
    Snapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=list(SNAPSHOT_KEY),
        update_fields=["label", "value", "taken_at"],
    )
    Snapshot.objects.filter(instant=as_of, granularity=granularity).exclude(
        pk__in=[snapshot.pk for snapshot in snapshots]
    ).delete()
    return snapshots


def snapshot_instants(*, start: date, end: date, granularity: str) -> list[datetime]:
    """The instants a backfill from ``start`` to ``end`` (London dates, inclusive) takes."""
    if granularity == Granularity.FORTNIGHTLY:
        return periods.fortnight_ends(start, end)
    return periods.day_ends(start, end)


def snapshot_backfill(
    *, start: date, end: date, granularity: str = Granularity.FORTNIGHTLY
) -> list[datetime]:
    """Snapshot every fortnight end (or day end) from ``start`` to ``end``, each in its own
    transaction; returns the instants taken."""
    instants = snapshot_instants(start=start, end=end, granularity=granularity)
    for instant in instants:
        snapshot_take(as_of=instant, granularity=granularity)
    return instants
