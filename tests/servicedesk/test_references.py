"""Any reference an export carries works on every page and link (servicedesk.converters)."""

import re
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import resolve, reverse

from hackperf.roles import Role
from servicedesk.converters import decode_reference, encode_reference
from tests.servicedesk.factories import MORNING, log_ticket

REFERENCES = [
    "INC0000045",
    "INC/2024/0001",
    "new",
    "New",
    ".",
    "..",
    "with space",
    "tilde~2F",
    "~",
    "a?b#c%20d",
    "Ünïcode–ref",
    "/leading",
    "trailing/",
    "x" * 40,
]


class EncodingTests:
    @pytest.mark.parametrize("reference", REFERENCES)
    def test_it_round_trips_and_is_one_segment(self, reference):
        segment = encode_reference(reference)
        assert "/" not in segment
        assert segment not in {"new", ".", ".."}
        assert decode_reference(segment) == reference

    def test_ordinary_references_keep_their_plain_urls(self):
        url = reverse("servicedesk:ticket_detail", args=["INC0000045"])
        assert url == "/queues/tickets/INC0000045/"
        assert reverse("servicedesk:ticket_detail", args=["new"]) != reverse(
            "servicedesk:ticket_create"
        )

    @pytest.mark.parametrize("reference", REFERENCES)
    def test_every_reference_resolves_to_its_own_ticket_page(self, reference):
        url = reverse("servicedesk:ticket_detail", args=[reference])
        assert "?" not in url and "#" not in url  # percent-encoded, not a query or a fragment
        match = resolve(unquote(url))  # as the server hands the path to Django
        assert match.url_name == "ticket_detail"
        assert match.kwargs == {"reference": reference}
        action = reverse("servicedesk:ticket_action", args=[reference, "resolve"])
        assert resolve(unquote(action)).kwargs == {"reference": reference, "action": "resolve"}


@pytest.mark.django_db
class PagesTests:
    @pytest.fixture(autouse=True)
    def frozen(self):
        with time_machine.travel(MORNING, tick=False):
            yield

    def test_the_queue_page_links_every_ticket_and_each_link_opens_it(
        self, client_as, desk, targets
    ):
        for reference in REFERENCES:
            log_ticket(queue=desk, reference=reference, summary=f"About {reference}")
        client = client_as(Role.SERVICE_DESK_AGENT)
        page = client.get(reverse("servicedesk:queue_detail", args=[desk.slug]) + "?per_page=50")
        assert page.status_code == 200
        hrefs = set(re.findall(r'href="(/queues/tickets/[^"]+)"', page.content.decode()))
        assert len(hrefs) == len(REFERENCES)
        for href in hrefs:
            ticket_page = client.get(href.replace("&amp;", "&"))
            assert ticket_page.status_code == 200, href
        for reference in REFERENCES:
            ticket_page = client.get(reverse("servicedesk:ticket_detail", args=[reference]))
            assert ticket_page.context["ticket"].reference == reference

    def test_an_action_on_an_awkward_reference_comes_back_to_its_page(
        self, client_as, desk, targets
    ):
        ticket = log_ticket(queue=desk, reference="INC/2024/0001")
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            reverse("servicedesk:ticket_action", args=[ticket.reference, "resolve"]), {}
        )
        assert response.status_code == 302
        assert response["Location"] == "/queues/tickets/INC~2F2024~2F0001/"
        assert client.get(response["Location"]).status_code == 200

    def test_the_new_ticket_page_is_still_the_new_ticket_page(self, client_as, desk, targets):
        log_ticket(queue=desk, reference="new")
        client = client_as(Role.SERVICE_DESK_AGENT)
        assert client.get(reverse("servicedesk:ticket_create")).context.get("ticket") is None
        page = client.get(reverse("servicedesk:ticket_detail", args=["new"]))
        assert page.context["ticket"].reference == "new"
