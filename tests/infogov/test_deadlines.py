"""Tests for the statutory due dates (infogov/deadlines.py).

Every expected date below was counted by hand from the bundled GOV.UK feed. Dates used, and
why:

* Scottish-only holidays: Tue 2 Jan 2024 (2nd January), Tue 3 Jan 2023 (2nd January,
  substitute), Thu 30 Nov 2023 (St Andrew's Day), Mon 7 Aug 2023 (first Monday of August).
  Northern Irish-only: Mon 17 Mar 2025 (St Patrick's Day), Fri 12 Jul 2024 (Battle of the
  Boyne). They stop the FOI/EIR count (FOIA s.10(6): any part of the UK) and never move a SAR
  (England and Wales only).
* One-off days: Fri 8 May 2020 (VE Day; Mon 4 May 2020 was then a working day), Thu 2 and
  Fri 3 Jun 2022 (Platinum Jubilee), Mon 19 Sep 2022 (state funeral), Mon 8 May 2023
  (coronation).
* Easter: Good Friday 29 Mar 2024 and 7 Apr 2023; Easter Monday 1 Apr 2024 and 10 Apr 2023.
* Mon 15 Feb 2021 (FOI due Mon 15 Mar 2021) is the base of the fee and extension tests; any
  count past it crosses St Patrick's Day, Wed 17 Mar 2021 (Northern Ireland), and Easter 2021
  (Good Friday 2 Apr, Easter Monday 5 Apr).
"""

from datetime import date
from typing import Any

import pytest
import time_machine

from hackperf.workdays import (
    ALL_DIVISIONS,
    Division,
    Holiday,
    HolidayCalendar,
    extend_with_fallback,
    load_bundled_calendar,
)
from infogov.deadlines import (
    AWAITING_CLARIFICATION,
    AWAITING_FEE,
    AWAITING_ID,
    ERR_BEFORE,
    ERR_DPA_1998_EXTENDED,
    ERR_DPA_1998_OFFSET,
    ERR_EXTENSION_DAYS,
    ERR_KIND,
    ERR_NOT_FOR_KIND,
    ERR_RECEIPT_READING,
    ERR_SAR_EXTENSIONS,
    ERR_WITHOUT,
    FLAG_AWAITING_CLARIFICATION,
    FLAG_AWAITING_FEE,
    FLAG_AWAITING_ID,
    FLAG_EIR_BEYOND_40,
    FLAG_EXTENSION_BEYOND_20,
    FLAG_FEE_PAID_LATE,
    FLAG_SECOND_EXTENSION,
    FLAG_UNCOVERED,
    REGIME_DPA_1998,
    REGIME_EIR,
    REGIME_FOIA,
    REGIME_UK_GDPR,
    CaseKind,
    ClockEvent,
    Deadline,
    DeadlineInputError,
    DeadlineSettings,
    compute_deadline,
    corresponding_date,
    eir_deadline,
    foi_deadline,
    sar_deadline,
)

CAL = load_bundled_calendar()
CODE_S45 = DeadlineSettings(receipt_on_non_working_day="code_s45")
EW = Division.ENGLAND_AND_WALES
SCO = Division.SCOTLAND
NI = Division.NORTHERN_IRELAND


def due(kind: str, received: date, **kwargs: Any) -> date:
    return compute_deadline(kind, received, calendar=kwargs.pop("calendar", CAL), **kwargs).due


def d(iso: str) -> date:
    return date.fromisoformat(iso)


# ---------------------------------------------------------------------------------------------
# DESIGN.md's shared examples, all of them
# ---------------------------------------------------------------------------------------------

SHARED_EXAMPLES = [
    ("foi", "2021-02-15", {}, "2021-03-15"),
    ("foi", "2016-12-01", {}, "2017-01-04"),  # 3 Jan 2017 is a Scottish bank holiday
    ("foi", "2022-05-20", {}, "2022-06-21"),  # 2 and 3 Jun 2022
    ("foi", "2022-09-05", {}, "2022-10-04"),  # 19 Sep 2022, state funeral
    ("foi", "2022-12-24", {}, "2023-01-26"),
    ("sar", "2024-09-03", {}, "2024-10-03"),
    ("sar", "2024-11-25", {}, "2024-12-27"),
    ("sar", "2024-01-31", {}, "2024-02-29"),
    ("sar", "2026-01-31", {}, "2026-03-02"),
    ("sar", "2022-10-03", {"extended": True}, "2023-01-03"),
    ("sar", "2017-01-09", {}, "2017-02-17"),  # DPA 1998, relevant day Mon 9 Jan 2017
]


