"""Tests for the bank-holiday calendar and working-day arithmetic (hackperf/workdays.py).

Dates used, and why (all from the bundled GOV.UK feed, hackperf/data/bank-holidays.json):

* Christmas 2022 / New Year 2023: Sun 25 Dec, Mon 26 Dec Boxing Day, Tue 27 Dec Christmas Day
  (substitute) in all three divisions; Mon 2 Jan 2023 New Year's Day (substitute) in all three;
  Tue 3 Jan 2023 2nd January (substitute) in Scotland only.
* Easter 2024: Good Friday Fri 29 Mar in all three divisions; Easter Monday Mon 1 Apr in England
  and Wales and Northern Ireland but not Scotland.
* 2020: the Early May bank holiday moved from Mon 4 May to Fri 8 May (VE Day).
* 2030 is past the feed (which ends in 2028), so it comes from the ``holidays`` package.
"""

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hackperf.workdays import (
    ALL_DIVISIONS,
    BUNDLED_FEED_PATH,
    DUPLICATE_HOLIDAY,
    Division,
    Holiday,
    HolidayCalendar,
    add_working_days,
    add_working_days_excluding,
    add_working_days_explained,
    easter_sunday,
    extend_with_fallback,
    fallback_holidays,
    good_friday,
    holidays_skipped,
    is_working_day,
    load_bundled_calendar,
    next_working_day,
    non_working_reason,
    previous_working_day,
    roll_forward,
    working_days_between,
)

EW = Division.ENGLAND_AND_WALES
SCO = Division.SCOTLAND
NI = Division.NORTHERN_IRELAND

CAL = load_bundled_calendar()


def feed() -> dict[str, Any]:
    with BUNDLED_FEED_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def tiny_feed(**overrides: Any) -> dict[str, Any]:
    """A well-formed three-division feed; ``overrides`` replace whole divisions."""
    body: dict[str, Any] = {
        division.value: {
            "division": division.value,
            "events": [
                {"title": "New Year’s Day", "date": "2021-01-01", "notes": "", "bunting": True},
                {"title": "Christmas Day", "date": "2021-12-27", "notes": "Substitute day"},
            ],
        }
        for division in ALL_DIVISIONS
    }
    body.update(overrides)
    return body


def bad_events(*events: Any) -> dict[str, Any]:
    return tiny_feed(scotland={"division": "scotland", "events": list(events)})


GOOD_EVENT = {"title": "2nd January", "date": "2021-01-04", "notes": "Substitute day"}


# ---------------------------------------------------------------------------------------------
# The GOV.UK feed parser
# ---------------------------------------------------------------------------------------------


