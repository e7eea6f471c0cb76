"""The forms, as GOV.UK does them (issue 13), in a browser, as the role that uses each.

Each form is sent wrong: the page comes back with an error summary whose links move focus to
the box that is wrong (a date's month box, a radio group's first radio), the fields carry
their error messages, axe finds nothing serious, nothing scrolls sideways at 1280×800, and the
Content-Security-Policy refuses nothing. With ``HACKPERF_SHOTS=<folder>`` each page is also
saved as a PNG at 1280×800 and 1920×1080, to look at.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from tests.browser.conftest import fill_date
from tests.hackperf.factories import PASSWORD
from tests.indicators.factories import IndicatorFactory
from tests.infogov.factories import CaseFactory, ServiceFactory
from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

SHOTS = os.environ.get("HACKPERF_SHOTS")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{SHOTS}/{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def check(recording_page, name: str) -> None:
    page = recording_page.page
    assert page.get_by_role("alert").first.inner_text().startswith("There is a problem")
    assert page.title().startswith("Error: ") and page.title().endswith(
        " – ICT performance – Hackney"
    )
    assert recording_page.axe_violations() == []
    assert fits(page), f"{name} scrolls sideways at 1280 px"
    shoot(page, name)


def follow_summary_link(page, text: str) -> str:
    """Click the error summary's link for ``text``; the id of the element then focused."""
    page.locator(".govuk-error-summary__list a", has_text=text).first.click()
    return page.evaluate("document.activeElement.id")


@pytest.fixture
def world(db):
    SlaTargetFactory()
    queue = QueueFactory(name="Service desk", slug="service-desk")
    ticket = log_ticket(queue=queue, reference="INC-FORM-1", at=timezone.now() - timedelta(hours=3))
    service = ServiceFactory(directorate__name="Children and Education")
    case = CaseFactory(reference="FOI-2026-0142", service=service, received=date(2026, 11, 2))
    indicator = IndicatorFactory(slug="hand-kept")
    return {"queue": queue, "ticket": ticket, "service": service, "case": case, "ind": indicator}


@pytest.mark.django_db(transaction=True)
class FormTests:
    def sign_in(self, recording_page, make_user, role):
        make_user(role, username="sam", first_name="Sam", last_name="Okafor")
        recording_page.page.set_viewport_size({"width": 1280, "height": 800})
        recording_page.sign_in("sam", PASSWORD)
        return recording_page.page

    def test_log_a_ticket(self, recording_page, make_user, world):
        page = self.sign_in(recording_page, make_user, Role.SERVICE_DESK_AGENT)
        page.goto(recording_page.base_url + reverse("servicedesk:ticket_create"))
        assert page.title() == "Log a ticket – ICT performance – Hackney"
        assert page.locator("#id_queue option").first.inner_text() == "Choose a queue"
        shoot(page, "ticket-log")
        page.locator("#id_reference").fill("INC-FORM-1")
        recording_page.press("Log ticket")
        check(recording_page, "ticket-log-errors")
        field = page.locator("#id_reference-error").inner_text()
        assert "A ticket with reference INC-FORM-1 already exists: open it or use" in field
        assert follow_summary_link(page, "Choose whether it is an incident") == "id_kind_0"
        page.locator("#id_reference-error").get_by_role("link", name="open it").click()
        page.wait_for_load_state()
        assert page.url.endswith(reverse("servicedesk:ticket_detail", args=["INC-FORM-1"]))
        assert recording_page.csp_violations == []

    def test_ticket_actions(self, recording_page, make_user, world):
        page = self.sign_in(recording_page, make_user, Role.SERVICE_DESK_AGENT)
        page.goto(
            recording_page.base_url + reverse("servicedesk:ticket_detail", args=["INC-FORM-1"])
        )
        hold = page.locator("#action-hold")
        hold.get_by_text("Put on hold").first.click()
        hold.get_by_role("button", name="Put on hold").click()
        page.wait_for_load_state()
        assert page.locator("#action-hold .govuk-error-message").count() >= 1
        assert recording_page.axe_violations() == []
        assert fits(page)
        shoot(page, "ticket-actions-errors")

    def test_log_a_case(self, recording_page, make_user, world):
        page = self.sign_in(recording_page, make_user, Role.IG_OFFICER)
        page.goto(recording_page.base_url + reverse("infogov:case_create"))
        assert page.title() == "Log a case – ICT performance – Hackney"
        assert page.locator('input[type="date"]').count() == 0
        shoot(page, "case-log")
        page.locator("#id_reference").fill("FOI-2026-0142")
        page.get_by_label("FOI", exact=True).check()
        page.locator("#id_received").fill("27")
        page.locator("#id_received-year").fill("2026")
        recording_page.press("Log the case")
        check(recording_page, "case-log-errors")
        assert (
            "Date received must include a month" in page.locator("#id_received-error").inner_text()
        )
        assert "govuk-input--error" in page.locator("#id_received-month").get_attribute("class")
        assert "govuk-input--error" not in page.locator("#id_received").get_attribute("class")
        assert page.locator("#id_received").input_value() == "27"
        assert follow_summary_link(page, "must include a month") == "id_received-month"
        taken = page.locator("#id_reference-error")
        assert "A case with reference FOI-2026-0142 already exists" in taken.inner_text()
        taken.get_by_role("link", name="open it").click()
        page.wait_for_load_state()
        assert page.url.endswith(reverse("infogov:case_detail", args=[world["case"].pk]))
        assert recording_page.csp_violations == []

    def test_clock_event_and_response(self, recording_page, make_user, world):
        page = self.sign_in(recording_page, make_user, Role.IG_OFFICER)
        pk = world["case"].pk
        page.goto(recording_page.base_url + reverse("infogov:case_event_create", args=[pk]))
        page.get_by_label("Clarification requested").check()
        fill_date(page, "date", "31", "2", "2026")
        recording_page.press("Record the event")
        check(recording_page, "clock-event-errors")
        assert "Date of the event must be a real date" in page.locator("main").inner_text()

        page.goto(recording_page.base_url + reverse("infogov:case_respond", args=[pk]))
        later = timezone.localdate() + timedelta(days=3)
        fill_date(page, "responded", str(later.day), str(later.month), str(later.year))
        recording_page.press("Record the response")
        check(recording_page, "case-respond-errors")
        text = page.locator("main").inner_text()
        assert "Date responded must be today or in the past" in text
        assert "Choose the outcome of the request" in text
        assert recording_page.csp_violations == []

    def test_indicator_value_and_risk(self, recording_page, make_user, world):
        page = self.sign_in(recording_page, make_user, Role.DMT)
        page.goto(
            recording_page.base_url + reverse("indicators:period_value_create", args=["hand-kept"])
        )
        assert page.locator('input[type="month"]').count() == 0
        page.locator("#id_period_start-year").fill("26")
        recording_page.press("Save the value")
        check(recording_page, "indicator-value-errors")
        assert "Period must include a month" in page.locator("main").inner_text()

        page.goto(recording_page.base_url + reverse("indicators:risk_create"))
        assert page.locator("#id_likelihood option").first.inner_text() == "Choose a likelihood"
        fill_date(page, "review_date", "1", "13", "2027")
        recording_page.press("Save the risk")
        check(recording_page, "risk-errors")
        assert "Review date must be a real date" in page.locator("main").inner_text()
        assert follow_summary_link(page, "Review date must be a real date") == "id_review_date"
        assert recording_page.csp_violations == []