class SharedExampleTests:
    @pytest.mark.parametrize(("kind", "received", "kwargs", "expected"), SHARED_EXAMPLES)
    def test_it_gives_the_designs_due_date(
        self, kind: str, received: str, kwargs: dict[str, Any], expected: str
    ) -> None:
        assert due(kind, d(received), **kwargs) == d(expected)

    @pytest.mark.parametrize(("kind", "received", "kwargs", "expected"), SHARED_EXAMPLES)
    def test_it_does_not_read_the_clock(
        self, kind: str, received: str, kwargs: dict[str, Any], expected: str
    ) -> None:
        with time_machine.travel(date(2031, 7, 1), tick=False):
            assert due(kind, d(received), **kwargs) == d(expected)

    @pytest.mark.parametrize(
        ("received", "expected"),
        [(row[1], row[3]) for row in SHARED_EXAMPLES if row[0] == "foi"],
    )
    def test_it_counts_eir_the_same_way(self, received: str, expected: str) -> None:
        assert due("eir", d(received)) == d(expected)


# ---------------------------------------------------------------------------------------------
# FOI and EIR
# ---------------------------------------------------------------------------------------------


class FoiWorkingDayTests:
    @pytest.mark.parametrize(
        ("received", "expected", "without_it"),
        [
            ("2023-11-02", "2023-12-01", "2023-11-30"),  # St Andrew's Day, Thu 30 Nov 2023
            ("2023-07-17", "2023-08-15", "2023-08-14"),  # Scotland's Mon 7 Aug 2023
            ("2023-12-04", "2024-01-05", "2024-01-04"),  # Scotland's 2nd January 2024
            ("2025-03-03", "2025-04-01", "2025-03-31"),  # St Patrick's Day 2025
            ("2024-07-01", "2024-07-30", "2024-07-29"),  # Battle of the Boyne 2024
        ],
    )
    def test_it_counts_scottish_and_northern_irish_holidays(
        self, received: str, expected: str, without_it: str
    ) -> None:
        assert due("foi", d(received)) == d(expected)
        assert due("eir", d(received)) == d(expected)
        # The same count with England and Wales holidays only ends a day earlier.
        ew_only = DeadlineSettings(eir_counts_all_uk_holidays=False)
        assert due("eir", d(received), settings=ew_only) == d(without_it)

    @pytest.mark.parametrize(
        ("received", "ico", "code"),
        [
            ("2022-12-24", "2023-01-26", "2023-01-27"),  # Saturday, Christmas Eve
            ("2021-02-14", "2021-03-12", "2021-03-15"),  # Sunday
            ("2022-08-29", "2022-09-27", "2022-09-28"),  # Summer bank holiday (E&W, NI)
            ("2023-01-03", "2023-01-31", "2023-02-01"),  # Scottish-only holiday
            ("2023-04-07", "2023-05-10", "2023-05-11"),  # Good Friday; coronation in the count
            ("2021-02-15", "2021-03-15", "2021-03-15"),  # a working day: both readings agree
        ],
    )
    def test_it_starts_day_one_by_the_chosen_reading_of_receipt(
        self, received: str, ico: str, code: str
    ) -> None:
        assert due("foi", d(received)) == d(ico)
        assert due("foi", d(received), settings=CODE_S45) == d(code)

    def test_it_explains_receipt_on_a_non_working_day(self) -> None:
        deadline = foi_deadline(d("2022-12-24"), calendar=CAL, settings=CODE_S45)
        (event,) = deadline.clock_events_applied
        assert event.kind == "receipt"
        assert "treated as received on Wed 28 Dec 2022" in event.effect
        assert deadline.start == d("2022-12-28")

    def test_it_treats_4_may_2020_as_a_working_day_and_8_may_as_a_holiday(self) -> None:
        # 5, 6, 7 May; 8 May VE Day skipped; 11-15, 18-22; 25 May skipped; 26 May to 3 Jun.
        deadline = foi_deadline(d("2020-05-04"), calendar=CAL)
        assert deadline.due == d("2020-06-03")
        assert {h.date for h in deadline.holidays_skipped} == {d("2020-05-08"), d("2020-05-25")}

    def test_it_counts_christmas_day_and_good_friday_even_if_the_calendar_lacks_them(
        self,
    ) -> None:
        empty = HolidayCalendar.from_holidays([], coverage=[(div, 2025) for div in Division])
        assert due("foi", d("2025-12-01"), calendar=empty) == d("2025-12-30")
        empty_2026 = HolidayCalendar.from_holidays([], coverage=[(v, 2026) for v in Division])
        deadline = foi_deadline(d("2026-03-23"), calendar=empty_2026)
        assert deadline.due == d("2026-04-21")
        assert deadline.holidays_skipped == (
            Holiday(d("2026-04-03"), "Good Friday", EW, "FOIA s.10(6)"),
        )

    def test_it_lists_the_holidays_skipped_by_name_and_division(self) -> None:
        deadline = foi_deadline(d("2022-12-24"), calendar=CAL)
        assert [(h.date.isoformat(), h.title, h.division) for h in deadline.holidays_skipped] == [
            ("2022-12-26", "Boxing Day", EW),
            ("2022-12-26", "Boxing Day", SCO),
            ("2022-12-26", "Boxing Day", NI),
            ("2022-12-27", "Christmas Day", EW),
            ("2022-12-27", "Christmas Day", SCO),
            ("2022-12-27", "Christmas Day", NI),
            ("2023-01-02", "New Year’s Day", EW),
            ("2023-01-02", "New Year’s Day", SCO),
            ("2023-01-02", "New Year’s Day", NI),
            ("2023-01-03", "2nd January", SCO),
        ]
        assert deadline.regime == REGIME_FOIA
        assert deadline.days_counted == 20
        assert deadline.start == d("2022-12-24")
        assert deadline.flags == ()

    def test_it_flags_years_the_calendar_does_not_cover_and_fallback_fills_them(self) -> None:
        deadline = foi_deadline(d("2030-12-02"), calendar=CAL)
        assert FLAG_UNCOVERED.format(division="scotland", year=2030) in deadline.flags
        filled = extend_with_fallback(CAL, [2030, 2031])
        with_fallback = foi_deadline(d("2030-12-02"), calendar=filled)
        assert with_fallback.flags == ()
        # Christmas Day and Boxing Day 2030, and New Year's Day and 2 Jan 2031 (Scotland).
        assert with_fallback.due == d("2031-01-03")