class FeedParserTests:
    def test_it_reads_every_event_of_the_bundled_feed(self) -> None:
        counts = {d: len(CAL.holidays_in(date(2000, 1, 1), date(2100, 1, 1), d)) for d in Division}
        assert counts == {EW: 140, SCO: 158, NI: 174}

    def test_it_covers_each_year_from_the_first_event_to_the_last(self) -> None:
        for division in Division:
            assert CAL.years_covered(division) == frozenset(range(2012, 2029))

    def test_it_keeps_titles_and_notes(self) -> None:
        (holiday,) = CAL.on(date(2022, 12, 27), EW)
        assert holiday == Holiday(date(2022, 12, 27), "Christmas Day", EW, "Substitute day")
        assert holiday.label == "Christmas Day (substitute day)"
        assert str(holiday) == "Tue 27 Dec 2022 Christmas Day (substitute day) [england-and-wales]"

    @pytest.mark.parametrize(
        ("day", "division", "title"),
        [
            (date(2022, 9, 19), SCO, "Bank Holiday for the State Funeral of Queen Elizabeth II"),
            (date(2023, 5, 8), NI, "Bank holiday for the coronation of King Charles III"),
            (date(2020, 5, 8), EW, "Early May bank holiday (VE day)"),
            (date(2022, 6, 3), EW, "Platinum Jubilee bank holiday"),
            (date(2023, 1, 3), SCO, "2nd January"),
            (date(2023, 11, 30), SCO, "St Andrew’s Day"),
            (date(2025, 3, 17), NI, "St Patrick’s Day"),
            (date(2024, 7, 12), NI, "Battle of the Boyne (Orangemen’s Day)"),
        ],
    )
    def test_it_maps_dates_to_titles_per_division(
        self, day: date, division: Division, title: str
    ) -> None:
        assert CAL.titles(division)[day] == title

    def test_it_gives_read_only_title_maps(self) -> None:
        titles = CAL.titles(EW)
        with pytest.raises(TypeError):
            titles[date(2030, 1, 1)] = "New Year's Day"  # type: ignore[index]

    def test_it_parses_a_minimal_feed(self) -> None:
        cal = HolidayCalendar.from_govuk_feed(tiny_feed())
        assert cal.is_holiday(date(2021, 12, 27), SCO)
        assert cal.coverage == frozenset((d, 2021) for d in Division)

    def test_it_accepts_events_without_notes_or_division_name(self) -> None:
        body = {"events": [{"title": "Boxing Day", "date": "2021-12-28"}]}
        cal = HolidayCalendar.from_govuk_feed(tiny_feed(scotland=body))
        assert cal.on(date(2021, 12, 28), SCO) == (Holiday(date(2021, 12, 28), "Boxing Day", SCO),)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ([], "expected an object keyed by division, got list"),
            (
                {k: v for k, v in tiny_feed().items() if k != "northern-ireland"},
                "division 'northern-ireland' is missing",
            ),
            (tiny_feed(wales={"events": []}), "unknown division 'wales'"),
            (tiny_feed(scotland=[]), "scotland: expected an object, got list"),
            (tiny_feed(scotland={"division": "england", "events": []}), "scotland: 'division'"),
            (tiny_feed(scotland={"division": "scotland"}), "scotland: 'events' must be a list"),
            (bad_events(GOOD_EVENT, "2021-01-01"), "scotland: events[1]: expected an object"),
            (bad_events({"date": "2021-01-01"}), "scotland: events[0]: 'title' must be"),
            (bad_events({"title": " ", "date": "2021-01-01"}), "events[0]: 'title' must be"),
            (bad_events({"title": "X"}), "scotland: events[0]: 'date' must be a YYYY-MM-DD"),
            (bad_events({"title": "X", "date": 20210101}), "events[0]: 'date' must be"),
            (
                bad_events(GOOD_EVENT, {"title": "X", "date": "2021-02-30"}),
                "scotland: events[1]: 'date' '2021-02-30' is not a YYYY-MM-DD date",
            ),
            (bad_events({"title": "X", "date": "20210101"}), "'date' '20210101' is not a"),
            (bad_events({"title": "X", "date": "2021-01-01", "notes": None}), "'notes' must be"),
            (
                bad_events(GOOD_EVENT, {"title": "Again", "date": "2021-01-04"}),
                "scotland: events[1]: 'date' 2021-01-04 repeats events[0]",
            ),
        ],
    )
    def test_it_names_the_division_and_event_of_malformed_input(
        self, data: Any, message: str
    ) -> None:
        with pytest.raises(ValueError, match="^bank-holiday feed: ") as raised:
            HolidayCalendar.from_govuk_feed(data)
        assert message in str(raised.value)

    def test_it_agrees_with_the_shared_copy_it_was_taken_from(self) -> None:
        assert HolidayCalendar.from_govuk_feed(feed()) == CAL


# ---------------------------------------------------------------------------------------------
# The calendar
# ---------------------------------------------------------------------------------------------


