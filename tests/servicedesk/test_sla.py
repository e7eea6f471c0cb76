"""Tests for the business-hours SLA clock (servicedesk/sla.py).

Dates used, and why:

* 2024 England and Wales bank holidays around Easter: Good Friday Fri 29 Mar, Easter Monday
  Mon 1 Apr. British Summer Time began Sun 31 Mar 2024 at 01:00 UTC and ended Sun 27 Oct 2024
  at 01:00 UTC. Tests that want the clock change without Easter use a calendar with no
  holidays (a queue that works bank holidays) and say so.
* One-off bank holidays: Fri 8 May 2020 (VE Day, moved from Mon 4 May), Mon 19 Sep 2022
  (state funeral of Queen Elizabeth II), Mon 8 May 2023 (coronation of King Charles III).
* Mon 10 Jun 2024 to Fri 14 Jun 2024 is an ordinary BST working week (09:00 BST = 08:00 UTC).
"""

from __future__ import annotations

import pickle
import random
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicedesk.sla import (
    AWARE_TIME,
    BAD_AT_RISK_SHARE,
    BAD_WEEKDAY,
    END_BEFORE_START,
    END_NOT_AFTER_START,
    NEGATIVE_TARGET,
    NO_WORKING_HOURS,
    OPEN_PAUSE_WITHOUT_END,
    OVERLAPPING_INTERVALS,
    PAUSE_ENDS_BEFORE_IT_STARTS,
    ServiceCalendar,
    SlaStatus,
    business_seconds,
    clock,
    due_at,
    next_working_instant,
    share_used,
)

LONDON = ZoneInfo("Europe/London")
HOUR = 3600
S = timedelta(seconds=1)

EASTER_2024 = frozenset({date(2024, 3, 29), date(2024, 4, 1)})
ONE_OFF_HOLIDAYS = frozenset({date(2020, 5, 8), date(2022, 9, 19), date(2023, 5, 8)})

OFFICE = ServiceCalendar()  # Mon-Fri 09:00-17:00 Europe/London, no holidays
OFFICE_EASTER = ServiceCalendar(holidays=EASTER_2024)
OFFICE_ONE_OFFS = ServiceCalendar(holidays=ONE_OFF_HOLIDAYS)
WEEKDAYS = range(5)
LONG_DAY = ServiceCalendar(hours={d: [(time(8), time(18))] for d in WEEKDAYS})
SATURDAY_MORNINGS = ServiceCalendar(
    hours={**{d: [(time(9), time(17))] for d in WEEKDAYS}, 5: [(time(9), time(12, 30))]}
)
SPLIT_SHIFT = ServiceCalendar(
    hours={d: [(time(13), time(17)), (time(8), time(12))] for d in WEEKDAYS}  # unsorted on purpose
)
ALWAYS = ServiceCalendar(hours={d: [(time(0), time(0))] for d in range(7)})  # 24/7
NIGHT_SUNDAY = ServiceCalendar(hours={6: [(time(0), time(3))]})


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A Europe/London wall-clock instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- due instant: 1 s before, at, after -------------------------------------------------------

# Logged Mon 10 Jun 2024 10:00 BST with a 4-hour target: due 14:00 BST = 13:00 UTC.
BOUNDARY_START = local(2024, 6, 10, 10)
BOUNDARY_DUE = utc(2024, 6, 10, 13)


def test_it_puts_the_boundary_due_instant_at_1400_bst() -> None:
    assert due_at(BOUNDARY_START, 4 * HOUR, calendar=OFFICE) == BOUNDARY_DUE


@pytest.mark.parametrize(
    ("now", "used", "remaining", "status"),
    [
        (BOUNDARY_DUE - S, 4 * HOUR - 1, 1, SlaStatus.AT_RISK),
        (BOUNDARY_DUE, 4 * HOUR, 0, SlaStatus.AT_RISK),  # met exactly: not breached
        (BOUNDARY_DUE + S, 4 * HOUR + 1, -1, SlaStatus.BREACHED),
    ],
    ids=["1s-before", "at", "1s-after"],
)
def test_it_breaches_only_after_the_due_instant(
    now: datetime, used: int, remaining: int, status: SlaStatus
) -> None:
    result = clock(BOUNDARY_START, 4 * HOUR, now, calendar=OFFICE)
    assert result.used_seconds == used
    assert result.remaining_seconds == remaining
    assert result.status is status
    assert result.due_at == BOUNDARY_DUE


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (local(2024, 6, 10, 10), SlaStatus.WITHIN),
        (local(2024, 6, 10, 12, 59, 59), SlaStatus.WITHIN),  # 74.99%
        (local(2024, 6, 10, 13), SlaStatus.AT_RISK),  # exactly 75%
    ],
)
def test_it_turns_at_risk_at_the_at_risk_share(now: datetime, status: SlaStatus) -> None:
    assert clock(BOUNDARY_START, 4 * HOUR, now, calendar=OFFICE).status is status


