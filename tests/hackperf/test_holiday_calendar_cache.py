"""hackperf.bank_holidays.holiday_calendar: one loader, cached per process, never stale.

The calendar is built once per stored set and served from the cache while the set is the
same; any change to the stored set (a sync, an edit of a row, a confirmed or rejected "to
confirm" holiday) is read by the very next call, with no signal or clock involved (issue 14).
"""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from hackperf import bank_holidays
from hackperf.bank_holidays import (
    bank_holidays_sync,
    bundled_calendar,
    holiday_calendar,
    holiday_to_confirm_decide,
)
from hackperf.choices import ToConfirmStatus
from hackperf.models import BankHoliday, HolidayToConfirm
from hackperf.roles import Role
from hackperf.workdays import Division, Holiday

MADE_UP = date(2026, 6, 15)  # a Monday no part of the UK has as a bank holiday
EW = Division.ENGLAND_AND_WALES


@pytest.fixture(autouse=True)
def bundled_holidays(db):
    bank_holidays_sync(calendar=bundled_calendar(), source="test", allow_past_removals=True)


@pytest.mark.django_db
class CacheTests:
    def test_a_second_call_serves_the_same_calendar_with_one_query(self, django_assert_num_queries):
        first = holiday_calendar()
        with django_assert_num_queries(1):
            again = holiday_calendar()
        assert again is first

    def test_the_other_apps_loaders_are_this_one(self):
        from infogov import selectors as infogov_selectors
        from servicedesk import calendars

        assert calendars.holiday_calendar is bank_holidays.holiday_calendar
        assert infogov_selectors.holiday_calendar() is holiday_calendar()

    def test_a_sync_that_adds_a_day_is_read_at_once(self):
        assert not holiday_calendar().is_holiday(MADE_UP, EW)
        extra = Holiday(MADE_UP, "Made-up day", EW)
        bank_holidays_sync(calendar=bundled_calendar().with_holidays([extra]), source="test")
        assert holiday_calendar().is_holiday(MADE_UP, EW)

    def test_an_edit_of_a_row_is_read_at_once_even_with_the_clock_stopped(self, time_machine):
        time_machine.move_to(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
        row = BankHoliday.objects.filter(division=EW, date=date(2026, 12, 25)).get()
        assert holiday_calendar().titles(EW)[row.date] == row.title
        row.title = "Christmas Day (edited)"
        row.save()
        assert holiday_calendar().titles(EW)[row.date] == "Christmas Day (edited)"
        row.delete()
        assert not holiday_calendar().is_holiday(date(2026, 12, 25), EW)

    def test_a_confirmed_holiday_is_read_at_once(self, make_user):
        item = HolidayToConfirm.objects.create(
            division=EW,
            date=MADE_UP,
            in_feed=False,
            title="Made-up day",
            feed_source="feed",
            package_source="package",
            status=ToConfirmStatus.TO_CONFIRM,
            found_at=timezone.now(),
        )
        assert not holiday_calendar().is_holiday(MADE_UP, EW)
        holiday_to_confirm_decide(item=item, confirm=True, user=make_user(Role.IG_OFFICER))
        assert holiday_calendar().is_holiday(MADE_UP, EW)

    def test_an_emptied_table_reads_as_the_shipped_feed(self):
        BankHoliday.objects.all().delete()
        assert holiday_calendar().holidays >= bundled_calendar().holidays
