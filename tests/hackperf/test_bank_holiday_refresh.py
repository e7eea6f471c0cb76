"""The weekly bank-holiday refresh: fetched from a real (local) HTTP server, validated, kept as
the last good copy, every outcome recorded, and cross-checked against the ``holidays`` package.

The machine has no internet, so the feed is served from 127.0.0.1 on this worktree's port.
"""

import importlib
import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hackperf.bank_holidays import (
    FeedRefused,
    bank_holidays_cross_check,
    bank_holidays_refresh,
    bank_holidays_signal_pending,
    bank_holidays_sync,
    bundled_calendar,
    holiday_differences,
    holiday_to_confirm_decide,
    last_good_feed,
    package_source,
    read_feed,
)
from hackperf.choices import FetchOutcome, ToConfirmStatus
from hackperf.models import BankHoliday, BankHolidayFetch, HolidayToConfirm
from hackperf.roles import Role
from hackperf.selectors import bank_holiday_feed_status
from hackperf.workdays import BUNDLED_FEED_PATH, Division, HolidayCalendar
from infogov.models import DueDateChange
from tests.infogov.factories import CaseFactory

PORT = 8102
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "uk-bank-holidays"
# GOV.UK's feed as of govuk-bank-holidays 0.19: everything but Scotland's 15 June 2026.
GOVUK_019 = REAL / "bank-holidays_govuk-bank-holidays-0.19.json"
STALE_FEED = Path(__file__).resolve().parent / "data" / "bank-holidays-stale-2012-2020.json"
SCOTS_DAY = date(2026, 6, 15)
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 6, 15, tzinfo=UTC)


