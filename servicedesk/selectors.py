"""Reads that feed the queue overview, the queue page and the ticket page.

Every function runs a fixed number of queries whatever the number of tickets: counts are
conditional aggregates in one query, SLA clocks are computed in Python (``servicedesk.sla``)
from one query over the page's pause intervals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.query import EmptyQuerySet

from servicedesk import sla, tallies
from servicedesk.access import visible_queues
from servicedesk.choices import Show, Status, StatusClass
from servicedesk.models import (
    PAUSED,
    PAUSED_BREACHED,
    PAUSED_NOT_BREACHED,
    PAUSED_NOT_REACHED,
    PAUSED_REACHED,
    Queue,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketInterval,
    TicketNote,
)
from servicedesk.querysets import NOT_DONE, show_q

COUNTS: tuple[Show, ...] = tuple(Show)
"""The counts of a queue, in the order the pages show them."""


def multiple_reassignments() -> int:
    """N in "multiple reassignments" (DESIGN.md: configurable, default 2)."""
    return int(getattr(settings, "SERVICEDESK_MULTIPLE_REASSIGNMENTS", 2))


def refresh_seconds() -> int:
    """How often the queue page's table refreshes itself."""
    return int(getattr(settings, "SERVICEDESK_REFRESH_SECONDS", 60))


def _count_annotations(*, now: datetime, n: int, prefix: str) -> dict[str, Count]:
    """Every count, over rows that are already tickets not done (the callers filter or join
    on ``NOT_DONE``): "open" is then every row, and no count tests the status class again."""
    # Of the ticket's queue, never NULL (but where a LEFT JOIN found no ticket): the key is
    # not in the covering index sd_ticket_live_by_queue, which can then answer alone.
    field = prefix + "queue"
    annotations = {}
    for show in COUNTS:
        condition = show_q(show, now=now, n=n, prefix=prefix, within_not_done=True)
        annotations[f"{show.value}_count"] = (
            Count(field, filter=condition) if condition else Count(field)
        )
    return annotations


@dataclass(frozen=True)
class QueueCount:
    show: Show
    count: int

    @property
    def label(self) -> str:
        return self.show.label


def counts_of(row: object) -> list[QueueCount]:
    """The counts annotated on a queue (see :func:`queue_overview`)."""
    return [QueueCount(show, getattr(row, f"{show.value}_count")) for show in COUNTS]


def queue_overview(*, user, now: datetime) -> QuerySet[Queue] | list[Queue]:
    """The queues this user may see, by name, each with every count (``<show>_count``).

    Where the tallies are kept (``servicedesk.tallies``): two queries, the queues and then their
    counts, whatever the number of tickets. Else one, counting every live ticket of every queue.
    """
    if tallies.available():
        queues = list(visible_queues(user).order_by("name"))
        return _with_tallied_counts(queues, now=now, shows=COUNTS)
    return queue_overview_recounted(user=user, now=now)


def _with_tallied_counts(queues: list[Queue], *, now: datetime, shows) -> list[Queue]:
    """``queues``, each with ``<show>_count`` read from its tallies (one query)."""
    if not queues:
        return queues
    totals = tallies.counts(
        queue_ids=[queue.pk for queue in queues], now=now, n=multiple_reassignments()
    )
    for queue in queues:
        for show in shows:
            setattr(queue, f"{show.value}_count", totals[queue.pk][show])
    return queues


def queue_overview_recounted(*, user, now: datetime) -> QuerySet[Queue]:
    """The queues this user may see, each annotated with every count (one query; SQLite, and
    the reference the tallies are tested against).

    Every count is of tickets not done, so only those are joined (``live_tickets``, a LEFT
    JOIN, so a queue without any still appears, with zeros): at a million tickets that reads
    the partial index ``sd_ticket_live_by_queue``, not every ticket ever logged.
    """
    return (
        visible_queues(user)
        .annotate(
            live_tickets=FilteredRelation(
                "tickets", condition=Q(tickets__status_class__in=NOT_DONE)
            )
        )
        .annotate(
            **_count_annotations(now=now, n=multiple_reassignments(), prefix="live_tickets__")
        )
        .order_by("name")
    )


def queue_counts(*, queue: Queue, now: datetime) -> list[QueueCount]:
    """One queue's counts (one query), read from its tallies (``servicedesk.tallies``: the
    same cost at any size) where they are kept, else counted (:func:`queue_counts_recounted`).
    """
    if tallies.available():
        totals = tallies.counts(queue_ids=[queue.pk], now=now, n=multiple_reassignments())
        return [QueueCount(show, totals[queue.pk][show]) for show in COUNTS]
    return queue_counts_recounted(queue=queue, now=now)


