"""Benchmarks of the indicators app (see ``hackperf.bench``): snapshots, backfill, pages.

They work on the benchmark database of 1,000,000 demo tickets (seeded by the first benchmark
that needs it, and VACUUM (ANALYZE)d: autovacuum is off on this machine's PostgreSQL) and make
what they need: snapshots for the review page, monthly values for the scorecard, a DMT user.
Every instant is a fortnight end on or before now, so the figures measure the data the seed
put there. The service desk's tables are reached through the registry's providers (issue 14:
indicators knows no other app's tables).

- ``bench_indicators_snapshot``: one as-of snapshot of the whole DMT metric set with its
  breakdowns (``services.snapshot_take``: servicedesk and infogov figures, then the writes),
  taken for the first time at its instant and taken again with nothing changed, beside its
  anchor measured in the same run, one plain SQL ``GROUP BY`` over the same
  intervals (open at T by queue), as a ratio; at 1,000,000 tickets and at 100,000 (a second
  benchmark database, ``<name>_100k``), and the growth from one to the other (issue 15);
- ``bench_indicators_backfill``: the backfill of 52 fortnights (``services.snapshot_backfill``),
  beside 52 times the anchor;
- ``bench_indicators_pages``: the DMT review and the scorecard, median server time through
  Django's test client (middleware, view, template: everything but the network) and the
  number of queries per request; the review as served (cached) against its 25 ms goal, and
  built afresh. It reads snapshots only, so its time follows the number of fortnights and
  breakdown keys, not of tickets.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Generator, Iterator
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf import registry
from hackperf.bench import Figure, other_database, timed
from indicators import periods
from indicators.choices import Granularity
from indicators.models import PeriodValue, Snapshot
from indicators.services.compute import indicators_compute
from indicators.services.snapshots import snapshot_backfill, snapshot_rows, snapshot_take

BACKFILL_FORTNIGHTS = 52
SNAPSHOT_REPEAT = 9
FLOOR_REPEAT = 9
TICKETS = 1_000_000
SMALL_TICKETS = 100_000
SMALL_DATABASE = "100k"
"""The second benchmark database, for the snapshot's growth: ``<bench database>_100k``."""
PAGE_REPEAT = 30
SCORECARD_MONTHS = 13
DMT_USERNAME = "bench-indicators-dmt"


def _seconds(
    fn: Callable[[], object], *, repeat: int, before: Callable[[], object] | None = None
) -> float:
    """Median wall-clock seconds of ``repeat`` calls (after one warm-up call)."""
    return timed(fn, repeat=repeat, before=before) / 1000


