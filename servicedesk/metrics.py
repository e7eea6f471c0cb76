"""servicedesk's figures for indicators: the one module ``indicators`` imports from this app.

Every figure is computed from the history, never from a ticket's current state, so a figure
for a past instant or period says exactly what it would have said then (DESIGN.md "History
is the source of truth"); definitions are DESIGN.md's metric dictionary:

- *as of T* figures (:func:`snapshot_metrics`) count the :class:`TicketInterval` rows that
  cover T (``started_at <= T < ended_at``) in an open or paused status. A ticket's intervals
  tile its life, so each ticket open at T has exactly one such row, which carries the queue
  it was in at T and its reassignment count and escalation level up to T;
- *period* figures (:func:`period_metrics`) count :class:`TicketEvent` rows in
  ``[start, end)``, classified by their ``from_status``/``to_status`` exactly as
  ``servicedesk.history`` does (a resolution is open or paused → resolved or closed, so
  resolved → closed is not one; a reopen is resolved or closed → open or paused), from the
  sets in ``servicedesk.statuses``, the one statement of those rules. Their
  "queue" is the queue the ticket was in at the event: its latest interval started by then.
  On PostgreSQL the London days lying wholly in the period are read from their tallies
  (:class:`EventDayTally`: per day and group, how many events each figure counts, kept by
  triggers in the statement that writes the events, migration 0018), so a fortnight sums its
  14 days' rows; the part days at a period's edges are counted from the events.

Breakdowns: ``all`` (key ""), ``queue`` (key the queue's slug, label its name), ``kind``
(``incident``/``request``) and ``category`` (key the category's pk as a string, or ``none``;
label its path, "Accounts / New starter"). ``all``, ``queue`` and ``kind`` rows are complete
(zeros included); a ``category`` row is given only for a category with at least one ticket in
that call's figures, so a tree of hundreds of categories does not fill the snapshots with 0s.
The "kind" and "category" of a ticket are those it had at T or at the event, from its history
(a reclassification event changes them; ``servicedesk.as_of`` stores them on the intervals and
events), like its queue (issue 14).

Each function runs a fixed number of queries whatever the number of tickets: one grouped
aggregate (by queue, kind and category, so the group count is bounded by the configuration,
not the data) over one table, read from a partial index that holds every column it needs,
rolled up into the four breakdowns, plus one query each for the queues and the category tree.
:func:`snapshot_metrics_many` and :func:`period_metrics_many` give many instants' or
periods' figures in the same number of queries (a backfill). The records behind any row are
``servicedesk.declarations``' (``as_of_behind``, ``event_behind``), built from the very same
conditions, so the rows they count are always the row's value.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When

from hackperf.metrics import ALL, MetricRow, Ratio
from hackperf.windows import local_date, local_midnight, week_before
from servicedesk import tallies
from servicedesk.choices import (
    Channel,
    EventKind,
    Kind,
    StatusClass,
)
from servicedesk.models import (
    COUNTED_EVENT,
    REOPEN_Q,
    RESOLUTION_Q,
    Category,
    EventDayTally,
    Queue,
    Ticket,
    TicketEvent,
    TicketInterval,
)
from servicedesk.surveys.models import SATISFIED_FROM, SurveyResponse

__all__ = [
    "BREAKDOWNS",
    "FR_ICT_17_THRESHOLD_SECONDS",
    "NO_CATEGORY",
    "PERIOD_METRICS",
    "SNAPSHOT_METRICS",
    "fr_ict_17",
    "logged",
    "multiple_reassignments",
    "period_incidents_resolved",
    "period_metrics",
    "satisfaction",
    "snapshot_metrics",
    "snapshot_metrics_many",
    "period_metrics_many",
]

FR_ICT_17_THRESHOLD_SECONDS = 8 * 3600
NO_CATEGORY = "none"
QUEUE, KIND, CATEGORY = "queue", "kind", "category"
BREAKDOWNS: tuple[str, ...] = (ALL, QUEUE, KIND, CATEGORY)

# -- the metrics -------------------------------------------------------------------------------

OPEN_INCIDENTS = "servicedesk.open_incidents"
OPEN_REQUESTS = "servicedesk.open_requests"
OVER_A_WEEK_OLD = "servicedesk.over_a_week_old"
MULTIPLE_REASSIGNMENTS = "servicedesk.multiple_reassignments"
ESCALATED_OPEN = "servicedesk.escalated_open"
NEW_STARTER_OPEN = "servicedesk.new_starter_open"
JOINERS_MOVERS_LEAVERS_OPEN = "servicedesk.joiners_movers_leavers_open"
MFD_OPEN = "servicedesk.mfd_open"
ON_HOLD = "servicedesk.on_hold"
SNAPSHOT_METRICS: tuple[str, ...] = (
    OPEN_INCIDENTS,
    OPEN_REQUESTS,
    OVER_A_WEEK_OLD,
    MULTIPLE_REASSIGNMENTS,
    ESCALATED_OPEN,
    NEW_STARTER_OPEN,
    JOINERS_MOVERS_LEAVERS_OPEN,
    MFD_OPEN,
    ON_HOLD,
)

CLOSURES = "servicedesk.closures"
REOPENS = "servicedesk.reopens"
ESCALATIONS = "servicedesk.escalations"
LOGGED_INCIDENTS = "servicedesk.logged_incidents"
LOGGED_REQUESTS = "servicedesk.logged_requests"
NEW_STARTER_LOGGED = "servicedesk.new_starter_logged"
JOINERS_MOVERS_LEAVERS_LOGGED = "servicedesk.joiners_movers_leavers_logged"
SELF_SERVICE_LOGGED = "servicedesk.self_service_logged"
PERIOD_METRICS: tuple[str, ...] = (
    CLOSURES,
    REOPENS,
    ESCALATIONS,
    LOGGED_INCIDENTS,
    LOGGED_REQUESTS,
    NEW_STARTER_LOGGED,
    JOINERS_MOVERS_LEAVERS_LOGGED,
    SELF_SERVICE_LOGGED,
)

UNKNOWN_BREAKDOWN = "Unknown breakdown {breakdown!r}: one of all, queue, kind, category"


def multiple_reassignments() -> int:
    """N in "multiple reassignments" (DESIGN.md: configurable, default 2)."""
    return int(getattr(settings, "SERVICEDESK_MULTIPLE_REASSIGNMENTS", 2))


def _category_q(prefix: str, *flags: str) -> Q:
    """In a category with one of ``flags``, or under a parent with one (a two-level tree)."""
    q = Q()
    for flag in flags:
        q |= Q(**{f"{prefix}category__{flag}": True})
        q |= Q(**{f"{prefix}category__parent__{flag}": True})
    return q


_JML = ("is_new_starter", "is_mover", "is_leaver")


def _snapshot_conditions(as_of: datetime, reassignments: int | None = None) -> dict[str, Q]:
    """Each snapshot metric as a condition on an interval covering ``as_of``; ``reassignments``
    is N of "multiple reassignments" (the setting's when None). The interval carries the
    ticket's kind and category of its time and when it was logged (``servicedesk.as_of``)."""
    n = multiple_reassignments() if reassignments is None else reassignments
    return {
        OPEN_INCIDENTS: Q(kind=Kind.INCIDENT),
        OPEN_REQUESTS: Q(kind=Kind.REQUEST),
        OVER_A_WEEK_OLD: Q(logged_at__lt=week_before(as_of)),
        # The interval carries the reassignments made up to its start, i.e. up to T.
        MULTIPLE_REASSIGNMENTS: Q(reassignment_count__gte=n),
        ESCALATED_OPEN: Q(escalation_level__gt=0),
        NEW_STARTER_OPEN: Q(kind=Kind.REQUEST) & _category_q("", "is_new_starter"),
        JOINERS_MOVERS_LEAVERS_OPEN: Q(kind=Kind.REQUEST) & _category_q("", *_JML),
        MFD_OPEN: _category_q("", "is_mfd_print"),
        ON_HOLD: Q(status_class=StatusClass.PAUSED),
    }


def _period_conditions() -> dict[str, Q]:
    """Each period metric as a condition on an event, which carries the ticket's kind,
    category and channel as of the event (``servicedesk.as_of``)."""
    logged_ = Q(kind=EventKind.LOGGED)
    request = logged_ & Q(ticket_kind=Kind.REQUEST)
    t = "ticket_"
    return {
        CLOSURES: RESOLUTION_Q,
        REOPENS: REOPEN_Q,
        ESCALATIONS: Q(kind=EventKind.ESCALATED),
        LOGGED_INCIDENTS: logged_ & Q(ticket_kind=Kind.INCIDENT),
        LOGGED_REQUESTS: request,
        NEW_STARTER_LOGGED: request & _category_q(t, "is_new_starter"),
        JOINERS_MOVERS_LEAVERS_LOGGED: request & _category_q(t, *_JML),
        SELF_SERVICE_LOGGED: logged_ & Q(ticket_channel=Channel.PORTAL),
    }


# -- the rows under every figure ---------------------------------------------------------------


def _open_intervals(as_of: datetime) -> QuerySet[TicketInterval]:
    """The intervals covering ``as_of`` in an open or paused status: one per ticket open at T
    (a ticket's first interval starts when it is logged, so each was logged by T)."""
    return TicketInterval.objects.at(as_of).not_done()


def _period_events(start: datetime, end: datetime) -> QuerySet[TicketEvent]:
    """The events in ``[start, end)`` that some period metric counts; each carries the queue
    the ticket was in at the event (``ticket_queue``: its latest interval by then)."""
    return TicketEvent.objects.filter(at__gte=start, at__lt=end).filter(COUNTED_EVENT)


def _breakdown_q(breakdown: str, key: str, *, prefix: str) -> Q:
    """Rows of one breakdown's key, on intervals (``prefix`` "") or events ("ticket_")."""
    if breakdown == ALL:
        return Q()
    if breakdown == QUEUE:
        return Q(**{f"{prefix}queue__in": Queue.objects.filter(slug=key).values("pk")})
    if breakdown == KIND:
        return Q(**{f"{prefix}kind": key})
    if breakdown == CATEGORY:
        if key == NO_CATEGORY:
            return Q(**{f"{prefix}category__isnull": True})
        return Q(**{f"{prefix}category_id": int(key)})
    raise ValueError(UNKNOWN_BREAKDOWN.format(breakdown=breakdown))


# -- rolling grouped counts up into breakdowns ---------------------------------------------------


@dataclass(frozen=True)
class _Categories:
    """The category tree (configuration, one query): each category's path and flags, its
    own or its parent's (a two-level tree), as ``_category_q`` reads them."""

    labels: dict[int, str]
    flags: dict[int, frozenset[str]]

    @classmethod
    def load(cls) -> _Categories:
        names = ("is_new_starter", "is_mover", "is_leaver", "is_mfd_print")
        rows = {
            pk: (name, parent, frozenset(n for n, on in zip(names, on_flags, strict=True) if on))
            for pk, name, parent, *on_flags in Category.objects.values_list(
                "pk", "name", "parent_id", *names
            )
        }

        def path(pk: int) -> str:
            parts, seen = [], set()
            current: int | None = pk
            while current is not None and current in rows and current not in seen:
                seen.add(current)
                name, current, _ = rows[current]
                parts.append(name)
            return " / ".join(reversed(parts))

        def flags(pk: int) -> frozenset[str]:
            _, parent, own = rows[pk]
            return own | (rows[parent][2] if parent in rows else frozenset())

        return cls(labels={pk: path(pk) for pk in rows}, flags={pk: flags(pk) for pk in rows})

    def has(self, category: int | None, *flags: str) -> bool:
        return category is not None and not self.flags.get(category, frozenset()).isdisjoint(flags)


def _snapshot_values(group: dict, categories: _Categories) -> dict[str, int]:
    """The snapshot metrics of one (queue, kind, category) group of open intervals: the SQL
    counts of ``_snapshot_groups`` and, from its kind and category, the rest; the same
    conditions as ``_snapshot_conditions`` (a test compares every figure with its rows)."""
    open_, kind, category = group["open"], group["kind"], group["category_id"]
    request = kind == Kind.REQUEST
    return {
        OPEN_INCIDENTS: open_ if kind == Kind.INCIDENT else 0,
        OPEN_REQUESTS: open_ if request else 0,
        OVER_A_WEEK_OLD: group["over_a_week_old"],
        MULTIPLE_REASSIGNMENTS: group["reassigned"],
        ESCALATED_OPEN: group["escalated"],
        NEW_STARTER_OPEN: open_ if request and categories.has(category, "is_new_starter") else 0,
        JOINERS_MOVERS_LEAVERS_OPEN: open_ if request and categories.has(category, *_JML) else 0,
        MFD_OPEN: open_ if categories.has(category, "is_mfd_print") else 0,
        ON_HOLD: group["on_hold"],
    }


def _period_values(group: dict, categories: _Categories) -> dict[str, int]:
    """The period metrics of one (queue, kind, category) group of events, as
    ``_period_conditions`` states them."""
    logged_, kind, category = group["logged"], group["ticket_kind"], group["ticket_category_id"]
    request = kind == Kind.REQUEST
    new_starter = request and categories.has(category, "is_new_starter")
    jml = request and categories.has(category, *_JML)
    return {
        CLOSURES: group["closures"],
        REOPENS: group["reopens"],
        ESCALATIONS: group["escalations"],
        LOGGED_INCIDENTS: logged_ if kind == Kind.INCIDENT else 0,
        LOGGED_REQUESTS: logged_ if request else 0,
        NEW_STARTER_LOGGED: logged_ if new_starter else 0,
        JOINERS_MOVERS_LEAVERS_LOGGED: logged_ if jml else 0,
        SELF_SERVICE_LOGGED: group["self_service"],
    }


def _rows(
    groups: Iterable[tuple[int | None, str, int | None, dict[str, int]]],
    metrics: tuple[str, ...],
    categories: _Categories,
    queues: list[tuple[int, str, str]],
) -> list[MetricRow]:
    """Roll grouped counts ((queue, kind, category, values)) up into every breakdown's rows.

    Each group's counts go to its four rows (all, its queue, kind and category) as one tuple
    in ``metrics``' order, and each row sums its tuples column by column at the end: the
    roll-up of a million-ticket snapshot's 440 groups costs about a millisecond."""
    counted = itemgetter(*metrics)
    collected: dict[tuple[str, str], list[tuple[int, ...]]] = defaultdict(list)
    slugs: dict[int | None, str] = {pk: slug for pk, slug, _ in queues}
    category_keys: set[str] = set()
    for queue, kind, category, values in groups:
        category_key = NO_CATEGORY if category is None else str(category)
        counts = counted(values) if len(metrics) > 1 else (values[metrics[0]],)
        if any(counts):
            category_keys.add(category_key)
        collected[(ALL, "")].append(counts)
        collected[(QUEUE, slugs.get(queue, ""))].append(counts)
        collected[(KIND, kind)].append(counts)
        collected[(CATEGORY, category_key)].append(counts)
    # all, queue and kind rows are complete, zeros included.
    zeros = [0] * len(metrics)
    totals: dict[tuple[str, str], list[int]] = {(ALL, ""): zeros}
    totals.update({(QUEUE, slug): zeros for _, slug, _ in queues})
    totals.update({(KIND, kind.value): zeros for kind in Kind})
    totals.update(
        {
            pair: [sum(column) for column in zip(*rows, strict=True)]
            for pair, rows in collected.items()
        }
    )
    labels: dict[tuple[str, str], str] = {(ALL, ""): "All tickets"}
    labels.update({(QUEUE, slug): name for _, slug, name in queues})
    labels.update({(KIND, kind.value): kind.label for kind in Kind})
    labels[(CATEGORY, NO_CATEGORY)] = "No category"
    labels.update({(CATEGORY, str(pk)): path for pk, path in categories.labels.items()})
    order = {breakdown: i for i, breakdown in enumerate(BREAKDOWNS)}
    ordered = sorted(
        totals.items(), key=lambda item: (order[item[0][0]], labels.get(item[0], ""), item[0])
    )
    shown = [
        (breakdown, key, values, labels.get((breakdown, key), key))
        for (breakdown, key), values in ordered
        if breakdown != CATEGORY or key in category_keys
    ]
    return [
        MetricRow(metric=metric, breakdown=breakdown, key=key, value=values[i], label=label)
        for i, metric in enumerate(metrics)
        for breakdown, key, values, label in shown
    ]


def _queues() -> list[tuple[int, str, str]]:
    return list(Queue.objects.order_by("name", "pk").values_list("pk", "slug", "name"))


# -- the grouped queries -------------------------------------------------------------------------

_SNAPSHOT_GROUP = ("queue_id", "kind", "category_id")
_PERIOD_GROUP = ("ticket_queue_id", "ticket_kind", "ticket_category_id")


# Counted by a column of the partial index (never null), not the key, which the index lacks:
# so the scans read the index alone.
def _snapshot_counts(as_of: datetime, n: int) -> dict[str, Count]:
    c = "started_at"
    return {
        "open": Count(c),
        "over_a_week_old": Count(c, filter=Q(logged_at__lt=week_before(as_of))),
        "reassigned": Count(c, filter=Q(reassignment_count__gte=n)),
        "escalated": Count(c, filter=Q(escalation_level__gt=0)),
        "on_hold": Count(c, filter=Q(status_class=StatusClass.PAUSED)),
    }


PERIOD_COUNTED: dict[str, Q] = {
    "closures": RESOLUTION_Q,
    "reopens": REOPEN_Q,
    "escalations": Q(kind=EventKind.ESCALATED),
    "logged": Q(kind=EventKind.LOGGED),
    "self_service": Q(kind=EventKind.LOGGED, ticket_channel=Channel.PORTAL),
}
"""What each grouped count of the period figures counts among the counted events: the
conditions every period query reads (and migration 0018's tallies restate in SQL, which a
test compares with them)."""


def _period_counts() -> dict[str, Count]:
    return {name: Count("at", filter=q) for name, q in PERIOD_COUNTED.items()}


def _snapshot_groups(as_of: datetime, n: int) -> list[dict]:
    """The open intervals covering ``as_of``, grouped by queue, kind and category: those that
    end after T, then those that have not ended, each one range of the partial index
    ``sd_interval_live_by_end`` read alone (as one condition, "ended after T or not yet",
    PostgreSQL would read them through the table). A group may come twice: ``_rows`` adds up."""
    covering = TicketInterval.objects.not_done().filter(started_at__lte=as_of)
    counts = _snapshot_counts(as_of, n)
    ended, not_ended = (
        part.values(*_SNAPSHOT_GROUP).annotate(**counts).order_by()
        for part in (covering.filter(ended_at__gt=as_of), covering.filter(ended_at__isnull=True))
    )
    return list(ended.union(not_ended, all=True))  # one query


# -- the public figures ------------------------------------------------------------------------


def snapshot_metrics(*, as_of: datetime, reassignments: int | None = None) -> list[MetricRow]:
    """The DMT's as-of figures at ``as_of``, by every breakdown (three queries).

    Open incidents and requests, over a week old, with multiple reassignments, escalated, new
    starters, joiners/movers/leavers, MFD print and copy, on hold: each "open at T" in
    DESIGN.md's sense, read from the intervals and so from the events at or before T only.
    Grouped range scans of the open intervals' index, by queue, kind and category as of T.
    """
    n = multiple_reassignments() if reassignments is None else reassignments
    groups = _snapshot_groups(as_of, n)
    categories = _Categories.load()
    return _rows(
        (
            (g["queue_id"], g["kind"], g["category_id"], _snapshot_values(g, categories))
            for g in groups
        ),
        SNAPSHOT_METRICS,
        categories,
        _queues(),
    )


def period_metrics(*, start: datetime, end: datetime) -> list[MetricRow]:
    """The DMT's period figures for events in ``[start, end)``, by every breakdown (three
    queries): closures, reopens, escalations, incidents and requests logged, new starters and
    joiners/movers/leavers logged, and tickets logged through the self-service portal, by
    queue, kind and category as of each event. On PostgreSQL the London days lying wholly in
    the period are summed from their tallies (``EventDayTally``, kept exact by triggers) and
    only the part days at its edges are counted from the events; elsewhere every event is."""
    categories = _Categories.load()
    return _rows(
        (
            (
                g["ticket_queue_id"],
                g["ticket_kind"],
                g["ticket_category_id"],
                _period_values(g, categories),
            )
            for g in _period_groups(start, end)
        ),
        PERIOD_METRICS,
        categories,
        _queues(),
    )


def _whole_days(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The first and last London midnights between which ``[start, end)`` holds whole London
    days (a fortnight's ends are midnights, so all of it), or None if it holds none."""
    first = local_midnight(local_date(start))
    if first < start:
        first = local_midnight(local_date(start) + timedelta(days=1))
    last = local_midnight(local_date(end))
    return (first, last) if first < last else None


def _period_groups(start: datetime, end: datetime) -> list[dict]:
    """The counted events of ``[start, end)`` grouped by queue, kind and category (one query):
    the whole days' tallies and the part days' events. A group may come more than once:
    ``_rows`` adds up."""
    counts = _period_counts()

    def counted(start: datetime, end: datetime) -> QuerySet:
        return _period_events(start, end).values(*_PERIOD_GROUP).annotate(**counts).order_by()

    days = _whole_days(start, end) if tallies.available() else None
    if days is None:
        return list(counted(start, end))
    first, last = days
    # Named apart from the columns they sum (Django refuses an annotation named as a field).
    tallied = (
        EventDayTally.objects.filter(day__gte=local_date(first), day__lt=local_date(last))
        .values(*_PERIOD_GROUP)
        .annotate(**{f"{name}_sum": Sum(name) for name in counts})
        .order_by()
    )
    # Each part day its own range of the events' index, and only if there is one: a range
    # the planner cannot see is empty made it plan workers for 80,000 rows (8 ms to start).
    edges = [counted(a, b) for a, b in ((start, first), (last, end)) if a < b]
    groups = list(tallied.union(*edges, all=True))  # named by the first query's columns
    for group in groups:
        for name in counts:
            group[name] = group.pop(f"{name}_sum")
    return groups


# -- many instants or periods at once (a backfill) -----------------------------------------------
# One query for all the instants (or periods) instead of one each: the rows in range are read
# once, and each is matched to the instants it covers (or the period it falls in) by a binary
# search of the sorted instants (PostgreSQL's width_bucket), never by a join of every row with
# every instant. The inner query is the ORM's, so its condition is the partial index's.

_COVERED_SQL = """
    SELECT k, queue_id, kind, category_id, count(*),
        count(*) FILTER (WHERE logged_at < (%s::timestamptz[])[k]),
        count(*) FILTER (WHERE reassignment_count >= %s),
        count(*) FILTER (WHERE escalation_level > 0),
        count(*) FILTER (WHERE status_class = 'paused')
    FROM (
        SELECT x.*, generate_series(
            width_bucket(x.started_at - interval '1 microsecond', %s::timestamptz[]) + 1,
            CASE WHEN x.ended_at IS NULL THEN %s
                ELSE width_bucket(x.ended_at - interval '1 microsecond', %s::timestamptz[]) END
        ) AS k
        FROM ({inner}) x
    ) covered
    GROUP BY k, queue_id, kind, category_id
"""

_BUCKETED_SQL = """
    SELECT k, ticket_queue_id, ticket_kind, ticket_category_id, {sums}
    FROM (SELECT x.*, width_bucket(x.at, %s::timestamptz[]) AS k FROM ({inner}) x) bucketed
    WHERE k > 0 AND at < (%s::timestamptz[])[k]
    GROUP BY k, ticket_queue_id, ticket_kind, ticket_category_id
"""


def _batched() -> bool:
    return connection.vendor == "postgresql"


def snapshot_metrics_many(
    *, instants: Sequence[datetime], reassignments: int | None = None
) -> list[list[MetricRow]]:
    """``snapshot_metrics`` at each of ``instants``, in their order, in four queries (on
    PostgreSQL; elsewhere one call each)."""
    if not instants:
        return []
    if not _batched():
        return [snapshot_metrics(as_of=t, reassignments=reassignments) for t in instants]
    n = multiple_reassignments() if reassignments is None else reassignments
    ordered = sorted(set(instants))
    covering = TicketInterval.objects.not_done().filter(started_at__lte=ordered[-1])
    weeks = [week_before(t) for t in ordered]
    groups: dict[int, list] = defaultdict(list)
    # As in _snapshot_groups: the intervals ended after the first instant, then those not
    # ended, each an index-only range of sd_interval_live_by_end; a (queue, kind, category)
    # may so come twice for an instant, and _rows adds them up.
    for part in (covering.filter(ended_at__gt=ordered[0]), covering.filter(ended_at__isnull=True)):
        inner = part.values(
            "started_at",
            "ended_at",
            "status_class",
            "queue_id",
            "kind",
            "category_id",
            "logged_at",
            "reassignment_count",
            "escalation_level",
        ).order_by()  # the model's ordering would sort millions of rows for nothing
        inner_sql, inner_params = inner.query.sql_with_params()
        params = [weeks, n, ordered, len(ordered), ordered, *inner_params]
        with connection.cursor() as cursor:
            cursor.execute(_COVERED_SQL.format(inner=inner_sql), params)
            rows = cursor.fetchall()
        for k, queue, kind, category, open_, week, reassigned, escalated, on_hold in rows:
            groups[k].append(
                {
                    "queue_id": queue,
                    "kind": kind,
                    "category_id": category,
                    "open": open_,
                    "over_a_week_old": week,
                    "reassigned": reassigned,
                    "escalated": escalated,
                    "on_hold": on_hold,
                }
            )
    categories, queues = _Categories.load(), _queues()
    by_instant = {
        t: _rows(
            (
                (g["queue_id"], g["kind"], g["category_id"], _snapshot_values(g, categories))
                for g in groups.get(k, [])
            ),
            SNAPSHOT_METRICS,
            categories,
            queues,
        )
        for k, t in enumerate(ordered, start=1)
    }
    return [by_instant[t] for t in instants]


def period_metrics_many(*, spans: Sequence[tuple[datetime, datetime]]) -> list[list[MetricRow]]:
    """``period_metrics`` for each ``(start, end)`` of ``spans``, in their order, in three
    queries (on PostgreSQL, for spans that do not overlap; otherwise one call each)."""
    if not spans:
        return []
    ordered = sorted(set(spans))
    disjoint = all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))
    if not _batched() or not disjoint:
        return [period_metrics(start=start, end=end) for start, end in spans]
    flags = PERIOD_COUNTED
    inner = (
        _period_events(ordered[0][0], ordered[-1][1])
        .annotate(
            **{
                f"is_{name}": Case(When(q, then=Value(1)), default=Value(0))
                for name, q in flags.items()
            }
        )
        .values("at", *_PERIOD_GROUP, *(f"is_{name}" for name in flags))
        .order_by()  # the model's ordering would sort millions of rows for nothing
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    sums = ", ".join(f"sum(is_{name})" for name in flags)
    params = [[start for start, _ in ordered], *inner_params, [end for _, end in ordered]]
    groups: dict[int, list] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_BUCKETED_SQL.format(inner=inner_sql, sums=sums), params)
        for k, queue, kind, category, *counts in cursor:
            group = dict(zip(flags, counts, strict=True))
            group.update(ticket_queue_id=queue, ticket_kind=kind, ticket_category_id=category)
            groups[k].append(group)
    categories, queues = _Categories.load(), _queues()
    by_span = {
        span: _rows(
            (
                (
                    g["ticket_queue_id"],
                    g["ticket_kind"],
                    g["ticket_category_id"],
                    _period_values(g, categories),
                )
                for g in groups.get(k, [])
            ),
            PERIOD_METRICS,
            categories,
            queues,
        )
        for k, span in enumerate(ordered, start=1)
    }
    return [by_span[span] for span in spans]


def period_incidents_resolved(*, start: datetime, end: datetime) -> QuerySet[Ticket]:
    """FR ICT 17's incidents: done, with their last resolution event in ``[start, end)``.

    An incident reopened and not yet resolved again is not counted: its last resolution is
    still to come, and it is counted in the period it falls in.
    """
    return Ticket.objects.filter(
        kind=Kind.INCIDENT,
        status_class=StatusClass.DONE,
        last_resolved_at__gte=start,
        last_resolved_at__lt=end,
    )


def fr_ict_17(
    *, start: datetime, end: datetime, threshold_seconds: int = FR_ICT_17_THRESHOLD_SECONDS
) -> Ratio:
    """FR ICT 17: of incidents whose last resolution event falls in ``[start, end)``, how many
    were resolved within ``threshold_seconds`` of business time (one query).

    Business resolution time is the ticket's stored ``business_resolution_seconds``, which the
    services, the importer and the demo data derive from the history with every event
    (``servicedesk.history.derived_fields``: business seconds on the queue's calendar from
    logged to the last resolution, less business seconds paused). A done ticket's history
    no longer changes, so the stored value is the one as of its last resolution.
    """
    totals = period_incidents_resolved(start=start, end=end).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(business_resolution_seconds__lte=threshold_seconds)),
    )
    return Ratio(numerator=totals["numerator"], denominator=totals["denominator"])


def logged(*, kind: str, start: datetime, end: datetime) -> int:
    """Tickets of ``kind`` logged in ``[start, end)``: FR ICT 17a (incidents) and 17b
    (requests). The same count as ``servicedesk.logged_incidents``/``_requests`` (one query)."""
    return Ticket.objects.filter(kind=Kind(kind), logged_at__gte=start, logged_at__lt=end).count()


def satisfaction(*, start: datetime, end: datetime) -> Ratio:
    """ICT SAT: of the survey answers received in ``[start, end)``, how many rated the
    handling of their ticket 4 or 5 of 5 (one query). Answers, not invitations, are dated, so
    a month's figure is fixed once the month is over."""
    totals = SurveyResponse.objects.filter(responded_at__gte=start, responded_at__lt=end).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(rating__gte=SATISFIED_FROM)),
    )
    return Ratio(numerator=totals["numerator"], denominator=totals["denominator"])
