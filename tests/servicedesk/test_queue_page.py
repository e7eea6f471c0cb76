"""The queue page read a page at a time (selectors.ranked_page) gives the same rows in the same
order as sorting every open ticket of the queue (selectors.queue_open_tickets), on varied
data: open and paused tickets, breached, at risk and neither, with and without due dates,
tied due times, pages that straddle ranks, both directions, with and without filters."""

import random

import pytest
from django.urls import reverse

from hackperf.roles import Role
from servicedesk import queue_cache, selectors
from servicedesk.choices import Priority, Show, Status, StatusClass
from servicedesk.models import Ticket
from tests.hackperf.factories import UserFactory
from tests.servicedesk.factories import NOW, H, log_ticket

pytestmark = pytest.mark.usefixtures("frozen_now")


def scatter(queue, count: int, *, seed: int) -> None:
    """``count`` tickets in ``queue`` whose derived fields are set at random (the order reads
    only those): a third paused, some without a target, a few sharing a due time."""
    rng = random.Random(seed)
    logged = NOW - 30 * 24 * H
    shared_due = NOW + 2 * H
    for i in range(count):
        ticket = log_ticket(
            queue=queue,
            reference=f"R{rng.randrange(10_000):04d}-{i:03d}",
            at=logged,
            priority=rng.choice(list(Priority)),
        )
        paused = rng.random() < 0.35
        due = None if rng.random() < 0.1 else NOW + rng.randint(-72, 72) * H
        if due is not None and rng.random() < 0.15:
            due = shared_due
        at_risk = None
        if due is not None or rng.random() < 0.3:
            at_risk = (due or NOW) - rng.randint(0, 12) * H
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Status.AWAITING_CUSTOMER if paused else Status.IN_PROGRESS,
            status_class=StatusClass.PAUSED if paused else StatusClass.OPEN,
            status_since=NOW - rng.randint(0, 100) * H,
            sla_due_at=due,
            sla_at_risk_at=at_risk,
        )


def full_order(tickets, *, descending: bool) -> list[str]:
    if descending:
        tickets = tickets.order_by("-sla_rank", "-sla_due_at", "-reference")
    return list(tickets.values_list("reference", flat=True))


@pytest.mark.django_db
class RankedPageTests:
    @pytest.mark.parametrize("descending", [False, True])
    @pytest.mark.parametrize("per_page", [1, 7, 25])
    def test_every_page_matches_the_full_sort(self, desk, targets, descending, per_page):
        scatter(desk, 60, seed=per_page)
        tickets = selectors.queue_open_tickets(queue=desk, now=NOW)
        expected = full_order(tickets, descending=descending)
        sizes = selectors.rank_sizes(tickets, now=NOW)
        assert sizes.total == len(expected) == 60
        pages = []
        for start in range(0, sizes.total + per_page, per_page):
            page = selectors.ranked_page(
                tickets,
                now=NOW,
                sizes=sizes,
                start=start,
                stop=start + per_page,
                descending=descending,
            )
            pages += [t.reference for t in page]
        assert pages == expected

    @pytest.mark.parametrize(
        "narrow",
        [
            {"priority__in": [Priority.P1, Priority.P3]},
            {"status_class": StatusClass.PAUSED},
            {"reference__contains": "-0"},
        ],
    )
    def test_a_filtered_page_matches_the_full_sort(self, desk, targets, narrow):
        scatter(desk, 50, seed=3)
        tickets = selectors.queue_open_tickets(queue=desk, now=NOW).filter(**narrow)
        expected = full_order(tickets, descending=False)
        sizes = selectors.rank_sizes(tickets, now=NOW)
        page = selectors.ranked_page(tickets, now=NOW, sizes=sizes, start=0, stop=len(expected))
        assert [t.reference for t in page] == expected

    def test_the_queue_counts_give_the_rank_sizes(self, desk, targets):
        scatter(desk, 40, seed=5)
        tickets = selectors.queue_open_tickets(queue=desk, now=NOW)
        counts = selectors.queue_counts(queue=desk, now=NOW)
        assert selectors.rank_sizes_from_counts(counts, "") == selectors.rank_sizes(
            tickets, now=NOW
        )
        for show in (Show.BREACHING, Show.AT_RISK):
            assert selectors.rank_sizes_from_counts(counts, show) == selectors.rank_sizes(
                tickets.show(show, now=NOW), now=NOW
            )
        assert selectors.rank_sizes_from_counts(counts, Show.UNASSIGNED) is None

    def test_a_page_past_the_end_is_empty_and_reads_nothing(
        self, desk, targets, django_assert_num_queries
    ):
        scatter(desk, 3, seed=1)
        tickets = selectors.queue_open_tickets(queue=desk, now=NOW)
        sizes = selectors.rank_sizes(tickets, now=NOW)
        with django_assert_num_queries(0):
            assert selectors.ranked_page(tickets, now=NOW, sizes=sizes, start=25, stop=50) == []