class HolidayCalendarTests:
    @pytest.mark.parametrize(
        ("day", "divisions", "expected"),
        [
            (date(2023, 1, 3), SCO, True),
            (date(2023, 1, 3), EW, False),
            (date(2023, 1, 3), (EW, NI), False),
            (date(2023, 1, 3), ALL_DIVISIONS, True),
            (date(2024, 4, 1), SCO, False),  # no Easter Monday in Scotland
            (date(2024, 4, 1), EW, True),
            (date(2020, 5, 4), ALL_DIVISIONS, False),  # moved to VE Day
            (date(2020, 5, 8), ALL_DIVISIONS, True),
            (date(2025, 12, 24), ALL_DIVISIONS, False),
        ],
    )
    def test_it_unites_the_divisions_asked_for(
        self, day: date, divisions: Division | tuple[Division, ...], expected: bool
    ) -> None:
        assert CAL.is_holiday(day, divisions) is expected

    def test_it_lists_holidays_in_a_range_inclusive_by_date_then_division(self) -> None:
        found = CAL.holidays_in(date(2022, 12, 27), date(2023, 1, 3))
        assert [(h.date.day, h.division) for h in found] == [
            (27, EW),
            (27, SCO),
            (27, NI),
            (2, EW),
            (2, SCO),
            (2, NI),
            (3, SCO),
        ]

    def test_it_lists_nothing_in_an_empty_range(self) -> None:
        assert CAL.holidays_in(date(2023, 1, 3), date(2023, 1, 2)) == ()

    def test_it_adds_holidays_without_changing_the_original(self) -> None:
        extra = Holiday(date(2027, 6, 14), "Extra bank holiday", SCO)
        bigger = CAL.with_holidays([extra])
        assert bigger.is_holiday(date(2027, 6, 14), SCO)
        assert not CAL.is_holiday(date(2027, 6, 14), SCO)
        assert bigger != CAL

    def test_it_replaces_a_holiday_on_the_same_date_and_division(self) -> None:
        renamed = Holiday(date(2022, 9, 19), "State funeral", EW)
        assert CAL.with_holidays([renamed]).on(date(2022, 9, 19), EW) == (renamed,)

    def test_it_refuses_two_holidays_on_one_date_in_one_division(self) -> None:
        day = date(2021, 1, 1)
        with pytest.raises(ValueError) as raised:
            HolidayCalendar.from_holidays([Holiday(day, "A", EW), Holiday(day, "B", EW)])
        assert str(raised.value) == DUPLICATE_HOLIDAY.format(
            date="2021-01-01", division=EW, first="A", second="B"
        )

    def test_it_is_hashable_and_compares_by_value(self) -> None:
        one = HolidayCalendar.from_holidays([Holiday(date(2021, 1, 1), "A", EW)])
        two = HolidayCalendar.from_holidays([Holiday(date(2021, 1, 1), "A", EW)])
        assert one == two
        assert hash(one) == hash(two)

    def test_it_refuses_an_empty_set_of_divisions(self) -> None:
        with pytest.raises(ValueError, match="at least one division"):
            CAL.is_holiday(date(2021, 1, 1), ())

    def test_it_accepts_division_strings(self) -> None:
        assert CAL.is_holiday(date(2023, 1, 3), "scotland")  # type: ignore[arg-type]

    def test_it_reports_the_years_it_does_not_cover(self) -> None:
        assert CAL.uncovered_years(date(2028, 12, 1), date(2029, 1, 31), (EW, SCO)) == (
            (EW, 2029),
            (SCO, 2029),
        )
        assert CAL.uncovered_years(date(2012, 1, 1), date(2028, 12, 31)) == ()


# ---------------------------------------------------------------------------------------------
# Easter, and the fallback to the holidays package
# ---------------------------------------------------------------------------------------------


class EasterTests:
    @pytest.mark.parametrize(
        ("year", "sunday"),
        [
            (2016, date(2016, 3, 27)),
            (2019, date(2019, 4, 21)),
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2038, date(2038, 4, 25)),  # latest possible
            (2285, date(2285, 3, 22)),  # earliest possible
        ],
    )
    def test_it_finds_easter_sunday(self, year: int, sunday: date) -> None:
        assert easter_sunday(year) == sunday

    def test_it_agrees_with_every_good_friday_in_the_feed(self) -> None:
        fridays = {h.date for h in CAL.holidays if h.title == "Good Friday"}
        assert fridays == {good_friday(year) for year in range(2012, 2029)}