def test_it_takes_a_custom_at_risk_share() -> None:
    now = local(2024, 6, 10, 12)  # 50%
    assert clock(BOUNDARY_START, 4 * HOUR, now, calendar=OFFICE, at_risk_share=0.5).status is (
        SlaStatus.AT_RISK
    )


def test_it_stays_met_out_of_hours_after_a_due_instant_at_close_of_day() -> None:
    # Due Mon 17:00; on Monday evening no more business time has been used, so the ticket
    # could still be resolved within target. It breaches at 09:00:01 on Tuesday.
    start = local(2024, 6, 10, 9)
    assert due_at(start, 8 * HOUR, calendar=OFFICE) == local(2024, 6, 10, 17)
    evening = clock(start, 8 * HOUR, local(2024, 6, 10, 22), calendar=OFFICE)
    assert (evening.status, evening.remaining_seconds) == (SlaStatus.AT_RISK, 0)
    tuesday = clock(start, 8 * HOUR, local(2024, 6, 11, 9, 0, 1), calendar=OFFICE)
    assert tuesday.status is SlaStatus.BREACHED


# -- logged out of hours -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logged", "target", "due"),
    [
        (local(2024, 6, 10, 7, 30), 8 * HOUR, local(2024, 6, 10, 17)),  # Mon before 09:00
        (local(2024, 6, 10, 9), 8 * HOUR, local(2024, 6, 10, 17)),  # Mon at opening
        (local(2024, 6, 10, 17), 1 * HOUR, local(2024, 6, 11, 10)),  # Mon at closing
        (local(2024, 6, 10, 18, 15), 2 * HOUR, local(2024, 6, 11, 11)),  # Mon evening
        (local(2024, 6, 14, 16), 2 * HOUR, local(2024, 6, 17, 10)),  # Fri afternoon
        (local(2024, 6, 15, 11), 8 * HOUR, local(2024, 6, 17, 17)),  # Saturday
        (local(2024, 6, 16, 23, 59), 30 * 60, local(2024, 6, 17, 9, 30)),  # Sunday night
    ],
    ids=["before-0900", "at-0900", "at-1700", "after-1700", "friday", "saturday", "sunday"],
)
def test_it_starts_the_clock_at_the_next_working_moment(
    logged: datetime, target: int, due: datetime
) -> None:
    assert due_at(logged, target, calendar=OFFICE) == due
    assert business_seconds(logged, due, calendar=OFFICE) == target


@pytest.mark.parametrize(
    ("logged", "started"),
    [
        (local(2024, 6, 10, 7, 30), utc(2024, 6, 10, 8)),
        (local(2024, 6, 10, 12), utc(2024, 6, 10, 11)),
        (local(2024, 6, 10, 17), utc(2024, 6, 11, 8)),  # the end of an interval is outside it
        (local(2024, 6, 15, 11), utc(2024, 6, 17, 8)),
    ],
)
def test_it_finds_the_next_working_instant(logged: datetime, started: datetime) -> None:
    assert next_working_instant(logged, calendar=OFFICE) == started


def test_it_counts_nothing_over_a_weekend() -> None:
    assert business_seconds(local(2024, 6, 14, 17), local(2024, 6, 17, 9), calendar=OFFICE) == 0


# -- bank holidays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logged", "target", "due"),
    [
        # Logged on the state-funeral holiday: the clock starts Tue 20 Sep 09:00.
        (local(2022, 9, 19, 10), 8 * HOUR, local(2022, 9, 20, 17)),
        # Fri 5 May 2023 15:00: 2 h on Friday, coronation Monday skipped, 6 h on Tuesday.
        (local(2023, 5, 5, 15), 8 * HOUR, local(2023, 5, 9, 15)),
        # Thu 7 May 2020 13:00: 4 h on Thursday, VE Day Friday skipped, 4 h on Monday.
        (local(2020, 5, 7, 13), 8 * HOUR, local(2020, 5, 11, 13)),
    ],
    ids=["state-funeral", "coronation", "ve-day"],
)
def test_it_skips_bank_holidays(logged: datetime, target: int, due: datetime) -> None:
    assert due_at(logged, target, calendar=OFFICE_ONE_OFFS) == due
    # Without the holiday the same ticket would be due a working day earlier.
    assert due_at(logged, target, calendar=OFFICE) < due


