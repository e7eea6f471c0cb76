"""Celery tasks of the indicators app: trend snapshots and the monthly indicator values.

Thin: each works out its instant or month from the clock (or takes one, for a manual run),
then calls a service. Every task is idempotent (the services upsert on natural keys), so
``acks_late`` redelivery and a second worker are harmless.
"""

from datetime import date, datetime

from django.db import InterfaceError, OperationalError
from django.utils import timezone

from hackperf.tasks import job
from indicators import periods
from indicators.choices import Granularity
from indicators.services.compute import indicators_compute
from indicators.services.snapshots import snapshot_take

# Connection drops and serialisation failures fix themselves; a bug does not, so nothing
# broader is retried.
TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


def _instant(as_of: str | None, *, granularity: str) -> datetime:
    if as_of:
        return datetime.fromisoformat(as_of)
    now = timezone.now()
    if granularity == Granularity.FORTNIGHTLY:
        return periods.fortnight_end_on_or_before(now)
    return periods.day_end_on_or_before(now)


@job(soft_time_limit=600, time_limit=660, **RETRY)
def snapshot_fortnightly(as_of: str | None = None) -> str:
    """Snapshot the DMT metric set at the latest fortnight end (or ``as_of``, ISO).

    Beat runs it weekly: in the off week it retakes the same fortnight end, which changes
    nothing unless the history behind it changed (then it corrects the row).
    """
    instant = _instant(as_of, granularity=Granularity.FORTNIGHTLY)
    snapshot_take(as_of=instant, granularity=Granularity.FORTNIGHTLY)
    return instant.isoformat()


@job(soft_time_limit=600, time_limit=660, **RETRY)
def snapshot_daily(as_of: str | None = None) -> str:
    """Snapshot the DMT metric set at the latest London midnight (or ``as_of``, ISO)."""
    instant = _instant(as_of, granularity=Granularity.DAILY)
    snapshot_take(as_of=instant, granularity=Granularity.DAILY)
    return instant.isoformat()


@job(soft_time_limit=900, time_limit=960, **RETRY)
def compute_last_month(period: str | None = None) -> str:
    """Compute and store FR ICT 17–19 for the month just ended (or ``period``, YYYY-MM)."""
    if period:
        period_start = date.fromisoformat(f"{period}-01")
    else:
        period_start = periods.shift_month(periods.month_start(timezone.localdate()), -1)
    indicators_compute(period_start=period_start)
    return f"{period_start:%Y-%m}"


@job(soft_time_limit=120, time_limit=150, **RETRY)
def remind_data_due() -> int:
    """E-mail the owners of hand-entered indicators whose last month's value is due or late
    (``indicators.reminders``). Daily; each reminder is queued once ever, whatever the runs."""
    from indicators import reminders

    return reminders.reminders_send(today=timezone.localdate())