class FallbackTests:
    def test_it_has_christmas_2030(self) -> None:
        found = {h.date: h.title for h in fallback_holidays(2030, EW)}
        assert found[date(2030, 12, 25)] == "Christmas Day"
        assert found[date(2030, 4, 19)] == "Good Friday"

    def test_it_drops_weekend_dates_and_marks_substitute_days(self) -> None:
        # 25 and 26 Dec 2032 are a Saturday and Sunday.
        found = fallback_holidays(2032, EW)
        assert all(h.date.weekday() < 5 for h in found)
        assert Holiday(date(2032, 12, 27), "Christmas Day", EW, "Substitute day") in found
        assert Holiday(date(2032, 12, 28), "Boxing Day", EW, "Substitute day") in found

    @pytest.mark.parametrize("division", list(Division))
    @pytest.mark.parametrize("year", [2019, 2020, 2021, 2022, 2023, 2024, 2025])
    def test_it_gives_the_feeds_dates_where_both_exist(self, year: int, division: Division) -> None:
        feed_dates = {
            h.date for h in CAL.holidays_in(date(year, 1, 1), date(year, 12, 31), division)
        }
        assert {h.date for h in fallback_holidays(year, division)} == feed_dates

    @pytest.mark.parametrize(
        ("day", "division"),
        [
            (date(2030, 1, 2), SCO),  # 2nd January
            (date(2030, 12, 2), SCO),  # St Andrew's Day (substitute for Sat 30 Nov)
            (date(2030, 3, 18), NI),  # St Patrick's Day (substitute for Sun 17 Mar)
            (date(2030, 7, 12), NI),  # Battle of the Boyne
            (date(2030, 8, 5), SCO),  # first Monday of August
            (date(2030, 8, 26), EW),  # last Monday of August
        ],
    )
    def test_it_has_each_divisions_own_holidays(self, day: date, division: Division) -> None:
        assert day in {h.date for h in fallback_holidays(day.year, division)}

    def test_it_extends_a_calendar_only_where_the_feed_stops(self) -> None:
        extended = extend_with_fallback(CAL, range(2027, 2032))
        assert extended.is_holiday(date(2030, 12, 25), EW)
        assert extended.uncovered_years(date(2029, 1, 1), date(2031, 12, 31)) == ()
        # The feed's covered years are untouched: 2027 still equals the feed.
        assert extended.holidays_in(date(2027, 1, 1), date(2028, 12, 31)) == CAL.holidays_in(
            date(2027, 1, 1), date(2028, 12, 31)
        )

    def test_it_ignores_fallback_holidays_in_covered_years(self) -> None:
        stray = Holiday(date(2022, 3, 1), "St David's Day", EW)
        later = Holiday(date(2031, 3, 3), "Made up", EW)
        merged = CAL.with_fallback([stray, later])
        assert not merged.is_holiday(stray.date, EW)
        assert merged.is_holiday(later.date, EW)
        assert (EW, 2031) in merged.coverage


# ---------------------------------------------------------------------------------------------
# Working-day arithmetic
# ---------------------------------------------------------------------------------------------


def kw(divisions: Division | tuple[Division, ...] = ALL_DIVISIONS) -> Mapping[str, Any]:
    return {"calendar": CAL, "divisions": divisions}


class IsWorkingDayTests:
    @pytest.mark.parametrize(
        ("day", "divisions", "expected"),
        [
            (date(2023, 1, 6), ALL_DIVISIONS, True),  # Friday
            (date(2023, 1, 7), ALL_DIVISIONS, False),  # Saturday
            (date(2023, 1, 8), ALL_DIVISIONS, False),  # Sunday
            (date(2023, 1, 3), EW, True),
            (date(2023, 1, 3), ALL_DIVISIONS, False),
            (date(2024, 4, 1), SCO, True),
            (date(2024, 3, 29), SCO, False),
        ],
    )
    def test_it_excludes_weekends_and_the_divisions_holidays(
        self, day: date, divisions: Division | tuple[Division, ...], expected: bool
    ) -> None:
        assert is_working_day(day, **kw(divisions)) is expected

    @pytest.mark.parametrize(
        ("day", "divisions", "reason"),
        [
            (date(2023, 1, 7), ALL_DIVISIONS, "Saturday"),
            (date(2023, 1, 3), ALL_DIVISIONS, "2nd January (substitute day) [scotland]"),
            (
                date(2022, 12, 26),
                (EW, NI),
                "Boxing Day [england-and-wales, northern-ireland]",
            ),
            (date(2023, 1, 4), ALL_DIVISIONS, None),
        ],
    )
    def test_it_says_why_a_day_is_not_worked(
        self, day: date, divisions: tuple[Division, ...], reason: str | None
    ) -> None:
        assert non_working_reason(day, **kw(divisions)) == reason


