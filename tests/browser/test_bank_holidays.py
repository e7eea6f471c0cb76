"""An IG officer meets a bank holiday "to confirm" in a real browser: the overview points to
it, the bank-holidays page names both sources, Confirm stores it, and the case whose due date
it moved shows the move recorded. Accessible (axe, WCAG 2.2 AA), self-contained, and no
sideways scrolling at 1280 and 1920 px."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from hackperf.bank_holidays import bank_holidays_refresh, package_source
from hackperf.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.infogov.factories import CaseFactory

PASSWORD = "a-good-password-1"
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "uk-bank-holidays"
# GOV.UK's feed before Scotland's one-off bank holiday of Monday 15 June 2026 was published.
GOVUK_019 = REAL / "bank-holidays_govuk-bank-holidays-0.19.json"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
class ToConfirmInTheBrowserTests:
    def test_an_officer_confirms_a_holiday_and_sees_the_due_date_move(
        self, recording_page, make_user
    ):
        # The weekly refresh read a feed that lacks the day; the holidays package has it.
        # It ran before the day (on 1 June 2026): once 15 June is past, a feed without it
        # drops a past holiday and is refused, whatever the date the suite runs on.
        fetch = bank_holidays_refresh(path=GOVUK_019, today=date(2026, 6, 1))
        assert fetch.outcome == "changed"
        case = CaseFactory(reference="FOI-2026-00518", received=date(2026, 5, 18))
        assert case.due == date(2026, 6, 16)  # a day early: 15 June not counted
        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        ARTIFACTS.mkdir(exist_ok=True)

        page.goto(recording_page.base_url + reverse("infogov:case_list"))
        notice = page.locator("#bank-holidays-to-confirm")
        assert "1 bank holiday listed by one source and missing from the other" in (
            notice.inner_text()
        )
        assert recording_page.axe_violations() == []
        notice.get_by_role("link", name="confirm or reject it").click()

        assert page.get_by_role("heading", level=1).inner_text() == "Bank holidays"
        row = page.locator("#to-confirm tbody tr")
        assert row.count() == 1
        text = row.inner_text()
        assert "Mon 15 Jun 2026" in text and "Scotland" in text
        assert package_source() in text  # listed by
        assert "file bank-holidays_govuk-bank-holidays-0.19.json" in text  # missing from
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            assert no_sideways_scroll(page), width
            page.screenshot(
                path=ARTIFACTS / f"bank-holidays-to-confirm-{width}.png", full_page=True
            )
        page.set_viewport_size({"width": 1280, "height": 800})
        assert recording_page.axe_violations() == []

        row.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        banner = page.get_by_role("alert")
        assert "it is now a bank holiday" in banner.inner_text()
        assert page.locator("#to-confirm").count() == 0
        decided = page.locator("#decided tbody tr").inner_text()
        assert "Confirmed" in decided and "Imogen Gray" in decided
        page.screenshot(path=ARTIFACTS / "bank-holidays-confirmed-1280.png", full_page=True)
        assert recording_page.axe_violations() == []

        page.goto(recording_page.base_url + reverse("infogov:case_detail", args=[case.pk]))
        assert page.locator("#due-date").inner_text().startswith("Due Wednesday 17 June 2026")
        history = page.locator("#due-history tbody tr").last.inner_text()
        assert "16 Jun 2026" in history and "17 Jun 2026" in history
        assert "Bank holiday confirmed by Imogen Gray: added 2026-06-15" in history
        working = page.locator("#deadline-working").inner_text()
        assert "Scotland's participation in the FIFA World Cup final" in working
        page.screenshot(path=ARTIFACTS / "bank-holidays-case-moved-1280.png", full_page=True)
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

    def test_a_week_of_failed_refreshes_is_shown_on_the_overview(self, recording_page, make_user):
        from datetime import timedelta

        from django.utils import timezone

        from hackperf.models import BankHolidayFetch

        for days in (9, 2):
            BankHolidayFetch.objects.create(
                at=timezone.now() - timedelta(days=days),
                source="https://www.gov.uk/bank-holidays.json",
                outcome="failed",
                message="cannot connect: [Errno -3] Temporary failure in name resolution",
            )
        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("infogov:case_list"))
        warning = page.locator("#bank-holiday-feed-failing").inner_text()
        assert "Bank holidays have not been refreshed for over a week: 2 fetches" in warning
        assert "Temporary failure in name resolution" in warning
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "bank-holidays-feed-failing-1280.png")
        assert recording_page.axe_violations() == []
        page.get_by_role("link", name="See the bank holidays").click()
        assert "2 fetches" in page.locator("#bank-holiday-feed-failing").inner_text()
        assert recording_page.axe_violations() == []
