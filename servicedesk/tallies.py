"""A queue's counts read from its tallies: the same cost at 10 or 100,000 open tickets.

``servicedesk_queuetally`` (:class:`~servicedesk.models.QueueTally`, migration 0013) holds,
per queue, how many live tickets fall under each measure; PostgreSQL triggers keep it exact in
the statement that changes a ticket, whoever writes it (the services, the importer, the demo).
A count that does not depend on the instant is one tally row. One that compares a time with
*now* (breaching, at risk, over a week old) is kept by hour: the hours before the current one
are summed from the tallies, and the current hour's tickets, the only ones that can fall
either side of *now*, are counted exactly through an index (a few rows).

``servicedesk_eventdaytally`` (:class:`~servicedesk.models.EventDayTally`, migration 0018)
holds, per London day and (queue, kind, category) as of the event, how many events each period
figure counts, kept by triggers on the event table in the same way; ``servicedesk.metrics``
sums a period's whole days from it.

PostgreSQL only (``available()``): on SQLite (``make run``) the pages count the tickets
themselves (``selectors``), as every test compares with (``tests/servicedesk/test_tallies.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection

from hackperf.windows import week_before
from servicedesk.choices import Show

HOUR_SECONDS = 3600
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Every %(...)s is a parameter; the current hour's edges read the partial indexes
# sd_ticket_open_by_due (due), sd_ticket_open_by_risk (at risk) and sd_ticket_live_by_logged.
COUNTS_SQL = """
WITH tally AS (
    SELECT queue_id,
        sum(n) FILTER (WHERE measure = 'live') AS live,
        sum(n) FILTER (WHERE measure = 'on_hold') AS on_hold,
        sum(n) FILTER (WHERE measure = 'unassigned') AS unassigned,
        sum(n) FILTER (WHERE measure = 'reopened') AS reopened,
        sum(n) FILTER (WHERE measure = 'escalated') AS escalated,
        sum(n) FILTER (WHERE measure = 'reassignments') AS reassigned,
        sum(n) FILTER (WHERE measure = 'paused_breaching') AS paused_breaching,
        sum(n) FILTER (WHERE measure = 'paused_at_risk') AS paused_at_risk,
        sum(n) FILTER (WHERE measure = 'logged_hour') AS logged,
        sum(n) FILTER (WHERE measure = 'due_hour') AS due,
        sum(n) FILTER (WHERE measure = 'risk_hour') AS risk,
        sum(n) FILTER (WHERE measure = 'risk_due_hour') AS risk_and_due
    -- Summed per measure first, the rows a count takes chosen by one test each, so the
    -- twelve FILTERs above read a row per queue and measure, not every hour's tally (half
    -- the time at a million tickets: thousands of hours).
    FROM (
        SELECT queue_id, measure, sum(n) AS n
        FROM servicedesk_queuetally
        WHERE queue_id = ANY(%(queues)s::bigint[])
            AND CASE measure
                WHEN 'reassignments' THEN key >= %(n)s
                WHEN 'logged_hour' THEN key < %(week_hour)s
                WHEN 'due_hour' THEN key < %(hour)s
                WHEN 'risk_hour' THEN key < %(hour)s
                WHEN 'risk_due_hour' THEN key < %(hour)s
                ELSE true
            END
        GROUP BY queue_id, measure
    ) AS by_measure
    GROUP BY queue_id
),
due_edge AS (
    SELECT queue_id, count(*) AS due,
        count(*) FILTER (WHERE sla_at_risk_at <= %(now)s) AS risk_and_due
    FROM servicedesk_ticket
    WHERE queue_id = ANY(%(queues)s::bigint[]) AND status_class = 'open'
        AND sla_due_at >= %(hour_start)s AND sla_due_at < %(now)s
    GROUP BY queue_id
),
risk_edge AS (
    SELECT queue_id, count(*) AS risk,
        count(*) FILTER (WHERE sla_due_at < %(hour_start)s) AS risk_and_due
    FROM servicedesk_ticket
    WHERE queue_id = ANY(%(queues)s::bigint[]) AND status_class = 'open'
        AND sla_at_risk_at >= %(hour_start)s AND sla_at_risk_at <= %(now)s
    GROUP BY queue_id
),
logged_edge AS (
    SELECT queue_id, count(*) AS logged
    FROM servicedesk_ticket
    WHERE queue_id = ANY(%(queues)s::bigint[]) AND status_class IN ('open', 'paused')
        AND logged_at >= %(week_hour_start)s AND logged_at < %(week)s
    GROUP BY queue_id
)
SELECT q.id,
    coalesce(t.live, 0),
    coalesce(t.on_hold, 0),
    coalesce(t.paused_breaching, 0) + coalesce(t.due, 0) + coalesce(d.due, 0),
    coalesce(t.paused_at_risk, 0) + coalesce(t.risk, 0) + coalesce(r.risk, 0)
        - coalesce(t.risk_and_due, 0) - coalesce(d.risk_and_due, 0)
        - coalesce(r.risk_and_due, 0),
    coalesce(t.logged, 0) + coalesce(l.logged, 0),
    coalesce(t.reopened, 0),
    coalesce(t.reassigned, 0),
    coalesce(t.escalated, 0),
    coalesce(t.unassigned, 0)
