"""Each queue's service calendar (working hours and bank holidays) for the SLA clock.

``ServiceCalendar`` caches its table of working intervals on itself, so calendars are kept in
a small per-process cache keyed by their hours and holidays: a page or a bulk job over many
tickets builds each table once.
"""

from __future__ import annotations

import json
from datetime import date, time
from functools import lru_cache
from typing import Any

# The one cached loader of the stored bank holidays; re-exported for the services and importer.
from hackperf.bank_holidays import holiday_calendar
from hackperf.workdays import Division, HolidayCalendar
from servicedesk.sla import ServiceCalendar

HoursKey = tuple[tuple[int, tuple[tuple[str, str], ...]], ...]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS_NOT_AN_OBJECT = (
    'Working hours must be an object of weekday to intervals, e.g. {{"0": [["09:00", "17:00"]]}}'
    " (0 is Monday), not {value}."
)
HOURS_BAD_DAY = "{key!r} is not a weekday: use 0 (Monday) to 6 (Sunday)."
HOURS_DAY_TWICE = "{day} is given twice."
HOURS_NOT_A_LIST = '{day}: give a list of intervals, e.g. [["09:00", "17:00"]], not {value}.'
HOURS_NOT_A_PAIR = '{day}: each interval is a pair of times, like ["09:00", "17:00"], not {value}.'
HOURS_NOT_A_TIME = "{day}: {value} is not a time of day (HH:MM, 00:00 to 23:59)."
HOURS_ENDS_BEFORE_START = "{day}: {start}–{end} ends before it starts."
HOURS_ENDS_AT_START = "{day}: {start}–{end} ends when it starts."
HOURS_OVERLAP = "{day}: {first} and {second} overlap."
HOURS_NONE = "A queue needs working hours on at least one day of the week."


def _parse_time(day: str, value: Any) -> time:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(HOURS_NOT_A_TIME.format(day=day, value=json.dumps(value)))


def validate_working_hours(value: Any) -> dict[int, list[tuple[time, time]]]:
    """Check a queue's ``working_hours`` JSON and return it parsed, or raise ``ValueError``
    with a message naming the day and interval at fault.

    The shape is weekday ("0" = Monday … "6" = Sunday) → list of ["HH:MM", "HH:MM"] local
    intervals; an end of "00:00" is the midnight that closes the day. Called by the queue's
    model validation, so the admin (or any form) shows the error instead of a queue page
    failing when it builds the calendar.
    """
    if not isinstance(value, dict):
        raise ValueError(HOURS_NOT_AN_OBJECT.format(value=json.dumps(value)))
    parsed: dict[int, list[tuple[time, time]]] = {}
    for key, intervals in value.items():
        text = str(key).strip()
        if isinstance(key, bool) or not text.isdigit() or not 0 <= int(text) <= 6:
            raise ValueError(HOURS_BAD_DAY.format(key=key))
        weekday = int(text)
        day = DAY_NAMES[weekday]
        if weekday in parsed:
            raise ValueError(HOURS_DAY_TWICE.format(day=day))
        if not isinstance(intervals, list):
            raise ValueError(HOURS_NOT_A_LIST.format(day=day, value=json.dumps(intervals)))
        spans = []
        for interval in intervals:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise ValueError(HOURS_NOT_A_PAIR.format(day=day, value=json.dumps(interval)))
            start, end = (_parse_time(day, v) for v in interval)
            shown = {"day": day, "start": interval[0], "end": interval[1]}
            if end != time(0) and end < start:
                raise ValueError(HOURS_ENDS_BEFORE_START.format(**shown))
            if end == start:
                raise ValueError(HOURS_ENDS_AT_START.format(**shown))
            spans.append((start, end))
        spans.sort()
        for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
            if e1 == time(0) or s2 < e1:
                first = f"{s1:%H:%M}–{e1:%H:%M}"
                raise ValueError(
                    HOURS_OVERLAP.format(day=day, first=first, second=f"{s2:%H:%M}–{e2:%H:%M}")
                )
        parsed[weekday] = spans
    if not any(parsed.values()):
        raise ValueError(HOURS_NONE)
    return parsed


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
