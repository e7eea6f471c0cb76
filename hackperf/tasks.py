"""Project-wide Celery tasks, how every task of the project is declared (``job``), and the
one safe way for a request to enqueue one."""

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "hackperf:celery-heartbeat"


def job(*, soft_time_limit: int, time_limit: int, **options: Any) -> Callable[..., Any]:
    """``shared_task`` as every task of the project is declared (STYLE.md §6): its result
    ignored (jobs report through the database and the log, ``hackperf.task_log``), with a
    soft and a hard time limit. ``options`` are the task's own: ``acks_late``, retries.
    """
    return shared_task(
        ignore_result=True, soft_time_limit=soft_time_limit, time_limit=time_limit, **options
    )


# An upload's ImportRun, run by a worker: acked late, within the import's own time limits,
# and not retried (a bad file stays bad, and the run says why).
IMPORT_RUN: dict[str, Any] = {
    "acks_late": True,
    "soft_time_limit": settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.IMPORT_TASK_TIME_LIMIT,
}


@job(soft_time_limit=10, time_limit=20)
def heartbeat() -> None:
    """Record that beat scheduled a task and a worker ran it (shown on the home page).

    Idempotent: it overwrites one cache key with the time it ran.
    """
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@job(
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def refresh_bank_holidays() -> None:
    """Refresh bank holidays from ``BANK_HOLIDAYS_FEED_URL`` (or the shipped copy).

    Idempotent: a feed that has not changed changes nothing. Every attempt is recorded
    (``hackperf.bank_holidays.bank_holidays_refresh``). Network errors (OSError) are retried
    with backoff; a malformed or truncated feed is refused and not retried, since it will not
    fix itself; the last good copy stays in force either way.
    """
    from hackperf.bank_holidays import bank_holidays_refresh

    bank_holidays_refresh(url=settings.BANK_HOLIDAYS_FEED_URL)


@job(acks_late=True, soft_time_limit=240, time_limit=300)
def send_outbox() -> int:
    """Send the outbox's queued e-mails (``hackperf.outbox.outbox_send``); the number sent.

    Idempotent: each message is claimed before it is sent and marked sent right after, so a
    redelivered, repeated or concurrent run sends nothing twice. No ``autoretry_for``: a
    message that fails is retried by the outbox itself, with its own backoff, and beat runs
    this task every minute.
    """
    from hackperf.outbox import outbox_send

    return outbox_send().sent


@job(soft_time_limit=60, time_limit=90)
def sweep_import_runs() -> None:
    """Queue again the import runs whose message was lost; give up those queued too long.

    Idempotent (``hackperf.imports.import_runs_sweep``): each run is claimed with a
    conditional UPDATE before it is queued again or failed, and the import task itself does
    nothing for a run that is taken or finished, so a repeated sweep changes nothing.
    """
    from hackperf.imports import import_runs_sweep

    import_runs_sweep()


@job(soft_time_limit=300, time_limit=360)
def delete_old_uploads() -> None:
    """Delete uploads' stored files ``IMPORT_UPLOAD_KEEP_DAYS`` after their import finished.

    Idempotent (``hackperf.imports.import_uploads_delete``): a run whose file is deleted is
    marked so, and a file already gone is not an error.
    """
    from hackperf.imports import import_uploads_delete

    import_uploads_delete()


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