@pytest.mark.django_db
class QueuePageOrderTests:
    """Through the page itself: every page, both directions, filters, the htmx refresh."""

    def references(self, client, url: str) -> list[str]:
        response = client.get(url)
        assert response.status_code == 200
        return [t.reference for t in response.context["table"].page.object_list.data]

    def walk(self, client, desk, **params) -> list[str]:
        from urllib.parse import urlencode

        url = reverse("servicedesk:queue_detail", args=[desk.slug])
        found: list[str] = []
        page, pages = 1, 1
        while page <= pages:
            response = client.get(f"{url}?{urlencode({**params, 'page': page}, doseq=True)}")
            assert response.status_code == 200
            table = response.context["table"]
            found += [t.reference for t in table.page.object_list.data]
            pages = table.paginator.num_pages
            page += 1
        return found

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"sort": "sla"},
            {"sort": "-sla"},
            {"show": "breaching"},
            {"show": "at_risk"},
            {"show": "on_hold"},
            {"priority": ["P2", "P4"]},
            {"q": "-0"},
        ],
    )
    def test_every_page_shows_the_rows_of_the_full_sort(self, client_as, desk, targets, params):
        scatter(desk, 70, seed=11)
        tickets = selectors.queue_open_tickets(queue=desk, now=NOW)
        if "show" in params:
            tickets = tickets.show(params["show"], now=NOW)
        if "priority" in params:
            tickets = tickets.filter(priority__in=params["priority"])
        if "q" in params:
            tickets = tickets.filter(reference__icontains=params["q"])
        expected = full_order(tickets, descending=params.get("sort") == "-sla")
        client = client_as(Role.DMT)
        assert self.walk(client, desk, **params) == expected

    def test_the_htmx_refresh_shows_the_same_page(self, client_as, desk, targets, monkeypatch):
        scatter(desk, 40, seed=2)
        client = client_as(Role.DMT)
        url = reverse("servicedesk:queue_detail", args=[desk.slug]) + "?page=2"
        whole = client.get(url)
        # Served the part the page drew and kept (servicedesk.queue_cache)...
        kept = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert kept in whole.content.decode()
        # ...and drawn afresh, the same rows.
        monkeypatch.setattr(queue_cache, "get", lambda key: None)
        part = client.get(url, headers={"HX-Request": "true"})
        references = [t.reference for t in whole.context["table"].page.object_list.data]
        assert [t.reference for t in part.context["table"].page.object_list.data] == references
        assert len(references) == 15

    def test_other_sorts_still_sort_every_row(self, client_as, desk, targets):
        scatter(desk, 30, seed=4)
        client = client_as(Role.DMT)
        url = reverse("servicedesk:queue_detail", args=[desk.slug]) + "?sort=-reference"
        expected = sorted(
            selectors.queue_open_tickets(queue=desk, now=NOW).values_list("reference", flat=True),
            reverse=True,
        )
        assert self.references(client, url) == expected[:25]


@pytest.mark.django_db
class BadFilterTests:
    """A filter that cannot be right shows no tickets (FilterView is strict), never a 500 and
    never the queue's pages of nothing."""

    @pytest.mark.parametrize("query", ["priority=P9", "status=closed", "assignee_id=999999"])
    @pytest.mark.parametrize("htmx", [False, True])
    def test_it_shows_no_tickets(self, client_as, desk, targets, query, htmx):
        scatter(desk, 30, seed=8)
        url = reverse("servicedesk:queue_detail", args=[desk.slug]) + "?" + query
        headers = {"HX-Request": "true"} if htmx else {}
        response = client_as(Role.DMT).get(url, headers=headers)
        assert response.status_code == 200
        table = response.context["table"]
        assert list(table.page.object_list.data) == []
        assert table.paginator.count == 0


@pytest.mark.django_db
class AssigneeChoicesTests:
    """The "Assigned to" filter offers the people the queue's open tickets are assigned to,
    read by one index probe each (selectors.queue_assignees), never the queue's history."""

    def test_it_offers_those_assigned_open_tickets_of_the_queue_in_name_order(
        self, desk, desktop, targets
    ):
        people = {
            name: UserFactory(username=name, first_name=name.title(), last_name=last)
            for name, last in [("ann", "Zed"), ("bob", "Able"), ("cat", "Moss"), ("dan", "Kay")]
        }
        placed = [
            ("INC-1", desk, "ann", StatusClass.OPEN),
            ("INC-2", desk, "ann", StatusClass.PAUSED),
            ("INC-3", desk, "bob", StatusClass.PAUSED),
            ("INC-4", desk, "cat", StatusClass.DONE),  # done: nothing to filter to
            ("INC-5", desktop, "dan", StatusClass.OPEN),  # another queue's
            ("INC-6", desk, None, StatusClass.OPEN),  # unassigned
        ]
        for reference, queue, person, status_class in placed:
            ticket = log_ticket(queue=queue, reference=reference)
            Ticket.objects.filter(pk=ticket.pk).update(
                assignee=people.get(person), status_class=status_class
            )
        offered = list(selectors.queue_assignees(desk).values_list("username", flat=True))
        assert offered == ["bob", "ann"]  # Able, then Zed
        assert list(selectors.queue_assignees(desktop).values_list("username", flat=True)) == [
            "dan"
        ]

    def test_an_empty_queue_offers_nobody(self, desk):
        assert list(selectors.queue_assignees(desk)) == []


@pytest.mark.django_db
def test_the_assignee_filter_names_people_as_the_table_does(client_as, desk, targets):
    person = UserFactory(username="amir", first_name="Amir", last_name="Khan")
    nameless = UserFactory(username="temp-01", first_name="", last_name="")
    for reference, who in (("INC-A", person), ("INC-B", nameless)):
        ticket = log_ticket(queue=desk, reference=reference)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=who)
    response = client_as(Role.DMT).get(reverse("servicedesk:queue_detail", args=[desk.slug]))
    options = response.context["filter"].form["assignee_id"]
    labels = [str(choice.choice_label) for choice in options]
    assert labels == ["Anyone", "temp-01", "Amir Khan"]  # by last name, as before
