"""Imports in a real browser, with a real Celery worker.

The upload page queues the import on Redis (``delay_on_commit``) and a worker started by
the test (``celery.contrib.testing.worker``, solo pool, in this process) imports it against
the live server's database, exactly as in production; settings_test does not make Celery
eager. The progress page is watched as htmx refreshes it, from queued or running to the end.
Screenshots at 1280×800 go to test-artifacts/.
"""

from __future__ import annotations

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from hackperf.celery import app
from hackperf.models import ImportRun
from hackperf.roles import Role
from servicedesk.models import Ticket
from tests.browser.conftest import ARTIFACTS
from tests.servicedesk.test_import_writer import BAD, HEADER

PASSWORD = "a-good-password-1"
TICKETS = 2500


def big_export(tickets: int) -> str:
    """An audit log of ``tickets`` incidents, four rows each: big enough to watch."""
    rows = []
    for n in range(tickets):
        day = 1 + n % 28
        ref = f"INC-{n:06d}"
        at = f"2024-02-{day:02d}T{{hour:02d}}:00:00+00:00"
        rows += [
            f"{ref},{at.format(hour=9)},Queued,Awaiting Assignment,V30,Ann,Medium,P1,Org A",
            f"{ref},{at.format(hour=10)},Accepted,In Progress,V30,Ann,Medium,P1,Org A",
            f"{ref},{at.format(hour=11)},Accepted,In Progress,V5,Bob,Medium,P1,Org A",
            f"{ref},{at.format(hour=12)},Completed,Resolved,V5,Bob,Medium,P1,Org A",
        ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def slow_progress(monkeypatch):
    """Make the worker (a thread of this process) pause at each progress report, so that a
    small file takes long enough to watch: about 0.3 s per 1,000 rows and pass."""
    from hackperf import imports

    report = imports.Progress.__call__

    def slowly(self, phase, rows, total, **kwargs):
        time.sleep(0.3)
        return report(self, phase, rows, total, **kwargs)

    monkeypatch.setattr(imports.Progress, "__call__", slowly)


@pytest.fixture
def worker(transactional_db, import_root):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        yield


def shoot(page, name: str) -> None:
    """The first screen at 1280×800, and the whole page beside it."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"imports-{name}.png"))
    page.screenshot(path=str(ARTIFACTS / f"imports-{name}-full.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: the page scrolls sideways"


def upload(recording_page, path, *, mapping="bpic2013") -> None:
    page = recording_page.page
    page.goto(recording_page.base_url + "/queues/import/")
    assert page.get_by_role("heading", level=1).inner_text() == "Import tickets"
    page.get_by_label("Export file").set_input_files(str(path))
    page.get_by_label("Mapping", exact=True).select_option(mapping)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))


@pytest.mark.django_db(transaction=True)
class ImportsInTheBrowserTests:
    def test_a_good_file_is_watched_to_the_end_and_found_in_the_history(
        self, recording_page, make_user, slow_progress, worker, tmp_path
    ):
        make_user(Role.DMT, username="dana", first_name="Dana", last_name="Mensah")
        path = tmp_path / "year-export.csv"
        path.write_text(big_export(TICKETS))
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        recording_page.sign_in("dana", PASSWORD)
        page.goto(recording_page.base_url + "/queues/import/")
        assert recording_page.axe_violations() == []
        shoot(page, "1-upload")

        upload(recording_page, path)
        progress_url = page.url
        region = page.locator("#import-progress")
        assert region.get_attribute("data-state") in ("queued", "running")
        assert page.get_by_role("heading", level=1).inner_text() == "year-export.csv"
        assert recording_page.axe_violations() == []
        shoot(page, "2-progress-start")

        # htmx refreshes the region: rows read go up while it runs, then the summary.
        page.locator("#import-progress[data-state='running'] #import-rows").wait_for(timeout=60_000)
        shoot(page, "3-progress-running")
        # The first report may still be "0" with no total yet: wait for a figure with its total.
        progress = re.compile(r"^[\d,]+( of [\d,]+| \(about \d+% of the file\))")
        expect(page.locator("#import-rows")).to_have_text(progress, timeout=60_000)
        running = page.locator("#import-rows").inner_text()
        assert progress.match(running), running
        page.locator("#import-progress[data-state='succeeded']").wait_for(timeout=120_000)
        assert page.url == progress_url  # no reload: the region was swapped in place
        summary = page.locator("#import-summary").inner_text()
        assert "year-export.csv imported" in summary
        assert f"{4 * TICKETS:,} rows, {TICKETS:,} tickets" in summary
        assert recording_page.axe_violations() == []
        shoot(page, "4-progress-done")
        assert Ticket.objects.count() == TICKETS

        # The history lists it, newest first; its link opens the same run.
        page.get_by_role("link", name="Every import so far").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Imports"
        first_row = page.locator("table tbody tr").first
        assert "year-export.csv" in first_row.inner_text()
        assert "Succeeded" in first_row.inner_text()
        assert "Dana Mensah" in first_row.inner_text()
        assert recording_page.axe_violations() == []
        shoot(page, "5-history")
        first_row.get_by_role("link").first.click()
        assert page.url == progress_url
        assert "hx-trigger" not in (
            page.locator("#import-progress").get_attribute("hx-trigger") or ""
        )
        assert f"{TICKETS:,}" in page.locator("#import-counts").inner_text()
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

    def test_a_bad_file_lists_every_bad_row(self, recording_page, make_user, worker, tmp_path):
        make_user(Role.DMT, username="dana")
        # The sample's three bad rows, then 60 more of each kind the reader reports.
        extra = []
        for n in range(60):
            ref = f"X-{n}"
            extra += [
                f"{ref},not a date,Accepted,In Progress,V30,Ann,Medium,P1,Org A",
                f"{ref},2024-03-04T09:00:00+00:00,Accepted,Dozing,V30,Ann,Medium,P1,Org A",
            ]
        path = tmp_path / "bad-export.csv"
        path.write_text(BAD + "\n".join(extra) + "\n")
        expected_lines = [3, 4, 5, *range(7, 7 + 120)]
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        recording_page.sign_in("dana", PASSWORD)
        upload(recording_page, path)
        page.locator("#import-progress[data-state='refused']").wait_for(timeout=60_000)

        alert = page.locator("#import-errors-title").inner_text()
        assert alert == f"bad-export.csv was not imported: {len(expected_lines)} bad rows"
        rows = page.locator("#import-errors tbody tr")
        assert rows.count() == len(expected_lines)
        cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
        assert [int(c[0]) for c in cells] == expected_lines
        assert cells[0][1:3] == ["Change Date+Time", "yesterday"]
        assert cells[1][2] == "Accepted/Daydreaming"
        assert "fields" in cells[2][3]
        assert all(c[3] for c in cells)  # every row says why
        assert sum("Accepted/Dozing" in c[2] for c in cells) == 60
        assert recording_page.axe_violations() == []
        shoot(page, "6-bad-rows")
        page.locator("#import-errors tbody tr").last.scroll_into_view_if_needed()
        shoot(page, "7-bad-rows-end")

        link = page.get_by_role("link", name="Download the bad rows (CSV)")
        csv_text = page.request.get(recording_page.base_url + link.get_attribute("href")).text()
        assert len(csv_text.strip().splitlines()) == 1 + len(expected_lines)
        assert ImportRun.objects.get().bad_row_count == len(expected_lines)
        assert Ticket.objects.count() == 0
        assert recording_page.console_errors == []

    def test_a_case_export_gets_the_same_pages(self, recording_page, make_user, worker):
        from infogov.models import Case
        from tests.infogov.factories import DirectorateFactory, ServiceFactory
        from tests.infogov.test_importers import BAD as CASES_BAD

        housing = DirectorateFactory(name="Housing")
        ServiceFactory(directorate=housing, name="Housing Needs")
        make_user(Role.DMT, username="dana")
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        recording_page.sign_in("dana", PASSWORD)
        page.goto(recording_page.base_url + "/information-governance/")
        page.get_by_role("link", name="Import cases from an export").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Import cases"
        assert recording_page.axe_violations() == []
        shoot(page, "8-case-upload")
        page.get_by_label("Export file").set_input_files(str(CASES_BAD))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_url(re.compile(r"/imports/\d+/$"))
        page.locator("#import-progress[data-state='refused']").wait_for(timeout=60_000)
        lines = page.locator("#import-errors tbody tr td:first-child").all_inner_texts()
        assert lines == ["3", "4", "5", "6", "7", "8"]
        assert "unknown directorate 'Parks'" in page.locator("#import-errors").inner_text()
        assert recording_page.axe_violations() == []
        shoot(page, "9-case-bad-rows")
        assert Case.objects.count() == 0


@pytest.mark.django_db(transaction=True)
class ImportHousekeepingInTheBrowserTests:
    """What the beat sweep and the upload clean-up leave on a run's page, at 1280 and 1920."""

    def test_a_run_queued_again_and_a_run_whose_file_was_deleted_say_so(
        self, recording_page, make_user, import_root
    ):
        from datetime import timedelta

        from django.utils import timezone

        from hackperf.choices import ImportKind, ImportState
        from hackperf.imports import import_file_store, import_run_create, import_uploads_delete

        make_user(Role.DMT, username="dana", first_name="Dana", last_name="Mensah")
        now = timezone.now()

        def run(name: str, **kwargs) -> ImportRun:
            return import_run_create(
                kind=ImportKind.TICKETS,
                stored=import_file_store(chunks=[(HEADER + "x\n").encode()], name=name),
                mapping_name="BPI Challenge 2013",
                mapping_preset="bpic2013",
                actor_name="Dana Mensah",
                **kwargs,
            )

        waiting = run("lost-message.csv", now=now - timedelta(minutes=40))
        ImportRun.objects.filter(pk=waiting.pk).update(requeued_count=2, requeued_at=now)
        old = run("last-year.csv", now=now - timedelta(days=60))
        finished = now - timedelta(days=59)
        ImportRun.objects.filter(pk=old.pk).update(
            state=ImportState.SUCCEEDED, started_at=finished, finished_at=finished, items=1
        )
        assert import_uploads_delete(now=now) == [old.pk]

        page = recording_page.page
        recording_page.sign_in("dana", PASSWORD)
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{recording_page.base_url}/imports/{waiting.pk}/")
            text = page.locator("#import-requeued").inner_text()
            assert "Queued again automatically 2 times" in text
            assert recording_page.axe_violations() == []
            shoot(page, f"requeued-{width}")
            page.goto(f"{recording_page.base_url}/imports/{old.pk}/")
            text = page.locator("#import-file-deleted").inner_text()
            assert "The stored copy was deleted on" in text
            assert old.sha256 in page.locator("#import-run-facts").inner_text()
            assert recording_page.axe_violations() == []
            shoot(page, f"file-deleted-{width}")
        assert recording_page.console_errors == []
