"""The queue overview and a queue page as CSV (issue 12): every row the page's filters
select, the columns a person reads, the page's access rules, a fixed number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from hackperf.roles import Role
from servicedesk import services
from servicedesk.choices import Priority
from tests.servicedesk.factories import MORNING, H, log_ticket

pytestmark = pytest.mark.usefixtures("frozen_now")


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def queue_csv(queue, **params):
    from urllib.parse import urlencode

    return (
        reverse("servicedesk:queue_detail", args=[queue.slug])
        + "?"
        + urlencode({**params, "format": "csv"})
    )


@pytest.mark.django_db
class QueueCsvTests:
    def test_it_lists_every_ticket_the_filters_select_not_just_a_page(
        self, client_as, desk, targets
    ):
        for i in range(30):
            log_ticket(
                queue=desk,
                at=MORNING + i * timedelta(minutes=5),
                priority=Priority.P1 if i % 3 == 0 else Priority.P3,
            )
        client = client_as(Role.SERVICE_DESK_AGENT)
        rows = rows_of(client.get(queue_csv(desk)))
        assert len(rows) == 1 + 30
        p1 = rows_of(client.get(queue_csv(desk, priority=Priority.P1)))
        assert len(p1) == 1 + 10
        page = client.get(queue_csv(desk, priority=Priority.P1).replace("format=csv", ""))
        assert page.context["table"].paginator.count == 10

    def test_its_columns_are_the_pages_in_words_without_the_checkboxes(
        self, client_as, desk, targets
    ):
        ticket = log_ticket(queue=desk, summary="=HYPERLINK(evil)")
        services.ticket_escalate(ticket=ticket, actor=None, at=MORNING + H, level=1, reason="x")
        header, row = rows_of(client_as(Role.SERVICE_DESK_AGENT).get(queue_csv(desk)))
        assert header == [
            "Reference",
            "Summary",
            "SLA",
            "Priority",
            "Status",
            "Assigned to",
            "Logged",
            "Moves, reopens, escalation",
        ]
        cells = dict(zip(header, row, strict=True))
        assert cells["Reference"].startswith(ticket.reference)
        # Formula-safe: a spreadsheet shows the text, never runs it.
        assert cells["Summary"].startswith("'=HYPERLINK(evil)")
        assert "<" not in ",".join(row)
        assert cells["Moves, reopens, escalation"] == "Escalated: level 1"
        assert cells["Logged"] == "2026-03-03 09:00"
        assert cells["SLA"].split()[0] in {"Breached", "At", "On"}

    def test_a_queue_owner_cannot_download_another_queue(
        self, client_as, desk, networks, targets, make_user
    ):
        log_ticket(queue=networks, reference="NET-SECRET")
        user = make_user(Role.QUEUE_OWNER)
        desk.owners.add(user)
        from django.test import Client

        client = Client()
        client.force_login(user)
        assert client.get(queue_csv(networks)).status_code == 403
        overview = rows_of(client.get(reverse("servicedesk:queue_list") + "?format=csv"))
        assert [row[0] for row in overview[1:]] == ["Service desk"]

    def test_the_page_links_to_its_csv_with_its_filters(self, client_as, desk, targets):
        content = client_as(Role.SERVICE_DESK_AGENT).get(
            reverse("servicedesk:queue_detail", args=[desk.slug]) + "?priority=P1&page=2"
        )
        html = content.content.decode()
        assert 'href="?priority=P1&amp;format=csv"' in html
        assert "Download every ticket these filters select as CSV" in html

    def test_it_runs_the_same_queries_whatever_the_number_of_tickets(
        self, busy_desk_agent, desk, django_assert_num_queries
    ):
        client, tickets = busy_desk_agent(queue_csv(desk))
        # 1 session, 2 user, 3 savepoint, 4 user permissions, 5 group permissions, 6 the queue
        # by slug, 7 bank holidays (the queue's calendar), 8 the queue's counts (the ranks'
        # sizes), 9 release savepoint; then, streaming, a chunk of 500 at a time: 10 the
        # chunk's keys by rank, 11 its tickets, 12 its pause intervals (SLA clocks).
        with django_assert_num_queries(12):
            rows = rows_of(client.get(queue_csv(desk)))
        assert len(rows) == 1 + tickets

    @pytest.mark.parametrize("queues", [2, 20])
    def test_the_overview_runs_the_same_queries_whatever_the_number_of_queues(
        self, client_as, queues, django_assert_num_queries
    ):
        from tests.servicedesk.factories import QueueFactory

        for i in range(queues):
            log_ticket(queue=QueueFactory(name=f"Queue {i:02d}", slug=f"q{i}"))
        client = client_as(Role.DMT)
        client.get(reverse("servicedesk:queue_list") + "?format=csv")
        # The queues, then every count of them from their tallies (one query).
        with django_assert_num_queries(8):
            rows = rows_of(client.get(reverse("servicedesk:queue_list") + "?format=csv"))
        assert len(rows) == 1 + queues
        assert rows[0][0] == "Queue"
        assert "<" not in ",".join(rows[0])