class FoiClockEventTests:
    @pytest.mark.parametrize(
        ("clarified", "settings", "expected"),
        [
            ("2021-02-15", DeadlineSettings(), "2021-03-15"),
            ("2021-02-13", DeadlineSettings(), "2021-03-12"),  # Saturday, ICO reading
            ("2021-02-13", CODE_S45, "2021-03-15"),  # Saturday, s.45 Code reading
        ],
    )
    def test_it_restarts_the_count_when_clarification_arrives(
        self, clarified: str, settings: DeadlineSettings, expected: str
    ) -> None:
        for kind in ("foi", "eir"):
            deadline = compute_deadline(
                kind,
                d("2021-02-01"),
                calendar=CAL,
                settings=settings,
                clarification_requested=d("2021-02-03"),
                clarified=d(clarified),
            )
            assert deadline.due == d(expected)
            assert deadline.received == d("2021-02-01")
            assert deadline.clock_events_applied[0].kind == "clarification"

    @pytest.mark.parametrize(
        ("fee_notice", "fee_paid", "expected", "fee_days"),
        [
            ("2021-02-17", "2021-02-19", "2021-03-19", 3),  # Wed to Fri inclusive
            ("2021-02-19", "2021-02-22", "2021-03-18", 2),  # Fri to Mon: the weekend is free
            ("2021-02-17", "2021-02-17", "2021-03-16", 1),  # same day still counts one
            ("2021-02-19", "2021-02-20", "2021-03-16", 1),  # paid on a Saturday
            ("2021-02-15", "2021-02-16", "2021-03-16", 1),  # notice on the day of receipt
            ("2021-03-12", "2021-03-24", "2021-03-26", 8),  # paid after the first due date
        ],
    )
    def test_it_disregards_working_days_from_fees_notice_to_payment_inclusive(
        self, fee_notice: str, fee_paid: str, expected: str, fee_days: int
    ) -> None:
        deadline = foi_deadline(
            d("2021-02-15"), calendar=CAL, fee_notice=d(fee_notice), fee_paid=d(fee_paid)
        )
        assert deadline.due == d(expected)
        (event,) = deadline.clock_events_applied
        assert event == ClockEvent(
            "fee",
            d(fee_notice),
            d(fee_paid),
            f"{fee_days} working day{'s' if fee_days != 1 else ''} from the fees notice "
            "to payment, inclusive, not counted (FOIA s.10(2))",
        )

    def test_it_flags_a_fee_paid_after_three_months(self) -> None:
        deadline = foi_deadline(
            d("2021-02-15"), calendar=CAL, fee_notice=d("2021-02-17"), fee_paid=d("2021-05-18")
        )
        assert FLAG_FEE_PAID_LATE in deadline.flags
        on_time = foi_deadline(
            d("2021-02-15"), calendar=CAL, fee_notice=d("2021-02-17"), fee_paid=d("2021-05-17")
        )
        assert FLAG_FEE_PAID_LATE not in on_time.flags

    @pytest.mark.parametrize("kind", ["foi", "eir"])
    def test_it_extends_to_the_40th_working_day(self, kind: str) -> None:
        # 20th is Mon 15 Mar 2021; St Patrick's Day 17 Mar, Good Friday 2 Apr and Easter
        # Monday 5 Apr fall in the next 20.
        deadline = compute_deadline(kind, d("2021-02-15"), calendar=CAL, extended=True)
        assert deadline.due == d("2021-04-15")
        assert deadline.days_counted == 40
        assert deadline.flags == ()
        assert [e.kind for e in deadline.clock_events_applied] == ["extension"]

    def test_it_flags_an_extension_beyond_20_working_days(self) -> None:
        deadline = foi_deadline(d("2021-02-15"), calendar=CAL, extensions=[25])
        assert deadline.due == d("2021-04-22")
        assert deadline.flags == (FLAG_EXTENSION_BEYOND_20,)

    def test_it_flags_a_second_extension(self) -> None:
        deadline = foi_deadline(d("2021-02-15"), calendar=CAL, extensions=[10, 10])
        assert deadline.due == d("2021-04-15")
        assert deadline.flags == (FLAG_SECOND_EXTENSION,)
        assert [e.kind for e in deadline.clock_events_applied] == ["extension 1", "extension 2"]

    def test_it_flags_an_eir_extension_past_40_working_days(self) -> None:
        deadline = eir_deadline(d("2021-02-15"), calendar=CAL, extensions=[21])
        assert deadline.regime == REGIME_EIR
        assert deadline.flags == (FLAG_EIR_BEYOND_40,)

    def test_it_combines_clarification_fee_and_extension(self) -> None:
        deadline = foi_deadline(
            d("2021-02-01"),
            calendar=CAL,
            clarification_requested=d("2021-02-03"),
            clarified=d("2021-02-15"),
            fee_notice=d("2021-02-17"),
            fee_paid=d("2021-02-19"),
            extended=True,
        )
        # 40th working day after 15 Feb is Thu 15 Apr; three fee days move it to Tue 20 Apr.
        assert deadline.due == d("2021-04-20")
        assert [e.kind for e in deadline.clock_events_applied] == [
            "clarification",
            "fee",
            "extension",
        ]

    def test_it_flags_a_clock_stopped_for_clarification_or_fee(self) -> None:
        deadline = foi_deadline(
            d("2021-02-15"),
            calendar=CAL,
            clarification_requested=d("2021-02-16"),
            fee_notice=d("2021-02-17"),
        )
        assert deadline.due == d("2021-03-15")
        assert deadline.awaiting == (AWAITING_CLARIFICATION, AWAITING_FEE)
        assert deadline.clock_stopped
        assert deadline.flags == (FLAG_AWAITING_CLARIFICATION, FLAG_AWAITING_FEE)