class RollTests:
    @pytest.mark.parametrize(
        ("day", "divisions", "rolled", "after", "before"),
        [
            # A working day rolls to itself; next is strictly after, previous strictly before.
            (
                date(2023, 1, 4),
                ALL_DIVISIONS,
                date(2023, 1, 4),
                date(2023, 1, 5),
                date(2022, 12, 30),
            ),
            (date(2023, 1, 6), ALL_DIVISIONS, date(2023, 1, 6), date(2023, 1, 9), date(2023, 1, 5)),
            (date(2023, 1, 7), ALL_DIVISIONS, date(2023, 1, 9), date(2023, 1, 9), date(2023, 1, 6)),
            (date(2022, 12, 24), EW, date(2022, 12, 28), date(2022, 12, 28), date(2022, 12, 23)),
            (date(2022, 12, 31), EW, date(2023, 1, 3), date(2023, 1, 3), date(2022, 12, 30)),
            (date(2022, 12, 31), SCO, date(2023, 1, 4), date(2023, 1, 4), date(2022, 12, 30)),
            (date(2024, 3, 28), SCO, date(2024, 3, 28), date(2024, 4, 1), date(2024, 3, 27)),
            (date(2024, 3, 28), EW, date(2024, 3, 28), date(2024, 4, 2), date(2024, 3, 27)),
            (date(2024, 4, 2), EW, date(2024, 4, 2), date(2024, 4, 3), date(2024, 3, 28)),
        ],
    )
    def test_it_rolls_forward_and_finds_neighbours(
        self,
        day: date,
        divisions: Division | tuple[Division, ...],
        rolled: date,
        after: date,
        before: date,
    ) -> None:
        assert roll_forward(day, **kw(divisions)) == rolled
        assert next_working_day(day, **kw(divisions)) == after
        assert previous_working_day(day, **kw(divisions)) == before


class AddWorkingDaysTests:
    @pytest.mark.parametrize(
        ("start", "n", "divisions", "end"),
        [
            (date(2023, 1, 4), 0, ALL_DIVISIONS, date(2023, 1, 4)),
            (date(2023, 1, 7), 0, ALL_DIVISIONS, date(2023, 1, 7)),
            (date(2023, 1, 6), 1, ALL_DIVISIONS, date(2023, 1, 9)),
            # Christmas and New Year: 26, 27 Dec and 2 Jan everywhere, 3 Jan in Scotland.
            (date(2022, 12, 23), 1, EW, date(2022, 12, 28)),
            (date(2022, 12, 23), 4, EW, date(2023, 1, 3)),
            (date(2022, 12, 23), 4, ALL_DIVISIONS, date(2023, 1, 4)),
            (date(2022, 12, 24), 20, ALL_DIVISIONS, date(2023, 1, 26)),
            # Easter 2024: Good Friday everywhere, Easter Monday not in Scotland.
            (date(2024, 3, 28), 1, EW, date(2024, 4, 2)),
            (date(2024, 3, 28), 1, SCO, date(2024, 4, 1)),
            # Backwards (escalation "T-5 working days").
            (date(2023, 1, 4), -1, ALL_DIVISIONS, date(2022, 12, 30)),
            (date(2023, 1, 4), -1, EW, date(2023, 1, 3)),
            (date(2024, 4, 2), -1, EW, date(2024, 3, 28)),
            (date(2024, 4, 8), -5, EW, date(2024, 3, 28)),
        ],
    )
    def test_it_counts_the_nth_working_day_after_start(
        self, start: date, n: int, divisions: Division | tuple[Division, ...], end: date
    ) -> None:
        assert add_working_days(start, n, **kw(divisions)) == end

    def test_it_lists_the_holidays_it_skipped(self) -> None:
        span = add_working_days_explained(date(2022, 12, 23), 4, **kw())
        assert span.end == date(2023, 1, 4)
        assert span.working_days == 4
        assert [(h.date, h.division) for h in span.holidays_skipped] == [
            (date(2022, 12, 26), EW),
            (date(2022, 12, 26), SCO),
            (date(2022, 12, 26), NI),
            (date(2022, 12, 27), EW),
            (date(2022, 12, 27), SCO),
            (date(2022, 12, 27), NI),
            (date(2023, 1, 2), EW),
            (date(2023, 1, 2), SCO),
            (date(2023, 1, 2), NI),
            (date(2023, 1, 3), SCO),
        ]

    def test_it_lists_holidays_skipped_going_backwards(self) -> None:
        span = add_working_days_explained(date(2024, 4, 2), -1, **kw(EW))
        assert [h.title for h in span.holidays_skipped] == ["Good Friday", "Easter Monday"]

    def test_it_does_not_list_weekend_holidays(self) -> None:
        cal = HolidayCalendar.from_holidays(
            [
                Holiday(date(2022, 12, 25), "Christmas Day", EW),  # a Sunday
                Holiday(date(2022, 12, 27), "Christmas Day", EW, "Substitute day"),
            ]
        )
        skipped = holidays_skipped(
            date(2022, 12, 23), date(2022, 12, 28), calendar=cal, divisions=EW
        )
        assert [h.date for h in skipped] == [date(2022, 12, 27)]


