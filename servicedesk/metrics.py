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

Breakdowns: ``all`` (key ""), ``queue`` (key the queue's slug, label its name), ``kind``
(``incident``/``request``) and ``category`` (key the category's pk as a string, or ``none``;
label its path, "Accounts / New starter"). ``all``, ``queue`` and ``kind`` rows are complete
(zeros included); a ``category`` row is given only for a category with at least one ticket in
that call's figures, so a tree of hundreds of categories does not fill the snapshots with 0s.
The "kind" and "category" of a ticket are its current ones (neither is part of its history).

Each function runs a fixed number of queries whatever the number of tickets: one grouped
aggregate (by queue, kind and category, so the group count is bounded by the configuration,
not the data), rolled up into the four breakdowns, plus one query each for the queue and
category labels. :func:`tickets_behind` gives the tickets behind any row, built from the very
same querysets, so its ``count()`` is always the row's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from hackperf.metrics import ALL, MetricRow, Ratio
from hackperf.windows import week_before
from servicedesk import access, statuses
from servicedesk.choices import (
    Channel,
    EventKind,
    Kind,
    StatusClass,
)
from servicedesk.models import Category, Queue, Ticket, TicketEvent, TicketInterval
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
    "tickets_behind",
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

UNKNOWN_METRIC = "Unknown service-desk metric {metric!r}"
UNKNOWN_BREAKDOWN = "Unknown breakdown {breakdown!r}: one of all, queue, kind, category"
NEEDS_AS_OF = "{metric} is a figure as of an instant: pass as_of"
NEEDS_PERIOD = "{metric} is a figure over a period: pass start and end"


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
    is N of "multiple reassignments" (the setting's when None)."""
    t = "ticket__"
    n = multiple_reassignments() if reassignments is None else reassignments
    return {
        OPEN_INCIDENTS: Q(ticket__kind=Kind.INCIDENT),
        OPEN_REQUESTS: Q(ticket__kind=Kind.REQUEST),
        OVER_A_WEEK_OLD: Q(ticket__logged_at__lt=week_before(as_of)),
        # The interval carries the reassignments made up to its start, i.e. up to T.
        MULTIPLE_REASSIGNMENTS: Q(reassignment_count__gte=n),
        ESCALATED_OPEN: Q(escalation_level__gt=0),
        NEW_STARTER_OPEN: Q(ticket__kind=Kind.REQUEST) & _category_q(t, "is_new_starter"),
        JOINERS_MOVERS_LEAVERS_OPEN: Q(ticket__kind=Kind.REQUEST) & _category_q(t, *_JML),
        MFD_OPEN: _category_q(t, "is_mfd_print"),
        ON_HOLD: Q(status_class=StatusClass.PAUSED),
    }


# A resolution and a reopen, per DESIGN.md, on an event's recorded statuses: the SQL form of
# servicedesk.statuses.is_resolution / is_reopen (a test checks every pair of statuses).
RESOLUTION_Q = Q(from_status__in=statuses.RESOLUTION_FROM, to_status__in=statuses.RESOLUTION_TO)
REOPEN_Q = Q(from_status__in=statuses.REOPEN_FROM, to_status__in=statuses.REOPEN_TO)


def _period_conditions() -> dict[str, Q]:
    """Each period metric as a condition on an event."""
    logged_ = Q(kind=EventKind.LOGGED)
    request = logged_ & Q(ticket__kind=Kind.REQUEST)
    t = "ticket__"
    return {
        CLOSURES: RESOLUTION_Q,
        REOPENS: REOPEN_Q,
        ESCALATIONS: Q(kind=EventKind.ESCALATED),
        LOGGED_INCIDENTS: logged_ & Q(ticket__kind=Kind.INCIDENT),
        LOGGED_REQUESTS: request,
        NEW_STARTER_LOGGED: request & _category_q(t, "is_new_starter"),
        JOINERS_MOVERS_LEAVERS_LOGGED: request & _category_q(t, *_JML),
        SELF_SERVICE_LOGGED: logged_ & Q(ticket__channel=Channel.PORTAL),
    }


# -- the rows under every figure ---------------------------------------------------------------


def _open_intervals(as_of: datetime) -> QuerySet[TicketInterval]:
    """The intervals covering ``as_of`` in an open or paused status: one per ticket open at T."""
    return TicketInterval.objects.at(as_of).not_done().filter(ticket__logged_at__lte=as_of)


def _period_events(start: datetime, end: datetime) -> QuerySet[TicketEvent]:
    """The events in ``[start, end)`` that some period metric counts, each annotated with
    ``queue_at``: the queue the ticket was in at the event (its latest interval by then)."""
    queue_at = (
        TicketInterval.objects.filter(ticket=OuterRef("ticket_id"), started_at__lte=OuterRef("at"))
        .order_by("-started_at", "-pk")
        .values("queue_id")[:1]
    )
    return (
        TicketEvent.objects.filter(at__gte=start, at__lt=end)
        .filter(RESOLUTION_Q | REOPEN_Q | Q(kind__in=(EventKind.ESCALATED, EventKind.LOGGED)))
        .annotate(queue_at=Subquery(queue_at))
    )


def _breakdown_q(breakdown: str, key: str, *, queue_field: str, ticket: str) -> Q:
    if breakdown == ALL:
        return Q()
    if breakdown == QUEUE:
        return Q(**{f"{queue_field}__in": Queue.objects.filter(slug=key).values("pk")})
    if breakdown == KIND:
        return Q(**{f"{ticket}kind": key})
    if breakdown == CATEGORY:
        if key == NO_CATEGORY:
            return Q(**{f"{ticket}category__isnull": True})
        return Q(**{f"{ticket}category_id": int(key)})
    raise ValueError(UNKNOWN_BREAKDOWN.format(breakdown=breakdown))


# -- rolling one grouped aggregate up into breakdowns --------------------------------------------


def _category_labels() -> dict[int, str]:
    """Every category's path, "Parent / Child" (one query; the tree is configuration)."""
    rows = {
        pk: (name, parent)
        for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")
    }

    def path(pk: int) -> str:
        names, seen = [], set()
        current: int | None = pk
        while current is not None and current in rows and current not in seen:
            seen.add(current)
            name, current = rows[current]
            names.append(name)
        return " / ".join(reversed(names))

    return {pk: path(pk) for pk in rows}


def _rows(
    groups: Iterable[Mapping[str, Any]], metrics: tuple[str, ...], *, queue_field: str
) -> list[MetricRow]:
    """Roll grouped counts (by queue, kind, category) up into every breakdown's rows."""
    queues = list(Queue.objects.order_by("name", "pk").values_list("pk", "slug", "name"))
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(metrics, 0))
    # all, queue and kind rows are complete, zeros included.
    complete = [(ALL, ""), *((QUEUE, slug) for _, slug, _ in queues)]
    complete += [(KIND, kind.value) for kind in Kind]
    for pair in complete:
        totals[pair] = dict.fromkeys(metrics, 0)
    slugs = {pk: slug for pk, slug, _ in queues}
    category_keys: set[str] = set()
    for group in groups:
        category = group["ticket__category_id"]
        category_key = NO_CATEGORY if category is None else str(category)
        keys = [
            (ALL, ""),
            (QUEUE, slugs.get(group[queue_field], "")),
            (KIND, group["ticket__kind"]),
            (CATEGORY, category_key),
        ]
        if any(group[metric] for metric in metrics):
            category_keys.add(category_key)
        for pair in keys:
            row = totals[pair]
            for metric in metrics:
                row[metric] += group[metric]
    labels: dict[tuple[str, str], str] = {(ALL, ""): "All tickets"}
    labels.update({(QUEUE, slug): name for _, slug, name in queues})
    labels.update({(KIND, kind.value): kind.label for kind in Kind})
    categories = _category_labels()
    labels[(CATEGORY, NO_CATEGORY)] = "No category"
    labels.update({(CATEGORY, str(pk)): path for pk, path in categories.items()})
    order = {breakdown: i for i, breakdown in enumerate(BREAKDOWNS)}
    result = []
    for metric in metrics:
        for (breakdown, key), values in sorted(
            totals.items(), key=lambda item: (order[item[0][0]], labels.get(item[0], ""), item[0])
        ):
            if breakdown == CATEGORY and key not in category_keys:
                continue
            result.append(
                MetricRow(
                    metric=metric,
                    breakdown=breakdown,
                    key=key,
                    value=values[metric],
                    label=labels.get((breakdown, key), key),
                )
            )
    return result


# -- the public figures ------------------------------------------------------------------------


def snapshot_metrics(*, as_of: datetime, reassignments: int | None = None) -> list[MetricRow]:
    """The DMT's as-of figures at ``as_of``, by every breakdown (three queries).

    Open incidents and requests, over a week old, with multiple reassignments, escalated, new
    starters, joiners/movers/leavers, MFD print and copy, on hold: each "open at T" in
    DESIGN.md's sense, read from the intervals and so from the events at or before T only.
    """
    conditions = _snapshot_conditions(as_of, reassignments)
    groups = (
        _open_intervals(as_of)
        .values("queue_id", "ticket__kind", "ticket__category_id")
        .annotate(**{metric: Count("pk", filter=q) for metric, q in conditions.items()})
        .order_by()
    )
    return _rows(groups, SNAPSHOT_METRICS, queue_field="queue_id")


def period_metrics(*, start: datetime, end: datetime) -> list[MetricRow]:
    """The DMT's period figures for events in ``[start, end)``, by every breakdown (three
    queries): closures, reopens, escalations, incidents and requests logged, new starters and
    joiners/movers/leavers logged, and tickets logged through the self-service portal."""
    conditions = _period_conditions()
    groups = (
        # queue_at is _period_events' annotation, which mypy's Django plugin cannot see.
        _period_events(start, end)  # type: ignore[misc]
        .values("queue_at", "ticket__kind", "ticket__category_id")
        .annotate(**{metric: Count("pk", filter=q) for metric, q in conditions.items()})
        .order_by()
    )
    return _rows(groups, PERIOD_METRICS, queue_field="queue_at")


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


def tickets_behind(
    *,
    metric: str,
    as_of: datetime | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    breakdown: str = ALL,
    key: str = "",
) -> QuerySet[Ticket]:
    """The tickets behind one :class:`MetricRow`: its ``count()`` is the row's value.

    For an as-of metric (pass ``as_of``) each ticket appears once. For a period metric (pass
    ``start`` and ``end``) there is one row per event counted, each annotated with
    ``event_at`` and ordered by it, so a ticket resolved twice in the period appears twice, as
    it counts twice.
    """
    if metric in SNAPSHOT_METRICS:
        if as_of is None:
            raise ValueError(NEEDS_AS_OF.format(metric=metric))
        intervals = (
            _open_intervals(as_of)
            .filter(_snapshot_conditions(as_of)[metric])
            .filter(_breakdown_q(breakdown, key, queue_field="queue_id", ticket="ticket__"))
        )
        return Ticket.objects.filter(pk__in=intervals.values("ticket_id"))
    if metric in PERIOD_METRICS:
        if start is None or end is None:
            raise ValueError(NEEDS_PERIOD.format(metric=metric))
        events = (
            _period_events(start, end)
            .filter(_period_conditions()[metric])
            .filter(_breakdown_q(breakdown, key, queue_field="queue_at", ticket="ticket__"))
        )
        # Ordered by the event, then the ticket, so pages of a drill-down never skip or
        # repeat a row although a ticket may appear twice.
        return (
            Ticket.objects.filter(events__in=events.values("pk"))
            .annotate(event_at=F("events__at"))
            .order_by("event_at", "pk")
        )
    raise ValueError(UNKNOWN_METRIC.format(metric=metric))


def visible_to(user, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets of ``tickets`` whose page ``user`` may open (``access.visible_tickets``),
    so a drill-down lists only those and can say how many others it counted."""
    return access.visible_tickets(user, tickets)


def satisfaction(*, start: datetime, end: datetime) -> Ratio:
    """ICT SAT: of the survey answers received in ``[start, end)``, how many rated the
    handling of their ticket 4 or 5 of 5 (one query). Answers, not invitations, are dated, so
    a month's figure is fixed once the month is over."""
    totals = SurveyResponse.objects.filter(responded_at__gte=start, responded_at__lt=end).aggregate(
        denominator=Count("pk"),
        numerator=Count("pk", filter=Q(rating__gte=SATISFIED_FROM)),
    )
    return Ratio(numerator=totals["numerator"], denominator=totals["denominator"])