def test_it_counts_no_business_time_on_a_bank_holiday() -> None:
    funeral = (local(2022, 9, 19), local(2022, 9, 20))
    assert business_seconds(*funeral, calendar=OFFICE_ONE_OFFS) == 0
    assert business_seconds(*funeral, calendar=OFFICE) == 8 * HOUR


# -- pauses ---------------------------------------------------------------------------------

# Logged Thu 13 Jun 2024 09:00; on hold from Fri 15:00 to Mon 11:00.
PAUSE_START = local(2024, 6, 13, 9)
WEEKEND_PAUSE = (local(2024, 6, 14, 15), local(2024, 6, 17, 11))


def test_it_subtracts_a_pause_across_a_weekend() -> None:
    # Thu 8 h + Fri 8 h + Mon 8 h, less Fri 15-17 and Mon 09-11.
    used = business_seconds(
        PAUSE_START, local(2024, 6, 17, 17), calendar=OFFICE, pauses=[WEEKEND_PAUSE]
    )
    assert used == 20 * HOUR


def test_it_moves_the_due_instant_by_a_pause_across_a_weekend() -> None:
    # 16 h: Thu 8 h, Fri 6 h to 15:00, then 2 h from Mon 11:00.
    assert due_at(PAUSE_START, 16 * HOUR, calendar=OFFICE, pauses=[WEEKEND_PAUSE]) == local(
        2024, 6, 17, 13
    )
    assert due_at(PAUSE_START, 16 * HOUR, calendar=OFFICE) == local(2024, 6, 14, 17)


def test_it_reaches_the_due_instant_exactly_where_a_pause_begins() -> None:
    # 14 h of business time is used up at Fri 15:00, the moment the hold starts.
    assert due_at(PAUSE_START, 14 * HOUR, calendar=OFFICE, pauses=[WEEKEND_PAUSE]) == local(
        2024, 6, 14, 15
    )


@pytest.mark.parametrize(
    ("pauses", "paused_hours"),
    [
        ([(local(2024, 6, 10, 10), local(2024, 6, 10, 12))], 2),
        (  # overlapping and nested: merged to 10:00-13:00
            [
                (local(2024, 6, 10, 10), local(2024, 6, 10, 12)),
                (local(2024, 6, 10, 11), local(2024, 6, 10, 13)),
                (local(2024, 6, 10, 12, 30), local(2024, 6, 10, 12, 45)),
            ],
            3,
        ),
        (  # the same pause recorded twice
            [(local(2024, 6, 10, 10), local(2024, 6, 10, 12))] * 2,
            2,
        ),
        (  # touching pauses
            [
                (local(2024, 6, 10, 10), local(2024, 6, 10, 11)),
                (local(2024, 6, 10, 11), local(2024, 6, 10, 12)),
            ],
            2,
        ),
        (  # starts before the ticket was logged: clipped to the start
            [(local(2024, 6, 9, 12), local(2024, 6, 10, 10))],
            1,
        ),
        (  # ends after `end`: clipped to the end
            [(local(2024, 6, 10, 16), local(2024, 6, 12, 12))],
            1,
        ),
        (  # entirely outside [start, end)
            [(local(2024, 6, 7, 10), local(2024, 6, 7, 12))],
            0,
        ),
        (  # zero-length
            [(local(2024, 6, 10, 10), local(2024, 6, 10, 10))],
            0,
        ),
        (  # still on hold: counts up to `end`
            [(local(2024, 6, 10, 15), None)],
            2,
        ),
        (  # on hold since before the ticket was logged
            [(local(2024, 6, 1), None)],
            8,
        ),
    ],
    ids=[
        "single",
        "overlapping",
        "duplicate",
        "touching",
        "before-start",
        "after-end",
        "outside",
        "empty",
        "open",
        "open-from-before",
    ],
)
def test_it_clips_and_merges_pauses(
    pauses: list[tuple[datetime, datetime | None]], paused_hours: int
) -> None:
    start, end = local(2024, 6, 10, 9), local(2024, 6, 10, 17)
    used = business_seconds(start, end, calendar=OFFICE, pauses=pauses)
    assert used == (8 - paused_hours) * HOUR


