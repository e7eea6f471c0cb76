"""A day's start, as each role (issue 13): the home page is their work; the header search
finds a closed record by its reference and opens it; those who work tickets act on several at
once from the queue page; a filtered list is saved, found on the home page and reopened. Axe
clean, and no sideways scroll at 1280×800, on every page of the journey.

Bulk actions are the queue page's (agents and queue owners, who work tickets): the DMT, IG
officers and directors are offered none, and the test checks they are not."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from infogov.choices import Outcome, Status
from servicedesk import services
from tests.infogov.factories import CaseFactory, EscalationFactory, ServiceFactory
from tests.servicedesk.factories import QueueFactory, log_ticket

PASSWORD = "a-good-password-1"

# What each role starts with, finds, and saves.
JOURNEYS = {
    Role.SERVICE_DESK_AGENT: ("Your tickets", "INC-DAY-CLOSED", "queue"),
    Role.QUEUE_OWNER: ("Your queues", "INC-DAY-CLOSED", "queue"),
    Role.DMT: ("The fortnightly review", "INC-DAY-CLOSED", "queue"),
    Role.IG_OFFICER: ("Casework", "FOI-DAY-CLOSED", "cases"),
    Role.DIRECTOR: ("Your directorates' cases", "FOI-DAY-CLOSED", "cases"),
}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(JOURNEYS), ids=lambda role: role.value)
def test_start_from_home_find_a_closed_record_save_and_reopen_a_filter(
    recording_page, make_user, role
):
    user = make_user(role, username="pat", first_name="Pat", last_name="Jones")
    now = timezone.now()
    queue = QueueFactory(name="Desktop", slug="desktop")
    if role == Role.QUEUE_OWNER:
        queue.owners.add(user)
    ticket = log_ticket(queue=queue, reference="INC-DAY-CLOSED", at=now - timedelta(days=3))
    services.ticket_resolve(ticket=ticket, actor=None, at=now - timedelta(days=2))
    services.ticket_close(ticket=ticket, actor=None, at=now - timedelta(days=1))
    open_ticket = log_ticket(queue=queue, reference="INC-DAY-OPEN", at=now - timedelta(days=9))
    services.ticket_assign(
        ticket=open_ticket, actor=user, at=now - timedelta(days=8), assignee=user
    )
    service = ServiceFactory(directorate__name="Children and Education")
    service.directorate.directors.add(user)
    CaseFactory(
        reference="FOI-DAY-CLOSED",
        service=service,
        received=date(2026, 3, 2),
        status=Status.RESPONDED,
        responded=date(2026, 3, 20),
        outcome=Outcome.SUPPLIED_IN_FULL,
    )
    soon = CaseFactory(
        reference="FOI-DAY-SOON", service=service, received=timezone.localdate() - timedelta(25)
    )
    EscalationFactory(case=soon, level="t_minus_2")

    page = recording_page.page
    page.set_viewport_size({"width": 1280, "height": 800})
    recording_page.sign_in("pat", PASSWORD)
    heading, reference, kind = JOURNEYS[role]

    # Home: their work.
    assert page.url == recording_page.base_url + reverse("home")
    assert page.get_by_role("heading", level=1).inner_text() == "Your work"
    assert page.get_by_role("heading", name=heading).count() == 1
    assert recording_page.axe_violations() == []
    assert no_sideways_scroll(page)

    # The header search goes straight to the closed record.
    page.get_by_label("Find a ticket or case by its reference").fill(reference.lower())
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    assert reference in page.locator("main").inner_text()
    assert "/search/" not in page.url
    assert no_sideways_scroll(page)

    # A partial reference lists the matches.
    page.goto(f"{recording_page.base_url}{reverse('search')}?q=DAY")
    assert page.get_by_role("link", name=reference).count() == 1
    assert recording_page.axe_violations() == []
    assert no_sideways_scroll(page)

    # Act in bulk: those who work tickets tick them on the queue page and assign them at once.
    queue_url = recording_page.base_url + reverse("servicedesk:queue_detail", args=["desktop"])
    works_tickets = role in (Role.SERVICE_DESK_AGENT, Role.QUEUE_OWNER)
    if role != Role.IG_OFFICER and role != Role.DIRECTOR:
        page.goto(queue_url)
        assert (page.locator("#bulk-actions").count() == 1) == works_tickets
    if works_tickets:
        second = log_ticket(queue=queue, reference="INC-DAY-OTHER", at=now - timedelta(days=4))
        assert second.assignee is None
        page.goto(queue_url)
        page.get_by_label("Select all tickets on this page").check()
        form = page.locator("#bulk-actions")
        form.get_by_label("Assign to").select_option(label="Pat Jones")
        assert recording_page.axe_violations() == []
        form.get_by_role("button", name="Assign selected", exact=True).click()
        page.wait_for_load_state()
        banner = page.locator(".govuk-notification-banner").first.inner_text()
        assert "assigned" in banner, banner
        assert page.url.startswith(queue_url)
        second.refresh_from_db()
        assert second.assignee_id == user.pk
        assert recording_page.axe_violations() == []
        assert no_sideways_scroll(page)

    # Save a filtered list, find it on the home page, reopen it, delete it.
    if kind == "queue":
        listed = reverse("servicedesk:queue_detail", args=["desktop"]) + "?show=over_a_week_old"
    else:
        listed = reverse("infogov:case_list") + "?kind=foi"
    page.goto(recording_page.base_url + listed)
    page.get_by_text("Save this filter", exact=True).first.click()
    page.get_by_label("Name").fill("My morning list")
    page.get_by_role("button", name="Save this filter").click()
    page.wait_for_load_state()
    assert "My morning list" in page.get_by_role("alert").inner_text()
    assert recording_page.axe_violations() == []
    assert no_sideways_scroll(page)

    page.goto(recording_page.base_url + reverse("home"))
    page.get_by_role("link", name="My morning list").click()
    page.wait_for_load_state()
    assert page.url == recording_page.base_url + listed

    page.goto(recording_page.base_url + reverse("home"))
    page.get_by_role("button", name="Delete the saved filter My morning list").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="My morning list").count() == 0
    assert recording_page.axe_violations() == []
    assert recording_page.console_errors == []
    assert recording_page.foreign_requests() == []