class Feed:
    """What the local server answers: a status and a body."""

    status = 200
    body = b""


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1:8102 that answers ``Feed.status`` and ``Feed.body``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(Feed.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(Feed.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Feed.status, Feed.body = 200, BUNDLED_FEED_PATH.read_bytes()
    yield f"http://127.0.0.1:{PORT}/bank-holidays.json"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def shipped_holidays(db):
    """The shipped copy, as a new database has it (a reused test database may be flushed)."""
    bank_holidays_sync(calendar=bundled_calendar(), source="test", allow_past_removals=True)


def old_database():
    """A database made before the shipped copy had Scotland's 15 June 2026."""
    BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).delete()


def feed_only_day() -> tuple[HolidayCalendar, HolidayToConfirm]:
    """The feed's calendar with a made-up Northern Ireland day that the package lacks, synced
    from it; and the one item the cross-check lists for that day."""
    data = json.loads(BUNDLED_FEED_PATH.read_text("utf-8"))
    data["northern-ireland"]["events"].append(
        {"title": "Made-up day", "date": "2027-06-07", "notes": "", "bunting": False}
    )
    calendar = HolidayCalendar.from_govuk_feed(data)
    bank_holidays_sync(calendar=calendar, source="feed", today=TODAY)
    [item] = bank_holidays_cross_check(calendar=calendar, feed_source="feed", now=NOW)
    return calendar, item


def feed_without_scots_day() -> bytes:
    return GOVUK_019.read_bytes()


@pytest.mark.django_db
class RefreshTests:
    def test_it_stores_a_good_feed_as_the_last_good_copy(self, feed_server):
        fetch = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        assert fetch.outcome == FetchOutcome.UNCHANGED
        assert fetch.source == feed_server
        assert last_good_feed() == fetch
        assert fetch.feed == json.loads(BUNDLED_FEED_PATH.read_text("utf-8"))

    def test_only_the_newest_good_fetch_keeps_its_copy(self, feed_server):
        first = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        second = bank_holidays_refresh(url=feed_server, now=NOW + timedelta(days=7), today=TODAY)
        first.refresh_from_db()
        assert first.feed is None
        assert last_good_feed() == second

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"<html>Service unavailable</html>", "not JSON"),
            (b"[]", "expected an object keyed by division, got list"),
            (b'{"england-and-wales": {"events": []}}', "division 'scotland' is missing"),
            (
                b'{"england-and-wales": {"events": [{"title": "X", "date": "2026-13-01"}]},'
                b' "scotland": {"events": []}, "northern-ireland": {"events": []}}',
                "england-and-wales: events[0]: 'date' '2026-13-01' is not a YYYY-MM-DD date",
            ),
            (
                b'{"england-and-wales": {"events": [{"title": "X", "date": "2026-01-01"}]},'
                b' "scotland": {"events": []}, "northern-ireland": {"events": []}}',
                "scotland: 'events' is empty",
            ),
            (
                b'{"england-and-wales": {"events": [{"title": "X\\u0000", "date": "2026-01-01"}]},'
                b' "scotland": {"events": []}, "northern-ireland": {"events": []}}',
                "england-and-wales: events[0]: 'title' contains a control character: 'X\\x00'",
            ),
            (
                b'{"england-and-wales": {"events": [{"title": "X", "date": "9999-12-31"}]},'
                b' "scotland": {"events": []}, "northern-ireland": {"events": []}}',
                "events[0]: 'date' 9999-12-31 is outside 1970-2100",
            ),
            (
                b'{"england-and-wales": {"events": [{"title": "X", "date": "2026-01-01",'
                b' "bunting": "yes"}]}, "scotland": {"events": []}, "northern-ireland": {}}',
                "events[0]: 'bunting' must be true or false, got 'yes'",
            ),
            (b'{"england-and-wales": \x00}', "not JSON"),
        ],
    )
    def test_it_refuses_a_malformed_feed_naming_what_is_wrong(self, feed_server, body, message):
        good = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        before = set(BankHoliday.objects.values_list("division", "date", "title"))
        Feed.body = body
        fetch = bank_holidays_refresh(url=feed_server, now=NOW + timedelta(hours=1), today=TODAY)
        assert fetch.outcome == FetchOutcome.REFUSED
        assert message in fetch.message
        assert feed_server in fetch.message
        assert set(BankHoliday.objects.values_list("division", "date", "title")) == before
        assert last_good_feed() == good

    def test_it_refuses_a_feed_that_drops_past_holidays(self, feed_server):
        Feed.body = STALE_FEED.read_bytes()  # lacks 8 May 2020 (VE Day), has 4 May instead
        fetch = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        assert fetch.outcome == FetchOutcome.REFUSED
        assert "lacks 3 past bank holiday(s) already stored: 2020-05-08" in fetch.message
        assert BankHoliday.objects.filter(date=date(2020, 5, 8)).count() == 3
        assert not BankHoliday.objects.filter(date=date(2020, 5, 4)).exists()

    def test_a_future_holiday_may_be_withdrawn(self):
        # The 2020 VE Day move, seen from 2019: 4 May was still to come, so it may change.
        result = bank_holidays_sync(
            calendar=read_feed(STALE_FEED), source="stale", today=date(2019, 6, 1)
        )
        assert result.changed_dates == [date(2020, 5, 4), date(2020, 5, 8)]

    def test_it_records_a_server_error_and_raises_for_the_retry(self, feed_server):
        Feed.status, Feed.body = 503, b"down for maintenance"
        with pytest.raises(OSError, match="503"):
            bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        fetch = BankHolidayFetch.objects.get()
        assert (fetch.outcome, fetch.source) == (FetchOutcome.FAILED, feed_server)
        assert "503" in fetch.message

    def test_it_records_a_refused_connection(self):
        url = f"http://127.0.0.1:{PORT}/bank-holidays.json"  # nothing listens
        with pytest.raises(OSError):
            bank_holidays_refresh(url=url, now=NOW, today=TODAY)
        fetch = BankHolidayFetch.objects.get()
        assert fetch.outcome == FetchOutcome.FAILED
        assert "refused" in fetch.message.lower()

    def test_the_task_reads_the_configured_url(self, feed_server, settings):
        from hackperf.tasks import refresh_bank_holidays

        settings.BANK_HOLIDAYS_FEED_URL = feed_server
        refresh_bank_holidays()
        refresh_bank_holidays()
        assert list(BankHolidayFetch.objects.values_list("source", "outcome")) == [
            (feed_server, FetchOutcome.UNCHANGED),
            (feed_server, FetchOutcome.UNCHANGED),
        ]


@pytest.mark.django_db
class FeedStatusTests:
    def fail(self, at: datetime, message: str = "ConnectionRefusedError: refused") -> None:
        BankHolidayFetch.objects.create(
            at=at, source="https://www.gov.uk/bank-holidays.json", outcome="failed", message=message
        )

    def good(self, at: datetime) -> None:
        BankHolidayFetch.objects.create(at=at, source="x", outcome="unchanged", feed={})

    def test_failures_for_under_a_week_are_not_an_alarm(self):
        self.good(NOW - timedelta(days=7))
        self.fail(NOW - timedelta(days=6, hours=23))
        status = bank_holiday_feed_status(now=NOW)
        assert status.failing_since == NOW - timedelta(days=6, hours=23)
        assert not status.stale

    def test_failures_for_over_a_week_are(self):
        self.good(NOW - timedelta(days=15))
        self.fail(NOW - timedelta(days=8))
        self.fail(NOW - timedelta(days=1), "HTTPError: Service Unavailable")
        status = bank_holiday_feed_status(now=NOW)
        assert status.stale
        assert status.failures == 2
        assert status.last_error == "HTTPError: Service Unavailable"
        assert status.last_good_at == NOW - timedelta(days=15)

    def test_a_good_fetch_ends_the_alarm(self):
        self.fail(NOW - timedelta(days=20))
        self.good(NOW - timedelta(days=1))
        assert not bank_holiday_feed_status(now=NOW).stale

    def test_never_fetched_successfully_is_an_alarm_after_a_week(self):
        self.fail(NOW - timedelta(days=9))
        status = bank_holiday_feed_status(now=NOW)
        assert status.stale and status.last_good_at is None