def test_it_shows_a_ticket_still_on_hold_as_paused() -> None:
    start, now = local(2024, 6, 10, 9), local(2024, 6, 10, 16)
    result = clock(start, 8 * HOUR, now, calendar=OFFICE, pauses=[(local(2024, 6, 10, 15), None)])
    assert result.paused
    assert result.used_seconds == 6 * HOUR
    assert result.paused_seconds == 1 * HOUR
    assert result.pauses == ((utc(2024, 6, 10, 14), utc(2024, 6, 10, 15)),)
    # Due if it resumed now: 2 h left from 16:00 Mon is 10:00 Tue.
    assert result.due_at == local(2024, 6, 11, 10)


def test_it_ignores_what_happens_after_now() -> None:
    # As of Mon 12:00 the hold that starts at 15:00 and the resolution at 16:00 are unknown.
    start, now = local(2024, 6, 10, 9), local(2024, 6, 10, 12)
    result = clock(
        start,
        8 * HOUR,
        now,
        calendar=OFFICE,
        pauses=[(local(2024, 6, 10, 15), local(2024, 6, 10, 16))],
        stopped_at=local(2024, 6, 10, 16),
    )
    assert (result.used_seconds, result.paused, result.stopped) == (3 * HOUR, False, False)
    assert result.due_at == local(2024, 6, 10, 17)


def test_it_is_not_paused_once_a_pause_has_ended_at_now() -> None:
    start, now = local(2024, 6, 10, 9), local(2024, 6, 10, 12)
    pauses = [(local(2024, 6, 10, 10), now)]
    assert not clock(start, 8 * HOUR, now, calendar=OFFICE, pauses=pauses).paused
    pauses = [(local(2024, 6, 10, 10), now + S)]
    assert clock(start, 8 * HOUR, now, calendar=OFFICE, pauses=pauses).paused


def test_it_stops_the_clock_at_resolution() -> None:
    start, resolved = local(2024, 6, 10, 9), local(2024, 6, 10, 13)
    result = clock(
        start,
        8 * HOUR,
        local(2024, 6, 20, 9),
        calendar=OFFICE,
        pauses=[(local(2024, 6, 10, 12), None)],
        stopped_at=resolved,
    )
    assert result.stopped
    assert result.stopped_at == resolved
    assert not result.paused
    assert (result.used_seconds, result.status) == (3 * HOUR, SlaStatus.WITHIN)


def test_it_refuses_a_due_instant_while_a_pause_is_open() -> None:
    with pytest.raises(ValueError, match=re.escape(OPEN_PAUSE_WITHOUT_END)):
        due_at(PAUSE_START, HOUR, calendar=OFFICE, pauses=[(local(2024, 6, 13, 10), None)])


def test_it_refuses_a_pause_that_ends_before_it_starts() -> None:
    a, b = local(2024, 6, 10, 12), local(2024, 6, 10, 11)
    with pytest.raises(
        ValueError, match=re.escape(PAUSE_ENDS_BEFORE_IT_STARTS.format(start=a, end=b))
    ):
        business_seconds(
            local(2024, 6, 10, 9), local(2024, 6, 10, 17), calendar=OFFICE, pauses=[(a, b)]
        )


# -- clock changes --------------------------------------------------------------------------


def test_it_counts_easter_and_the_spring_clock_change() -> None:
    # Thu 28 Mar 2024 16:00 GMT, 16 h: Thu 1 h; Good Friday, the weekend (BST from Sunday) and
    # Easter Monday skipped; Tue 2 Apr 8 h from 09:00 BST; Wed 3 Apr 7 h → 16:00 BST.
    start = local(2024, 3, 28, 16)
    assert start == utc(2024, 3, 28, 16)
    assert due_at(start, 16 * HOUR, calendar=OFFICE_EASTER) == utc(2024, 4, 3, 15)
    assert business_seconds(
        local(2024, 3, 28, 9), local(2024, 4, 3, 9), calendar=OFFICE_EASTER
    ) == (16 * HOUR)


