"""Trend snapshots of the registry's snapshot metrics: taken, backfilled, stored."""

from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Final, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from psycopg import postgres
from psycopg.types.datetime import TimestamptzLoader

from hackperf import registry, windows
from hackperf.copy import copy_rows
from hackperf.metrics import MetricRow
from hackperf.planning import serial_plans
from indicators import periods
from indicators.choices import Granularity
from indicators.models import Snapshot

SNAPSHOT_KEY: Final = ("granularity", "instant", "metric", "breakdown", "key")


class StoredFigure(NamedTuple):
    """A figure as ``snapshot_take`` stored it: a ``Snapshot`` row's columns, by the same
    names. Not the model itself: making 726 model instances cost 4.5 ms, a sixth of a
    million-ticket snapshot's anchor, for callers that read a few attributes."""

    pk: int
    instant: datetime
    granularity: str
    metric: str
    breakdown: str
    key: str
    label: str
    value: int
    taken_at: datetime


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


def _snapshot_batches(span: windows.Span) -> dict[object, tuple[dict[str, object], object]]:
    """The distinct count functions of the registry's snapshot metrics, each with its
    metrics' window arguments and parameters for ``span`` and its ``count_many``, if any."""
    batches: dict[object, tuple[dict[str, object], object]] = {}
    for metric in registry.snapshot_metrics():
        arguments, _ = batches.setdefault(metric.count, ({}, metric.count_many))
        for name, value in metric.arguments(span).items():
            if arguments.get(name, value) != value:
                raise ValueError(f"{metric.code}: {name} differs within one count function")
            arguments[name] = value
    return batches


def snapshot_rows(*, as_of: datetime, granularity: str) -> list[MetricRow]:
    """Every figure of the registry's snapshot metrics as of ``as_of`` (not stored).

    Metrics counted by one grouped query share a count function: each distinct function is
    called once, with its metrics' window arguments and parameters, and the rows of
    registered metrics are kept, in the order the functions return them. Their queries are
    planned without parallel workers (``serial_plans`` says why).
    """
    span = snapshot_span(as_of=as_of, granularity=granularity)
    codes = {metric.code for metric in registry.snapshot_metrics()}
    rows: list[MetricRow] = []
    with serial_plans():
        for count, (arguments, _) in _snapshot_batches(span).items():
            rows.extend(row for row in count(**arguments) if row.metric in codes)  # type: ignore[operator]
    return rows


def snapshot_rows_many(
    *, instants: list[datetime], granularity: str
) -> dict[datetime, list[MetricRow]]:
    """``snapshot_rows`` for each of ``instants``: a count function with a ``count_many`` is
    called once for all of them (a fixed number of queries however many), the others once
    per instant. The rows of each instant are those ``snapshot_rows`` gives, in its order."""
    codes = {metric.code for metric in registry.snapshot_metrics()}
    batches = [
        _snapshot_batches(snapshot_span(as_of=instant, granularity=granularity))
        for instant in instants
    ]
    rows: dict[datetime, list[MetricRow]] = {instant: [] for instant in instants}
    if not batches:
        return rows
    for count, (_, many) in batches[0].items():
        arguments = [batch[count][0] for batch in batches]
        if many is not None:
            results = many(arguments)  # type: ignore[operator]
        else:
            results = [count(**a) for a in arguments]  # type: ignore[operator]
        for instant, result in zip(instants, results, strict=True):
            rows[instant].extend(row for row in result if row.metric in codes)
    return rows


@transaction.atomic
def snapshot_take(
    *, as_of: datetime, granularity: str = Granularity.FORTNIGHTLY, now: datetime | None = None
) -> list[StoredFigure]:
    """Snapshot the DMT metric set as of ``as_of``, writing only the figures that differ from
    those stored (``_snapshots_store``). Safe to rerun, redeliver and run twice at once.

    The history is the source of truth, so a past ``as_of`` gives what a snapshot taken at
    that instant would have said (backfill). Returns the stored rows.
    """
    if timezone.is_naive(as_of):
        raise ValidationError("A snapshot instant must be an aware datetime.")
    granularity = Granularity(granularity)
    return _snapshot_store(
        as_of=as_of,
        granularity=granularity,
        rows=snapshot_rows(as_of=as_of, granularity=granularity),
        taken_at=now or timezone.now(),
    )


def _snapshot_store(
    *, as_of: datetime, granularity: str, rows: list[MetricRow], taken_at: datetime
) -> list[StoredFigure]:
    """Store one instant's rows (``snapshot_take``'s writes)."""
    return _snapshots_store(granularity=granularity, rows={as_of: rows}, taken_at=taken_at)


_ROW_FIELDS: Final = tuple(f.name for f in fields(MetricRow))
"""A snapshot stores its row whole: each of the row's fields is a column of the same name."""

Key = tuple[datetime, str, str, str]
"""A stored figure's natural key besides its granularity: (instant, metric, breakdown, key)."""