# ---------------------------------------------------------------------------------------------
# SAR under UK GDPR
# ---------------------------------------------------------------------------------------------


class SarUkGdprTests:
    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2023-10-30", "2023-11-30"),  # St Andrew's Day: not moved
            ("2023-07-07", "2023-08-07"),  # Scotland's summer bank holiday: not moved
            ("2023-12-02", "2024-01-02"),  # Scotland's 2nd January: not moved
            ("2025-02-17", "2025-03-17"),  # St Patrick's Day: not moved
            ("2024-06-12", "2024-07-12"),  # Battle of the Boyne: not moved
        ],
    )
    def test_it_ignores_scottish_and_northern_irish_holidays(
        self, received: str, expected: str
    ) -> None:
        deadline = sar_deadline(d(received), calendar=CAL)
        assert deadline.due == d(expected)
        assert deadline.holidays_skipped == ()

    @pytest.mark.parametrize(
        ("received", "unrolled", "expected"),
        [
            ("2023-01-31", "2023-02-28", "2023-02-28"),
            ("2024-01-31", "2024-02-29", "2024-02-29"),
            ("2028-01-31", "2028-02-29", "2028-02-29"),
            ("2024-02-29", "2024-03-29", "2024-04-02"),  # Good Friday, Easter Monday
            ("2028-02-29", "2028-03-29", "2028-03-29"),
            ("2025-03-31", "2025-04-30", "2025-04-30"),
            ("2023-05-31", "2023-06-30", "2023-06-30"),
            ("2023-08-31", "2023-09-30", "2023-10-02"),  # a Saturday
        ],
    )
    def test_it_clamps_to_the_months_last_day(
        self, received: str, unrolled: str, expected: str
    ) -> None:
        deadline = sar_deadline(d(received), calendar=CAL)
        assert deadline.unrolled_due == d(unrolled)
        assert deadline.due == d(expected)

    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2025-12-15", "2026-01-15"),
            ("2024-12-31", "2025-01-31"),
            ("2024-12-02", "2025-01-02"),  # 2 Jan 2025 is Scottish only
            ("2024-12-01", "2025-01-02"),  # New Year's Day 2025, a Wednesday
            ("2022-12-01", "2023-01-03"),  # Sun 1 Jan, Mon 2 Jan (substitute)
        ],
    )
    def test_it_rolls_over_the_year(self, received: str, expected: str) -> None:
        assert due("sar", d(received)) == d(expected)

    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2026-01-31", "2026-03-02"),  # received on a Saturday: the day still counts
            ("2024-09-08", "2024-10-08"),  # a Sunday
            ("2024-08-26", "2024-09-26"),  # a bank holiday
        ],
    )
    def test_it_starts_the_clock_on_receipt_whatever_the_day(
        self, received: str, expected: str
    ) -> None:
        assert due("sar", d(received)) == d(expected)

    @pytest.mark.parametrize(
        ("received", "expected", "skipped"),
        [
            ("2020-04-08", "2020-05-11", ["2020-05-08"]),  # VE Day
            ("2020-04-04", "2020-05-04", []),  # 4 May 2020 was a working day
            ("2022-05-02", "2022-06-06", ["2022-06-02", "2022-06-03"]),  # Platinum Jubilee
            ("2022-08-19", "2022-09-20", ["2022-09-19"]),  # state funeral
            ("2023-04-08", "2023-05-09", ["2023-05-08"]),  # coronation
            ("2024-11-25", "2024-12-27", ["2024-12-25", "2024-12-26"]),
        ],
    )
    def test_it_rolls_past_england_and_wales_holidays_including_one_offs(
        self, received: str, expected: str, skipped: list[str]
    ) -> None:
        deadline = sar_deadline(d(received), calendar=CAL)
        assert deadline.due == d(expected)
        assert [h.date.isoformat() for h in deadline.holidays_skipped] == skipped
        assert all(h.division == EW for h in deadline.holidays_skipped)

    def test_it_starts_the_clock_when_id_and_fee_arrive(self) -> None:
        id_only = sar_deadline(
            d("2024-06-03"), calendar=CAL, id_requested=d("2024-06-04"), id_received=d("2024-06-10")
        )
        assert (id_only.start, id_only.due) == (d("2024-06-10"), d("2024-07-10"))
        both = sar_deadline(
            d("2024-06-03"),
            calendar=CAL,
            id_requested=d("2024-06-04"),
            id_received=d("2024-06-10"),
            fee_notice=d("2024-06-04"),
            fee_paid=d("2024-06-12"),
        )
        # Fri 12 Jul 2024 is a Northern Irish holiday only: not moved.
        assert (both.start, both.due) == (d("2024-06-12"), d("2024-07-12"))
        assert [e.kind for e in both.clock_events_applied] == ["id", "fee"]

    def test_it_keeps_receipt_as_the_start_when_id_came_with_the_request(self) -> None:
        deadline = sar_deadline(d("2024-09-03"), calendar=CAL, id_received=d("2024-09-03"))
        assert (deadline.start, deadline.due) == (d("2024-09-03"), d("2024-10-03"))

    def test_it_flags_a_clock_not_started_while_id_is_awaited(self) -> None:
        deadline = sar_deadline(d("2024-06-03"), calendar=CAL, id_requested=d("2024-06-04"))
        assert deadline.due == d("2024-07-03")
        assert deadline.awaiting == (AWAITING_ID,)
        assert deadline.flags == (FLAG_AWAITING_ID,)

    @pytest.mark.parametrize(
        ("received", "requested", "clarified", "extended", "expected"),
        [
            # 6 days paused (5 to 10 Sep inclusive): 3 Oct + 6 = Wed 9 Oct.
            ("2024-09-03", "2024-09-05", "2024-09-10", False, "2024-10-09"),
            # 4 days: 2 Oct + 4 = Sun 6 Oct, then rolled to Mon 7 Oct.
            ("2024-09-02", "2024-09-04", "2024-09-07", False, "2024-10-07"),
            # Sat 28 Feb 2026 + 1 = Sun 1 Mar, rolled to Mon 2 Mar: the pause is added before
            # the roll (adding it after would give Tue 3 Mar).
            ("2026-01-31", "2026-02-02", "2026-02-02", False, "2026-03-02"),
            # Extended: 3 Jan 2023 + 2 = Thu 5 Jan 2023.
            ("2022-10-03", "2022-10-05", "2022-10-06", True, "2023-01-05"),
        ],
    )
    def test_it_stops_the_clock_for_clarification(
        self, received: str, requested: str, clarified: str, extended: bool, expected: str
    ) -> None:
        deadline = sar_deadline(
            d(received),
            calendar=CAL,
            clarification_requested=d(requested),
            clarified=d(clarified),
            extended=extended,
        )
        assert deadline.due == d(expected)
        assert deadline.clock_events_applied[-1].kind == "clarification"

    def test_it_flags_a_clock_stopped_awaiting_clarification(self) -> None:
        deadline = sar_deadline(
            d("2024-09-03"), calendar=CAL, clarification_requested=d("2024-09-05")
        )
        assert deadline.due == d("2024-10-03")
        assert deadline.flags == (FLAG_AWAITING_CLARIFICATION,)

    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            ("2022-10-03", "2023-01-03"),
            ("2022-11-30", "2023-02-28"),
            ("2023-11-30", "2024-02-29"),
            ("2027-11-30", "2028-02-29"),
            ("2024-11-29", "2025-02-28"),
            ("2023-10-31", "2024-01-31"),
            ("2024-12-29", "2025-03-31"),  # Sat 29 Mar 2025 rolls to Mon 31 Mar
        ],
    )
    def test_it_extends_to_three_months_from_the_start(self, received: str, expected: str) -> None:
        deadline = sar_deadline(d(received), calendar=CAL, extended=True)
        assert deadline.due == d(expected)
        assert deadline.regime == REGIME_UK_GDPR

    def test_it_extends_from_the_id_start(self) -> None:
        deadline = sar_deadline(
            d("2024-06-03"), calendar=CAL, id_received=d("2024-06-10"), extended=True
        )
        assert deadline.due == d("2024-09-10")


