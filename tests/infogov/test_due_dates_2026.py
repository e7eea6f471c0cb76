"""Done-when of issue 10: on a fresh database (migrations only, nothing fetched by hand), every
FOI, EIR and SAR received on any day of 2026 gets the right due date.

"Right" is decided here by a deliberately simple, independent counter: its own few lines of
date arithmetic (not ``infogov.deadlines`` nor ``hackperf.workdays``), fed with the real
GOV.UK copy of July 2025 (``shared/data/real/uk-bank-holidays``) plus the one day GOV.UK
published after it, Scotland's one-off bank holiday of Monday 15 June 2026 (Privy Council
proclamation, February 2026).
"""

import calendar as month_calendar
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from hackperf.roles import Role
from infogov import metrics, selectors
from infogov.choices import Kind, Outcome
from infogov.services.cases import case_log, case_respond
from tests.infogov.factories import DirectorateFactory

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
GOVUK_2025_07 = REAL / "uk-bank-holidays" / "bank-holidays_govuk-snapshot-2025-07_2019-2027.json"
SCOTLAND_2026_ONE_OFF = date(2026, 6, 15)
DAYS_2026 = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]


@pytest.fixture(autouse=True)
def bundled_calendar():
    """Override tests/infogov/conftest.py: count with what the database holds after migrate."""


def govuk_holidays() -> dict[str, set[date]]:
    """Division -> weekday holiday dates: the real GOV.UK copy, plus Scotland's 2026 one-off.

    Opening the file fails (never skips) when the shared data is missing.
    """
    feed = json.loads(GOVUK_2025_07.read_text(encoding="utf-8"))
    dates = {
        division: {date.fromisoformat(event["date"]) for event in body["events"]}
        for division, body in feed.items()
    }
    assert SCOTLAND_2026_ONE_OFF not in dates["scotland"], "the copy now has it: drop the patch"
    dates["scotland"].add(SCOTLAND_2026_ONE_OFF)
    return dates


def twentieth_working_day(received: date, closed: set[date]) -> date:
    """FOIA s.10(1) and (6), EIR reg 5(2): day 1 is the first working day after receipt."""
    day, counted = received, 0
    while counted < 20:
        day += timedelta(days=1)
        # Christmas Day is named by s.10(6) itself; Good Friday is in the feed every year.
        if day.weekday() < 5 and day not in closed and (day.month, day.day) != (12, 25):
            counted += 1
    return day


def one_month_on(received: date, closed: set[date]) -> date:
    """UK GDPR Art 12(3), ICO method: the same day next month (else its last day), then the
    next working day when that falls on a weekend or an England and Wales bank holiday."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    day = date(year, month, min(received.day, month_calendar.monthrange(year, month)[1]))
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def expected_due_dates() -> dict[str, dict[date, date]]:
    holidays = govuk_holidays()
    any_division = set().union(*holidays.values())
    foi = {day: twentieth_working_day(day, any_division) for day in DAYS_2026}
    sar = {day: one_month_on(day, holidays["england-and-wales"]) for day in DAYS_2026}
    return {Kind.FOI: foi, Kind.EIR: foi, Kind.SAR: sar}


@pytest.mark.django_db
def test_every_2026_due_date_on_a_fresh_database_matches_the_simple_counter():
    expected = expected_due_dates()
    calendar = selectors.holiday_calendar()  # the database's, as every page and job reads it
    directorate = DirectorateFactory()
    wrong = {}
    for kind, due_by_day in expected.items():
        for n, (received, due) in enumerate(due_by_day.items()):
            case = case_log(
                reference=f"{kind}-2026-{n:03d}",
                kind=kind,
                received=received,
                channel="email",
                subject="A request",
                directorate=directorate,
                requester_name="A. Requester",
                today=date(2026, 12, 31),
                calendar=calendar,
            )
            if case.due != due:
                wrong.setdefault(kind, []).append((received, case.due, due))
    assert {kind: len(days) for kind, days in expected.items()} == {
        Kind.FOI: 365,
        Kind.EIR: 365,
        Kind.SAR: 365,
    }
    assert wrong == {}


def test_the_scottish_one_off_moves_the_foi_days_received_15_may_to_14_june():
    # Without the Scottish day, the counter's own FOI dates are a day early for exactly the
    # 31 received-days whose 20 working days span it: what a fresh install got wrong before
    # the shipped copy was brought up to date.
    holidays = govuk_holidays()
    without = set().union(*holidays.values()) - {SCOTLAND_2026_ONE_OFF}
    with_it = without | {SCOTLAND_2026_ONE_OFF}
    moved = [
        d
        for d in DAYS_2026
        if twentieth_working_day(d, without) != twentieth_working_day(d, with_it)
    ]
    assert (moved[0], moved[-1], len(moved)) == (date(2026, 5, 15), date(2026, 6, 14), 31)


@pytest.mark.django_db
def test_fr_ict_18a_counts_a_reply_on_the_true_due_date_as_in_time(make_user):
    # Received Mon 18 May 2026: the 20th working day is Wed 17 Jun (25 May is the Spring bank
    # holiday, and Mon 15 Jun a bank holiday in Scotland, FOIA s.10(6)); a count without the
    # Scottish day says Tue 16 Jun, and called this reply a day late.
    officer = make_user(Role.IG_OFFICER)
    case = case_log(
        reference="FOI-18A",
        kind=Kind.FOI,
        received=date(2026, 5, 18),
        channel="email",
        subject="A request",
        directorate=DirectorateFactory(),
        requester_name="A. Requester",
        today=date(2026, 5, 18),
    )
    assert case.due == date(2026, 6, 17)
    case_respond(
        case=case,
        responded=date(2026, 6, 17),
        outcome=Outcome.SUPPLIED_IN_FULL,
        actor=officer,
        today=date(2026, 6, 17),
    )
    within, in_time = metrics.foi_timeliness(start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert (within.numerator, within.denominator) == (1, 1)
    assert (in_time.numerator, in_time.denominator) == (1, 1)