class WorkingDaysBetweenTests:
    @pytest.mark.parametrize(
        ("a", "b", "divisions", "count"),
        [
            (date(2023, 1, 4), date(2023, 1, 4), ALL_DIVISIONS, 0),
            (date(2023, 1, 6), date(2023, 1, 9), ALL_DIVISIONS, 1),  # (Fri, Mon]
            (date(2023, 1, 6), date(2023, 1, 8), ALL_DIVISIONS, 0),  # (Fri, Sun]
            (date(2022, 12, 23), date(2023, 1, 4), EW, 5),
            (date(2022, 12, 23), date(2023, 1, 4), ALL_DIVISIONS, 4),
            (date(2023, 1, 4), date(2022, 12, 23), ALL_DIVISIONS, -4),
            (date(2024, 3, 28), date(2024, 4, 2), SCO, 2),
            (date(2024, 3, 28), date(2024, 4, 2), EW, 1),
        ],
    )
    def test_it_counts_working_days_after_a_up_to_and_including_b(
        self, a: date, b: date, divisions: Division | tuple[Division, ...], count: int
    ) -> None:
        assert working_days_between(a, b, **kw(divisions)) == count

    @pytest.mark.parametrize("divisions", [EW, ALL_DIVISIONS])
    def test_it_inverts_add_working_days_over_a_whole_year(
        self, divisions: Division | tuple[Division, ...]
    ) -> None:
        start = date(2022, 12, 1)
        for offset in range(400):
            day = start + timedelta(days=offset)
            for n in (1, 5, 20):
                end = add_working_days(day, n, **kw(divisions))
                assert working_days_between(day, end, **kw(divisions)) == n
                assert add_working_days(end, -n, **kw(divisions)) == roll_back(day, divisions)


def roll_back(day: date, divisions: Division | tuple[Division, ...]) -> date:
    """``day`` if working, else the previous working day (what n back from n forward gives)."""
    if is_working_day(day, **kw(divisions)):
        return day
    return previous_working_day(day, **kw(divisions))


# ---------------------------------------------------------------------------------------------
# The working-day index against a plain day walk (hypothesis)
# ---------------------------------------------------------------------------------------------
# The index answers in two look-ups what a walk finds a day at a time; these walks share no
# code with it, on calendars hypothesis makes (holidays anywhere, runs of them, none at all)
# as well as the real one, near the index's edges and across its rebuilds.

SPAN = st.dates(min_value=date(2010, 1, 1), max_value=date(2040, 12, 31))