def _vacuum_snapshots() -> None:
    """Vacuum the snapshot table, as autovacuum would (it is off here): each first take
    follows the removal of the instant's rows, and without it the unique index keeps every
    removed version for the next take's inserts to step over."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {Snapshot._meta.db_table}")


def _latest_fortnight_end() -> datetime:
    return periods.fortnight_end_on_or_before(timezone.now())


# servicedesk's tables are read through the registry (issue 14): the anchor, the size, the data.
def _floor(as_of: datetime, *, indexed: bool = True, serial: bool = False) -> Callable[[], object]:
    """The snapshot's anchor: the GROUP BY of the intervals open at T, written for the indexes
    (the goal's anchor), or as issue 15 wrote it, which PostgreSQL now plans as a scan of every
    interval (``servicedesk.benchmarks.SNAPSHOT_FLOOR_SQL`` says why)."""
    return registry.provider("servicedesk.bench.snapshot_floor")(
        as_of, indexed=indexed, serial=serial
    )


def _tickets() -> int:
    return registry.provider("servicedesk.bench.tickets_count")()


def _demo_tickets(tickets: int) -> Iterator[Figure]:
    return registry.provider("servicedesk.bench.demo_tickets")(tickets)


def _snapshot_figures(label: str) -> Iterator[Figure]:
    """One as-of snapshot at the latest fortnight end, taken for the first time (the instant's
    rows removed before each take, untimed), taken again with nothing changed (what a rerun or
    a redelivered task costs: nothing is written) and computed, beside its anchor measured in
    the same run; the goal is judged on the first take. The last figure is its seconds."""
    as_of = _latest_fortnight_end()
    rows = len(snapshot_take(as_of=as_of))

    def remove_instant() -> None:
        Snapshot.objects.filter(instant=as_of).delete()
        _vacuum_snapshots()

    first = _seconds(
        lambda: snapshot_take(as_of=as_of), repeat=SNAPSHOT_REPEAT, before=remove_instant
    )
    again = _seconds(
        lambda: snapshot_take(as_of=as_of), repeat=SNAPSHOT_REPEAT, before=_vacuum_snapshots
    )
    compute = _seconds(
        lambda: snapshot_rows(as_of=as_of, granularity=Granularity.FORTNIGHTLY),
        repeat=SNAPSHOT_REPEAT,
    )
    floor = _seconds(_floor(as_of), repeat=FLOOR_REPEAT)
    serial = _seconds(_floor(as_of, serial=True), repeat=FLOOR_REPEAT)
    plain = _seconds(_floor(as_of, indexed=False), repeat=FLOOR_REPEAT)
    yield Figure(
        f"indicators: one as-of snapshot, {rows:,} rows, taken and stored ({label})", first, "s"
    )
    yield Figure(
        f"indicators: the same snapshot taken again, nothing changed: nothing written ({label})",
        again,
        "s",
    )
    yield Figure(f"indicators: the same snapshot computed, not stored ({label})", compute, "s")
    yield Figure(
        f"indicators: anchor, one SQL GROUP BY (open intervals at T by queue), written for the "
        f"indexes ({label})",
        floor,
        "s",
    )
    yield Figure(
        f"indicators: the anchor planned without parallel workers, as the snapshot plans its "
        f"reads ({label})",
        serial,
        "s",
    )
    yield Figure(
        f"indicators: the same GROUP BY as issue 15 wrote it, as PostgreSQL plans it ({label})",
        plain,
        "s",
    )
    yield Figure(f"indicators: snapshot / anchor (goal <= 3) ({label})", _ratio(first, floor), "×")
    yield Figure(f"indicators: taken again / anchor ({label})", _ratio(again, floor), "×")
    yield Figure(f"indicators: computed / anchor ({label})", _ratio(compute, floor), "×")
    yield Figure(
        f"indicators: snapshot / the anchor without parallel workers ({label})",
        _ratio(first, serial),
        "×",
    )
    yield Figure(
        f"indicators: snapshot / the GROUP BY as issue 15 wrote it ({label})",
        _ratio(first, plain),
        "×",
    )
    yield Figure("", first, "s")


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _measured(figures: Iterator[Figure]) -> Generator[Figure, None, float]:
    """Print all but the last figure (a value kept for the growth), and return it."""
    *shown, last = list(figures)
    yield from shown
    return last.value


def bench_indicators_snapshot() -> Iterator[Figure]:
    """One as-of snapshot of the full metric set with breakdowns, beside its anchor, at
    1,000,000 and at 100,000 tickets (a second benchmark database), and the growth."""
    yield from _demo_tickets(TICKETS)
    large_tickets = _tickets()  # at least TICKETS: other benchmarks add theirs
    large = yield from _measured(_snapshot_figures(f"{large_tickets:,} tickets"))
    with other_database(SMALL_DATABASE):
        yield from _demo_tickets(SMALL_TICKETS)
        small_tickets = _tickets()
        small = yield from _measured(_snapshot_figures(f"{small_tickets:,} tickets"))
    yield Figure(
        f"indicators: snapshot growth from {small_tickets:,} to {large_tickets:,} tickets "
        f"({small * 1000:,.1f} ms → {large * 1000:,.1f} ms)",
        _ratio(large, small),
        "×",
    )


def bench_indicators_backfill() -> Iterator[Figure]:
    """Backfill of 52 fortnights ending at the latest fortnight end, beside one snapshot's
    anchor measured in the same run."""
    yield from _demo_tickets(TICKETS)
    end_day = periods.local_date(_latest_fortnight_end())
    # London dates: 14 days back is a fortnight end whether or not the clocks changed.
    start_day = end_day - timedelta(days=14 * (BACKFILL_FORTNIGHTS - 1))
    snapshot_take(as_of=_latest_fortnight_end())  # warm, as the snapshot's is
    # Autovacuum is off here: each run of the kept database leaves a backfill's rows dead in
    # the snapshot table, and the unique index's checks would walk every earlier version.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {Snapshot._meta.db_table}")
    started = time.perf_counter()
    instants = snapshot_backfill(start=start_day, end=end_day)
    seconds = time.perf_counter() - started
    floor = _seconds(_floor(_latest_fortnight_end()), repeat=FLOOR_REPEAT)
    yield Figure(
        f"indicators: backfill of {len(instants)} fortnights ({_tickets():,} tickets)",
        seconds,
        "s",
    )
    yield Figure("indicators: backfill, per fortnight", seconds / max(len(instants), 1), "s")
    yield Figure(
        "indicators: anchor, one SQL GROUP BY (open intervals at T by queue), written for the "
        "indexes",
        floor,
        "s",
    )
    yield Figure(
        f"indicators: backfill / ({len(instants)} × anchor)",
        _ratio(seconds, len(instants) * floor),
        "×",
    )


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
    yield from _review_growth(large_tickets=_tickets(), served=served, built=built)


def _review_times(client: Client) -> tuple[float, float]:
    """The review's median server time as served (cached) and built afresh, in ms."""
    from indicators import review_cache

    url = reverse("indicators:review")
    client.get(url)  # warm, as the large database's figures were

    def afresh() -> object:
        review_cache.invalidate()
        return client.get(url)

    return timed(lambda: client.get(url), repeat=PAGE_REPEAT), timed(
        afresh, repeat=PAGE_REPEAT // 3
    )


def _review_growth(*, large_tickets: int, served: float, built: float) -> Iterator[Figure]:
    """The review at 100,000 tickets (the second benchmark database), and its growth to the
    large database's figures measured above (issue 15 asks for the growth of the snapshot,
    the queue page and the review)."""
    with other_database(SMALL_DATABASE):
        yield from _demo_tickets(SMALL_TICKETS)
        _ensure_review_snapshots()
        small_tickets = _tickets()
        small_served, small_built = _review_times(_dmt_client())
    for how, large, small in (
        ("as served", served, small_served),
        ("built afresh", built, small_built),
    ):
        yield Figure(
            f"indicators: DMT review growth from {small_tickets:,} to {large_tickets:,} tickets, "
            f"{how} ({small:,.1f} ms → {large:,.1f} ms)",
            _ratio(large, small),
            "×",
        )
