"""Project-wide Celery tasks, and the one safe way for a request to enqueue one."""

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "hackperf:celery-heartbeat"


@shared_task(ignore_result=True, soft_time_limit=10, time_limit=20)
def heartbeat() -> None:
    """Record that beat scheduled a task and a worker ran it (shown on the home page).

    Idempotent: it overwrites one cache key with the time it ran.
    """
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task(
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def refresh_bank_holidays() -> None:
    """Sync bank holidays from ``BANK_HOLIDAYS_FEED_URL`` (or the bundled copy).

    Idempotent: a feed that has not changed changes nothing. Network errors (OSError) are
    retried with backoff; a malformed feed is not retried, since it will not fix itself.
    """
    from hackperf.bank_holidays import (
        BUNDLED_SOURCE,
        bank_holidays_sync,
        bundled_calendar,
        calendar_from_url,
    )

    url = settings.BANK_HOLIDAYS_FEED_URL
    if url:
        bank_holidays_sync(calendar=calendar_from_url(url), source=url)
    else:
        bank_holidays_sync(calendar=bundled_calendar(), source=BUNDLED_SOURCE)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` once the current transaction commits; a broker failure is logged only.

    What the request wrote is already committed when the message is sent, so a stopped
    broker (Redis) must not turn a saved answer into an error page: the failure is logged
    for the operators, and the scheduled jobs, idempotent, catch up when Redis is back.
    """

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:  # kombu's OperationalError, redis' ConnectionError, OSError ...
            logger.exception("could not queue %s: is the broker (Redis) running?", task.name)

    transaction.on_commit(send)
