"""Benchmarks of the indicators app (see ``hackperf.bench``): snapshots, backfill, pages.

They work on whatever database they find (``make bench`` builds one with
``servicedesk.demo.seed``) and make what they need: snapshots for the review page, monthly
values for the scorecard, a DMT user. Every instant is a fortnight end on or before now, so
the figures measure the data the seed put there, whatever its size.

- ``bench_indicators_snapshot``: one as-of snapshot of the whole DMT metric set with its
  breakdowns (``snapshot_take``: servicedesk and infogov figures, then the upsert),
  beside the floor, one plain SQL ``GROUP BY`` over the same intervals (open at T by queue),
  and the ratio of the two;
- ``bench_indicators_backfill``: the backfill of 52 fortnights (``snapshot_backfill``);
- ``bench_indicators_pages``: the DMT review and the scorecard, median server time through
  Django's test client (middleware, view, template: everything but the network) and the
  number of queries per request; the review as served (cached) against its 25 ms goal, and
  built afresh. It reads snapshots only, so its time follows the number of fortnights and
  breakdown keys, not of tickets.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf.bench import Figure, timed
from indicators import periods
from indicators.choices import Granularity
from indicators.models import PeriodValue, Snapshot
from indicators.services.compute import indicators_compute
from indicators.services.snapshots import snapshot_backfill, snapshot_rows, snapshot_take

BACKFILL_FORTNIGHTS = 52
SNAPSHOT_REPEAT = 3
PAGE_REPEAT = 30
SCORECARD_MONTHS = 13
DMT_USERNAME = "bench-indicators-dmt"


def _seconds(fn: Callable[[], object], *, repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` calls (after one warm-up call)."""
    return timed(fn, repeat=repeat) / 1000


def _latest_fortnight_end() -> datetime:
    return periods.fortnight_end_on_or_before(timezone.now())


def _tickets() -> int:
    # The only reads of another app's tables here: the data's size, and the floor below.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM servicedesk_ticket")
        return cursor.fetchone()[0]


FLOOR_SQL = """
    SELECT queue_id, count(*)
    FROM servicedesk_ticketinterval
    WHERE started_at <= %(t)s
      AND (ended_at IS NULL OR ended_at > %(t)s)
      AND status_class IN ('open', 'paused')
    GROUP BY queue_id
"""


def _floor(as_of: datetime) -> Callable[[], object]:
    """One plain GROUP BY over the same intervals: tickets open at T, by queue."""

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"t": as_of})
            return cursor.fetchall()

    return run


def bench_indicators_snapshot() -> Iterator[Figure]:
    """One as-of snapshot of the full metric set with breakdowns, beside the SQL floor."""
    as_of = _latest_fortnight_end()
    size = f"{_tickets():,} tickets"
    rows = len(snapshot_take(as_of=as_of))
    snapshot = _seconds(lambda: snapshot_take(as_of=as_of), repeat=SNAPSHOT_REPEAT)
    compute = _seconds(
        lambda: snapshot_rows(as_of=as_of, granularity=Granularity.FORTNIGHTLY),
        repeat=SNAPSHOT_REPEAT,
    )
    floor = _seconds(_floor(as_of), repeat=SNAPSHOT_REPEAT)
    yield Figure(f"indicators: one as-of snapshot, {rows:,} rows, stored ({size})", snapshot, "s")
    yield Figure("indicators: the same snapshot computed, not stored", compute, "s")
    yield Figure("indicators: floor, one SQL GROUP BY (open intervals at T by queue)", floor, "s")
    yield Figure("indicators: snapshot / floor", snapshot / floor if floor else 0.0, "×")


def bench_indicators_backfill() -> Iterator[Figure]:
    """Backfill of 52 fortnights ending at the latest fortnight end."""
    end_day = periods.local_date(_latest_fortnight_end())
    # London dates: 14 days back is a fortnight end whether or not the clocks changed.
    start_day = end_day - timedelta(days=14 * (BACKFILL_FORTNIGHTS - 1))
    started = time.perf_counter()
    instants = snapshot_backfill(start=start_day, end=end_day)
    seconds = time.perf_counter() - started
    yield Figure(
        f"indicators: backfill of {len(instants)} fortnights ({_tickets():,} tickets)",
        seconds,
        "s",
    )
    yield Figure("indicators: backfill, per fortnight", seconds / max(len(instants), 1), "s")


