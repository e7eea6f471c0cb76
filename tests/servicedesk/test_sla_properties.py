"""SLA clocks against a minute-by-minute reference (hypothesis).

The reference walks every minute between two instants and asks, in Europe/London wall-clock
time, whether it falls in Monday-Friday 09:00-17:00, off the holidays and outside every pause.
It shares no code with ``servicedesk/sla.py``'s interval tables, and the windows straddle both
clock changes of 2026 (29 March and 25 October), where an hour-long slip would show.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla import ServiceCalendar, business_seconds, due_at

LONDON = ZoneInfo("Europe/London")
MINUTE = timedelta(minutes=1)
WINDOWS = (datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 10, 19, tzinfo=UTC))
SPAN_MINUTES = 12 * 24 * 60  # twelve days from a window's start


def working_minute(minute: datetime, holidays: frozenset[date], pauses) -> bool:
    local = minute.astimezone(LONDON)
    if local.weekday() >= 5 or local.date() in holidays or not 9 <= local.hour < 17:
        return False
    return not any(start <= minute < end for start, end in pauses)


@st.composite
def clock_cases(draw):
    base = draw(st.sampled_from(WINDOWS))
    a, b = sorted(draw(st.integers(0, SPAN_MINUTES)) for _ in range(2))
    start, end = base + a * MINUTE, base + b * MINUTE
    weekdays = [
        (base + timedelta(days=n)).date()
        for n in range(12)
        if (base + timedelta(days=n)).weekday() < 5
    ]
    holidays = frozenset(draw(st.lists(st.sampled_from(weekdays), max_size=2)))
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        p, q = sorted(draw(st.integers(0, SPAN_MINUTES)) for _ in range(2))
        pauses.append((base + p * MINUTE, base + q * MINUTE))
    return start, end, holidays, pauses


@settings(max_examples=120, deadline=None)
@given(case=clock_cases())
def test_business_seconds_match_a_minute_by_minute_count(case) -> None:
    start, end, holidays, pauses = case
    expected = 0
    minute = start
    while minute < end:
        expected += 60 if working_minute(minute, holidays, pauses) else 0
        minute += MINUTE
    calendar = ServiceCalendar(holidays=holidays)
    assert business_seconds(start, end, calendar=calendar, pauses=pauses) == expected


@settings(max_examples=120, deadline=None)
@given(case=clock_cases(), target_minutes=st.integers(0, 3 * 8 * 60))
def test_the_due_instant_is_the_end_of_the_targets_last_working_minute(
    case, target_minutes: int
) -> None:
    start, _, holidays, pauses = case
    if target_minutes == 0:
        expected = start
    else:
        counted, minute = 0, start
        while counted < target_minutes:
            if working_minute(minute, holidays, pauses):
                counted += 1
            minute += MINUTE
        expected = minute
    calendar = ServiceCalendar(holidays=holidays)
    assert due_at(start, target_minutes * 60, calendar=calendar, pauses=pauses) == expected