def queue_counts_recounted(*, queue: Queue, now: datetime) -> list[QueueCount]:
    """One queue's counts by counting its live tickets (one query; SQLite, and the reference
    the tallies are tested against).

    Every count is of tickets not done, hence the filter: it adds nothing to any count and lets
    PostgreSQL read the partial index ``sd_ticket_live_by_queue`` instead of every ticket the
    queue ever had.
    """
    totals = Ticket.objects.filter(queue=queue, status_class__in=NOT_DONE).aggregate(
        **_count_annotations(now=now, n=multiple_reassignments(), prefix="")
    )
    return [QueueCount(show, totals[f"{show.value}_count"]) for show in COUNTS]


def queue_open_tickets(*, queue: Queue, now: datetime) -> QuerySet[Ticket]:
    """A queue's open tickets, breached then at risk first (``sla_rank``), then by due time."""
    return (
        Ticket.objects.filter(queue=queue)
        .open()
        .select_related("assignee", "category")
        .annotate(
            sla_rank=Case(
                When(show_q(Show.BREACHING, now=now), then=Value(0)),
                When(show_q(Show.AT_RISK, now=now), then=Value(1)),
                When(sla_due_at__isnull=True, then=Value(3)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("sla_rank", "sla_due_at", "reference")
    )


QUEUE_ASSIGNEES_SQL = """
    WITH RECURSIVE assignee (id) AS (
        (SELECT assignee_id FROM servicedesk_ticket
         WHERE queue_id = %s AND status_class IN ('open', 'paused')
           AND assignee_id IS NOT NULL
         ORDER BY assignee_id LIMIT 1)
        UNION ALL
        SELECT (SELECT t.assignee_id FROM servicedesk_ticket t
                WHERE t.queue_id = %s AND t.status_class IN ('open', 'paused')
                  AND t.assignee_id > assignee.id
                ORDER BY t.assignee_id LIMIT 1)
        FROM assignee WHERE assignee.id IS NOT NULL
    )
    SELECT id FROM assignee WHERE id IS NOT NULL
"""
"""The people a queue's open tickets are assigned to, one index probe each (a "loose index
scan" of ``sd_ticket_live_by_assignee``: https://wiki.postgresql.org/wiki/Loose_indexscan).
A plain DISTINCT reads every ticket of the queue, done ones too: 12 ms for the demo's
5,500 and growing with the queue's whole history, on every queue page."""


def queue_assignees(queue: Queue) -> QuerySet:
    """Who the "Assigned to" filter offers: the people the queue's open tickets are assigned
    to (the page lists open tickets only, so anyone else would filter to an empty list)."""
    from django.contrib.auth import get_user_model

    if connection.vendor == "postgresql":
        ids = RawSQL(QUEUE_ASSIGNEES_SQL, (queue.pk, queue.pk))
    else:  # SQLite (make run) has no parenthesised part in a compound
        ids = Ticket.objects.filter(queue=queue).open().values("assignee_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class RankSizes:
    """How many of a queue page's tickets are breaching, at risk, and in all: where each rank
    starts and ends in the page order, so a page can be read rank by rank."""

    total: int
    breaching: int
    at_risk: int


def rank_sizes(tickets: QuerySet[Ticket], *, now: datetime) -> RankSizes:
    """The sizes of the ranks of ``tickets`` (filtered as the page is): one aggregate, in
    place of the paginator's count."""
    totals = tickets.order_by().aggregate(
        total=Count("pk"),
        breaching=Count("pk", filter=show_q(Show.BREACHING, now=now)),
        at_risk=Count("pk", filter=show_q(Show.AT_RISK, now=now)),
    )
    return RankSizes(totals["total"], totals["breaching"], totals["at_risk"])


def rank_sizes_from_counts(counts: Sequence[QueueCount], show: str) -> RankSizes | None:
    """The sizes read from the queue's own counts when the page shows all its open tickets, or
    one rank of them; None when other filters make them unknown (see :func:`rank_sizes`)."""
    by_show = {count.show: count.count for count in counts}
    breaching, at_risk = by_show[Show.BREACHING], by_show[Show.AT_RISK]
    if show in ("", Show.OPEN):
        return RankSizes(by_show[Show.OPEN], breaching, at_risk)
    if show == Show.BREACHING:
        return RankSizes(breaching, breaching, 0)
    if show == Show.AT_RISK:
        return RankSizes(at_risk, 0, at_risk)
    return None


def _rank_parts(now: datetime) -> tuple[tuple[Q, ...], ...]:
    """Each rank of :func:`queue_open_tickets` (breaching, at risk, the rest) as parts that an
    index reads in ``sla_due_at, reference`` order, a range of it where ``now`` allows.

    Open tickets are compared with ``now`` (``sd_ticket_open_by_due``); paused ones with the
    moment their clock stopped (``status_since``; an index for each rank). A part with
    no due date is kept apart from the range of due dates so both stay index ranges. Together
    the parts hold exactly the rows of ``sla_rank`` 0, 1 and 2-3 (2 and 3 are one order:
    ``sla_due_at`` sorts its NULLs last, as rank 3 comes last).
    """
    open_ = Q(status_class=StatusClass.OPEN)
    due_ahead, no_due = Q(sla_due_at__gte=now), Q(sla_due_at__isnull=True)
    reached = Q(sla_at_risk_at__lte=now)
    not_reached = Q(sla_at_risk_at__gt=now) | Q(sla_at_risk_at__isnull=True)
    return (
        (open_ & Q(sla_due_at__lt=now), PAUSED & PAUSED_BREACHED),
        (
            open_ & due_ahead & reached,
            open_ & no_due & reached,
            PAUSED & PAUSED_NOT_BREACHED & PAUSED_REACHED,
        ),
        (
            open_ & due_ahead & not_reached,
            open_ & no_due & not_reached,
            PAUSED & PAUSED_NOT_BREACHED & PAUSED_NOT_REACHED,
        ),
    )


def ranked_page(
    tickets: QuerySet[Ticket],
    *,
    now: datetime,
    sizes: RankSizes,
    start: int,
    stop: int,
    descending: bool = False,
) -> list[Ticket]:
    """Rows ``start:stop`` of ``tickets`` in :func:`queue_open_tickets`' order (reversed when
    ``descending``), without sorting every open ticket of the queue: two queries.

    The ranks' sizes say which ranks the page spans and where in each it starts; each part of
    such a rank (:func:`_rank_parts`) is read in order by an index, no further than the page
    needs, in one UNION ALL of their keys; the database orders those few rows (as it would
    the whole list: the same collation, NULLs where ``ORDER BY`` puts them) and the page's
    tickets are then read by key with what the table shows beside them.
    """
    breaching, at_risk, rest = _rank_parts(now)
    ranks = [
        (breaching, sizes.breaching),
        (at_risk, sizes.at_risk),
        (rest, sizes.total - sizes.breaching - sizes.at_risk),
    ]
    if descending:
        ranks.reverse()
    order = ("-sla_due_at", "-reference") if descending else ("sla_due_at", "reference")
    parts, wanted = [], []
    first = 0
    for position, (conditions, size) in enumerate(ranks):
        lo, hi = max(start, first), min(stop, first + size)
        if lo < hi:
            wanted.append((position, lo - first, hi - lo))
            for condition in conditions:
                parts.append(
                    tickets.filter(condition)
                    .annotate(rank_position=Value(position, output_field=IntegerField()))
                    .order_by(*order)
                    .values_list("pk", "rank_position", "sla_due_at", "reference")[: hi - first]
                )
        first += size
    # A part of an empty list (``none()``: an invalid filter) reads nothing: left out.
    parts = [part for part in parts if not isinstance(part, EmptyQuerySet)]
    if not parts:
        return []
    by_rank: dict[int, list[int]] = defaultdict(list)
    if len(parts) > 1 and not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (``make run``) allows no LIMIT inside a UNION's parts: each part is read
        # alone, then each rank's few keys are put in order by the database, as below.
        for pk, position, _, _ in (row for part in parts for row in part):
            by_rank[position].append(pk)
        for position, pks in by_rank.items():
            in_order = tickets.filter(pk__in=pks).order_by(*order).values_list("pk", flat=True)
            by_rank[position] = list(in_order)
    else:
        # One part is already in order (and sliced); several are put in order together.
        keys = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=True)
        if len(parts) > 1:
            keys = keys.order_by("rank_position", *order)
        for pk, position, _, _ in keys:
            by_rank[position].append(pk)
    ids = [pk for position, skip, take in wanted for pk in by_rank[position][skip : skip + take]]
    found = {ticket.pk: ticket for ticket in tickets.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


def sla_clocks(
    tickets: Sequence[Ticket], *, now: datetime, calendar: sla.ServiceCalendar
) -> dict[int, sla.SlaClock | None]:
    """Each ticket's SLA clock at ``now``: one query for all their pauses.

    ``None`` for a ticket without a target (no SLA target for its kind and priority).
    """
    pauses: dict[int, list[sla.Pause]] = defaultdict(list)
    rows = (
        TicketInterval.objects.filter(
            ticket_id__in=[t.pk for t in tickets], status_class=StatusClass.PAUSED
        )
        .order_by("ticket_id", "started_at")
        .values_list("ticket_id", "started_at", "ended_at")
    )
    for ticket_id, started_at, ended_at in rows:
        pauses[ticket_id].append((started_at, ended_at))
    return {
        ticket.pk: ticket_clock(ticket, now=now, calendar=calendar, pauses=pauses[ticket.pk])
        for ticket in tickets
    }


class ClockReading(TypedDict):
    """Where a ticket's SLA clock is read: the instant, the queue's calendar, the ticket's
    spans on hold."""

    now: datetime
    calendar: sla.ServiceCalendar
    pauses: Iterable[sla.Pause]


def _clock_from_logging(
    ticket: Ticket, target: int | None, stopped_at: datetime | None, **reading: Unpack[ClockReading]
) -> sla.SlaClock | None:
    """A clock of ``target`` business seconds from the ticket's logging (None without a
    target, or before the ticket was logged)."""
    now = reading["now"]
    if target is None or now < ticket.logged_at:
        return None
    return sla.clock(
        ticket.logged_at,
        target,
        now,
        calendar=reading["calendar"],
        pauses=reading["pauses"],
        stopped_at=stopped_at,
    )


def ticket_clock(ticket: Ticket, **reading: Unpack[ClockReading]) -> sla.SlaClock | None:
    """The ticket's resolution clock at ``now`` (stopped at its last resolution if done)."""
    stopped_at = ticket.last_resolved_at if ticket.status_class == StatusClass.DONE else None
    if ticket.status == Status.CANCELLED:
        stopped_at = ticket.status_since
    return _clock_from_logging(ticket, ticket.sla_target_seconds, stopped_at, **reading)


def ticket_response_clock(ticket: Ticket, **reading: Unpack[ClockReading]) -> sla.SlaClock | None:
    """The ticket's response clock: from logging to its first assignment (one query).

    The response target is the business time within which someone takes the ticket on; time
    on hold does not count, as for resolution.
    """
    target = (
        SlaTarget.objects.filter(kind=ticket.kind, priority=ticket.priority)
        .values_list("response_seconds", flat=True)
        .first()
    )
    return _clock_from_logging(ticket, target, ticket.first_assigned_at, **reading)


# -- the ticket page ---------------------------------------------------------------------------


def ticket_for_page(reference: str) -> Ticket:
    """The ticket with what its page shows beside it (raises ``Ticket.DoesNotExist``)."""
    return Ticket.objects.select_related("queue", "assignee", "category", "category__parent").get(
        reference=reference
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    """The ticket's timeline, oldest first."""
    return ticket.events.select_related("actor", "from_queue", "to_queue", "assignee").order_by(
        "sequence", "pk"
    )


def ticket_notes(ticket: Ticket) -> QuerySet[TicketNote]:
    """The ticket's internal work notes, oldest first (one query)."""
    return ticket.notes.order_by("at", "pk")


@dataclass(frozen=True)
class TimeSpent:
    """Time a ticket spent in one queue or status: wall-clock and business time."""

    label: str
    seconds: int
    business_seconds: int
    queue: Queue | None = None


@dataclass(frozen=True)
class TicketTimes:
    intervals: list[TicketInterval]
    by_queue: list[TimeSpent]
    by_status: list[TimeSpent]


def ticket_times(ticket: Ticket, *, now: datetime, calendar: sla.ServiceCalendar) -> TicketTimes:
    """Time in each queue and in each status, up to now or until the ticket was done (one
    query). A resolved, closed or cancelled ticket's clocks stop there: the interval it is
    done in has no end, and counting it to now would put years "in" the queue that closed it.
    An earlier done interval, ended by a reopen, counts as it was."""
    intervals = list(ticket.intervals.select_related("queue").order_by("started_at", "pk"))
    queue_totals: dict[int, list] = {}
    status_totals: dict[str, list] = {}
    for interval in intervals:
        if interval.ended_at is None and interval.status_class == StatusClass.DONE:
            continue
        end = interval.ended_at or max(now, interval.started_at)
        wall = int((end - interval.started_at) / timedelta(seconds=1))
        business = sla.business_seconds(interval.started_at, end, calendar=calendar)
        q = queue_totals.setdefault(interval.queue_id, [interval.queue, 0, 0])
        q[1] += wall
        q[2] += business
        s = status_totals.setdefault(interval.status, [interval.get_status_display(), 0, 0])
        s[1] += wall
        s[2] += business
    return TicketTimes(
        intervals=intervals,
        by_queue=[TimeSpent(str(q), w, b, queue=q) for q, w, b in queue_totals.values()],
        by_status=[TimeSpent(label, w, b) for label, w, b in status_totals.values()],
    )


def ticket_pauses(times: TicketTimes) -> list[sla.Pause]:
    return [
        (interval.started_at, interval.ended_at)
        for interval in times.intervals
        if interval.status_class == StatusClass.PAUSED
    ]


def queues_for_choice() -> QuerySet[Queue]:
    return Queue.objects.order_by("name")


# -- the home page and the header search (registered in apps.py) ------------------------------

HOME_TOP = 8
"""How many tickets a home-page section lists (its counts link to the rest)."""

STUCK: tuple[Show, ...] = (Show.REASSIGNED, Show.REOPENED, Show.OVER_A_WEEK_OLD)
OWNER_COUNTS: tuple[Show, ...] = (Show.BREACHING, Show.AT_RISK, *STUCK, Show.UNASSIGNED)


def _sla_rank(now: datetime) -> Case:
    return Case(
        When(show_q(Show.BREACHING, now=now), then=Value(0)),
        When(show_q(Show.AT_RISK, now=now), then=Value(1)),
        When(sla_due_at__isnull=True, then=Value(3)),
        default=Value(2),
        output_field=IntegerField(),
    )


def my_open_tickets(*, user, now: datetime) -> tuple[list[Ticket], int]:
    """The open tickets assigned to ``user`` in any queue, least time left first, and how
    many there are (two queries, always both: a fixed count)."""
    tickets = Ticket.objects.filter(assignee=user).open()
    top = list(
        tickets.select_related("queue")
        .annotate(sla_rank=_sla_rank(now))
        .order_by("sla_rank", "sla_due_at", "reference")[:HOME_TOP]
    )
    return top, tickets.count()


def owned_queues(*, user, now: datetime) -> list[Queue]:
    """The queues ``user`` owns, each with the counts a queue owner acts on (``<show>_count``):
    read from their tallies where kept (two queries), else counted (one)."""
    if tallies.available():
        owned = Queue.objects.filter(owners=user).values("pk")
        queues = list(Queue.objects.filter(pk__in=owned).order_by("name"))
        return _with_tallied_counts(queues, now=now, shows=OWNER_COUNTS)
    return owned_queues_recounted(user=user, now=now)


def owned_queues_recounted(*, user, now: datetime) -> list[Queue]:
    """:func:`owned_queues` by counting the live tickets (one query)."""
    n = multiple_reassignments()
    return list(
        Queue.objects.filter(pk__in=Queue.objects.filter(owners=user).values("pk"))
        .annotate(
            live_tickets=FilteredRelation(
                "tickets", condition=Q(tickets__status_class__in=NOT_DONE)
            )
        )
        .annotate(
            **{
                f"{show.value}_count": Count(
                    "live_tickets", filter=show_q(show, now=now, n=n, prefix="live_tickets__")
                )
                for show in OWNER_COUNTS
            }
        )
        .order_by("name")
    )


def needs_intervention(*, queues: Sequence[Queue], now: datetime) -> list[Ticket]:
    """The top few tickets of ``queues`` that are breaching, at risk, stuck or unassigned,
    breached first (one query), each with ``sla_rank``."""
    n = multiple_reassignments()
    condition = Q()
    for show in OWNER_COUNTS:
        condition |= show_q(show, now=now, n=n)
    return list(
        Ticket.objects.filter(queue__in=[queue.pk for queue in queues])
        .filter(condition)
        .select_related("queue", "assignee")
        .annotate(sla_rank=_sla_rank(now))
        .order_by("sla_rank", "sla_due_at", "logged_at", "reference")[:HOME_TOP]
    )


def tickets_by_reference(*, user, text: str, limit: int) -> list[Ticket]:
    """Tickets, open or closed, in any queue ``user`` may see, whose reference is ``text``
    (as typed or in capitals: the unique index answers, at any size), else contains it (case
    aside); each with ``exact`` 0 for an exact reference. One or two queries."""
    from servicedesk.access import visible_tickets

    def annotated(tickets):
        return (
            visible_tickets(user, tickets)
            .select_related("queue")
            .annotate(
                exact=Case(
                    When(reference__iexact=text, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
        )

    exact = list(annotated(Ticket.objects.filter(reference__in={text, text.upper()}))[:1])
    if exact:
        return exact
    matches = Ticket.objects.filter(reference__icontains=text)
    return list(annotated(matches).order_by("exact", "-logged_at", "reference")[:limit])
