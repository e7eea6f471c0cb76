"""The IG pages in a real browser: the overview, a case with its deadline's working, and
recording a clock event, each accessible (axe, WCAG 2.2 AA) and self-contained."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from indicators import demo as indicators_demo
from indicators.choices import Status
from indicators.models import Indicator, PeriodValue
from indicators.periods import month_start, shift_month
from infogov import demo as infogov_demo
from infogov import report
from infogov.models import Case
from tests.browser.conftest import ARTIFACTS
from tests.indicators.factories import PeriodValueFactory
from tests.infogov.factories import CaseFactory

PASSWORD = "a-good-password-1"


@pytest.fixture
def signed_in_officer(recording_page, make_user):
    make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
    recording_page.sign_in("imogen", PASSWORD)
    return recording_page


@pytest.mark.django_db(transaction=True)
class InfogovInTheBrowserTests:
    def test_the_overview_lists_open_cases_by_due_date(self, signed_in_officer):
        CaseFactory(reference="FOI-2026-00002", received=date(2026, 11, 20))
        CaseFactory(reference="FOI-2026-00001", received=date(2026, 9, 1))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_list"))
        assert page.get_by_role("heading", level=1).inner_text().startswith("Open FOI")
        references = page.locator("table.govuk-table tbody tr td:first-child").all_inner_texts()
        assert references == ["FOI-2026-00001", "FOI-2026-00002"]
        assert "Overdue" in page.locator("table.govuk-table tbody tr").first.inner_text()
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.foreign_requests() == []
        assert signed_in_officer.console_errors == []

    def test_a_case_page_shows_its_deadline_working(self, signed_in_officer):
        case = CaseFactory(received=date(2022, 9, 5))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_detail", args=[case.pk]))
        assert "Due Tuesday 4 October 2022" in page.locator("#due-date").inner_text()
        working = page.locator("#deadline-working").inner_text()
        assert "State Funeral" in working
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.foreign_requests() == []

    def test_an_officer_records_a_clock_event(self, signed_in_officer):
        case = CaseFactory(received=date(2026, 11, 2))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_detail", args=[case.pk]))
        page.get_by_role("link", name="Record a clock event").click()
        assert signed_in_officer.axe_violations() == []

        page.get_by_label("Event").select_option("fee_notice")
        page.get_by_label("Date").fill("2026-11-05")
        page.get_by_role("button", name="Record the event").click()
        assert "Fees notice given" in page.locator("#clock-events").inner_text()
        page.get_by_role("link", name="Record a clock event").click()
        page.get_by_label("Event").select_option("fee_paid")
        page.get_by_label("Date").fill("2026-11-04")
        page.get_by_role("button", name="Record the event").click()
        summary = page.get_by_role("alert")
        assert "fee_paid (2026-11-04) is before fee_notice (2026-11-05)" in summary.inner_text()
        assert signed_in_officer.axe_violations() == []

        page.get_by_label("Date").fill("2026-11-09")
        page.get_by_role("button", name="Record the event").click()
        assert page.url.endswith(reverse("infogov:case_detail", args=[case.pk]))
        events = page.locator("#clock-events").inner_text()
        assert "Fees notice given" in events and "Fee paid" in events
        assert Case.objects.get(pk=case.pk).due_changes.count() >= 1
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.console_errors == []


def seed_a_year_of_cases():
    """The demo's directorates and a year of FOI/EIR/SAR cases, the indicators' targets, and
    commentary as long as owners write it on each month of FR ICT 18a and 19a: a full report."""
    now = timezone.now()
    infogov_demo.seed(now=now)
    indicators_demo.seed(now=now)
    month = month_start(timezone.localdate(now))
    for code in ("FR ICT 18a", "FR ICT 19a"):
        indicator = Indicator.objects.get(code=code)
        for back in range(1, 7):
            PeriodValue.objects.filter(
                indicator=indicator, period_start=shift_month(month, -back)
            ).delete()
            PeriodValueFactory(
                indicator=indicator,
                period_start=shift_month(month, -back),
                status=Status.APPROVED,
                commentary=(
                    "Housing answered late while two officers were away; the backlog was "
                    "cleared by the month's end and the service lead now reviews it weekly."
                ),
            )


def shown_link_urls(page) -> list[str]:
    """What a printed link shows after itself (base CSS adds " (/path)" to govuk-link)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a[href]')]
            .filter(a => a.offsetParent !== null)
            .map(a => getComputedStyle(a, '::after').content)
            .filter(c => c && c !== 'none' && c !== 'normal')"""
    )


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.django_db(transaction=True)
class IgGroupReportInTheBrowserTests:
    def test_the_quarterly_report_prints_on_two_a4_pages_and_is_accessible(
        self, recording_page, make_user
    ):
        seed_a_year_of_cases()
        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        quarter = report.default_quarter(timezone.localdate())
        page.goto(recording_page.base_url + reverse("infogov:ig_group_report"))
        assert quarter.label in page.get_by_role("heading", level=1).inner_text()
        headline = page.get_by_test_id("headline-foi_eir").inner_text()
        assert "within the statutory time, without extension" in headline
        assert "in time, permitted extensions counted" in headline
        assert "target of" in headline
        assert page.locator("#report-trend tbody tr").count() == 8
        assert page.locator("svg.hp-report__chart polyline").count() == 3
        assert page.get_by_text("Housing answered late").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ig-report-1280.png"), full_page=True)
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

        # The quarter picker: choose the quarter before, and back with "Next quarter".
        before = report.shift_quarter(quarter, -1)
        page.get_by_label("Quarter", exact=True).select_option(before.key)
        page.get_by_role("button", name="Show").click()
        assert before.label in page.get_by_role("heading", level=1).inner_text()
        page.get_by_role("link", name="Next quarter").click()
        assert quarter.label in page.get_by_role("heading", level=1).inner_text()

        # A count opens the requests behind it, as many as it says.
        link = page.locator("#report-foi-eir tfoot a").first
        count = int(link.inner_text())
        link.click()
        assert page.get_by_role("heading", level=1).inner_text() == "Received"
        assert f"{count} request" in page.locator("main").inner_text()
        assert recording_page.axe_violations() == []
        page.go_back()

        page.emulate_media(media="print")
        assert page.locator("form.hp-no-print").is_hidden()
        assert shown_link_urls(page) == []
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (ARTIFACTS / "ig-report.pdf").write_bytes(pdf)
        assert 1 <= pdf_pages(pdf) <= 2, f"the report printed on {pdf_pages(pdf)} A4 pages"

    def test_a_director_sees_their_directorates_and_a_running_quarter_is_flagged(
        self, recording_page, make_user
    ):
        dora = make_user(Role.DIRECTOR, username="dora", first_name="Dora", last_name="Director")
        recording_page.sign_in("dora", PASSWORD)
        today = timezone.localdate()
        foi = CaseFactory(reference="FOI-NOW-00001", received=today)
        CaseFactory(reference="FOI-THEIRS-0001", received=today)  # another directorate's
        dora.infogov_directorates.set([foi.directorate])
        page = recording_page.page
        current = report.quarter_of(today)
        page.goto(
            recording_page.base_url + reverse("infogov:ig_group_report") + f"?quarter={current.key}"
        )
        assert "your directorates" in page.get_by_role("heading", level=1).inner_text()
        assert (
            "This quarter has not ended: figures to date"
            in page.locator("#quarter-not-ended").inner_text()
        )
        assert page.get_by_role("link", name="Next quarter").count() == 0
        assert page.locator("#report-foi-eir tbody tr").count() == 1
        assert page.locator("#report-foi-eir tfoot").inner_text().split("\t")[1].strip() == "1"
        assert recording_page.axe_violations() == []
        page.emulate_media(media="print")
        assert shown_link_urls(page) == []
        pdf = page.pdf(format="A4", print_background=True)
        assert 1 <= pdf_pages(pdf) <= 2
