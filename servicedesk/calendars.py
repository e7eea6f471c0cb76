"""Each queue's service calendar (working hours and bank holidays) for the SLA clock.

``ServiceCalendar`` caches its table of working intervals on itself, so calendars are kept in
a small per-process cache keyed by their hours and holidays: a page or a bulk job over many
tickets builds each table once.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import Any

from hackperf.workdays import Division, HolidayCalendar, load_bundled_calendar
from servicedesk.sla import ServiceCalendar

HoursKey = tuple[tuple[int, tuple[tuple[str, str], ...]], ...]


def holiday_calendar() -> HolidayCalendar:
    """The bank holidays: the database's once ``hackperf.selectors.holiday_calendar`` exists,
    the bundled GOV.UK feed until then."""
    try:
        from hackperf.selectors import holiday_calendar as from_database
    except ImportError:
        return _bundled()
    return from_database()


@lru_cache(maxsize=1)
def _bundled() -> HolidayCalendar:
    return load_bundled_calendar()


def holidays_for(division: str, calendar: HolidayCalendar | None = None) -> frozenset[date]:
    calendar = calendar if calendar is not None else holiday_calendar()
    return frozenset(calendar.titles(Division(division)))


def _hours_key(working_hours: dict[str, Any]) -> HoursKey:
    return tuple(
        sorted(
            (int(day), tuple((str(start), str(end)) for start, end in intervals))
            for day, intervals in working_hours.items()
            if intervals
        )
    )


@lru_cache(maxsize=64)
def _calendar(hours: HoursKey, holidays: frozenset[date]) -> ServiceCalendar:
    return ServiceCalendar(
        hours={
            day: [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans]
            for day, spans in hours
        },
        holidays=holidays,
    )


def service_calendar(
    working_hours: dict[str, Any], division: str, *, holidays: HolidayCalendar | None = None
) -> ServiceCalendar:
    """The calendar for these hours (weekday → [[start, end], ...]) and holiday division."""
    return _calendar(_hours_key(working_hours), holidays_for(division, holidays))


def queue_calendar(queue: Any, *, holidays: HolidayCalendar | None = None) -> ServiceCalendar:
    """The service calendar of a queue (pass ``holidays`` when building several at once)."""
    return service_calendar(queue.working_hours, queue.holiday_division, holidays=holidays)
