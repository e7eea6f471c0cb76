"""The IG pages in a real browser: the overview, a case with its deadline's working, and
recording a clock event, each accessible (axe, WCAG 2.2 AA) and self-contained."""

import re
from datetime import date

import pytest
from django.urls import reverse

from hackperf.roles import Role
from infogov.models import Case
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


@pytest.mark.django_db(transaction=True)
class IgGroupReportInTheBrowserTests:
    def test_the_quarterly_report_prints_on_a4_and_is_accessible(self, recording_page, make_user):
        dora = make_user(Role.DIRECTOR, username="dora", first_name="Dora", last_name="Director")
        recording_page.sign_in("dora", PASSWORD)
        foi = CaseFactory(reference="FOI-2025-00001", received=date(2025, 1, 6))
        sar = CaseFactory(reference="SAR-2025-00001", kind="sar", received=date(2025, 2, 3))
        dora.infogov_directorates.set([foi.directorate, sar.directorate])  # she answers for both
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("infogov:ig_group_report") + "?quarter=2025-Q1")
        assert "Q1 2025" in page.get_by_role("heading", level=1).inner_text()
        assert page.locator("#report-foi-eir tfoot").inner_text().split("\t")[1].strip() == "1"
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

        page.emulate_media(media="print")
        assert page.locator("form.hp-no-print").is_hidden()
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 3