FROM unnest(%(queues)s::bigint[]) AS q (id)
LEFT JOIN tally t ON t.queue_id = q.id
LEFT JOIN due_edge d ON d.queue_id = q.id
LEFT JOIN risk_edge r ON r.queue_id = q.id
LEFT JOIN logged_edge l ON l.queue_id = q.id
"""

COLUMNS: tuple[Show, ...] = (
    Show.OPEN,
    Show.ON_HOLD,
    Show.BREACHING,
    Show.AT_RISK,
    Show.OVER_A_WEEK_OLD,
    Show.REOPENED,
    Show.REASSIGNED,
    Show.ESCALATED,
    Show.UNASSIGNED,
)
"""The counts in the order ``COUNTS_SQL`` returns them, after the queue's id."""


def available() -> bool:
    """Whether the tallies are kept (PostgreSQL: the triggers of migrations 0013 and 0018)."""
    return connection.vendor == "postgresql"


def _hour(instant: datetime) -> int:
    """Whole hours since the epoch, as the triggers key them (floor(epoch / 3600))."""
    return (instant - EPOCH) // timedelta(seconds=1) // HOUR_SECONDS


def _hour_start(hour: int) -> datetime:
    return EPOCH + timedelta(seconds=hour * HOUR_SECONDS)


def counts(*, queue_ids: Sequence[int], now: datetime, n: int) -> dict[int, dict[Show, int]]:
    """Every count of each queue at ``now`` (one query), as ``show_q`` defines them; ``n``
    is the "multiple reassignments" threshold."""
    week = week_before(now)
    hour, week_hour = _hour(now), _hour(week)
    params = {
        "queues": list(queue_ids),
        "n": n,
        "now": now,
        "hour": hour,
        "hour_start": _hour_start(hour),
        "week": week,
        "week_hour": week_hour,
        "week_hour_start": _hour_start(week_hour),
    }
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, params)  # type: ignore[arg-type]  # values are dates, ints
        rows = cursor.fetchall()
    return {row[0]: dict(zip(COLUMNS, map(int, row[1:]), strict=True)) for row in rows}


def queue_tallies_rebuild(*, queue_ids: Sequence[int]) -> None:
    """Recount the tallies of these queues from their tickets (one statement), e.g. after a
    bulk write that bypassed the triggers (``ALTER TABLE ... DISABLE TRIGGER``). The triggers
    keep them exact otherwise; a test checks that this changes nothing after a mix of writes."""
    if not available():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT servicedesk_queuetally_rebuild(%s::bigint[])", [list(map(int, queue_ids))]
        )


def event_day_tallies_rebuild() -> None:
    """Recount every day's event tallies (``EventDayTally``, migration 0018) from the events,
    in one statement that holds event writers off until the transaction ends, e.g. after a
    bulk write that bypassed the triggers. The triggers keep them exact otherwise; a test
    checks that this changes nothing after a mix of writes."""
    if not available():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT servicedesk_eventdaytally_rebuild()")