class AddMonthsTests:
    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            ("2024-01-31", 1, "2024-02-29"),
            ("2023-01-31", 1, "2023-02-28"),
            ("2023-11-30", 3, "2024-02-29"),
            ("2023-12-31", 1, "2024-01-31"),
            ("2023-12-15", 13, "2025-01-15"),
            ("2024-03-31", 1, "2024-04-30"),
        ],
    )
    def test_it_finds_the_corresponding_date_or_the_last_day(
        self, start: str, months: int, expected: str
    ) -> None:
        assert corresponding_date(d(start), months) == d(expected)


# ---------------------------------------------------------------------------------------------
# SAR under DPA 1998, and the switch to UK GDPR
# ---------------------------------------------------------------------------------------------


class SarDpa1998Tests:
    @pytest.mark.parametrize(
        ("offset", "expected"),
        [(39, "2017-02-17"), (40, "2017-02-18")],  # Sat 18 Feb: not moved
    )
    def test_it_counts_40_days_beginning_with_the_relevant_day(
        self, offset: int, expected: str
    ) -> None:
        deadline = sar_deadline(
            d("2017-01-09"), calendar=CAL, settings=DeadlineSettings(dpa1998_offset_days=offset)
        )
        assert deadline.due == d(expected)
        assert deadline.regime == REGIME_DPA_1998
        assert deadline.unrolled_due == deadline.due
        assert deadline.days_counted == offset + 1

    @pytest.mark.parametrize(
        ("received", "regime", "expected"),
        [
            ("2018-05-24", REGIME_DPA_1998, "2018-07-02"),
            ("2018-05-25", REGIME_UK_GDPR, "2018-06-25"),
        ],
    )
    def test_it_chooses_the_regime_by_the_date_received(
        self, received: str, regime: str, expected: str
    ) -> None:
        deadline = sar_deadline(d(received), calendar=CAL)
        assert (deadline.regime, deadline.due) == (regime, d(expected))

    @pytest.mark.parametrize(
        ("kwargs", "relevant_day", "expected"),
        [
            ({"id_received": "2017-01-13"}, "2017-01-13", "2017-02-21"),
            ({"fee_notice": "2017-01-10", "fee_paid": "2017-01-20"}, "2017-01-20", "2017-02-28"),
            (
                {"id_received": "2017-01-13", "fee_paid": "2017-01-11"},
                "2017-01-13",
                "2017-02-21",
            ),
            (
                {"clarification_requested": "2017-01-10", "clarified": "2017-01-16"},
                "2017-01-16",
                "2017-02-24",
            ),
        ],
    )
    def test_it_takes_the_latest_of_receipt_fee_and_id(
        self, kwargs: dict[str, str], relevant_day: str, expected: str
    ) -> None:
        dates = {k: d(v) for k, v in kwargs.items()}
        deadline = sar_deadline(d("2017-01-09"), calendar=CAL, **dates)  # type: ignore[arg-type]
        assert (deadline.start, deadline.due) == (d(relevant_day), d(expected))

    def test_it_keeps_dpa_1998_when_id_arrives_after_25_may_2018(self) -> None:
        deadline = sar_deadline(d("2018-05-24"), calendar=CAL, id_received=d("2018-06-01"))
        assert (deadline.regime, deadline.due) == (REGIME_DPA_1998, d("2018-07-10"))


