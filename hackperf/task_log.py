"""One log line when each Celery task starts and one when it ends, for every task.

Jobs run unattended (the snapshot, the escalation scan, the survey sample, the outbox), so
the log is how anyone finds out what ran, for how long and how it ended. Celery's own worker
lines depend on the worker's log level and say nothing of a task run eagerly or retried;
these come from Celery's task signals, so no task has to remember to log, and each line names
the task, its id, its attempt and, at the end, its state and duration.
"""

import logging
import time

from celery import signals

logger = logging.getLogger("hackperf.tasks")

_started: dict[str, float] = {}
"""Monotonic start time by task id, for the duration on the end line (a worker process runs
one task at a time, so this holds at most a few entries; the end line pops its own)."""


_failed: dict[str, bool] = {}
"""Task ids that raised, by the failure signal (sent before the end signal)."""


@signals.task_failure.connect
def note_task_failure(task_id=None, **kwargs) -> None:
    _failed[task_id] = True


def _attempt(task) -> int:
    return (getattr(task.request, "retries", 0) or 0) + 1


@signals.task_prerun.connect
def log_task_start(task_id=None, task=None, **kwargs) -> None:
    _started[task_id] = time.monotonic()
    logger.info("task started: %s id=%s attempt=%d", task.name, task_id, _attempt(task))


@signals.task_postrun.connect
def log_task_end(task_id=None, task=None, state=None, retval=None, **kwargs) -> None:
    if state is None:
        # A task run eagerly (apply) reports no state here: the failure signal said whether
        # it raised.
        state = "FAILURE" if _failed.pop(task_id, False) else "SUCCESS"
    _failed.pop(task_id, None)
    began = _started.pop(task_id, None)
    took = f"{time.monotonic() - began:.3f}s" if began is not None else "unknown"
    logger.info(
        "task ended: %s id=%s attempt=%d state=%s took=%s",
        task.name,
        task_id,
        _attempt(task),
        state,
        took,
    )
