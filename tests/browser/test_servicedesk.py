"""The service-desk pages in a real browser: the live queue page, a ticket, an agent action."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hackperf.roles import Role
from servicedesk import services
from servicedesk.choices import Priority
from servicedesk.models import Ticket
from tests.browser.conftest import ARTIFACTS, assert_fits
from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

PASSWORD = "a-good-password-1"


@pytest.fixture
def desk(transactional_db):
    for priority in Priority:
        SlaTargetFactory(priority=priority, resolution_seconds=8 * 3600)
    return QueueFactory(name="Service desk", slug="service-desk")


@pytest.fixture
def busy_desk(desk):
    """Tickets with every flag the queue page shows, with long words where they can be."""
    networks = QueueFactory(name="Infrastructure and networks", slug="networks")
    now = timezone.now()
    for n in range(6):
        t = log_ticket(
            queue=desk,
            reference=f"INC-20260303-10150{n}-7F3A",
            summary="Multifunctional device unresponsive after firmware reinstallation",
            at=now - timedelta(days=9, hours=n),
        )
        services.ticket_reassign(ticket=t, actor=None, at=now - timedelta(days=8), queue=networks)
        services.ticket_reassign(ticket=t, actor=None, at=now - timedelta(days=7), queue=desk)
        services.ticket_escalate(
            ticket=t, actor=None, at=now - timedelta(days=6), level=3, reason="x"
        )
        services.ticket_put_on_hold(
            ticket=t, actor=None, at=now - timedelta(days=5), reason="Waiting for the supplier"
        )
    return desk


@pytest.mark.django_db(transaction=True)
class ServiceDeskInTheBrowserTests:
    @pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)])
    def test_the_overview_and_queue_page_fit_without_sideways_scroll(
        self, recording_page, make_user, busy_desk, viewport
    ):
        make_user(Role.SERVICE_DESK_AGENT, username="amir")
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        page.goto(recording_page.base_url + reverse("servicedesk:queue_list"))
        header = page.locator("#queue-overview thead").inner_text()
        for label in ("Open", "Breaching", "At risk", "Escalated", "Unassigned", "Moved 2+"):
            assert label in header
        assert_fits(page)
        page.goto(
            recording_page.base_url + reverse("servicedesk:queue_detail", args=["service-desk"])
        )
        cells = page.locator("#queue-tickets tbody tr").first.inner_text()
        assert "1 move" in cells and "Escalated: level 3" in cells and "Incident" in cells
        assert_fits(page)
        assert recording_page.axe_violations() == []
        page.screenshot(path=str(ARTIFACTS / f"queue-page-{viewport[0]}.png"), full_page=True)

    def test_the_queue_page_downloads_every_ticket_its_filters_select_as_csv(
        self, recording_page, make_user, desk
    ):
        """Past a page of 25: the CSV has every ticket the page counts, not the 25 shown;
        its link is hidden in print."""
        now = timezone.now()
        for n in range(30):
            log_ticket(
                queue=desk,
                summary=f"Laptop {n} will not start",
                priority=Priority.P1 if n % 2 else Priority.P3,
                at=now - timedelta(hours=n),
            )
        make_user(Role.SERVICE_DESK_AGENT, username="amir")
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        url = reverse("servicedesk:queue_detail", args=["service-desk"])
        page.goto(recording_page.base_url + url + "?priority=P1")
        assert page.locator("#queue-tickets tbody tr").count() == 15
        page.goto(recording_page.base_url + url)
        assert page.locator("#queue-tickets tbody tr").count() == 25
        link = page.get_by_role("link", name="Download every ticket these filters select as CSV")
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == "service-desk-open-tickets.csv"
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8"))))
        assert len(rows) == 1 + 30
        assert rows[0][0] == "Reference" and "Select" not in ",".join(rows[0])
        page.emulate_media(media="print")
        assert not link.is_visible()

    def test_the_overview_refreshes_itself_keeping_its_sort(
        self, recording_page, make_user, desk, settings
    ):
        settings.SERVICEDESK_REFRESH_SECONDS = 1
        make_user(Role.SERVICE_DESK_AGENT, username="amir")
        QueueFactory(name="Networks", slug="networks")
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        url = recording_page.base_url + reverse("servicedesk:queue_list") + "?sort=-name"
        page.goto(url)
        updated = page.get_by_test_id("updated").inner_text()
        assert updated.startswith("Updated ")
        first_row = page.locator("#queue-overview tbody tr").first
        assert first_row.inner_text().startswith("Service desk")
        log_ticket(queue=desk, reference="INC-NEW", at=timezone.now())
        page.locator("#queue-overview tbody tr", has_text="Service desk").get_by_role(
            "link", name="1 open in Service desk"
        ).wait_for(timeout=10_000)
        assert page.url == url
        assert (
            page.locator("#queue-overview tbody tr").first.inner_text().startswith("Service desk")
        )
        assert recording_page.axe_violations() == []
        assert recording_page.console_errors == []

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

    def test_keyboard_focus_stays_on_its_ticket_as_the_queue_page_refreshes(
        self, recording_page, make_user, desk, settings
    ):
        settings.SERVICEDESK_REFRESH_SECONDS = 1
        make_user(Role.SERVICE_DESK_AGENT, username="amir")
        now = timezone.now()
        for n in range(3):
            log_ticket(queue=desk, reference=f"INC-K{n}", at=now - timedelta(hours=n + 1))
        recording_page.sign_in("amir", PASSWORD)
        page = recording_page.page
        page.goto(
            recording_page.base_url + reverse("servicedesk:queue_detail", args=["service-desk"])
        )
        focused = "() => { const e = document.activeElement; return [e.tagName, e.textContent.trim(), e.isConnected]; }"  # noqa: E501
        in_view = "() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"  # noqa: E501
        page.set_viewport_size({"width": 1280, "height": 400})  # the page scrolls
        page.get_by_role("link", name="INC-K1").focus()
        assert page.evaluate(focused) == ["A", "INC-K1", True]
        page.evaluate(
            "() => document.activeElement.scrollIntoView({block: 'center', behavior: 'instant'})"
        )
        scrolled = page.evaluate("() => window.scrollY")
        assert scrolled > 0 and page.evaluate(in_view)

        # A refresh with a new ticket: the focus is on INC-K1's link in the new table, and
        # it is still in sight (the page had jumped to its end).
        log_ticket(queue=desk, reference="INC-K9", at=now)
        page.locator("#queue-tickets table", has_text="INC-K9").wait_for(timeout=10_000)
        assert page.evaluate(focused) == ["A", "INC-K1", True]
        assert page.evaluate(in_view)
        page.keyboard.press("Tab")  # and the tab order goes on from there
        assert page.evaluate(focused)[2] is True

        # The focused ticket leaves the queue: the focus stays in the table, at its place.
        page.get_by_role("link", name="INC-K1").focus()
        k1 = Ticket.objects.get(reference="INC-K1")
        services.ticket_resolve(ticket=k1, actor=None, at=timezone.now(), reason="Fixed")
        page.locator("#queue-tickets table", has_text="INC-K1").wait_for(
            state="detached", timeout=10_000
        )
        assert page.evaluate(focused)[2] is True
        assert page.evaluate(
            "() => document.getElementById('queue-tickets').contains(document.activeElement)"
        )
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

    def test_a_queue_owner_escalates_a_page_of_tickets_at_once(
        self, recording_page, make_user, desk
    ):
        owner = make_user(Role.QUEUE_OWNER, username="quinn")
        desk.owners.add(owner)
        now = timezone.now()
        for n in range(3):
            log_ticket(queue=desk, reference=f"INC-B{n}", at=now - timedelta(hours=n + 1))
        high = log_ticket(queue=desk, reference="INC-HIGH", at=now - timedelta(hours=5))
        services.ticket_escalate(ticket=high, actor=None, at=now, level=2, reason="x")
        recording_page.sign_in("quinn", PASSWORD)
        page = recording_page.page
        page.goto(
            recording_page.base_url + reverse("servicedesk:queue_detail", args=["service-desk"])
        )
        assert_fits(page)
        page.get_by_label("Select all tickets on this page").check()
        assert page.locator("input[name=bulk-tickets]:checked").count() == 4
        form = page.locator("#bulk-actions")
        form.get_by_label("Escalate to").select_option(label="Level 1: team leader")
        # Sent without a reason: it comes back with the error, the level and the ticks kept.
        form.get_by_role("button", name="Escalate selected").click()
        assert "Enter why the tickets are being escalated" in page.get_by_role("alert").inner_text()
        assert page.locator("input[name=bulk-tickets]:checked").count() == 4
        assert page.get_by_label("Select all tickets on this page").is_checked()
        # The field in error has the focus, and its error is in sight.
        error = page.locator("#bulk-actions .govuk-error-message")
        assert "Enter why the tickets are being escalated" in error.inner_text()
        expect(error).to_be_in_viewport()  # scrolled to, smoothly
        reason = form.get_by_label("Why are they being escalated?")
        assert reason.evaluate("e => e === document.activeElement")
        form = page.locator("#bulk-actions")
        assert form.get_by_label("Escalate to").input_value() == "1"
        assert recording_page.axe_violations() == []
        form.get_by_label("Why are they being escalated?").fill("Whole floor down")
        assert recording_page.axe_violations() == []
        form.get_by_role("button", name="Escalate selected").click()
        region = page.get_by_role("region").filter(has_text="refused").first
        assert "hp-notification-banner--warning" in region.get_attribute("class")  # amber
        banner = region.inner_text()
        assert (
            "3 escalated: INC-B0, INC-B1, INC-B2; "
            "1 refused: INC-HIGH (The ticket is already escalated to level 2" in banner
        )
        assert page.url.endswith(reverse("servicedesk:queue_detail", args=["service-desk"]))
        assert page.locator("#queue-tickets").inner_text().count("Escalated: level 1") == 3
        assert_fits(page)
        assert recording_page.axe_violations() == []
        assert recording_page.console_errors == []
