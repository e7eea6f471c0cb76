"""servicedesk's metrics, declared once each into ``hackperf.registry`` (ADR 0003).

Registered from ``ServicedeskConfig.ready``. The counting is ``servicedesk.metrics``' (one
grouped query for all the as-of figures, one for all the period figures, so those share a
count function); this module says what each figure is called and means, its window and
parameters, and gives the records behind it as the drill-downs show them: each row with the
facts that made it count, as of the figure's instant or at its event, never the ticket's
state now alone.

Who may open a ticket is ``servicedesk.access.visible_tickets`` (the ticket page's own
rule); the records' permission is ``Perm.VIEW_QUEUES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from hackperf import rag_rules, registry
from hackperf.metrics import ALL, Ratio
from hackperf.registry import (
    Behind,
    Column,
    Kind,
    Metric,
    Parameter,
    Polarity,
    Record,
    Window,
    apply_sort,
)
from hackperf.roles import Perm
from servicedesk import access, metrics
from servicedesk.choices import EventKind, Status
from servicedesk.models import Ticket, TicketEvent, TicketInterval

SOURCE = "servicedesk"
BREAKDOWNS = metrics.BREAKDOWNS
HIDDEN = "and {n} more in queues you cannot open"
VIEW = Perm.VIEW_QUEUES.value
HEAD_OF_SERVICE = "Head of ICT Service Delivery"

# What the records behind every figure here share, and what the metrics of each kind do.
_tickets = partial(Behind, noun="ticket", plural="tickets", hidden_text=HIDDEN)
_snapshot = partial(Metric, source=SOURCE, breakdowns=BREAKDOWNS, permission=VIEW)
_monthly = partial(
    Metric,
    kind=Kind.MONTHLY,
    window=Window.EVENTS,
    source=SOURCE,
    permission=VIEW,
    owner=HEAD_OF_SERVICE,
)

REASSIGNMENTS = Parameter(
    name="reassignments",
    default=2,
    setting="SERVICEDESK_MULTIPLE_REASSIGNMENTS",
    label="N: the reassignments that make a ticket's reassignments multiple",
)
THRESHOLD = Parameter(
    name="threshold_seconds",
    default=metrics.FR_ICT_17_THRESHOLD_SECONDS,
    setting="FR_ICT_17_THRESHOLD_SECONDS",
    label="The business resolution time within which an incident counts as met (seconds)",
)


def _when(instant: datetime | None) -> str:
    return "" if instant is None else timezone.localtime(instant).strftime("%-d %b %Y %H:%M")


def _duration(seconds: float) -> str:
    """ "2 d 4 h", "5 h 20 min", "12 min": how long, to the precision people read."""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def _url(reference: str) -> str:
    return reverse("servicedesk:ticket_detail", kwargs={"reference": reference})


def _by_ticket(cells: Callable[[Any], tuple[str, ...]]) -> Callable[[Iterable[Any]], list[Record]]:
    """A ``Behind.shape`` for rows of a ticket's (its intervals, its events): each row's
    ticket reference, linked to the ticket, then ``cells(row)``."""

    def shape(rows: Iterable[Any]) -> list[Record]:
        return [
            Record(reference=row.ticket.reference, url=_url(row.ticket.reference), cells=cells(row))
            for row in rows
        ]

    return shape


def _visible(user, queryset: QuerySet, *, ticket: str = "ticket") -> QuerySet:
    """``queryset`` narrowed to the rows whose ticket ``user`` may open."""
    every = Ticket.objects.all()
    allowed = access.visible_tickets(user, every)
    if allowed is every:  # the DMT and agents see every queue: no filter to add
        return queryset
    return queryset.filter(**{f"{ticket}__in": allowed.values("pk")})


def _rows_behind(
    counted: QuerySet,
    load: Callable[[QuerySet], QuerySet],
    cells: Callable[[Any], tuple[str, ...]],
    *,
    user,
    sort: str,
    columns: tuple[Column, ...],
    order: Mapping[str, tuple[str, ...]],
    default: tuple[str, ...],
) -> Behind:
    """The records behind a figure that counts rows of tickets (intervals, events): of the
    ``counted`` rows, those whose ticket ``user`` may open, loaded by ``load`` and sorted by
    ``sort`` (``order``'s keys; ``default`` when none), each a record of ``cells(row)``."""
    visible, applied = apply_sort(load(_visible(user, counted)), sort, order, default)
    return _tickets(
        columns=columns, counted=counted, visible=visible, shape=_by_ticket(cells), sort=applied
    )


# -- as of an instant: the interval each open ticket was in at T -----------------------------------

AS_OF_COLUMNS = (
    Column("reference", "Reference"),
    Column("kind", "Kind"),
    Column("summary", "Summary"),
    Column("queue", "Queue then"),
    Column("status", "Status then"),
    Column("logged", "Logged"),
    Column("age", "Open for"),
    Column("reassignments", "Reassigned", numeric=True),
)
AS_OF_ORDER = {
    "reference": ("ticket__reference",),
    "kind": ("kind",),
    "summary": ("ticket__summary",),
    "queue": ("queue__name",),
    "status": ("status",),
    "logged": ("ticket__logged_at",),
    "age": ("-ticket__logged_at",),  # the oldest has been open longest
    "reassignments": ("reassignment_count",),
}


def as_of_behind(
    *,
    metric: str,
    as_of: datetime,
    user,
    breakdown: str = ALL,
    key: str = "",
    sort: str = "",
    reassignments: int | None = None,
) -> Behind:
    """The tickets open at ``as_of`` that ``metric`` counted: the interval each was in at T
    (one per ticket), so the queue, status and reassignments are those of T."""
    intervals = (
        metrics._open_intervals(as_of)
        .filter(metrics._snapshot_conditions(as_of, reassignments)[metric])
        .filter(metrics._breakdown_q(breakdown, key, prefix=""))
    )

    def cells(row: TicketInterval) -> tuple[str, ...]:
        return (
            row.get_kind_display(),  # as of T, as counted
            row.ticket.summary,
            row.queue.name,
            row.get_status_display(),
            _when(row.ticket.logged_at),
            _duration((as_of - row.ticket.logged_at).total_seconds()),
            str(row.reassignment_count),
        )

    return _rows_behind(
        intervals,
        lambda rows: rows.select_related("ticket", "queue"),
        cells,
        user=user,
        sort=sort,
        columns=AS_OF_COLUMNS,
        order=AS_OF_ORDER,
        default=("ticket__logged_at",),
    )


# -- over a period: one row per event counted ----------------------------------------------------

EVENT_COLUMNS = (
    Column("reference", "Reference"),
    Column("kind", "Kind"),
    Column("summary", "Summary"),
    Column("event", "What happened"),
    Column("at", "When"),
    Column("queue", "Queue then"),
    Column("logged", "Logged"),
)
EVENT_ORDER = {
    "reference": ("ticket__reference",),
    "kind": ("ticket_kind",),
    "summary": ("ticket__summary",),
    "event": ("kind", "to_status"),
    "at": ("at",),
    "queue": ("queue_at_name",),
    "logged": ("ticket__logged_at",),
}


def _event_words(event: TicketEvent) -> str:
    """What the event was, in the words of the metric that counted it."""
    if event.kind == EventKind.LOGGED:
        return "Logged"
    if event.kind == EventKind.ESCALATED:
        return f"Escalated to level {event.level}" if event.level else "Escalated"
    before = Status(event.from_status).label if event.from_status else "?"
    after = Status(event.to_status).label if event.to_status else "?"
    return f"{before} → {after}"


def event_behind(
    *,
    metric: str,
    start: datetime,
    end: datetime,
    user,
    breakdown: str = ALL,
    key: str = "",
    sort: str = "",
) -> Behind:
    """The events in ``[start, end)`` that ``metric`` counted, each with its ticket and the
    queue the ticket was in then: a ticket resolved twice in the period is listed twice, as
    it counts twice."""
    events = (
        metrics._period_events(start, end)
        .filter(metrics._period_conditions()[metric])
        .filter(metrics._breakdown_q(breakdown, key, prefix="ticket_"))
    )

    def cells(row: TicketEvent) -> tuple[str, ...]:
        return (
            row.get_ticket_kind_display(),  # at the event, as counted
            row.ticket.summary,
            _event_words(row),
            _when(row.at),
            row.queue_at_name or "",  # type: ignore[attr-defined]  # annotated above
            _when(row.ticket.logged_at),
        )

    return _rows_behind(
        events,
        lambda rows: rows.select_related("ticket").annotate(queue_at_name=F("ticket_queue__name")),
        cells,
        user=user,
        sort=sort,
        columns=EVENT_COLUMNS,
        order=EVENT_ORDER,
        default=("at",),
    )


# -- FR ICT 17: incidents by their last resolution, against the threshold -------------------------


def _resolution_columns(limit: str) -> tuple[Column, ...]:
    return (
        Column("reference", "Reference"),
        Column("summary", "Summary"),
        Column("priority", "Priority"),
        Column("logged", "Logged"),
        Column("resolved", "Last resolved"),
        Column("business", "Business time"),
        Column("met", f"Within {limit}"),
    )


RESOLUTION_ORDER = {
    "reference": ("reference",),
    "summary": ("summary",),
    "priority": ("priority",),
    "logged": ("logged_at",),
    "resolved": ("last_resolved_at",),
    "business": ("business_resolution_seconds",),
    "met": ("business_resolution_seconds",),
}


def resolution_behind(
    *,
    start: datetime,
    end: datetime,
    user,
    breakdown: str = ALL,
    key: str = "",
    sort: str = "",
    threshold_seconds: int = metrics.FR_ICT_17_THRESHOLD_SECONDS,
) -> Behind:
    """FR ICT 17's incidents (last resolution event in ``[start, end)``), each with its
    business resolution time and whether it met ``threshold_seconds``."""
    tickets = metrics.period_incidents_resolved(start=start, end=end)
    visible, applied = apply_sort(
        _visible(user, tickets, ticket="pk"), sort, RESOLUTION_ORDER, ("last_resolved_at",)
    )
    limit = _duration(threshold_seconds)

    def shape(rows: Iterable[Ticket]) -> list[Record]:
        records = []
        for ticket in rows:
            seconds = ticket.business_resolution_seconds
            met = seconds is not None and seconds <= threshold_seconds
            records.append(
                Record(
                    reference=ticket.reference,
                    url=_url(ticket.reference),
                    cells=(
                        ticket.summary,
                        ticket.get_priority_display(),
                        _when(ticket.logged_at),
                        _when(ticket.last_resolved_at),
                        "" if seconds is None else _duration(seconds),
                        "Met" if met else "Missed",
                    ),
                )
            )
        return records

    return _tickets(
        noun="incident",
        plural="incidents",
        columns=_resolution_columns(limit),
        counted=tickets,
        visible=visible,
        shape=shape,
        sort=applied,
    )


# -- the declarations ----------------------------------------------------------------------------


def _logged_figure(*, kind: str, start: datetime, end: datetime) -> int:
    return metrics.logged(kind=kind, start=start, end=end)


def _satisfaction(*, start: datetime, end: datetime) -> Ratio:
    return metrics.satisfaction(start=start, end=end)


def _snapshot_many(arguments: list[dict]) -> list[list]:
    """``metrics.snapshot_metrics`` for many instants (the registry's ``count_many``)."""
    reassignments = {a.get("reassignments") for a in arguments}
    if len(reassignments) > 1:
        return [metrics.snapshot_metrics(**a) for a in arguments]
    return metrics.snapshot_metrics_many(
        instants=[a["as_of"] for a in arguments], reassignments=reassignments.pop()
    )


def _period_many(arguments: list[dict]) -> list[list]:
    """``metrics.period_metrics`` for many periods (the registry's ``count_many``)."""
    return metrics.period_metrics_many(spans=[(a["start"], a["end"]) for a in arguments])


def _logged_monthly(code: str, label: str, definition: str, *, kind: str, metric: str) -> Metric:
    """FR ICT 17a or 17b: the tickets of ``kind`` logged in the month, a volume measure;
    behind it, the logged events of the snapshot metric ``metric``."""
    return _monthly(
        code=code,
        label=label,
        definition=definition,
        count=partial(_logged_figure, kind=kind),
        behind=partial(event_behind, metric=metric),
        rag_rule=rag_rules.VOLUME,
    )


def _grouped(
    code: str,
    label: str,
    definition: str,
    review: tuple[str, ...],
    *,
    behind: Callable[..., Behind],
    **kw: Any,
) -> Metric:
    """A DMT figure that one grouped query counts with its siblings (``kw`` names the query);
    behind it, the records ``behind`` gives for the metric ``code``."""
    return _snapshot(
        code=code,
        label=label,
        definition=definition,
        behind=partial(behind, metric=code),
        review=review,
        **kw,
    )


# A figure as of T, counted by the grouped query of the intervals open at T.
_as_of = partial(
    _grouped,
    kind=Kind.INSTANT,
    window=Window.AS_OF,
    count=metrics.snapshot_metrics,
    count_many=_snapshot_many,
    polarity=Polarity.LOWER,
    parameters=(REASSIGNMENTS,),
    behind=as_of_behind,
)
# A count of events in the period, by the grouped query of the period's events.
_period = partial(
    _grouped,
    kind=Kind.PERIOD,
    window=Window.EVENTS,
    count=metrics.period_metrics,
    count_many=_period_many,
    polarity=Polarity.NONE,
    behind=event_behind,
)


SELF_SERVICE_SHARE = Metric(
    code="servicedesk.self_service_share",
    label="Self-service share of new tickets",
    definition=(
        "Of the incidents and service requests logged in the period, the percentage logged "
        "through the self-service portal."
    ),
    kind=Kind.PERIOD,
    window=Window.EVENTS,
    source=SOURCE,
    unit="percent",
    polarity=Polarity.HIGHER,
    share_of=(metrics.SELF_SERVICE_LOGGED, (metrics.LOGGED_INCIDENTS, metrics.LOGGED_REQUESTS)),
    review=("self-service",),
    headline="Priority: self-service share of new tickets",
)

OPEN = "open at T: logged at or before T and in an open or paused status at T"

# In the order the DMT review lists them (each group's figures in this order).
DMT_METRICS = (
    _as_of(
        metrics.OPEN_INCIDENTS,
        "Open incidents",
        f"Incidents {OPEN}.",
        ("open-work",),
        headline="Open incidents",
    ),
    _as_of(
        metrics.OPEN_REQUESTS,
        "Open service requests",
        f"Service requests {OPEN}.",
        ("open-work",),
        headline="Open service requests",
    ),
    _as_of(
        metrics.OVER_A_WEEK_OLD,
        "Open over a week",
        f"Tickets {OPEN}, and logged before T − 7 days (7 × 24 hours of real time).",
        ("open-work",),
        headline="Open over a week",
    ),
    _as_of(
        metrics.ON_HOLD,
        "On hold",
        "Tickets logged at or before T and on hold (awaiting customer or supplier) at T.",
        ("open-work",),
    ),
    _period(
        metrics.LOGGED_INCIDENTS,
        "Incidents logged",
        "Incidents logged in the period.",
        ("flow",),
    ),
    _period(
        metrics.LOGGED_REQUESTS,
        "Requests logged",
        "Service requests logged in the period.",
        ("flow",),
    ),
    _period(
        metrics.CLOSURES,
        "Closures",
        "Resolution events in the period: a change from an open or paused status to resolved "
        "or closed (resolved → closed is not one). A ticket resolved, reopened and resolved "
        "again counts twice.",
        ("flow",),
        polarity=Polarity.HIGHER,
        headline="Closures per week",
        headline_per_week=True,
    ),
    _period(
        metrics.REOPENS,
        "Reopened",
        "Reopen events in the period: a change from resolved or closed to an open or paused "
        "status.",
        ("flow",),
        polarity=Polarity.LOWER,
        headline="Reopened in the fortnight",
    ),
    _as_of(
        metrics.MULTIPLE_REASSIGNMENTS,
        "Reassigned two or more times",
        f"Tickets {OPEN}, with at least N reassignments (changes of queue after the first "
        "assignment) up to T; N is configurable, default 2.",
        ("stuck",),
        headline="Reassigned two or more times, open",
    ),
    _period(
        metrics.ESCALATIONS,
        "Escalations",
        "Escalation events in the period.",
        ("escalations",),
        polarity=Polarity.LOWER,
        headline="Escalations in the fortnight",
    ),
    _as_of(
        metrics.ESCALATED_OPEN,
        "Escalated, still open",
        f"Tickets {OPEN}, escalated at or before T.",
        ("stuck", "escalations"),
    ),
    _period(
        metrics.NEW_STARTER_LOGGED,
        "New-starter requests logged",
        "Service requests in a new-starter category logged in the period.",
        ("new-starters",),
        headline="New-starter requests logged",
    ),
    _as_of(
        metrics.NEW_STARTER_OPEN,
        "New-starter requests open",
        f"Service requests in a new-starter category {OPEN}.",
        ("new-starters",),
        headline="New-starter requests open",
    ),
    _period(
        metrics.JOINERS_MOVERS_LEAVERS_LOGGED,
        "Joiners, movers, leavers logged",
        "Service requests in a new-starter, mover or leaver category logged in the period.",
        ("joiners-movers-leavers",),
    ),
    _as_of(
        metrics.JOINERS_MOVERS_LEAVERS_OPEN,
        "Joiners, movers, leavers open",
        f"Service requests in a new-starter, mover or leaver category {OPEN}.",
        ("joiners-movers-leavers",),
        headline="Priority: joiners, movers, leavers, open",
    ),
    _as_of(
        metrics.MFD_OPEN,
        "MFD print and copy tickets open",
        f"Tickets in the MFD print and copy category {OPEN}.",
        ("mfd",),
        headline="Priority: MFD print and copy, open",
    ),
    SELF_SERVICE_SHARE,
    _period(
        metrics.SELF_SERVICE_LOGGED,
        "Logged through self-service",
        "Tickets logged through the self-service portal in the period.",
        ("self-service",),
    ),
)

MONTHLY_METRICS = (
    _monthly(
        code="FR ICT 17",
        label="Incidents resolved within 8 working hours",
        definition=(
            "Of incidents whose last resolution event falls in the month, the percentage with "
            "a business resolution time of 8 hours or less. Business resolution time is the "
            "business seconds on the ticket's calendar from logged to its last resolution "
            "event, less business seconds paused (on hold). A resolution event is a change "
            "from an open or paused status to resolved or closed."
        ),
        count=metrics.fr_ict_17,
        unit="percent",
        polarity=Polarity.HIGHER,
        parameters=(THRESHOLD,),
        behind=resolution_behind,
        rag_rule=rag_rules.at_least_target("5 percentage points"),
    ),
    _logged_monthly(
        "FR ICT 17a",
        "Incidents logged",
        "The number of incidents logged on the service desk in the month.",
        kind="incident",
        metric=metrics.LOGGED_INCIDENTS,
    ),
    _logged_monthly(
        "FR ICT 17b",
        "Service requests logged",
        "The number of service requests logged on the service desk in the month.",
        kind="request",
        metric=metrics.LOGGED_REQUESTS,
    ),
    Metric(
        code="ICT SAT",
        label="User satisfaction with ICT",
        definition=(
            "Of the staff who answered the monthly satisfaction survey (sent to 10% of the "
            "people whose tickets closed the month before), the percentage satisfied or very "
            "satisfied with the service they received."
        ),
        kind=Kind.MONTHLY,
        window=Window.EVENTS,
        source="surveys",
        count=_satisfaction,
        unit="percent",
        polarity=Polarity.HIGHER,
        owner="Director of ICT",
        rag_rule=rag_rules.at_least_target("5% of the target"),
    ),
)


def _benchmark(name: str):
    """A function of ``servicedesk.benchmarks``, imported only when called (``make bench``)."""

    def call(*args, **kwargs):
        from servicedesk import benchmarks

        return getattr(benchmarks, name)(*args, **kwargs)

    return call


BENCH_PROVIDERS = {
    # indicators' snapshot benchmarks: the anchor, the data's size, the data itself.
    "servicedesk.bench.snapshot_floor": "snapshot_floor",
    "servicedesk.bench.tickets_count": "tickets_count",
    "servicedesk.bench.demo_tickets": "demo_tickets",
}


def register() -> None:
    """Called once, from ``ServicedeskConfig.ready``."""
    registry.register(*DMT_METRICS, *MONTHLY_METRICS)
    for provider, name in BENCH_PROVIDERS.items():
        registry.register_provider(provider, _benchmark(name))