@pytest.mark.django_db
class CrossCheckTests:
    def test_the_shipped_copy_agrees_with_the_installed_holidays_package(self):
        """Fails when a newer ``holidays`` knows a date the shipped copy lacks (or the
        reverse), for any UK division, in the years the shipped copy covers: bring
        hackperf/data/bank-holidays.json up to date and say where from in its README."""
        assert holiday_differences(bundled_calendar()) == []

    def test_govuk_0_19_lacks_only_scotlands_2026_one_off(self):
        # 2012-2028, every division: the one date the package has and GOV.UK's 0.19 copy
        # lacks. Weekend dates and "(observed)" days are compared as the feed lists them.
        calendar = HolidayCalendar.from_govuk_feed(json.loads(feed_without_scots_day()))
        assert holiday_differences(calendar) == [
            (
                Division.SCOTLAND,
                SCOTS_DAY,
                False,
                "Scotland's participation in the FIFA World Cup final",
            )
        ]

    def test_a_refresh_lists_a_missing_day_to_confirm_with_both_sources(self, feed_server):
        old_database()
        Feed.body = feed_without_scots_day()
        fetch = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        assert fetch.outcome == FetchOutcome.UNCHANGED
        item = HolidayToConfirm.objects.get()
        assert (item.division, item.date, item.in_feed, item.status) == (
            Division.SCOTLAND,
            SCOTS_DAY,
            False,
            ToConfirmStatus.TO_CONFIRM,
        )
        assert item.present_in == package_source()
        assert item.missing_from == feed_server
        # Not stored until someone confirms it.
        assert not BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).exists()
        # A second refresh lists it once.
        bank_holidays_refresh(url=feed_server, now=NOW + timedelta(days=7), today=TODAY)
        assert HolidayToConfirm.objects.count() == 1

    def test_when_the_feed_catches_up_the_sources_agree(self, feed_server):
        old_database()
        Feed.body = feed_without_scots_day()
        bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        Feed.body = BUNDLED_FEED_PATH.read_bytes()
        bank_holidays_refresh(url=feed_server, now=NOW + timedelta(days=7), today=TODAY)
        assert HolidayToConfirm.objects.get().status == ToConfirmStatus.AGREED
        assert BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).exists()

    def test_a_future_holiday_the_feed_drops_is_removed_but_listed_to_confirm(self, feed_server):
        data = json.loads(BUNDLED_FEED_PATH.read_text("utf-8"))
        events = data["england-and-wales"]["events"]
        data["england-and-wales"]["events"] = [e for e in events if e["date"] != "2027-05-03"]
        Feed.body = json.dumps(data).encode()
        fetch = bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        assert fetch.changes == ["removed 2027-05-03 Early May bank holiday (england-and-wales)"]
        item = HolidayToConfirm.objects.get()
        assert (item.division, item.date, item.in_feed, item.title) == (
            Division.ENGLAND_AND_WALES,
            date(2027, 5, 3),
            False,
            "May Day",
        )

    def test_a_feed_only_day_is_listed_too(self):
        calendar, item = feed_only_day()
        assert (item.division, item.date, item.in_feed) == (
            Division.NORTHERN_IRELAND,
            date(2027, 6, 7),
            True,
        )
        assert (item.present_in, item.missing_from) == ("feed", package_source())