def test_it_lands_on_0900_bst_at_0800_utc_after_the_spring_change() -> None:
    # A queue that works bank holidays (no holidays): Fri 29 Mar 2024 16:00 GMT, 8 h →
    # Fri 1 h, then Mon 1 Apr from 09:00 BST (08:00 UTC) for 7 h → 16:00 BST = 15:00 UTC.
    start = local(2024, 3, 29, 16)
    assert due_at(start, 1 * HOUR, calendar=OFFICE) == utc(2024, 3, 29, 17)
    assert due_at(start, 1 * HOUR + 1, calendar=OFFICE) == utc(2024, 4, 1, 8, 0, 1)
    assert due_at(start, 8 * HOUR, calendar=OFFICE) == utc(2024, 4, 1, 15)
    assert next_working_instant(local(2024, 3, 30, 12), calendar=OFFICE) == utc(2024, 4, 1, 8)


def test_it_lands_on_0900_gmt_at_0900_utc_after_the_autumn_change() -> None:
    # Fri 25 Oct 2024 16:00 BST (15:00 UTC), 8 h → Fri 1 h, Mon 28 Oct 09:00 GMT + 7 h.
    start = local(2024, 10, 25, 16)
    assert start == utc(2024, 10, 25, 15)
    assert due_at(start, 8 * HOUR, calendar=OFFICE) == utc(2024, 10, 28, 16)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2024, 3, 29), 8),  # Fri, GMT
        (date(2024, 4, 1), 8),  # Mon, first working day in BST
        (date(2024, 10, 25), 8),  # Fri, BST
        (date(2024, 10, 28), 8),  # Mon, first working day in GMT
    ],
)
def test_it_counts_a_full_working_day_as_8h_across_a_clock_change(day: date, hours: int) -> None:
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    assert business_seconds(start, end, calendar=OFFICE) == hours * HOUR


def test_it_counts_the_working_week_spanning_a_clock_change_as_40h() -> None:
    start, end = local(2024, 3, 27, 9), local(2024, 4, 3, 9)  # Wed to Wed across 31 Mar
    assert business_seconds(start, end, calendar=OFFICE) == 40 * HOUR
    start, end = local(2024, 10, 23, 9), local(2024, 10, 30, 9)  # across 27 Oct
    assert business_seconds(start, end, calendar=OFFICE) == 40 * HOUR


@pytest.mark.parametrize(
    ("calendar", "day", "hours"),
    [
        (ALWAYS, date(2024, 3, 31), 23),  # the local day is an hour short
        (ALWAYS, date(2024, 10, 27), 25),  # and an hour long
        (ALWAYS, date(2024, 6, 16), 24),
        (NIGHT_SUNDAY, date(2024, 3, 31), 2),  # 00:00 GMT to 03:00 BST
        (NIGHT_SUNDAY, date(2024, 10, 27), 4),  # 00:00 BST to 03:00 GMT
        (NIGHT_SUNDAY, date(2024, 6, 16), 3),
    ],
)
def test_it_counts_elapsed_time_for_hours_spanning_the_change_itself(
    calendar: ServiceCalendar, day: date, hours: int
) -> None:
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    assert business_seconds(start, end, calendar=calendar) == hours * HOUR


# -- custom calendars -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "logged", "target", "due"),
    [
        (LONG_DAY, local(2024, 6, 10, 7), 10 * HOUR, local(2024, 6, 10, 18)),
        (LONG_DAY, local(2024, 6, 10, 17), 2 * HOUR, local(2024, 6, 11, 9)),
        (SATURDAY_MORNINGS, local(2024, 6, 14, 16), 2 * HOUR, local(2024, 6, 15, 10)),
        (SATURDAY_MORNINGS, local(2024, 6, 15, 12), 2 * HOUR, local(2024, 6, 17, 10, 30)),
        (SPLIT_SHIFT, local(2024, 6, 10, 11), 2 * HOUR, local(2024, 6, 10, 14)),
        (SPLIT_SHIFT, local(2024, 6, 10, 12, 15), 1 * HOUR, local(2024, 6, 10, 14)),
        (SPLIT_SHIFT, local(2024, 6, 10, 11), 1 * HOUR, local(2024, 6, 10, 12)),
        (ALWAYS, local(2024, 6, 15, 10), 24 * HOUR, local(2024, 6, 16, 10)),
        (ALWAYS, local(2024, 10, 26, 12), 24 * HOUR, local(2024, 10, 27, 11)),  # 25-hour day
    ],
    ids=[
        "08-18",
        "08-18-evening",
        "saturday-morning",
        "saturday-noon",
        "split",
        "split-lunch",
        "split-ends-at-lunch",
        "24x7",
        "24x7-autumn",
    ],
)
def test_it_follows_custom_calendars(
    calendar: ServiceCalendar, logged: datetime, target: int, due: datetime
) -> None:
    assert due_at(logged, target, calendar=calendar) == due
    assert business_seconds(logged, due, calendar=calendar) == target