# ---------------------------------------------------------------------------------------------
# Calendar changes, explanations
# ---------------------------------------------------------------------------------------------


class CalendarChangeTests:
    def without_state_funeral(self) -> HolidayCalendar:
        kept = [h for h in CAL.holidays if h.date != date(2022, 9, 19)]
        return HolidayCalendar.from_holidays(kept, coverage=CAL.coverage)

    @pytest.mark.parametrize(
        ("kind", "received", "before", "after"),
        [
            ("foi", "2022-09-05", "2022-10-03", "2022-10-04"),
            ("eir", "2022-09-05", "2022-10-03", "2022-10-04"),
            ("sar", "2022-08-19", "2022-09-19", "2022-09-20"),
        ],
    )
    def test_it_moves_the_due_date_when_a_holiday_is_announced(
        self, kind: str, received: str, before: str, after: str
    ) -> None:
        opened = self.without_state_funeral()
        assert due(kind, d(received), calendar=opened) == d(before)
        announced = opened.with_holidays(
            Holiday(date(2022, 9, 19), "State funeral", division) for division in ALL_DIVISIONS
        )
        assert due(kind, d(received), calendar=announced) == d(after)

    def test_it_moves_a_foi_date_for_a_scottish_only_announcement_but_not_a_sar(self) -> None:
        # A made-up Scottish one-off on Mon 14 Jun 2027 (the real 2026 one is in the feed).
        extra = Holiday(date(2027, 6, 14), "Extra bank holiday", SCO)
        announced = CAL.with_holidays([extra])
        assert due("foi", d("2027-06-01")) == d("2027-06-29")
        assert due("foi", d("2027-06-01"), calendar=announced) == d("2027-06-30")
        assert due("sar", d("2027-05-14"), calendar=announced) == d("2027-06-14")


