"""Statutory due dates against a deliberately simple, independent counter (hypothesis).

The counter below reads the GOV.UK copy shipped in ``hackperf/data/bank-holidays.json`` with
the json module and walks the calendar a day at a time; it shares no code with
``infogov/deadlines.py`` or ``hackperf/workdays.py``, so a shortcut in the engine (the
cached FOIA calendar, the bisected holiday look-ups) cannot agree with itself by accident.
"""

import calendar as month_calendar
import json
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hackperf.workdays import load_bundled_calendar
from infogov.deadlines import foi_deadline, sar_deadline

FEED = json.loads(
    (Path(__file__).resolve().parents[2] / "hackperf" / "data" / "bank-holidays.json").read_text()
)
ANY_PART_OF_THE_UK = {e["date"] for division in FEED.values() for e in division["events"]}
ENGLAND_AND_WALES = {e["date"] for e in FEED["england-and-wales"]["events"]}
CALENDAR = load_bundled_calendar()

# Receipts whose whole count stays inside the years the shipped feed lists.
RECEIVED = st.dates(min_value=date(2013, 1, 1), max_value=date(2028, 9, 30))
GDPR_RECEIVED = st.dates(min_value=date(2018, 5, 25), max_value=date(2028, 9, 30))


def foia_working(day: date) -> bool:
    """FOIA s.10(6): not a weekend, Christmas Day, Good Friday or a bank holiday anywhere
    in the UK (Christmas Day and Good Friday are in the England and Wales list)."""
    return day.weekday() < 5 and day.isoformat() not in ANY_PART_OF_THE_UK


def count_working_days(after: date, n: int, *, skip: tuple[date, date] | None = None) -> date:
    """The n-th FOIA working day after ``after``, not counting days inside ``skip``."""
    day, counted = after, 0
    while counted < n:
        day += timedelta(days=1)
        if foia_working(day) and not (skip and skip[0] <= day <= skip[1]):
            counted += 1
    return day


def one_month_on(start: date, months: int = 1) -> date:
    """The corresponding date ``months`` later, or that month's last day (ICO method)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))


def roll_to_england_and_wales_working_day(day: date) -> date:
    while day.weekday() >= 5 or day.isoformat() in ENGLAND_AND_WALES:
        day += timedelta(days=1)
    return day


@settings(max_examples=300, deadline=None)
@given(received=RECEIVED)
def test_foi_is_the_20th_working_day_after_receipt(received: date) -> None:
    assert foi_deadline(received, calendar=CALENDAR).due == count_working_days(received, 20)


@settings(max_examples=150, deadline=None)
@given(received=RECEIVED)
def test_an_extended_foi_is_the_40th(received: date) -> None:
    due = foi_deadline(received, calendar=CALENDAR, extended=True).due
    assert due == count_working_days(received, 40)


@settings(max_examples=150, deadline=None)
@given(received=RECEIVED, asked_after=st.integers(0, 10), answered_after=st.integers(0, 30))
def test_clarification_restarts_the_count_from_its_arrival(
    received: date, asked_after: int, answered_after: int
) -> None:
    requested = received + timedelta(days=asked_after)
    clarified = requested + timedelta(days=answered_after)
    due = foi_deadline(
        received, calendar=CALENDAR, clarification_requested=requested, clarified=clarified
    ).due
    assert due == count_working_days(clarified, 20)


@settings(max_examples=150, deadline=None)
@given(received=RECEIVED, notice_after=st.integers(1, 20), paid_after=st.integers(0, 40))
def test_days_from_fee_notice_to_payment_are_not_counted(
    received: date, notice_after: int, paid_after: int
) -> None:
    # The notice goes out while the clock runs: on or before what would be the due date.
    notice = received + timedelta(days=notice_after)
    if notice > count_working_days(received, 20):
        return
    paid = notice + timedelta(days=paid_after)
    due = foi_deadline(received, calendar=CALENDAR, fee_notice=notice, fee_paid=paid).due
    assert due == count_working_days(received, 20, skip=(notice, paid))


@settings(max_examples=300, deadline=None)
@given(received=GDPR_RECEIVED)
def test_a_sar_is_due_a_calendar_month_on_rolled_to_a_working_day(received: date) -> None:
    expected = roll_to_england_and_wales_working_day(one_month_on(received))
    assert sar_deadline(received, calendar=CALENDAR).due == expected


@settings(max_examples=150, deadline=None)
@given(received=GDPR_RECEIVED)
def test_an_extended_sar_is_due_three_months_on(received: date) -> None:
    expected = roll_to_england_and_wales_working_day(one_month_on(received, 3))
    assert sar_deadline(received, calendar=CALENDAR, extended=True).due == expected


@settings(max_examples=150, deadline=None)
@given(received=GDPR_RECEIVED, id_after=st.integers(0, 60))
def test_a_sars_clock_starts_when_the_id_arrives(received: date, id_after: int) -> None:
    id_received = received + timedelta(days=id_after)
    due = sar_deadline(
        received, calendar=CALENDAR, id_requested=received, id_received=id_received
    ).due
    assert due == roll_to_england_and_wales_working_day(one_month_on(id_received))