@pytest.mark.parametrize(
    ("calendar", "description"),
    [
        (OFFICE, "Mon–Fri 09:00–17:00 (Europe/London), 0 holidays"),
        (OFFICE_EASTER, "Mon–Fri 09:00–17:00 (Europe/London), 2 holidays"),
        (
            SATURDAY_MORNINGS,
            "Mon–Fri 09:00–17:00; Sat 09:00–12:30 (Europe/London), 0 holidays",
        ),
        (SPLIT_SHIFT, "Mon–Fri 08:00–12:00, 13:00–17:00 (Europe/London), 0 holidays"),
        (ALWAYS, "Mon–Sun 00:00–24:00 (Europe/London), 0 holidays"),
    ],
)
def test_it_describes_a_calendar(calendar: ServiceCalendar, description: str) -> None:
    assert calendar.describe() == description


def test_it_compares_calendars_by_value() -> None:
    a = ServiceCalendar(hours={0: [(time(9), time(17))]}, holidays=frozenset({date(2024, 1, 1)}))
    b = ServiceCalendar(hours={0: ((time(9), time(17)),)}, holidays=frozenset({date(2024, 1, 1)}))
    assert a == b
    assert hash(a) == hash(b)
    assert a != ServiceCalendar(hours={0: [(time(9), time(16))]})


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (
            {0: [(time(17), time(9))]},
            END_NOT_AFTER_START.format(day="Mon", start="17:00:00", end="09:00"),
        ),
        (
            {1: [(time(9), time(9))]},
            END_NOT_AFTER_START.format(day="Tue", start="09:00:00", end="09:00"),
        ),
        (
            {2: [(time(9), time(13)), (time(12), time(17))]},
            OVERLAPPING_INTERVALS.format(day="Wed", first="09:00–13:00", second="12:00–17:00"),
        ),
        (
            {3: [(time(0), time(0)), (time(9), time(10))]},
            OVERLAPPING_INTERVALS.format(day="Thu", first="00:00–24:00", second="09:00–10:00"),
        ),
        ({7: [(time(9), time(17))]}, BAD_WEEKDAY.format(key=7)),
        ({}, NO_WORKING_HOURS),
        ({0: []}, NO_WORKING_HOURS),
        (
            {0: [(time(9, tzinfo=UTC), time(17))]},
            AWARE_TIME.format(value=time(9, tzinfo=UTC)),
        ),
    ],
    ids=[
        "end-before-start",
        "empty",
        "overlap",
        "overlap-whole-day",
        "weekday",
        "none",
        "none-2",
        "aware",
    ],
)
def test_it_refuses_an_invalid_calendar(
    hours: dict[int, list[tuple[time, time]]], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ServiceCalendar(hours=hours)


def test_it_pickles_a_calendar_without_its_cache() -> None:
    business_seconds(local(2024, 6, 10), local(2024, 6, 11), calendar=OFFICE_EASTER)  # fill it
    copy = pickle.loads(pickle.dumps(OFFICE_EASTER))
    assert copy == OFFICE_EASTER
    assert business_seconds(local(2024, 3, 28), local(2024, 4, 3), calendar=copy) == 16 * HOUR


def test_it_allows_touching_intervals() -> None:
    calendar = ServiceCalendar(hours={0: [(time(9), time(12)), (time(12), time(17))]})
    assert business_seconds(local(2024, 6, 10), local(2024, 6, 11), calendar=calendar) == 8 * HOUR


# -- zero and empty ranges, bad input ----------------------------------------------------------


@pytest.mark.parametrize(
    "logged",
    [local(2024, 6, 10, 10), local(2024, 6, 15, 10)],  # in hours, and on a Saturday
)
def test_it_is_due_at_once_with_a_zero_target(logged: datetime) -> None:
    assert due_at(logged, 0, calendar=OFFICE) == logged
    result = clock(logged, 0, logged, calendar=OFFICE)
    assert (result.status, result.share_used, result.remaining_seconds) == (
        SlaStatus.WITHIN,
        0.0,
        0,
    )


def test_it_breaches_a_zero_target_as_soon_as_business_time_runs() -> None:
    result = clock(local(2024, 6, 10, 10), 0, local(2024, 6, 10, 10, 0, 1), calendar=OFFICE)
    assert result.status is SlaStatus.BREACHED
    assert result.share_used == float("inf")


@pytest.mark.parametrize(
    "instant", [local(2024, 6, 10, 12), local(2024, 6, 15, 12), local(2024, 6, 10, 17)]
)
def test_it_counts_nothing_when_start_equals_end(instant: datetime) -> None:
    assert business_seconds(instant, instant, calendar=OFFICE) == 0


def test_it_refuses_an_end_before_the_start() -> None:
    start, end = local(2024, 6, 10, 12), local(2024, 6, 10, 12) - S
    message = END_BEFORE_START.format(end_name="end", end=end, start_name="start", start=start)
    with pytest.raises(ValueError, match=re.escape(message)):
        business_seconds(start, end, calendar=OFFICE)
    with pytest.raises(ValueError, match="now"):
        clock(start, HOUR, end, calendar=OFFICE)
    with pytest.raises(ValueError, match="stopped_at"):
        clock(start, HOUR, start + S, calendar=OFFICE, stopped_at=end)


def test_it_refuses_a_negative_target() -> None:
    with pytest.raises(ValueError, match=re.escape(NEGATIVE_TARGET.format(target=-1))):
        due_at(local(2024, 6, 10, 12), -1, calendar=OFFICE)


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_it_refuses_an_at_risk_share_outside_0_to_1(share: float) -> None:
    with pytest.raises(ValueError, match=re.escape(BAD_AT_RISK_SHARE.format(share=share))):
        clock(
            local(2024, 6, 10, 12),
            HOUR,
            local(2024, 6, 10, 13),
            calendar=OFFICE,
            at_risk_share=share,
        )


NAIVE = datetime(2024, 6, 10, 12)  # noqa: DTZ001 - the point of the test
AWARE = local(2024, 6, 10, 12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: business_seconds(NAIVE, AWARE, calendar=OFFICE),
        lambda: business_seconds(AWARE, NAIVE, calendar=OFFICE),
        lambda: business_seconds(AWARE, AWARE, calendar=OFFICE, pauses=[(NAIVE, None)]),
        lambda: business_seconds(AWARE, AWARE, calendar=OFFICE, pauses=[(AWARE, NAIVE)]),
        lambda: due_at(NAIVE, HOUR, calendar=OFFICE),
        lambda: share_used(NAIVE, AWARE, HOUR, calendar=OFFICE),
        lambda: clock(AWARE, HOUR, NAIVE, calendar=OFFICE),
        lambda: clock(AWARE, HOUR, AWARE, calendar=OFFICE, stopped_at=NAIVE),
        lambda: next_working_instant(NAIVE, calendar=OFFICE),
    ],
    ids=[
        "start",
        "end",
        "pause-from",
        "pause-to",
        "due_at",
        "share_used",
        "now",
        "stopped_at",
        "next",
    ],
)
def test_it_refuses_naive_datetimes(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="must be an aware datetime"):
        call()