class ExplainTests:
    def test_it_explains_a_foi_date(self) -> None:
        lines = foi_deadline(d("2022-12-24"), calendar=CAL).explain()
        assert lines[0] == "Due Thu 26 Jan 2023 (2023-01-26) under FOIA s.10."
        assert lines[1].startswith("Rule: The 20th working day following receipt (FOIA s.10(1))")
        assert "any part of the UK" in lines[1]
        assert (
            lines[2] == "Received Sat 24 Dec 2022; counted from Sat 24 Dec 2022: 20 working days."
        )
        assert lines[3].startswith("Clock event: receipt (Sat 24 Dec 2022): received on a non-")
        assert lines[4:] == [
            "Holiday skipped: Mon 26 Dec 2022 Boxing Day "
            "[england-and-wales, scotland, northern-ireland]",
            "Holiday skipped: Tue 27 Dec 2022 Christmas Day (substitute day) "
            "[england-and-wales, scotland, northern-ireland]",
            "Holiday skipped: Mon 2 Jan 2023 New Year’s Day (substitute day) "
            "[england-and-wales, scotland, northern-ireland]",
            "Holiday skipped: Tue 3 Jan 2023 2nd January (substitute day) [scotland]",
        ]

    def test_it_explains_a_sar_roll_and_its_flags(self) -> None:
        deadline = sar_deadline(
            d("2024-11-25"), calendar=CAL, clarification_requested=d("2024-11-28")
        )
        assert deadline.explain() == [
            "Due Fri 27 Dec 2024 (2024-12-27) under UK GDPR Art 12(3).",
            f"Rule: {deadline.rule}",
            "Received Mon 25 Nov 2024; counted from Mon 25 Nov 2024: 32 calendar days.",
            "Wed 25 Dec 2024 is not a working day; moved to Fri 27 Dec 2024.",
            "Holiday skipped: Wed 25 Dec 2024 Christmas Day [england-and-wales]",
            "Holiday skipped: Thu 26 Dec 2024 Boxing Day [england-and-wales]",
            f"Flag: {FLAG_AWAITING_CLARIFICATION}",
        ]

    def test_it_says_when_no_holiday_fell_in_a_count(self) -> None:
        assert (
            "No holidays fell in the count."
            in foi_deadline(d("2021-02-15"), calendar=CAL).explain()
        )

    def test_it_returns_a_frozen_value(self) -> None:
        deadline = sar_deadline(d("2024-09-03"), calendar=CAL)
        assert isinstance(deadline, Deadline)
        assert deadline.kind is CaseKind.SAR
        with pytest.raises(AttributeError):
            deadline.due = d("2024-10-04")  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Invalid input
# ---------------------------------------------------------------------------------------------


def before(name: str, value: str, other: str, other_value: str) -> str:
    return ERR_BEFORE.format(name=name, value=value, other=other, other_value=other_value)