class _Stored(NamedTuple):
    """A stored figure, as a new take compares its own with it."""

    pk: int
    label: str
    value: int
    taken_at: datetime


def _snapshots_store(
    *, granularity: str, rows: dict[datetime, list[MetricRow]], taken_at: datetime
) -> list[StoredFigure]:
    """Store the rows of one or more instants, each instant's figures written together and
    only when they differ from those stored: an instant whose figures are all as stored is
    left alone; one where any figure is new, changed (value or label) or gone has its figures
    written again, all with ``taken_at``, and the gone ones removed. So every row of an
    instant keeps one ``taken_at``, when its figures were last found changed; the review's
    cache key (``selectors.review_snapshot_versions``) moves whenever any of them changes, a
    breakdown's included; a snapshot taken again, or a task redelivered, writes nothing when
    nothing changed; and a fortnight taken on time stays so (``was_backfilled``). Returns the
    stored rows.

    On PostgreSQL the writers of an instant take turns (a transaction-level advisory lock per
    instant, taken before the stored rows are read), so two workers snapshotting at once end
    with one writer's figures and never a duplicate; elsewhere a new row that meets another
    writer's updates it.
    """
    # Keyed by the instants in UTC, as they are read back: an aware datetime that a clock
    # shows twice (fold, PEP 495) is never equal to the same instant in another zone. The
    # returned rows carry each instant as given.
    given = {instant.astimezone(UTC): instant for instant in rows}
    keyed: dict[Key, MetricRow] = {}
    for instant, instant_rows in rows.items():
        for row in instant_rows:  # a source repeating a key: last wins
            keyed[(instant.astimezone(UTC), row.metric, row.breakdown, row.key)] = row
    instants = list(given)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [granularity, instants])
    stored = _stored(granularity=granularity, instants=instants)
    new = {key: row for key, row in keyed.items() if key not in stored}
    gone = {key: figure.pk for key, figure in stored.items() if key not in keyed}
    changed = {
        key[0]
        for key, row in keyed.items()
        if key in stored and (stored[key].label, stored[key].value) != (row.label, row.value)
    }
    dirty = changed | {key[0] for key in new} | {key[0] for key in gone}
    again = {key: row for key, row in keyed.items() if key in stored and key[0] in dirty}
    if gone:
        Snapshot.objects.filter(pk__in=list(gone.values())).delete()
    if again:
        _update({stored[key].pk: row for key, row in again.items()}, taken_at)
    pks = {key: figure.pk for key, figure in stored.items()}
    if new:
        pks.update(_insert(granularity, new, taken_at, postgresql=postgresql))
    return [
        StoredFigure(
            pks[key],
            given[key[0]],
            granularity,
            row.metric,
            row.breakdown,
            row.key,
            row.label,
            row.value,
            taken_at if key[0] in dirty else stored[key].taken_at,
        )
        for key, row in keyed.items()
    ]


_LOCK_CLASS: Final = 0x534E  # "SN": the first key of pg_advisory_xact_lock(int, int)
# One lock per instant, keyed by granularity and instant (a collision only makes two
# instants' writers take turns), taken in key order so that two backfills never deadlock.
_LOCK_SQL = f"""
    SELECT pg_advisory_xact_lock({_LOCK_CLASS}, k) FROM (
        SELECT DISTINCT hashtext(%s || ' ' || extract(epoch FROM i)::text) AS k
        FROM unnest(%s::timestamptz[]) AS i
    ) AS keys ORDER BY k
"""
_STORED_SQL = """
    SELECT instant, metric, breakdown, key, id, label, value, taken_at
    FROM {table} WHERE granularity = %s AND instant = ANY(%s::timestamptz[])
"""