# -- share used and the explanation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "share"),
    [
        (local(2024, 6, 10, 9), 0.0),
        (local(2024, 6, 10, 11), 0.25),
        (local(2024, 6, 10, 17), 1.0),
        (local(2024, 6, 11, 13), 1.5),
    ],
)
def test_it_reports_the_share_used(now: datetime, share: float) -> None:
    assert share_used(local(2024, 6, 10, 9), now, 8 * HOUR, calendar=OFFICE) == share


def test_it_explains_its_working() -> None:
    result = clock(
        local(2024, 3, 28, 18),  # Thu evening, after hours
        8 * HOUR,
        local(2024, 4, 2, 12),
        calendar=OFFICE_EASTER,
        pauses=[(local(2024, 4, 2, 10), None)],
    )
    assert result.explain() == [
        "Calendar: Mon–Fri 09:00–17:00 (Europe/London), 2 holidays",
        "Logged: Thu 28 Mar 2024 18:00 GMT",
        "Clock started: Tue 02 Apr 2024 09:00 BST (logged out of hours)",
        "Holidays skipped: Fri 29 Mar 2024, Mon 01 Apr 2024",
        "Paused: Tue 02 Apr 2024 10:00 BST to Tue 02 Apr 2024 12:00 BST (still on hold)",
        "Paused business time subtracted: 2h 00m",
        "Target: 8h 00m business time",
        "Used: 1h 00m by Tue 02 Apr 2024 12:00 BST (now), 12% of target",
        "Remaining: 7h 00m",
        "Due: Wed 03 Apr 2024 11:00 BST if resumed now (paused)",
        "Status: Within target",
    ]


