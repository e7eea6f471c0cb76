"""The bank-holiday calendar as stored in the database: reading it, and replacing it from a feed.

``hackperf.workdays`` is the pure arithmetic; this module is its link to the database. The
GOV.UK feed is the authority: a sync makes the stored set for the years the feed covers equal
to the feed, records nothing it does not have to, and tells other apps (after commit) which
dates changed so they can recompute due dates.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hackperf.choices import GOOD_FETCH_OUTCOMES, FetchOutcome, ToConfirmStatus
from hackperf.models import BankHoliday, BankHolidayFetch, HolidayToConfirm
from hackperf.signals import bank_holidays_changed
from hackperf.workdays import (
    ALL_DIVISIONS,
    BUNDLED_FEED_PATH,
    SATURDAY,
    Division,
    Holiday,
    HolidayCalendar,
    extend_with_fallback,
    fallback_holidays,
)

BUNDLED_SOURCE = "GOV.UK bank-holidays.json (copy shipped in hackperf/data/)"

# Years before the first stored one and after the last for which the `holidays` package
# stands in, so a count that crosses the feed's edge is still right (and flagged by nothing).
FALLBACK_YEARS_AROUND = 3

FILE_NOT_READABLE = "{path}: cannot read the file: {error}"
FILE_NOT_JSON = "{path}: not JSON: {error}"
FEED_DROPS_PAST = (
    "the feed lacks {count} past bank holiday(s) already stored: {listed}. A past bank "
    "holiday is never withdrawn, so the feed is truncated or wrong; the stored holidays are kept."
)
FEED_TOO_LARGE = "the answer is over {limit} bytes: not a bank-holiday feed"


@dataclass(frozen=True)
class HolidayChange:
    division: str
    date: date
    old_title: str | None
    new_title: str | None

    def __str__(self) -> str:
        if self.old_title is None:
            return f"added {self.date.isoformat()} {self.new_title} ({self.division})"
        if self.new_title is None:
            return f"removed {self.date.isoformat()} {self.old_title} ({self.division})"
        return (
            f"renamed {self.date.isoformat()} {self.old_title!r} to {self.new_title!r} "
            f"({self.division})"
        )


@dataclass(frozen=True)
class HolidaySync:
    changes: list[HolidayChange] = field(default_factory=list)

    @property
    def changed_dates(self) -> list[date]:
        """Dates whose holiday status changed (renames move no deadline)."""
        return sorted({c.date for c in self.changes if c.old_title is None or c.new_title is None})


def read_feed(path: Path) -> HolidayCalendar:
    """Parse a GOV.UK-shaped feed file, with errors that name the file and the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(FILE_NOT_READABLE.format(path=path, error=exc.strerror)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(FILE_NOT_JSON.format(path=path, error=exc)) from None
    try:
        return HolidayCalendar.from_govuk_feed(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


class FeedRefused(ValueError):
    """A feed that parses but must not be stored (it drops past holidays)."""


@transaction.atomic
def bank_holidays_sync(
    *,
    calendar: HolidayCalendar,
    source: str,
    today: date | None = None,
    allow_past_removals: bool = False,
) -> HolidaySync:
    """Make the stored holidays of every (division, year) the feed covers equal to the feed.

    IG officers' decisions stand over the feed: a holiday they confirmed from the ``holidays``
    package is kept, one they rejected is not stored (``HolidayToConfirm``).

    A feed that lacks a holiday already stored and dated before ``today`` is refused
    (``FeedRefused``, nothing written): a past bank holiday is never undeclared, so such a
    feed is truncated or wrong, and storing it would move the due dates of open cases
    received long ago. ``allow_past_removals`` lets a person correct a past mistake.

    Idempotent: a second sync of the same feed changes nothing and signals nothing. Rows of
    years the feed does not cover are left alone (an older feed never erases newer years).
    """
    today = today or timezone.localdate()
    wanted = {(h.division.value, h.date): h for h in calendar.holidays}
    decided = HolidayToConfirm.objects.filter(
        status__in=(ToConfirmStatus.CONFIRMED, ToConfirmStatus.REJECTED)
    )
    for item in decided:
        key = (item.division, item.date)
        if item.status == ToConfirmStatus.CONFIRMED and not item.in_feed:
            if key not in wanted:
                wanted[key] = Holiday(item.date, item.title, Division(item.division))
        elif item.status == ToConfirmStatus.REJECTED and item.in_feed:
            wanted.pop(key, None)
    stored = {
        (row.division, row.date): row
        for row in BankHoliday.objects.select_for_update().order_by("pk")
    }
    dropped = sorted(
        (
            row
            for key, row in stored.items()
            if key not in wanted
            and row.date < today
            and (Division(row.division), row.date.year) in calendar.coverage
        ),
        key=lambda row: (row.date, row.division),
    )
    if dropped and not allow_past_removals:
        listed = "; ".join(
            f"{row.date.isoformat()} {row.title} ({row.division})" for row in dropped[:5]
        )
        more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
        raise FeedRefused(FEED_DROPS_PAST.format(count=len(dropped), listed=listed + more))
    changes: list[HolidayChange] = []
    to_create, to_update, to_delete = [], [], []
    for key, holiday in wanted.items():
        row = stored.get(key)
        if row is None:
            to_create.append(
                BankHoliday(
                    division=key[0],
                    date=holiday.date,
                    title=holiday.title,
                    notes=holiday.notes,
                    source=source,
                )
            )
            changes.append(HolidayChange(key[0], holiday.date, None, holiday.title))
        elif (row.title, row.notes) != (holiday.title, holiday.notes):
            changes.append(HolidayChange(key[0], holiday.date, row.title, holiday.title))
            row.title, row.notes, row.source = holiday.title, holiday.notes, source
            to_update.append(row)
    for key, row in stored.items():
        covered = (Division(row.division), row.date.year) in calendar.coverage
        if covered and key not in wanted:
            to_delete.append(row.pk)
            changes.append(HolidayChange(row.division, row.date, row.title, None))
    BankHoliday.objects.bulk_create(to_create)
    BankHoliday.objects.bulk_update(to_update, ["title", "notes", "source", "updated_at"])
    BankHoliday.objects.filter(pk__in=to_delete).delete()
    result = HolidaySync(changes=sorted(changes, key=lambda c: (c.date, c.division)))
    if result.changed_dates:
        reason = "Bank holidays changed: " + "; ".join(str(c) for c in result.changes)
        _signal_on_commit(result.changed_dates, reason)
    return result


def _signal_on_commit(changed_dates: list[date], reason: str) -> None:
    transaction.on_commit(
        lambda: bank_holidays_changed.send(
            sender=BankHoliday, changed_dates=changed_dates, reason=reason
        )
    )


@lru_cache(maxsize=256)
def _fallback(year: int, division: Division) -> tuple[Holiday, ...]:
    return tuple(fallback_holidays(year, division))


StoredRows = tuple[tuple[str, date, str, str], ...]


def holiday_calendar() -> HolidayCalendar:
    """The stored holidays (one query), with the ``holidays`` package for years they lack.

    The one loader every app uses (``servicedesk.calendars``, ``infogov.selectors`` and the
    tasks call it). Building the calendar (the package's years around the stored ones, the
    per-division index) costs far more than reading the rows, so the calendar is cached per
    process, keyed by the stored rows themselves: the version *is* the content. A sync, an
    admin edit, a confirmed or rejected "to confirm" holiday, another process's change or a
    rolled-back test all read as a different key, so the cache can never serve a stale
    calendar, and needs neither the clock nor the ``bank_holidays_changed`` signal to know.
    Pages keep the one query they had.
    """
    rows = BankHoliday.objects.order_by("division", "date", "pk").values_list(
        "division", "date", "title", "notes"
    )
    return _calendar_from_rows(tuple(rows))


@lru_cache(maxsize=4)
def _calendar_from_rows(rows: StoredRows) -> HolidayCalendar:
    """The calendar of these stored rows: an empty table reads as the shipped feed, never as a
    year without holidays.

    Each division covers the years from its first stored holiday to its last; around those,
    ``FALLBACK_YEARS_AROUND`` years on each side come from the package, which the deadline
    engine would otherwise flag as unknown.
    """
    holidays = [Holiday(d, title, Division(division), notes) for division, d, title, notes in rows]
    if not holidays:
        # Never count with no holidays at all: an emptied table means the shipped feed.
        holidays = list(bundled_calendar().holidays)
    coverage: set[tuple[Division, int]] = set()
    for division in ALL_DIVISIONS:
        years = [h.date.year for h in holidays if h.division is division]
        if years:
            coverage.update((division, y) for y in range(min(years), max(years) + 1))
    calendar = HolidayCalendar.from_holidays(holidays, coverage=coverage)
    years = [y for _, y in coverage] or [timezone.localdate().year]
    span = range(min(years) - FALLBACK_YEARS_AROUND, max(years) + FALLBACK_YEARS_AROUND + 1)
    extra = [
        holiday
        for division in ALL_DIVISIONS
        for year in span
        if (division, year) not in coverage
        for holiday in _fallback(year, division)
    ]
    return calendar.with_fallback(extra)


@lru_cache(maxsize=1)
def bundled_calendar() -> HolidayCalendar:
    """The GOV.UK copy shipped in ``hackperf/data/`` (read once: the file only changes with a
    release). What an empty table means, and what tests and the demo count with."""
    return read_feed(BUNDLED_FEED_PATH)


@lru_cache(maxsize=1)
def bundled_calendar_with_fallback() -> HolidayCalendar:
    """The shipped copy with the ``holidays`` package five years before it and two after, so
    a test or the demo can count deadlines past the feed's edge without the database."""
    calendar = bundled_calendar()
    years = {year for _, year in calendar.coverage}
    return extend_with_fallback(calendar, range(min(years) - 5, max(years) + 3))


# ---------------------------------------------------------------------------------------------
# The weekly refresh: fetch, validate, store the last good copy, record every outcome
# ---------------------------------------------------------------------------------------------

# GOV.UK's file is about 50 kB; anything this size is not it.
FEED_MAX_BYTES = 5_000_000


def fetch_feed(url: str, *, timeout: float = 30) -> Any:
    """GET ``url`` and decode its JSON.

    Raises:
        OSError: the network or the server failed (worth retrying).
        ValueError: the answer is not JSON, or too large (not worth retrying).
    """
    from urllib.request import Request, urlopen

    request = Request(url, headers={"Accept": "application/json", "User-Agent": "hackperf"})
    with urlopen(request, timeout=timeout) as response:  # noqa: S310 (a configured URL)
        body = response.read(FEED_MAX_BYTES + 1)
    if len(body) > FEED_MAX_BYTES:
        raise ValueError(FEED_TOO_LARGE.format(limit=FEED_MAX_BYTES))
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None


def _record(**fields: Any) -> BankHolidayFetch:
    return BankHolidayFetch.objects.create(**fields)


def _read(url: str, path: Path | None) -> Any:
    if url:
        return fetch_feed(url)
    path = path or BUNDLED_FEED_PATH
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise OSError(FILE_NOT_READABLE.format(path=path, error=exc.strerror)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None


def bank_holidays_refresh(
    *,
    url: str = "",
    path: Path | None = None,
    now: datetime | None = None,
    today: date | None = None,
    allow_past_removals: bool = False,
) -> BankHolidayFetch:
    """Refresh the stored holidays from ``url``, or the file ``path``, or the shipped copy.

    Every attempt is recorded as a ``BankHolidayFetch``: a good feed is stored with its raw
    copy (the last good copy; older fetches drop theirs); a malformed one, or one that drops
    past holidays, is refused with a message naming what is wrong; a network failure is
    recorded, then re-raised so the task retries. A good refresh is cross-checked against
    the ``holidays`` package (``bank_holidays_cross_check``).

    Raises:
        OSError: the feed could not be fetched or read (recorded first).
    """
    now = now or timezone.now()
    if url:
        source, where = url, url
    elif path is None or Path(path).resolve() == BUNDLED_FEED_PATH:
        source, where = BUNDLED_SOURCE, str(BUNDLED_FEED_PATH)
    else:
        source, where = f"file {Path(path).name}", str(path)
    try:
        data = _read(url, path)
    except OSError as exc:
        message = str(exc) if not url else _describe(exc)
        _record(at=now, source=source, outcome=FetchOutcome.FAILED, message=message)
        raise
    except ValueError as exc:
        message = f"{where}: {exc}"
        return _record(at=now, source=source, outcome=FetchOutcome.REFUSED, message=message)
    try:
        calendar = HolidayCalendar.from_govuk_feed(data)
        with transaction.atomic():
            result = bank_holidays_sync(
                calendar=calendar,
                source=source,
                today=today,
                allow_past_removals=allow_past_removals,
            )
            BankHolidayFetch.objects.filter(feed__isnull=False).update(feed=None)
            fetch = _record(
                at=now,
                source=source,
                outcome=FetchOutcome.CHANGED if result.changes else FetchOutcome.UNCHANGED,
                changes=[str(c) for c in result.changes],
                changed_dates=[d.isoformat() for d in result.changed_dates],
                feed=data,
            )
            bank_holidays_cross_check(calendar=calendar, feed_source=source, now=now)
    except ValueError as exc:  # a malformed feed, or FeedRefused
        message = f"{where}: {exc}"
        return _record(at=now, source=source, outcome=FetchOutcome.REFUSED, message=message)
    return fetch


def _describe(exc: OSError) -> str:
    """``HTTP 503 Service Unavailable``, ``cannot connect: [Errno 111] Connection refused``."""
    from urllib.error import HTTPError, URLError

    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, URLError):
        return f"cannot connect: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def last_good_feed() -> BankHolidayFetch | None:
    """The newest good fetch, with its copy of the feed."""
    return (
        BankHolidayFetch.objects.filter(outcome__in=GOOD_FETCH_OUTCOMES, feed__isnull=False)
        .order_by("-at", "-pk")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Cross-check against the `holidays` package: differences go to IG officers to confirm
# ---------------------------------------------------------------------------------------------

# The package's subdivisions for each GOV.UK division. England and Wales are one division in
# the feed; a day in either counts (FOIA s.10(6): a bank holiday in any part of the UK).
PACKAGE_SUBDIVISIONS = {
    Division.ENGLAND_AND_WALES: ("ENG", "WLS"),
    Division.SCOTLAND: ("SCT",),
    Division.NORTHERN_IRELAND: ("NIR",),
}


def package_source() -> str:
    import holidays as holidays_package

    return f"Python package holidays {holidays_package.__version__}"


def package_holidays(division: Division, year: int) -> dict[date, str]:
    """The ``holidays`` package's days off for a division and year, as the feed lists them.

    Only weekdays: the package lists a holiday on the Saturday or Sunday it falls on *and*
    its "(observed)" weekday, while GOV.UK lists only the weekday it is taken (its
    "Substitute day"). Names are the package's (they differ from GOV.UK's, e.g. "May Day"
    for "Early May bank holiday"), so only dates are compared.
    """
    import holidays as holidays_package

    found: dict[date, str] = {}
    for subdiv in PACKAGE_SUBDIVISIONS[Division(division)]:
        days = holidays_package.country_holidays("GB", subdiv=subdiv, years=year)
        for when, name in sorted(days.items()):
            if when.weekday() < SATURDAY:
                found.setdefault(when, name)
    return found


def holiday_differences(calendar: HolidayCalendar) -> list[tuple[Division, date, bool, str]]:
    """(division, date, in the feed?, title) for each weekday date one source has and the
    other lacks, over the (division, year) pairs the feed covers."""
    found: list[tuple[Division, date, bool, str]] = []
    for division, year in sorted(calendar.coverage):
        feed = {d: t for d, t in calendar.titles(division).items() if d.year == year}
        feed = {d: t for d, t in feed.items() if d.weekday() < SATURDAY}
        package = package_holidays(division, year)
        found.extend((division, d, True, feed[d]) for d in feed.keys() - package.keys())
        found.extend((division, d, False, package[d]) for d in package.keys() - feed.keys())
    return sorted(found, key=lambda item: (item[1], item[0].value))


def bank_holidays_cross_check(
    *, calendar: HolidayCalendar, feed_source: str, now: datetime | None = None
) -> list[HolidayToConfirm]:
    """List the feed's disagreements with the ``holidays`` package for IG officers.

    A new difference becomes a "to confirm" row naming both sources; one already decided
    is left as decided; a listed one the sources now agree on is marked so. Returns the
    rows still to confirm.
    """
    now = now or timezone.now()
    pkg = package_source()
    differences = {
        (d.value, day): (in_feed, title) for d, day, in_feed, title in holiday_differences(calendar)
    }
    existing = {
        (row.division, row.date): row for row in HolidayToConfirm.objects.select_for_update()
    }
    for key, (in_feed, title) in differences.items():
        row = existing.get(key)
        if row is None:
            HolidayToConfirm.objects.create(
                division=key[0],
                date=key[1],
                in_feed=in_feed,
                title=title,
                feed_source=feed_source,
                package_source=pkg,
                found_at=now,
            )
        elif row.status in (ToConfirmStatus.TO_CONFIRM, ToConfirmStatus.AGREED):
            row.in_feed, row.title, row.status = in_feed, title, ToConfirmStatus.TO_CONFIRM
            row.feed_source, row.package_source = feed_source, pkg
            row.save(update_fields=["in_feed", "title", "status", "feed_source", "package_source"])
    for key, row in existing.items():
        covered = (Division(row.division), row.date.year) in calendar.coverage
        if covered and key not in differences and row.status == ToConfirmStatus.TO_CONFIRM:
            row.status = ToConfirmStatus.AGREED
            row.save(update_fields=["status"])
    return list(HolidayToConfirm.objects.filter(status=ToConfirmStatus.TO_CONFIRM))


ERR_ALREADY_DECIDED = "{holiday} was already {status} by someone else."


@transaction.atomic
def holiday_to_confirm_decide(
    *, item: HolidayToConfirm, confirm: bool, user, now: datetime | None = None
) -> HolidayToConfirm:
    """An IG officer confirms or rejects a holiday that only one source has.

    Confirming a day only the package has stores it as a bank holiday; rejecting a day only
    the feed has removes it. Either change is signalled after commit, so open cases' due
    dates are recomputed and each move recorded with this reason. The other two decisions
    leave the stored set as it is. First decision wins.
    """
    now = now or timezone.now()
    item = HolidayToConfirm.objects.select_for_update().get(pk=item.pk)
    if item.status != ToConfirmStatus.TO_CONFIRM:
        raise ValidationError(
            ERR_ALREADY_DECIDED.format(holiday=item, status=item.get_status_display().lower())
        )
    item.status = ToConfirmStatus.CONFIRMED if confirm else ToConfirmStatus.REJECTED
    item.decided_by, item.decided_at = user, now
    item.save(update_fields=["status", "decided_by", "decided_at"])
    who = user.get_full_name() or user.get_username()
    day = f"{item.date.isoformat()} {item.title} ({item.division})"
    if confirm and not item.in_feed:
        BankHoliday.objects.get_or_create(
            division=item.division,
            date=item.date,
            defaults={"title": item.title, "source": f"{item.package_source}, confirmed by {who}"},
        )
        _signal_on_commit(
            [item.date],
            f"Bank holiday confirmed by {who}: added {day}, listed by {item.package_source} "
            f"but missing from {item.feed_source}.",
        )
    elif not confirm and item.in_feed:
        BankHoliday.objects.filter(division=item.division, date=item.date).delete()
        _signal_on_commit(
            [item.date],
            f"Bank holiday rejected by {who}: removed {day}, listed by {item.feed_source} "
            f"but missing from {item.package_source}.",
        )
    return item


# ---------------------------------------------------------------------------------------------
# Holidays stored by a data migration: recompute open due dates once migrate has finished
# ---------------------------------------------------------------------------------------------


def bank_holidays_signal_pending() -> int:
    """Signal the changes a data migration stored (it cannot reach infogov's services).

    Connected to ``post_migrate``; idempotent (each fetch is signalled once). The receivers
    run inside the claim's transaction, so a failing one leaves the fetch pending.
    """
    count = 0
    for fetch in BankHolidayFetch.objects.filter(signalled=False).order_by("at", "pk"):
        with transaction.atomic():
            claimed = BankHolidayFetch.objects.filter(pk=fetch.pk, signalled=False).update(
                signalled=True
            )
            if claimed:
                bank_holidays_changed.send(
                    sender=BankHoliday,
                    changed_dates=[date.fromisoformat(d) for d in fetch.changed_dates],
                    reason="Bank holidays changed: " + "; ".join(fetch.changes),
                )
                count += 1
    return count