def _dmt_client() -> Client:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from hackperf.roles import Role
    from hackperf.services import role_groups_sync

    role_groups_sync()
    user, _ = get_user_model().objects.get_or_create(username=DMT_USERNAME)
    user.groups.set([Group.objects.get(name=Role.DMT)])
    client = Client()
    client.force_login(user)
    return client


def _ensure_review_snapshots() -> None:
    """The review shows the last 13 fortnights and the one before: snapshot any missing."""
    end_day = periods.local_date(_latest_fortnight_end())
    wanted = periods.fortnight_ends(end_day - timedelta(days=14 * 13), end_day)
    have = set(
        Snapshot.objects.filter(
            granularity=Granularity.FORTNIGHTLY, breakdown="all", instant__in=wanted
        )
        .values_list("instant", flat=True)
        .distinct()
    )
    for instant in wanted:
        if instant not in have:
            snapshot_take(as_of=instant)


def _ensure_scorecard_values() -> None:
    """Computed values for the last 13 months, unless some are already there."""
    if PeriodValue.objects.exists():
        return
    month = periods.month_start(timezone.localdate())
    for n in range(SCORECARD_MONTHS, 0, -1):
        try:
            indicators_compute(period_start=periods.shift_month(month, -n))
        except DatabaseError as error:  # a source's table missing: the page still renders
            print(f"  (indicators_compute skipped: {error})".splitlines()[0])
            return


def _page(client: Client, name: str, url: str) -> Iterator[Figure]:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    yield Figure(f"indicators: {name}: queries per request", statistics.median(counts), "queries")
    if len(set(counts)) > 1:
        yield Figure(
            f"indicators: {name}: queries per request varied by",
            max(counts) - min(counts),
            "queries",
        )
    yield Figure(
        f"indicators: {name}: median server time",
        timed(lambda: client.get(url), repeat=PAGE_REPEAT),
        "ms",
    )


REVIEW_GOAL_MS = 25  # issue 15


def bench_indicators_pages() -> Iterator[Figure]:
    """The DMT review and the scorecard, as a DMT member sees them.

    The review twice: as served (its data and drawing cached per snapshot version,
    ``indicators.review_cache``) beside its goal, and built afresh (the cache emptied before
    each request: the first view after a snapshot is written).
    """
    from indicators import review_cache

    _ensure_review_snapshots()
    _ensure_scorecard_values()
    client = _dmt_client()
    fortnights = (
        Snapshot.objects.filter(granularity=Granularity.FORTNIGHTLY, breakdown="all")
        .values("instant")
        .distinct()
        .count()
    )
    url = reverse("indicators:review")
    name = f"DMT review ({fortnights} fortnights stored, {_tickets():,} tickets)"
    # The anchor, in the same run: the cheapest page through the same client and middleware
    # (the session, the user, one SELECT 1), so a loaded machine shows as a ratio.
    anchor = timed(lambda: client.get(reverse("healthz")), repeat=PAGE_REPEAT)
    yield Figure("indicators: anchor, /healthz as the same user: median server time", anchor, "ms")
    figures = list(_page(client, name, url))
    yield from figures
    served = figures[-1].value
    yield Figure(f"indicators: {name}: / anchor", served / anchor, "×")
    yield Figure(f"indicators: {name}: / goal of {REVIEW_GOAL_MS} ms", served / REVIEW_GOAL_MS, "×")

    def afresh() -> object:
        review_cache.invalidate()
        return client.get(url)

    built = timed(afresh, repeat=PAGE_REPEAT // 3)
    yield Figure(
        f"indicators: {name}, built afresh (cache emptied first): median server time",
        built,
        "ms",
    )
    yield Figure(f"indicators: {name}, built afresh: / anchor", built / anchor, "×")
    yield from _page(client, "scorecard", reverse("indicators:scorecard"))