def walk_working(day: date, closed: set[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def walk_nth(start: date, n: int, closed: set[date], skip: tuple[date, date] | None = None) -> date:
    step = timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if walk_working(day, closed) and not (skip and skip[0] <= day <= skip[1]):
            left -= 1
    return day


@st.composite
def calendars(draw: st.DrawFn) -> tuple[HolidayCalendar, Division, set[date]]:
    """A calendar of random holidays in one division (sometimes runs of a fortnight)."""
    division = draw(st.sampled_from(ALL_DIVISIONS))
    days = draw(st.sets(SPAN, max_size=40))
    for first in draw(st.lists(SPAN, max_size=2)):
        days |= {first + timedelta(days=i) for i in range(14)}
    holidays = [Holiday(d, "Holiday", division) for d in days]
    return HolidayCalendar.from_holidays(holidays), division, set(days)


@settings(max_examples=200, deadline=None)
@given(made=calendars(), start=SPAN, n=st.integers(-70, 70))
def test_the_index_agrees_with_a_walk_on_any_calendar(
    made: tuple[HolidayCalendar, Division, set[date]], start: date, n: int
) -> None:
    calendar, division, closed = made
    end = add_working_days(start, n, calendar=calendar, divisions=division)
    assert end == walk_nth(start, n, closed)
    if n > 0:
        assert working_days_between(start, end, calendar=calendar, divisions=division) == n
    rolled = roll_forward(start, calendar=calendar, divisions=division)
    assert rolled == (start if walk_working(start, closed) else walk_nth(start, 1, closed))
    assert next_working_day(start, calendar=calendar, divisions=division) == walk_nth(
        start, 1, closed
    )
    assert previous_working_day(start, calendar=calendar, divisions=division) == walk_nth(
        start, -1, closed
    )


@settings(max_examples=200, deadline=None)
@given(a=SPAN, b=SPAN)
def test_the_index_counts_working_days_between_as_a_walk_does(a: date, b: date) -> None:
    closed = {d for d in CAL._dates_of(ALL_DIVISIONS)}
    low, high = min(a, b), max(a, b)
    walked = sum(
        walk_working(low + timedelta(days=i), closed) for i in range(1, (high - low).days + 1)
    )
    counted = working_days_between(a, b, calendar=CAL, divisions=ALL_DIVISIONS)
    assert counted == (walked if a <= b else -walked)


@settings(max_examples=200, deadline=None)
@given(
    made=calendars(),
    start=SPAN,
    n=st.integers(0, 60),
    window_from=st.integers(-10, 80),
    window_days=st.integers(-3, 60),
)
def test_the_index_skips_an_excluded_window_as_a_walk_does(
    made: tuple[HolidayCalendar, Division, set[date]],
    start: date,
    n: int,
    window_from: int,
    window_days: int,
) -> None:
    calendar, division, closed = made
    skip = (start + timedelta(days=window_from), start + timedelta(days=window_from + window_days))
    end, passed = add_working_days_excluding(
        start, n, excluded=skip, calendar=calendar, divisions=division
    )
    assert end == walk_nth(start, n, closed, skip)
    walked_past = sum(
        walk_working(start + timedelta(days=i), closed)
        and skip[0] <= start + timedelta(days=i) <= skip[1]
        for i in range(1, (end - start).days + 1)
    )
    assert passed == walked_past


def test_the_index_grows_past_its_first_span() -> None:
    calendar = HolidayCalendar.from_holidays([Holiday(date(2030, 1, 1), "New Year", EW)])
    assert add_working_days(date(2024, 1, 1), 1, calendar=calendar, divisions=EW) == date(
        2024, 1, 2
    )
    # Far past what the first look-up indexed: the index is rebuilt wider, still right.
    far = add_working_days(date(2024, 1, 1), 2_000, calendar=calendar, divisions=EW)
    assert far == walk_nth(date(2024, 1, 1), 2_000, {date(2030, 1, 1)})
    assert add_working_days(date(2060, 6, 2), -5, calendar=calendar, divisions=EW) == date(
        2060, 5, 26
    )


def test_the_index_refuses_to_count_past_the_last_date() -> None:
    with pytest.raises(OverflowError):
        add_working_days(date(9999, 12, 30), 5, calendar=CAL, divisions=EW)
    with pytest.raises(OverflowError):
        add_working_days(date(1, 1, 3), -5, calendar=CAL, divisions=EW)


def test_it_refuses_a_negative_count_with_an_excluded_window() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days_excluding(
            date(2024, 1, 1), -1, excluded=(date.max, date.min), calendar=CAL, divisions=EW
        )