def _too_early(
    kind: str,
    name: str,
    value: str,
    other: str = "received",
    other_value: str = "2021-01-01",
    **more: str,
) -> tuple[str, dict[str, str], str]:
    """(kind, dates, message) of a case whose ``name`` falls before ``other``: an earlier clock
    event dated ``other_value``, or the receipt (the tests' 1 January 2021)."""
    dates = {**more, name: value}
    if other != "received":
        dates[other] = other_value
    return kind, dates, before(name, value, other, other_value)


class InvalidInputTests:
    @pytest.mark.parametrize(
        ("kind", "kwargs", "message"),
        [
            *(
                _too_early(kind, "fee_paid", "2021-01-03", "fee_notice", "2021-01-05")
                for kind in ("foi", "sar")
            ),
            *(
                _too_early(kind, "clarified", "2021-01-05", "clarification_requested", "2021-01-06")
                for kind in ("foi", "sar")
            ),
            _too_early("eir", "clarification_requested", "2020-12-31"),
            _too_early("foi", "fee_notice", "2020-12-31", fee_paid="2021-01-05"),
            _too_early("sar", "id_received", "2021-01-02", "id_requested", "2021-01-04"),
            _too_early("sar", "id_received", "2020-12-30"),
            _too_early("sar", "id_requested", "2020-12-30"),
            (
                "foi",
                {"clarified": "2021-01-05"},
                ERR_WITHOUT.format(
                    name="clarified", value="2021-01-05", other="clarification_requested"
                ),
            ),
            (
                "foi",
                {"fee_paid": "2021-01-05"},
                ERR_WITHOUT.format(name="fee_paid", value="2021-01-05", other="fee_notice"),
            ),
            (
                "foi",
                {"id_received": "2021-01-05"},
                ERR_NOT_FOR_KIND.format(name="id_received", kind="FOI"),
            ),
            (
                "eir",
                {"id_requested": "2021-01-05"},
                ERR_NOT_FOR_KIND.format(name="id_requested", kind="EIR"),
            ),
        ],
    )
    def test_it_names_the_wrong_date(self, kind: str, kwargs: dict[str, str], message: str) -> None:
        dates = {k: d(v) for k, v in kwargs.items()}
        with pytest.raises(DeadlineInputError) as raised:
            compute_deadline(kind, d("2021-01-01"), calendar=CAL, **dates)  # type: ignore[arg-type]
        assert str(raised.value) == message

    def test_it_gives_the_example_message_of_the_brief(self) -> None:
        with pytest.raises(
            DeadlineInputError,
            match=r"^fee_paid \(2021-01-03\) is before fee_notice \(2021-01-05\)$",
        ):
            foi_deadline(
                d("2021-01-01"), calendar=CAL, fee_notice=d("2021-01-05"), fee_paid=d("2021-01-03")
            )

    @pytest.mark.parametrize("days", [0, -5, True, 2.5])
    def test_it_refuses_extensions_that_are_not_positive_working_days(self, days: Any) -> None:
        with pytest.raises(DeadlineInputError) as raised:
            foi_deadline(d("2021-01-04"), calendar=CAL, extensions=[days])
        assert str(raised.value) == ERR_EXTENSION_DAYS.format(value=days)

    def test_it_refuses_working_day_extensions_for_a_sar(self) -> None:
        with pytest.raises(DeadlineInputError) as raised:
            compute_deadline("sar", d("2021-01-04"), calendar=CAL, extensions=[20])
        assert str(raised.value) == ERR_SAR_EXTENSIONS

    def test_it_refuses_to_extend_a_dpa_1998_sar(self) -> None:
        with pytest.raises(DeadlineInputError) as raised:
            sar_deadline(d("2017-01-09"), calendar=CAL, extended=True)
        assert str(raised.value) == ERR_DPA_1998_EXTENDED

    def test_it_refuses_an_unknown_kind(self) -> None:
        with pytest.raises(DeadlineInputError) as raised:
            compute_deadline("dpa", d("2021-01-04"), calendar=CAL)
        assert str(raised.value) == ERR_KIND.format(value="dpa")

    def test_it_refuses_unknown_settings(self) -> None:
        with pytest.raises(DeadlineInputError) as raised:
            DeadlineSettings(receipt_on_non_working_day="next")  # type: ignore[arg-type]
        assert str(raised.value) == ERR_RECEIPT_READING.format(value="next")
        with pytest.raises(DeadlineInputError) as raised:
            DeadlineSettings(dpa1998_offset_days=41)
        assert str(raised.value) == ERR_DPA_1998_OFFSET.format(value=41)

    def test_it_is_a_value_error(self) -> None:
        assert issubclass(DeadlineInputError, ValueError)