@pytest.mark.django_db
class DecideTests:
    @pytest.fixture
    def listed(self, feed_server):
        old_database()
        Feed.body = feed_without_scots_day()
        bank_holidays_refresh(url=feed_server, now=NOW, today=TODAY)
        return HolidayToConfirm.objects.get()

    def test_confirming_stores_it_and_moves_open_due_dates_recording_each(
        self, listed, make_user, django_capture_on_commit_callbacks, feed_server
    ):
        from infogov import selectors as infogov_selectors

        officer = make_user(Role.IG_OFFICER, first_name="Ada", last_name="Lovelace")
        case = CaseFactory(received=date(2026, 5, 18))  # open, counted without the day
        assert case.due == date(2026, 6, 16)
        assert infogov_selectors.holiday_calendar().is_holiday(SCOTS_DAY) is False
        with django_capture_on_commit_callbacks(execute=True):
            holiday_to_confirm_decide(item=listed, confirm=True, user=officer, now=NOW)
        case.refresh_from_db()
        assert case.due == date(2026, 6, 17)
        change = DueDateChange.objects.get(case=case)
        assert (change.old, change.new) == (date(2026, 6, 16), date(2026, 6, 17))
        assert change.reason.startswith("Bank holiday confirmed by Ada Lovelace: added 2026-06-15")
        assert package_source() in change.reason and feed_server in change.reason
        stored = BankHoliday.objects.get(division=Division.SCOTLAND, date=SCOTS_DAY)
        assert stored.source == f"{package_source()}, confirmed by Ada Lovelace"
        # The next weekly refresh, from the same feed, keeps the confirmed day.
        bank_holidays_refresh(url=feed_server, now=NOW + timedelta(days=7), today=TODAY)
        assert BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).exists()
        assert HolidayToConfirm.objects.get().status == ToConfirmStatus.CONFIRMED

    def test_rejecting_a_package_only_day_stores_nothing(self, listed, make_user):
        holiday_to_confirm_decide(item=listed, confirm=False, user=make_user(), now=NOW)
        assert not BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).exists()
        assert HolidayToConfirm.objects.get().status == ToConfirmStatus.REJECTED

    def test_rejecting_a_feed_only_day_removes_it_and_keeps_it_out(
        self, make_user, django_capture_on_commit_callbacks
    ):
        calendar, item = feed_only_day()
        case = CaseFactory(received=date(2027, 5, 20))
        assert case.due == date(2027, 6, 21)  # Mon 7 Jun 2027 skipped
        with django_capture_on_commit_callbacks(execute=True):
            holiday_to_confirm_decide(item=item, confirm=False, user=make_user(), now=NOW)
        case.refresh_from_db()
        assert case.due == date(2027, 6, 18)
        assert DueDateChange.objects.get(case=case).reason.startswith("Bank holiday rejected by")
        bank_holidays_sync(calendar=calendar, source="feed", today=TODAY)
        assert not BankHoliday.objects.filter(date=date(2027, 6, 7)).exists()

    def test_the_first_decision_wins(self, listed, make_user):
        holiday_to_confirm_decide(item=listed, confirm=True, user=make_user(), now=NOW)
        with pytest.raises(ValidationError, match="already confirmed"):
            holiday_to_confirm_decide(item=listed, confirm=False, user=make_user(), now=NOW)


migration = importlib.import_module("hackperf.migrations.0006_bank_holiday_fetches_and_to_confirm")


@pytest.mark.django_db
class MigrationTests:
    def test_it_loads_the_missing_day_and_moves_open_due_dates_after_migrate(
        self, django_capture_on_commit_callbacks
    ):
        old_database()
        case = CaseFactory(received=date(2026, 5, 18))
        assert case.due == date(2026, 6, 16)
        migration.load_missing(apps, None)
        assert BankHoliday.objects.filter(division=Division.SCOTLAND, date=SCOTS_DAY).exists()
        assert bank_holidays_signal_pending() == 1
        case.refresh_from_db()
        assert case.due == date(2026, 6, 17)
        assert "added 2026-06-15" in DueDateChange.objects.get(case=case).reason
        # Idempotent: nothing more to load, nothing more to signal.
        migration.load_missing(apps, None)
        assert bank_holidays_signal_pending() == 0
        assert BankHolidayFetch.objects.count() == 1


@pytest.mark.django_db
class CommandTests:
    def test_it_names_what_is_to_confirm(self, tmp_path, capsys):
        old_database()
        path = tmp_path / "feed.json"
        path.write_bytes(feed_without_scots_day())
        call_command("sync_bank_holidays", "--file", str(path))
        out = capsys.readouterr().out
        assert "To confirm: 2026-06-15 Scotland's participation in the FIFA World Cup final" in out
        assert f"in {package_source()}, not in file feed.json" in out

    def test_it_refuses_a_feed_that_drops_past_holidays(self):
        with pytest.raises(CommandError, match="lacks 3 past bank holiday"):
            call_command("sync_bank_holidays", "--file", str(STALE_FEED))


def test_feed_refused_is_a_value_error():
    assert issubclass(FeedRefused, ValueError)
