"""The service-desk pages in a real browser: the live queue page, a ticket, an agent action."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from servicedesk import services
from servicedesk.choices import Priority
from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

PASSWORD = "a-good-password-1"


@pytest.fixture
def desk(transactional_db):
    for priority in Priority:
        SlaTargetFactory(priority=priority, resolution_seconds=8 * 3600)
    return QueueFactory(name="Service desk", slug="service-desk")


@pytest.mark.django_db(transaction=True)
class ServiceDeskInTheBrowserTests:
    def test_the_queue_page_refreshes_itself_keeping_its_filters(
        self, recording_page, make_user, desk, settings
    ):
        settings.SERVICEDESK_REFRESH_SECONDS = 1
        make_user(Role.SERVICE_DESK_AGENT, username="amir")
        old = timezone.now() - timedelta(days=9)
        log_ticket(queue=desk, reference="INC-P1-OLD", priority=Priority.P1, at=old)
        log_ticket(queue=desk, reference="INC-P4-OLD", priority=Priority.P4, at=old)
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        url = recording_page.base_url + reverse("servicedesk:queue_detail", args=["service-desk"])
        page.goto(url + "?priority=P1")
        assert page.get_by_role("heading", level=1).inner_text() == "Service desk queue"
        table = page.locator("#queue-tickets table")
        assert "INC-P1-OLD" in table.inner_text()
        assert "INC-P4-OLD" not in table.inner_text()
        assert "Breached" in table.inner_text()  # in words, not colour alone
        assert recording_page.axe_violations() == []

        # Tickets logged after the page loaded appear without a reload, still filtered.
        log_ticket(queue=desk, reference="INC-P1-NEW", priority=Priority.P1, at=timezone.now())
        log_ticket(queue=desk, reference="INC-P4-NEW", priority=Priority.P4, at=timezone.now())
        page.locator("#queue-tickets table", has_text="INC-P1-NEW").wait_for(timeout=10_000)
        assert "INC-P4-NEW" not in table.inner_text()
        assert page.url == url + "?priority=P1"
        assert page.get_by_label("P1 critical").is_checked()
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

    def test_an_agent_opens_a_ticket_and_puts_it_on_hold(self, recording_page, make_user, desk):
        make_user(Role.SERVICE_DESK_AGENT, username="amir", first_name="Amir", last_name="Khan")
        ticket = log_ticket(queue=desk, reference="INC-7", summary="VPN drops", at=timezone.now())
        services.ticket_assign(ticket=ticket, actor=None, at=timezone.now())
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("servicedesk:queue_list"))
        assert recording_page.axe_violations() == []
        page.get_by_role("link", name="Service desk", exact=True).click()
        page.get_by_role("link", name="INC-7").click()
        assert page.get_by_role("heading", level=1).inner_text() == "VPN drops"
        page.get_by_text("How this is worked out").click()
        explain = page.get_by_test_id("sla-explain").inner_text()
        assert "Calendar: Mon–Fri 09:00–17:00 (Europe/London)" in explain
        assert "Status: " in explain
        assert recording_page.axe_violations() == []

        # A hold without a reason is refused, with the GOV.UK error summary.
        hold = page.locator("#action-hold")
        hold.get_by_text("Put on hold").first.click()
        hold.get_by_label("Awaiting a supplier").check()
        hold.get_by_role("button", name="Put on hold").click()
        assert page.get_by_role("alert").inner_text().startswith("There is a problem")
        assert "Enter a reason" in page.get_by_role("alert").inner_text()
        assert recording_page.axe_violations() == []

        hold = page.locator("#action-hold")
        hold.get_by_label("Awaiting a supplier").check()
        hold.get_by_label("Reason").fill("Waiting for the VPN vendor")
        hold.get_by_role("button", name="Put on hold").click()
        assert "Put on hold: INC-7" in page.get_by_role("alert").inner_text()
        assert "On hold: awaiting supplier since" in page.locator("main").inner_text()
        assert "Waiting for the VPN vendor" in page.get_by_test_id("timeline").inner_text()
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
