"""Reads for the project package's own pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet

from hackperf.bank_holidays import holiday_calendar  # noqa: F401 (the selector other apps use)
from hackperf.choices import GOOD_FETCH_OUTCOMES, ToConfirmStatus
from hackperf.models import BankHolidayFetch, HolidayToConfirm
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
