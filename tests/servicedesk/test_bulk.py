"""Bulk actions on a queue page: each ticket through its own service call, one result each."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from hackperf.roles import Role
from servicedesk import services
from servicedesk.choices import EventKind
from servicedesk.models import Ticket, TicketEvent
from tests.servicedesk.factories import MORNING, H, log_ticket

pytestmark = pytest.mark.usefixtures("frozen_now")


def bulk_url(queue):
    return reverse("servicedesk:queue_bulk", args=[queue.slug])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def tickets(desk, targets):
    made = [log_ticket(queue=desk, reference=f"INC-{n}", at=MORNING + n * H) for n in range(3)]
    services.ticket_close(ticket=made[2], actor=None, at=MORNING + 4 * H)
    return made


@pytest.mark.django_db
class BulkActionTests:
    def test_it_reassigns_each_ticket_and_lists_the_one_it_refuses(
        self, client_as, desk, networks, tickets
    ):
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            bulk_url(desk),
            {
                "bulk-action": "reassign",
                "bulk-tickets": ["INC-0", "INC-1", "INC-2"],
                "bulk-queue": networks.pk,
                "bulk-reassign_reason": "Network fault",
                "query": "priority=P3&sort=-reference",
            },
        )
        assert response.status_code == 302
        assert (
            response["Location"]
            == reverse("servicedesk:queue_detail", args=[desk.slug])
            + "?priority=P3&sort=-reference"
        )
        assert said(response) == [
            "2 reassigned: INC-0, INC-1; 1 refused: INC-2 (You cannot reassign a closed ticket)"
        ]
        queues = dict(Ticket.objects.values_list("reference", "queue__slug"))
        assert queues == {"INC-0": networks.slug, "INC-1": networks.slug, "INC-2": desk.slug}
        reasons = TicketEvent.objects.filter(kind=EventKind.REASSIGNED).values_list(
            "reason", flat=True
        )
        assert list(reasons) == ["Network fault", "Network fault"]

    def test_it_assigns_and_escalates_through_the_same_services(
        self, client_as, make_user, desk, tickets
    ):
        person = make_user(Role.SERVICE_DESK_AGENT, first_name="Amir", last_name="Khan")
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            bulk_url(desk),
            {
                "bulk-action": "assign",
                "bulk-tickets": ["INC-0", "INC-1"],
                "bulk-assignee": person.pk,
            },
        )
        assert said(response) == ["2 assigned: INC-0, INC-1"]
        assert set(Ticket.objects.filter(assignee=person).values_list("reference", flat=True)) == {
            "INC-0",
            "INC-1",
        }
        response = client.post(
            bulk_url(desk),
            {
                "bulk-action": "escalate",
                "bulk-tickets": ["INC-0"],
                "bulk-level": "2",
                "bulk-escalate_reason": "VIP",
            },
        )
        assert said(response)[-1] == "1 escalated: INC-0"
        assert Ticket.objects.get(reference="INC-0").escalation_level == 2

    def test_a_missing_reason_or_selection_changes_nothing_and_says_what_to_do(
        self, client_as, desk, networks, tickets
    ):
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            bulk_url(desk),
            {"bulk-action": "reassign", "bulk-tickets": ["INC-0"], "bulk-queue": networks.pk},
        )
        assert said(response) == ["Enter why the tickets are being moved"]
        response = client.post(bulk_url(desk), {"bulk-action": "escalate"})
        assert said(response)[1:] == [
            "Select the tickets to act on",
            "Choose the escalation level",
            "Enter why the tickets are being escalated",
        ]
        assert not TicketEvent.objects.exclude(
            kind__in=[EventKind.LOGGED, EventKind.CLOSED]
        ).exists()

    def test_a_refused_action_comes_back_with_its_words_ticks_and_errors_once(
        self, client_as, desk, networks, tickets
    ):
        client = client_as(Role.SERVICE_DESK_AGENT)
        sent = {
            "bulk-action": "reassign",
            "bulk-tickets": ["INC-0", "INC-1"],
            "bulk-queue": networks.pk,
            "bulk-reassign_reason": " ",
            "bulk-escalate_reason": "Typed <b>here</b> first",
        }
        response = client.post(bulk_url(desk), sent, follow=True)
        html = response.content.decode()
        form = response.context["bulk_form"]
        assert form.is_bound and form.errors == {
            "reassign_reason": ["Enter why the tickets are being moved"]
        }
        assert response.context["bulk_ticked"] == ["INC-0", "INC-1"]
        assert (
            '<script id="bulk-ticked" type="application/json">["INC-0", "INC-1"]</script>' in html
        )
        assert "govuk-form-group--error" in html
        assert f'<option value="{networks.pk}" selected>' in html
        assert "Typed &lt;b&gt;here&lt;/b&gt; first" in html  # kept, and escaped
        # Once: the next visit shows a blank form.
        again = client.get(reverse("servicedesk:queue_detail", args=[desk.slug]))
        assert not again.context["bulk_form"].is_bound
        assert 'id="bulk-ticked"' not in again.content.decode()
        assert set(Ticket.objects.values_list("queue__slug", flat=True)) == {desk.slug}

    def test_a_refused_action_too_large_for_any_form_is_not_kept(self, client_as, desk, tickets):
        client = client_as(Role.SERVICE_DESK_AGENT)
        sent = {"bulk-action": "escalate", "bulk-escalate_reason": "x" * 60_000}
        response = client.post(bulk_url(desk), sent, follow=True)
        assert said(response)  # the errors are still said
        assert not response.context["bulk_form"].is_bound

    def test_a_ticket_not_in_the_queue_is_refused_not_acted_on(
        self, client_as, desk, networks, tickets
    ):
        elsewhere = log_ticket(queue=networks, reference="NET-1", at=MORNING)
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            bulk_url(desk),
            {
                "bulk-action": "escalate",
                "bulk-tickets": ["INC-0", "NET-1", "NOPE"],
                "bulk-level": "1",
                "bulk-escalate_reason": "x",
            },
        )
        assert said(response) == [
            "1 escalated: INC-0; 2 refused: NET-1 (no longer in the Service desk queue); "
            "NOPE (no longer in the Service desk queue)"
        ]
        elsewhere.refresh_from_db()
        assert elsewhere.escalation_level == 0

    def test_queue_owners_act_only_in_their_own_queues(
        self, client, make_user, desk, networks, tickets
    ):
        owner = make_user(Role.QUEUE_OWNER)
        desk.owners.add(owner)
        client.force_login(owner)
        data = {
            "bulk-action": "escalate",
            "bulk-tickets": ["INC-0"],
            "bulk-level": "1",
            "bulk-escalate_reason": "x",
        }
        assert client.post(bulk_url(networks), data).status_code == 403
        assert client.post(bulk_url(desk), data).status_code == 302
        client.force_login(make_user(Role.DMT))
        assert client.post(bulk_url(desk), data).status_code == 403

    def test_it_needs_the_csrf_token(self, make_user, desk, tickets):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user(Role.SERVICE_DESK_AGENT))
        response = client.post(bulk_url(desk), {"bulk-action": "assign"})
        assert response.status_code == 403
        page = client.get(reverse("servicedesk:queue_detail", args=[desk.slug])).content.decode()
        assert 'name="csrfmiddlewaretoken"' in page and 'form="bulk-actions"' in page

    def test_the_page_offers_checkboxes_only_to_those_who_may_work_the_queue(
        self, client_as, desk, tickets
    ):
        page = client_as(Role.DMT).get(reverse("servicedesk:queue_detail", args=[desk.slug]))
        assert 'name="bulk-tickets"' not in page.content.decode()
        assert "Act on the selected tickets" not in page.content.decode()

    def test_no_field_of_the_form_says_it_is_optional(self, client_as, desk, tickets):
        # Each field is needed by its button: a reason marked "(optional)" was then refused.
        page = client_as(Role.SERVICE_DESK_AGENT).get(
            reverse("servicedesk:queue_detail", args=[desk.slug])
        )
        html = page.content.decode()
        assert "Why are they being moved?" in html
        assert "(optional)" not in html.split("Act on the selected tickets", 1)[1]