def test_it_explains_a_breach() -> None:
    result = clock(
        local(2024, 6, 10, 9),
        HOUR,
        local(2024, 6, 10, 12),
        calendar=OFFICE,
        stopped_at=local(2024, 6, 10, 11, 30, 15),
    )
    lines = result.explain()
    assert "Used: 2h 30m 15s by Mon 10 Jun 2024 11:30:15 BST (stopped), 250% of target" in lines
    assert "Over target by: 1h 30m 15s" in lines
    assert lines[-1] == "Status: Breached"
    assert SlaStatus.BREACHED.label == "Breached"


# -- purity and consistency -------------------------------------------------------------------


def test_it_does_not_read_the_clock() -> None:
    args = (local(2024, 6, 10, 9), 8 * HOUR, local(2024, 6, 10, 15))
    expected = clock(*args, calendar=OFFICE)
    with time_machine.travel(utc(2031, 1, 1), tick=False):
        assert clock(*args, calendar=ServiceCalendar()) == expected


def test_it_returns_utc() -> None:
    assert due_at(local(2024, 6, 10, 9), HOUR, calendar=OFFICE).utcoffset() == timedelta(0)
    result = clock(local(2024, 6, 10, 9), HOUR, local(2024, 6, 10, 9), calendar=OFFICE)
    assert result.start.tzinfo is UTC and result.due_at.tzinfo is UTC


def test_it_handles_tickets_open_for_years_and_in_any_order() -> None:
    # The calendar's table grows on demand; results must not depend on what was asked first.
    calendar = ServiceCalendar(holidays=EASTER_2024)
    spans = [
        (local(2024, 6, 10, 9), local(2024, 6, 11, 9)),
        (local(2009, 1, 5, 9), local(2009, 1, 6, 9)),
        (local(2040, 1, 2, 9), local(2040, 1, 3, 9)),
        (local(2023, 1, 2, 9), local(2025, 1, 6, 9)),
    ]
    first = [business_seconds(a, b, calendar=calendar) for a, b in spans]
    fresh = [
        business_seconds(a, b, calendar=ServiceCalendar(holidays=EASTER_2024)) for a, b in spans
    ]
    assert first == fresh
    assert first[:3] == [8 * HOUR] * 3
    # 2023-01-02 to 2025-01-06: 105 weeks of 5 weekdays, less Easter 2024, at 8 h each.
    assert first[3] == (105 * 5 - 2) * 8 * HOUR
    # Far beyond the table: 1,000 working days (200 weeks) from Mon 10 Jun 2024 09:00.
    assert due_at(local(2024, 6, 10, 9), 1000 * 8 * HOUR, calendar=calendar) == local(
        2028, 4, 7, 17
    )


def _reference_business_seconds(start: datetime, end: datetime, calendar: ServiceCalendar) -> int:
    """A slow, obviously-correct count: walk local days and intersect in UTC."""
    total = timedelta(0)
    day = start.astimezone(calendar.tz).date() - timedelta(days=1)
    last = end.astimezone(calendar.tz).date() + timedelta(days=1)
    while day <= last:
        if day not in calendar.holidays:
            for a, b in calendar.hours.get(day.weekday(), ()):
                lo = datetime.combine(day, a, tzinfo=calendar.tz).astimezone(UTC)
                b_day = day + timedelta(days=1) if b == time(0) else day
                hi = datetime.combine(b_day, b, tzinfo=calendar.tz).astimezone(UTC)
                overlap = min(hi, end) - max(lo, start)
                if overlap > timedelta(0):
                    total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds())


@pytest.mark.parametrize(
    "calendar", [OFFICE_EASTER, SATURDAY_MORNINGS, SPLIT_SHIFT, LONG_DAY, ALWAYS]
)
def test_it_agrees_with_a_day_by_day_count(calendar: ServiceCalendar) -> None:
    rng = random.Random(20240331)
    base = utc(2024, 2, 1)
    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(400 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(60 * 24 * 60))
        expected = _reference_business_seconds(start, end, calendar)
        assert business_seconds(start, end, calendar=calendar) == expected, (start, end)
        if expected:
            due = due_at(start, expected, calendar=calendar)
            assert business_seconds(start, due, calendar=calendar) == expected
            assert business_seconds(start, due - S, calendar=calendar) == expected - 1
