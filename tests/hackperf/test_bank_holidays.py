import importlib
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hackperf.bank_holidays import bank_holidays_sync, bundled_calendar, holiday_calendar, read_feed
from hackperf.models import BankHoliday
from hackperf.signals import bank_holidays_changed
from hackperf.tasks import refresh_bank_holidays
from hackperf.workdays import Division, Holiday

# A real, stale GOV.UK copy (see data/README.md): 2020's Early May holiday on the 4th.
STALE_FEED = Path(__file__).resolve().parent / "data" / "bank-holidays-stale-2012-2020.json"


@pytest.fixture
def received_signals():
    received = []

    def receiver(sender, changed_dates, reason, **kwargs):
        received.append((changed_dates, reason))

    bank_holidays_changed.connect(receiver)
    yield received
    bank_holidays_changed.disconnect(receiver)


load_migration = importlib.import_module("hackperf.migrations.0004_load_bank_holidays")


@pytest.fixture(autouse=True)
def bundled_holidays(db):
    """The bundled feed, as a new database has it (a reused test database may be flushed)."""
    bank_holidays_sync(calendar=bundled_calendar(), source="test")


@pytest.mark.django_db
class BankHolidaySyncTests:
    def test_the_migration_loads_the_bundled_feed(self):
        from django.apps import apps

        BankHoliday.objects.all().delete()
        load_migration.load(apps, None)
        # 140 England and Wales, 158 Scotland, 174 Northern Ireland events, 2012 to 2028.
        assert BankHoliday.objects.count() == 140 + 158 + 174
        assert BankHoliday.objects.get(
            division=Division.ENGLAND_AND_WALES, date=date(2022, 9, 19)
        ).title.startswith("Bank Holiday for the State Funeral")

    def test_syncing_the_same_feed_changes_nothing_and_signals_nothing(
        self, received_signals, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            result = bank_holidays_sync(calendar=bundled_calendar(), source="test")
        assert result.changes == []
        assert received_signals == []

    def test_a_changed_feed_replaces_its_years_and_signals_the_dates_after_commit(
        self, received_signals, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = bank_holidays_sync(
                calendar=read_feed(STALE_FEED), source="stale", today=date(2019, 6, 1)
            )
        assert len(callbacks) == 1
        assert result.changed_dates == [date(2020, 5, 4), date(2020, 5, 8)]
        assert received_signals[0][0] == [date(2020, 5, 4), date(2020, 5, 8)]
        assert "removed 2020-05-08" in received_signals[0][1]
        # Years the stale feed does not cover (2021 on) are untouched.
        assert BankHoliday.objects.filter(date__year=2022, date__month=9, date__day=19).count() == 3

    def test_a_holiday_announced_late_is_added(
        self, received_signals, django_capture_on_commit_callbacks
    ):
        extra = Holiday(date(2027, 6, 7), "Extra bank holiday", Division.ENGLAND_AND_WALES)
        calendar = bundled_calendar().with_holidays([extra])
        with django_capture_on_commit_callbacks(execute=True):
            result = bank_holidays_sync(calendar=calendar, source="test")
        assert [str(c) for c in result.changes] == [
            "added 2027-06-07 Extra bank holiday (england-and-wales)"
        ]
        assert holiday_calendar().is_holiday(date(2027, 6, 7), Division.ENGLAND_AND_WALES)

    def test_the_calendar_falls_back_to_the_holidays_package_beyond_the_feed(self):
        calendar = holiday_calendar()
        assert calendar.is_holiday(date(2030, 12, 25), Division.ENGLAND_AND_WALES)
        assert (Division.SCOTLAND, 2030) in calendar.coverage
        assert not calendar.uncovered_years(date(2029, 1, 1), date(2031, 12, 31))

    def test_the_refresh_task_is_idempotent(self):
        refresh_bank_holidays()
        before = list(BankHoliday.objects.values_list("division", "date", "title"))
        refresh_bank_holidays()
        assert list(BankHoliday.objects.values_list("division", "date", "title")) == before


@pytest.mark.django_db
class SyncCommandTests:
    def test_it_reports_each_change(self, capsys):
        call_command("sync_bank_holidays", "--file", str(STALE_FEED), "--allow-past-removals")
        out = capsys.readouterr().out
        assert "6 change(s)" in out
        assert "removed 2020-05-08 Early May bank holiday (VE day) (scotland)" in out

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot read the file"),
            ("{not json", "not JSON"),
            ('{"england-and-wales": {"division": "england-and-wales", "events": []}}', "scotland"),
        ],
    )
    def test_it_refuses_a_bad_file_naming_it_and_changes_nothing(self, tmp_path, content, message):
        path = tmp_path / "feed.json"
        if content is not None:
            path.write_text(content)
        before = BankHoliday.objects.count()
        with pytest.raises(CommandError, match=message) as error:
            call_command("sync_bank_holidays", "--file", str(path))
        assert str(path) in str(error.value)
        assert BankHoliday.objects.count() == before


@pytest.mark.django_db
def test_an_empty_table_reads_as_the_shipped_feed_not_as_no_holidays():
    BankHoliday.objects.all().delete()
    calendar = holiday_calendar()
    assert calendar.is_holiday(date(2022, 9, 19), Division.ENGLAND_AND_WALES)
    assert calendar.holidays >= bundled_calendar().holidays
