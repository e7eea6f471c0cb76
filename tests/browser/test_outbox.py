"""E-mails that cannot go out, in a real browser: an IG officer sees the "no recipient"
state of an escalation, adds the missing address, and the e-mail goes; the DMT home shows
what is undeliverable; a director acknowledges a case once, with a comment."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hackperf import outbox
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from hackperf.roles import Role
from infogov.models import Case, EscalationAcknowledgement
from infogov.services.escalations import escalations_send
from tests.browser.conftest import ARTIFACTS, RecordingPage
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

PASSWORD = "a-good-password-1"
MISSING = "no recipient: add the group director's address for Chief Executive's"


def overdue_case(directorate, reference="FOI-2026-00420"):
    today = timezone.localdate()
    case = CaseFactory(
        reference=reference,
        received=today - timedelta(days=60),
        service=ServiceFactory(directorate=directorate, name="Policy"),
    )
    Case.objects.filter(pk=case.pk).update(due=today - timedelta(days=3))
    return case


def overdue_row(page, case):
    level = page.locator("strong", has_text=re.compile(r"^Overdue$"))
    return page.locator("tr", has_text=case.reference).filter(has=level)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
class NoRecipientInTheBrowserTests:
    def test_an_officer_sees_no_recipient_adds_the_address_and_it_goes_out(
        self, recording_page, make_user, settings, live_server
    ):
        settings.SITE_URL = live_server.url
        directorate = DirectorateFactory(name="Chief Executive's", group_director_email="")
        case = overdue_case(directorate)
        run = escalations_send(today=timezone.localdate())
        assert run.sent == 0 and mail.outbox == []

        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("infogov:case_list"))
        problems = page.locator("#outbox-problems")
        assert MISSING in problems.inner_text()
        assert recording_page.axe_violations() == []
        shoot(page, "outbox-no-recipient-overview")

        page.goto(recording_page.base_url + reverse("infogov:escalation_list"))
        row = overdue_row(page, case)
        assert "No recipient" in row.inner_text()
        assert recording_page.axe_violations() == []
        shoot(page, "outbox-no-recipient-escalations")

        page.get_by_role("link", name="add the address").click()
        assert recording_page.axe_violations() == []
        page.get_by_label("Group director's e-mail").fill("group.ce@hackney.example\nBcc: x")
        page.get_by_role("button", name="Save the addresses").click()
        assert "There is a problem" in page.content()
        page.get_by_label("Group director's e-mail").fill("group.ce@hackney.example")
        page.get_by_role("button", name="Save the addresses").click()
        assert "Escalations waiting for them are sent" in page.content()

        # The save queued send_outbox on commit; the worker's run, here in the test:
        assert outbox.outbox_send().sent == 1
        assert mail.outbox[0].to == ["group.ce@hackney.example"]
        assert f"{live_server.url}/information-governance/cases/{case.pk}/" in mail.outbox[0].body
        page.reload()
        assert page.locator("#outbox-problems").count() == 0
        row = overdue_row(page, case)
        assert "Sent to group.ce@hackney.example" in " ".join(row.inner_text().split())
        shoot(page, "outbox-sent-escalations")
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

    def test_the_dmt_home_counts_what_cannot_go_out(self, browser, live_server, make_user):
        overdue_case(DirectorateFactory(name="Chief Executive's", group_director_email=""))
        escalations_send(today=timezone.localdate())
        make_user(Role.DMT, username="dee")
        for width, height in ((1280, 800), (1920, 1080)):
            context = browser.new_context(viewport={"width": width, "height": height})
            recording = RecordingPage(context.new_page(), live_server.url)
            recording.sign_in("dee", PASSWORD)
            text = recording.page.locator("#undeliverable").inner_text()
            assert "1 e-mail cannot go out: 1 with no recipient, 0 failed." in text
            assert MISSING in text
            assert recording.axe_violations() == []
            overflow = recording.page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert overflow is False
            shoot(recording.page, f"outbox-dmt-home-{width}")
            context.close()
        assert OutboxMessage.objects.get().status == OutboxStatus.NO_RECIPIENT


@pytest.mark.django_db(transaction=True)
class AcknowledgeInTheBrowserTests:
    def test_a_director_acknowledges_a_case_once_for_all_levels(self, recording_page, make_user):
        directorate = DirectorateFactory(name="Adults", director_email="ada@hackney.example")
        case = overdue_case(directorate, reference="FOI-2026-00777")
        escalations_send(today=timezone.localdate() - timedelta(days=1))
        ada = make_user(
            Role.DIRECTOR, username="ada", email="ada@hackney.example", first_name="Ada"
        )
        directorate.directors.add(ada)  # a director sees the directorates given to them
        recording_page.sign_in("ada", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("infogov:case_detail", args=[case.pk]))
        escalations = page.locator("#escalations + ul").inner_text()
        assert "Overdue" in escalations and "not e-mailed" in escalations
        page.get_by_label("Comment").fill("Asked Policy for the draft by Friday.")
        assert recording_page.axe_violations() == []
        page.get_by_role("button", name="Acknowledge all levels").click()
        acknowledgement = page.locator("#acknowledgement").inner_text()
        assert "Acknowledged by Ada" in acknowledgement
        assert "for all levels" in acknowledgement
        assert "Asked Policy for the draft by Friday." in acknowledgement
        assert page.get_by_role("button", name="Acknowledge all levels").count() == 0
        assert recording_page.axe_violations() == []
        shoot(page, "outbox-acknowledged-case")
        assert EscalationAcknowledgement.objects.get(case=case).comment.startswith("Asked")
