"""Reads for the project package's own pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet

from hackperf.bank_holidays import holiday_calendar  # noqa: F401 (the selector other apps use)
from hackperf.roles import Role
from hackperf.tasks import HEARTBEAT_KEY

# Beat sends the heartbeat every minute; allow a few missed beats before saying it stopped.
HEARTBEAT_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class JobsStatus:
    last_run: datetime | None
    running: bool


def jobs_status(*, now: datetime) -> JobsStatus:
    """Whether Celery beat and a worker are running, judged by the heartbeat task."""
    raw = cache.get(HEARTBEAT_KEY)
    if not raw:
        return JobsStatus(last_run=None, running=False)
    last_run = datetime.fromisoformat(raw)
    return JobsStatus(last_run=last_run, running=now - last_run <= HEARTBEAT_STALE_AFTER)


def people_with_roles() -> QuerySet:
    """Active users with their groups prefetched (two queries whatever the number of users)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("username", "pk")
    )


def role_counts() -> list[tuple[str, int]]:
    """(role label, number of active people holding it), in the order of ``Role``."""
    counts = dict(
        Group.objects.filter(user__is_active=True)
        .values_list("name")
        .annotate(n=Count("user"))
        .values_list("name", "n")
    )
    return [(role.label, counts.get(role.value, 0)) for role in Role]