def _stored(*, granularity: str, instants: list[datetime]) -> dict[Key, _Stored]:
    """The stored figures of ``instants``, by key. On PostgreSQL the query's two datetime
    columns are read by psycopg's own C loader: Django's (a Python subclass of psycopg's
    Python loader) costs 5 µs a value, a third of the time to read 658 rows."""
    rows: Iterable[tuple[datetime, str, str, str, int, str, int, datetime]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
            table = Snapshot._meta.db_table
            cursor.execute(_STORED_SQL.format(table=table), [granularity, instants])
            rows = cursor.fetchall()
    else:
        rows = Snapshot.objects.filter(granularity=granularity, instant__in=instants).values_list(
            "instant", "metric", "breakdown", "key", "pk", "label", "value", "taken_at"
        )
    return {
        (instant, metric, breakdown, key): _Stored(pk, label, value, taken)
        for instant, metric, breakdown, key, pk, label, value, taken in rows
    }


_UPDATE_SQL = """
    UPDATE {table} AS s SET label = u.label, value = u.value, taken_at = %s
    FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS u(id, label, value)
    WHERE s.id = u.id
"""


def _update(rows: dict[int, MetricRow], taken_at: datetime) -> None:
    """Write the stored figures ``rows`` (by pk) again, taken at ``taken_at``: one
    statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _UPDATE_SQL.format(table=Snapshot._meta.db_table),
                [
                    taken_at,
                    list(rows),
                    [r.label for r in rows.values()],
                    [r.value for r in rows.values()],
                ],
            )
            return
    Snapshot.objects.bulk_update(
        [
            Snapshot(pk=pk, label=r.label, value=r.value, taken_at=taken_at)
            for pk, r in rows.items()
        ],
        ["label", "value", "taken_at"],
    )


_INSERTED_SQL = """
    SELECT instant, metric, breakdown, key, id
    FROM {table} WHERE granularity = %s AND instant = ANY(%s::timestamptz[]) AND taken_at = %s
"""


def _insert(
    granularity: str, rows: dict[Key, MetricRow], taken_at: datetime, *, postgresql: bool
) -> dict[Key, int]:
    """Insert the figures ``rows`` taken at ``taken_at``; return their pks by key. On
    PostgreSQL they are COPYed in, in COPY's binary format (a backfill's tens of thousands of
    rows cost Django's per-value preparation and a statement of megabytes of literals as a
    bulk_create), and the pks read back: no other writer of these instants can be between (the
    lock), so the instants' rows taken at ``taken_at`` are these and the updated ones."""
    if not postgresql:
        snapshots = [
            Snapshot(
                instant=instant,
                granularity=granularity,
                taken_at=taken_at,
                **{name: getattr(row, name) for name in _ROW_FIELDS},
            )
            for (instant, *_), row in rows.items()
        ]
        Snapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=list(SNAPSHOT_KEY),
            update_fields=list(_SNAPSHOT_UPDATED),
        )
        return {key: snapshot.pk for key, snapshot in zip(rows, snapshots, strict=True)}
    table = Snapshot._meta.db_table
    with connection.cursor() as cursor:
        copy_rows(
            cursor,
            table,
            _SNAPSHOT_COLUMNS,
            (
                (granularity, i, r.metric, r.breakdown, r.key, r.label, r.value, taken_at)
                for (i, *_), r in rows.items()
            ),
            types=_COPY_TYPES,
        )
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        instants = list({instant for instant, *_ in rows})
        cursor.execute(_INSERTED_SQL.format(table=table), [granularity, instants, taken_at])
        inserted = {(instant, *key): pk for instant, *key, pk in cursor.fetchall()}
    return {key: inserted[key] for key in rows}


_SNAPSHOT_UPDATED: Final = ("label", "value", "taken_at")
_SNAPSHOT_COLUMNS: Final = (*SNAPSHOT_KEY, *_SNAPSHOT_UPDATED)


_COPY_TYPES: Final = tuple(
    postgres.types[name].oid
    for name in ("varchar", "timestamptz", "varchar", "varchar", "varchar", "varchar", "int8")
    + ("timestamptz",)
)
"""The types of ``_SNAPSHOT_COLUMNS`` for a binary COPY (built-in types: their oids are the
same in every database; a test compares them with the table's)."""


if ["id", *StoredFigure._fields[1:]] != [f.attname for f in Snapshot._meta.concrete_fields]:
    raise ImportError("StoredFigure no longer names Snapshot's columns in their order")


BACKFILL_BATCH: Final = 100
"""Instants computed and stored together by a backfill (a few fortnightly years, a quarter of
days), so that the rows held in memory and written at once stay bounded."""


BACKFILL_WORK_MEM: Final = "64MB"
"""PostgreSQL's memory per sort or hash for a backfill's batch queries (for its transaction
only): with the default 4MB the planner, expecting a group per event and instant, sorts the
two years of events on disk to group them where a hash of their few thousand groups fits."""


def snapshot_instants(*, start: date, end: date, granularity: str) -> list[datetime]:
    """The instants a backfill from ``start`` to ``end`` (London dates, inclusive) takes."""
    if granularity == Granularity.FORTNIGHTLY:
        return periods.fortnight_ends(start, end)
    return periods.day_ends(start, end)


def snapshot_backfill(
    *, start: date, end: date, granularity: str = Granularity.FORTNIGHTLY
) -> list[datetime]:
    """Snapshot every fortnight end (or day end) from ``start`` to ``end``: the figures of
    up to ``BACKFILL_BATCH`` instants computed together (``snapshot_rows_many``) and stored
    together, in one transaction (``_snapshots_store``). Returns the instants taken."""
    granularity = Granularity(granularity)
    instants = snapshot_instants(start=start, end=end, granularity=granularity)
    taken_at = timezone.now()
    for first in range(0, len(instants), BACKFILL_BATCH):
        batch = instants[first : first + BACKFILL_BATCH]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL work_mem = '{BACKFILL_WORK_MEM}'")
            rows = snapshot_rows_many(instants=batch, granularity=granularity)
            _snapshots_store(granularity=granularity, rows=rows, taken_at=taken_at)
    return instants
