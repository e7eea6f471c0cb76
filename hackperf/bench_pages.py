"""Page figures for the apps' benchmarks: a page's queries and median server time, each
beside an anchor measured in the same run.

The anchor is one row looked up by its reference through the unique index. The machine's
speed varies from run to run (two shared cores), a page's time over the anchor's much less,
so every app prints its pages the same way: kept here once, as the servicedesk and infogov
home-and-search benchmarks both measure by it.
"""

from collections.abc import Iterator

from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hackperf.bench import Figure, timed


def reference_anchor(model: type[Model], reference: str, *, noun: str, total: int) -> Figure:
    """The anchor: the median time to read one ``model`` row's pk by its ``reference``."""
    manager = model._default_manager
    median = timed(
        lambda: manager.filter(reference=reference).values_list("pk", flat=True).first(),
        repeat=50,
    )
    return Figure(
        f"anchor: one {noun} by its reference, unique index ({total:,} {noun}s): median time",
        median,
        "ms",
    )


def page_figures(
    label: str, user, path: str, status: int = 200, *, anchor: Figure
) -> Iterator[Figure]:
    """``path`` as ``user``: queries per request, median server time, and that time over the
    anchor's. The first request warms what a page caches (calendars, settings) unmeasured."""
    client = Client()
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    yield Figure(f"{label}: queries per request", len(queries), "queries")
    median = timed(lambda: client.get(path), repeat=10)
    yield Figure(f"{label}: median server time", median, "ms")
    yield Figure(f"{label}: time over the anchor's", median / anchor.value, "x")
