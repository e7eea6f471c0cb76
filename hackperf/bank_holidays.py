"""The bank-holiday calendar as stored in the database: reading it, and replacing it from a feed.

``hackperf.workdays`` is the pure arithmetic; this module is its link to the database. The
GOV.UK feed is the authority: a sync makes the stored set for the years the feed covers equal
to the feed, records nothing it does not have to, and tells other apps (after commit) which
dates changed so they can recompute due dates.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hackperf.models import BankHoliday
from hackperf.signals import bank_holidays_changed
from hackperf.workdays import (
    ALL_DIVISIONS,
    BUNDLED_FEED_PATH,
    Division,
    Holiday,
    HolidayCalendar,
    fallback_holidays,
)

BUNDLED_SOURCE = "GOV.UK bank-holidays.json (copy shipped in hackperf/data/)"

# Years before the first stored one and after the last for which the `holidays` package
# stands in, so a count that crosses the feed's edge is still right (and flagged by nothing).
FALLBACK_YEARS_AROUND = 3

FILE_NOT_READABLE = "{path}: cannot read the file: {error}"
FILE_NOT_JSON = "{path}: not JSON: {error}"


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


@transaction.atomic
def bank_holidays_sync(*, calendar: HolidayCalendar, source: str) -> HolidaySync:
    """Make the stored holidays of every (division, year) the feed covers equal to the feed.

    Idempotent: a second sync of the same feed changes nothing and signals nothing. Rows of
    years the feed does not cover are left alone (an older feed never erases newer years).
    """
    wanted = {(h.division.value, h.date): h for h in calendar.holidays}
    stored = {
        (row.division, row.date): row
        for row in BankHoliday.objects.select_for_update().order_by("pk")
    }
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
        transaction.on_commit(
            lambda: bank_holidays_changed.send(
                sender=BankHoliday, changed_dates=result.changed_dates, reason=reason
            )
        )
    return result


@lru_cache(maxsize=256)
def _fallback(year: int, division: Division) -> tuple[Holiday, ...]:
    return tuple(fallback_holidays(year, division))


def holiday_calendar() -> HolidayCalendar:
    """The stored holidays (one query), with the ``holidays`` package for years they lack.

    An empty table reads as the shipped feed, never as a year without holidays.

    Each division covers the years from its first stored holiday to its last; around those,
    ``FALLBACK_YEARS_AROUND`` years on each side come from the package, which the deadline
    engine would otherwise flag as unknown.
    """
    rows = BankHoliday.objects.values_list("division", "date", "title", "notes")
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


def bundled_calendar() -> HolidayCalendar:
    return read_feed(BUNDLED_FEED_PATH)


def calendar_from_url(url: str, *, timeout: float = 30) -> HolidayCalendar:
    """Fetch and parse the live feed (``https://www.gov.uk/bank-holidays.json``)."""
    from urllib.request import urlopen

    with urlopen(url, timeout=timeout) as response:  # noqa: S310 (a configured https URL)
        data = json.load(response)
    try:
        return HolidayCalendar.from_govuk_feed(data)
    except ValueError as exc:
        raise ValueError(f"{url}: {exc}") from None
