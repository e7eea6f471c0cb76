"""Benchmarks of the project package's pages (see ``hackperf.bench``)."""

from collections.abc import Iterator
from functools import partial

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hackperf.bench import Figure, timed
from hackperf.roles import Role
from hackperf.services import role_groups_sync

PEOPLE = 1_000


def bench_pages() -> Iterator[Figure]:
    """Home and people pages with 1,000 people holding roles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    role_groups_sync()
    missing = PEOPLE - User.objects.filter(username__startswith="bench-").count()
    if missing > 0:
        User.objects.bulk_create(
            User(username=f"bench-{n:05d}", email=f"bench-{n}@hackney.example")
            for n in range(PEOPLE - missing, PEOPLE)
        )
        through = User.groups.through
        group = Group.objects.get(name=Role.QUEUE_OWNER)
        through.objects.bulk_create(
            [
                through(user_id=pk, group_id=group.pk)
                for pk in User.objects.filter(username__startswith="bench-").values_list(
                    "pk", flat=True
                )
            ],
            ignore_conflicts=True,
        )
    dmt, _ = User.objects.get_or_create(username="bench-dmt-viewer")
    dmt.groups.set([Group.objects.get(name=Role.DMT)])

    client = Client()
    client.force_login(dmt)
    for name, url in (("home page", "/"), ("people page (1,000 people)", "/people/")):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        yield Figure(f"{name}: queries per request", len(queries), "queries")
        yield Figure(
            f"{name}: median response time", timed(partial(client.get, url), repeat=30), "ms"
        )
