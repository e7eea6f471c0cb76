"""Reads for the project package's own pages."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet, Sum

from hackperf.bank_holidays import holiday_calendar  # noqa: F401 (the selector other apps use)
from hackperf.choices import GOOD_FETCH_OUTCOMES, ToConfirmStatus
from hackperf.models import BankHolidayFetch, HolidayToConfirm
from hackperf.roles import Role
from hackperf.tasks import HEARTBEAT_KEY

logger = logging.getLogger(__name__)

# Beat sends the heartbeat every minute; allow a few missed beats before saying it stopped.
HEARTBEAT_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class JobsStatus:
    last_run: datetime | None
    running: bool
    # False when the cache (Redis) could not be asked: the page says "unknown".
    known: bool = True


def jobs_status(*, now: datetime) -> JobsStatus:
    """Whether Celery beat and a worker are running, judged by the heartbeat task.

    The heartbeat lives in the cache, which is Redis, the broker too: when Redis is down the
    answer is "unknown", never an error page.
    """
    try:
        raw = cache.get(HEARTBEAT_KEY)
    except Exception:  # any cache backend's connection error; the page must still serve
        logger.warning("jobs status: the cache could not be read", exc_info=True)
        return JobsStatus(last_run=None, running=False, known=False)
    if not raw:
        return JobsStatus(last_run=None, running=False)
    last_run = datetime.fromisoformat(raw)
    return JobsStatus(last_run=last_run, running=now - last_run <= HEARTBEAT_STALE_AFTER)


# The refresh runs weekly: one missed run is a blip, a week of failures is worth telling
# the IG officers, since a holiday announced meanwhile would be missing from due dates.
FEED_FAILING_ALARM_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class FeedStatus:
    """How the bank-holiday refresh is going, for the IG pages (and the DMT home page)."""

    last_good_at: datetime | None
    last_good_source: str
    failing_since: datetime | None  # the first failed or refused fetch after the last good one
    failures: int
    last_error: str
    stale: bool  # fetches have failed for more than FEED_FAILING_ALARM_AFTER
    to_confirm: int  # bank holidays waiting for an IG officer's decision


def bank_holiday_feed_status(*, now: datetime) -> FeedStatus:
    """The state of the bank-holiday feed. Three queries, whatever the history's length."""
    last_good = (
        BankHolidayFetch.objects.filter(outcome__in=GOOD_FETCH_OUTCOMES)
        .order_by("-at", "-pk")
        .values("at", "source")
        .first()
    )
    failed = BankHolidayFetch.objects.exclude(outcome__in=GOOD_FETCH_OUTCOMES)
    if last_good:
        failed = failed.filter(at__gt=last_good["at"])
    failures = list(failed.order_by("at", "pk").values_list("at", "message"))
    failing_since = failures[0][0] if failures else None
    return FeedStatus(
        last_good_at=last_good["at"] if last_good else None,
        last_good_source=last_good["source"] if last_good else "",
        failing_since=failing_since,
        failures=len(failures),
        last_error=failures[-1][1] if failures else "",
        stale=failing_since is not None and now - failing_since > FEED_FAILING_ALARM_AFTER,
        to_confirm=HolidayToConfirm.objects.filter(status=ToConfirmStatus.TO_CONFIRM).count(),
    )


def holidays_to_confirm() -> QuerySet:
    """Every listed difference between the feed and the package, undecided first."""
    return HolidayToConfirm.objects.select_related("decided_by").order_by(
        "-status", "date", "division", "pk"
    )


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


@dataclass(frozen=True)
class LockedSignIn:
    """An account or a client address that django-axes currently refuses to sign in."""

    kind: str  # "account" or "address"
    value: str
    failures: int
    last_attempt: datetime


def locked_sign_ins(*, now: datetime) -> list[LockedSignIn]:
    """Accounts and addresses locked out now, as django-axes counts (two queries).

    django-axes locks on the sum of failures within the cool-off, separately per username
    and per address (``AXES_LOCKOUT_PARAMETERS``); this reads its table the same way.
    """
    from axes.models import AccessAttempt

    since = now - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    locked = []
    for kind, field in (("account", "username"), ("address", "ip_address")):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by(field)
        )
        locked += [
            LockedSignIn(
                kind=kind, value=row[field], failures=row["failures"], last_attempt=row["last"]
            )
            for row in rows
            if row[field]
        ]
    return locked
