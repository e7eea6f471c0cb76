"""Benchmarks of the queue page and FR ICT 17 (see ``hackperf.bench``).

Imported into ``servicedesk.benchmarks`` (the module the harness discovers). Both use a
database of demo tickets, seeded once with ``servicedesk.demo.seed`` and kept between runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hackperf.bench import Figure, timed
from hackperf.roles import Role
from hackperf.services import role_groups_sync
from servicedesk import demo
from servicedesk.models import Queue, Ticket

TICKETS = 50_000


def _demo_tickets(n: int = TICKETS) -> int:
    """At least ``n`` tickets in the database (seeding the demo data once if fewer)."""
    have = Ticket.objects.count()
    if have < n:
        demo.seed(tickets=n, now=timezone.now())
        have = Ticket.objects.count()
    return have


def bench_queue_page() -> Iterator[Figure]:
    """The busiest queue's page: median server time and queries per request."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    tickets = _demo_tickets()
    role_groups_sync()
    dmt, _ = get_user_model().objects.get_or_create(username="bench-queue-dmt")
    dmt.groups.set([Group.objects.get(name=Role.DMT)])
    client = Client()
    client.force_login(dmt)
    queue = Queue.objects.get(slug="service-desk")
    open_tickets = Ticket.objects.filter(queue=queue).open().count()
    url = f"/queues/{queue.slug}/"
    for label, path in (
        ("queue page", url),
        ("queue page, breaching filter", f"{url}?show=breaching"),
        ("queue overview", "/queues/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        name = f"{label} ({tickets:,} tickets, {open_tickets:,} open in {queue.name})"
        yield Figure(f"{name}: queries per request", len(queries), "queries")
        yield Figure(
            f"{name}: median server time", timed(lambda p=path: client.get(p), repeat=20), "ms"
        )


def bench_fr_ict_17() -> Iterator[Figure]:
    """FR ICT 17 (and 17a/17b) for one month, and the DMT snapshot figures."""
    from servicedesk import metrics

    tickets = _demo_tickets()
    latest = Ticket.objects.order_by("-logged_at").values_list("logged_at", flat=True).first()
    end = datetime(latest.year, latest.month, 1, tzinfo=UTC)
    start = datetime(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1, tzinfo=UTC)
    ratio = metrics.fr_ict_17(start=start, end=end)
    yield Figure(
        f"FR ICT 17 for {start:%B %Y} ({tickets:,} tickets, {ratio.denominator:,} incidents "
        f"resolved, {ratio.percent}% within 8 h): median time",
        timed(lambda: metrics.fr_ict_17(start=start, end=end), repeat=10),
        "ms",
    )
    yield Figure(
        "FR ICT 17a and 17b for one month: median time",
        timed(
            lambda: (
                metrics.logged(kind="incident", start=start, end=end),
                metrics.logged(kind="request", start=start, end=end),
            ),
            repeat=10,
        ),
        "ms",
    )
    as_of = end
    started = time.perf_counter()
    rows = metrics.snapshot_metrics(as_of=as_of) + metrics.period_metrics(start=start, end=end)
    once = (time.perf_counter() - started) * 1000
    yield Figure(
        f"servicedesk snapshot + one month's period figures ({len(rows)} rows): first run",
        once,
        "ms",
    )
    yield Figure(
        "servicedesk snapshot_metrics (as of a month end): median time",
        timed(lambda: metrics.snapshot_metrics(as_of=as_of), repeat=5),
        "ms",
    )
    yield Figure(
        "servicedesk period_metrics (one month): median time",
        timed(lambda: metrics.period_metrics(start=start, end=end), repeat=5),
        "ms",
    )
