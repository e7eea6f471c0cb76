"""The satisfaction survey in a real browser, from the e-mailed link, with JavaScript off.

axe-core needs JavaScript, so the accessibility checks run in a second, JavaScript-enabled
context (``recording_page``) on the same URLs: the survey form, its error state (an empty
answer, which does not use the link up), the thank-you page (its HTML, as the JavaScript-off
browser received it, loaded into the JavaScript page) and the "already answered" page.
"""

import re
from datetime import timedelta
from fractions import Fraction

import pytest
from django.core import mail
from django.utils import timezone

from servicedesk.surveys import selectors, services
from servicedesk.surveys.models import SurveyOptOut, SurveyResponse
from tests.servicedesk.factories import QueueFactory
from tests.servicedesk.survey_helpers import close_ticket


@pytest.fixture
def emailed_link(transactional_db, live_server, settings):
    """Sample last month and return the link from the e-mail it sent."""
    settings.SITE_URL = live_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "survey-browser-tests",
        }
    }
    now = timezone.now()
    month = selectors.previous_month(timezone.localdate(now).replace(day=1))
    start, _ = selectors.month_bounds(month)
    desk = QueueFactory(name="Service desk", slug="service-desk")
    for email, hour, summary, reference in (
        ("grace.brown@hackney.example", 10, "Laptop will not dock", "INC-4242"),
        ("noah.chen@hackney.example", 11, "Someone else's payroll problem", "INC-9999"),
    ):
        at = start + timedelta(days=9, hours=hour)
        close_ticket(email=email, queue=desk, at=at, summary=summary, reference=reference)
    # Everyone this time (rate 1), so Grace is sure to be asked; Noah's ticket must not show.
    run = services.survey_sample(month=month, now=now, rate=Fraction(1))
    assert run.sent == 2
    (message,) = [m for m in mail.outbox if m.to == ["grace.brown@hackney.example"]]
    return re.search(r"https?://\S+/survey/\S+/", message.body).group(0)


@pytest.mark.django_db(transaction=True)
class SurveyInTheBrowserTests:
    def test_someone_answers_from_the_emailed_link_without_javascript(
        self, browser, recording_page, emailed_link
    ):
        # Accessibility first, with JavaScript on (axe needs it): the form and its errors.
        checker = recording_page.page
        checker.goto(emailed_link)
        assert checker.get_by_role("heading", level=1).inner_text() == "How did we do?"
        assert recording_page.axe_violations() == []
        checker.get_by_role("button", name="Send answers").click()
        checker.wait_for_load_state()
        assert "There is a problem" in checker.inner_text(".govuk-error-summary")
        assert recording_page.axe_violations() == []

        # The person, with JavaScript off, answers from the e-mail.
        context = browser.new_context(java_script_enabled=False, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(emailed_link)
            assert "js-enabled" not in (page.get_attribute("body", "class") or "")
            text = page.inner_text("main")
            assert "INC-4242" in text and "Laptop will not dock" in text
            assert "INC-9999" not in page.content() and "noah" not in page.content()
            page.get_by_label("4 – satisfied", exact=True).check()
            page.get_by_label("Yes", exact=True).check()
            page.get_by_label("Anything else you want to tell us? (optional)").fill(
                "Fixed the same day, thanks."
            )
            page.get_by_role("button", name="Send answers").click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", level=1).inner_text() == (
                "Thank you for your answers"
            )
            thanks = page.content()
            # The link works once.
            page.goto(emailed_link)
            assert "This survey has already been answered" in page.inner_text("h1")
        finally:
            context.close()

        answer = SurveyResponse.objects.get(invitation__email="grace.brown@hackney.example")
        assert (answer.rating, answer.resolved) == (4, True)
        assert answer.comment == "Fixed the same day, thanks."
        assert not SurveyOptOut.objects.exists()

        # The pages after answering are axe clean too.
        checker.set_content(thanks)
        assert "Thank you for your answers" in checker.inner_text("h1")
        assert recording_page.axe_violations() == []
        checker.goto(emailed_link)
        assert "already been answered" in checker.inner_text("h1")
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        # Chromium logs the "already answered" page's status (410 Gone); nothing else.
        assert [e for e in recording_page.console_errors if "410 (Gone)" not in e] == []
