"""Project-wide Celery tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "hackperf:celery-heartbeat"


@shared_task(ignore_result=True, soft_time_limit=10, time_limit=20)
def heartbeat() -> None:
    """Record that beat scheduled a task and a worker ran it (shown on the home page).

    Idempotent: it overwrites one cache key with the time it ran.
    """
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
