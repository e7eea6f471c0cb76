"""The queue overview, the queue page, the ticket page and the agent actions."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from hackperf.roles import Role
from servicedesk import queue_cache, services
from servicedesk.choices import EventKind, Priority, Show, Status
from servicedesk.models import Ticket, TicketEvent
from servicedesk.tables import TicketTable
from tests.servicedesk.factories import (
    MORNING,
    NOW,
    CategoryFactory,
    H,
    QueueFactory,
    log_ticket,
)

M = timedelta(minutes=1)
VIEWERS = {Role.DMT, Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT}

pytestmark = pytest.mark.usefixtures("frozen_now")


def queue_url(queue, **params):
    url = reverse("servicedesk:queue_detail", args=[queue.slug])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params, doseq=True)
    return url


def ticket_url(ticket):
    return reverse("servicedesk:ticket_detail", args=[ticket.reference])


def action_url(ticket, action):
    return reverse("servicedesk:ticket_action", args=[ticket.reference, action])


def owner_of(make_user, queue, role=Role.QUEUE_OWNER):
    user = make_user(role)
    queue.owners.add(user)
    return user


@pytest.mark.django_db
class AccessTests:
    @pytest.fixture
    def ticket(self, desk, targets):
        return log_ticket(queue=desk)

    @pytest.mark.parametrize("role", list(Role))
    def test_it_serves_the_overview_only_to_queue_viewers(self, client_as, role):
        response = client_as(role).get(reverse("servicedesk:queue_list"))
        assert response.status_code == (200 if role in VIEWERS else 403)

    @pytest.mark.parametrize("role", list(Role))
    def test_dmt_and_agents_see_every_queue_and_others_none(self, client_as, role, ticket, desk):
        client = client_as(role)
        expected = 200 if role in {Role.DMT, Role.SERVICE_DESK_AGENT} else 403
        assert client.get(queue_url(desk)).status_code == expected
        assert client.get(ticket_url(ticket)).status_code == expected

    def test_a_queue_owner_sees_only_their_own_queues(self, client, make_user, desk, networks):
        owner = owner_of(make_user, desk)
        client.force_login(owner)
        assert client.get(queue_url(desk)).status_code == 200
        assert client.get(queue_url(networks)).status_code == 403
        overview = client.get(reverse("servicedesk:queue_list"))
        assert [q.name for q in overview.context["table"].data] == ["Service desk"]

    def test_the_dmt_overview_lists_every_queue(self, client_as, desk, networks):
        overview = client_as(Role.DMT).get(reverse("servicedesk:queue_list"))
        assert [q.name for q in overview.context["table"].data] == ["Networks", "Service desk"]

    def test_a_queue_owner_acts_only_on_their_queues_tickets(
        self, client, make_user, desk, networks, targets
    ):
        owner = owner_of(make_user, desk)
        client.force_login(owner)
        own = log_ticket(queue=desk)
        other = log_ticket(queue=networks)
        assert client.get(ticket_url(other)).status_code == 403
        refused = client.post(action_url(other, "resolve"), {})
        assert refused.status_code == 403
        assert client.post(action_url(own, "resolve"), {}).status_code == 302
        own.refresh_from_db()
        other.refresh_from_db()
        assert (own.status, other.status) == (Status.RESOLVED, Status.LOGGED)

    def test_a_queue_owner_who_moves_a_ticket_out_returns_to_their_queue(
        self, client, make_user, desk, networks, targets
    ):
        client.force_login(owner_of(make_user, desk))
        own = log_ticket(queue=desk, reference="INC-OUT")
        response = client.post(
            action_url(own, "reassign"), {"reassign-queue": networks.pk}, follow=True
        )
        assert response.redirect_chain == [(queue_url(desk), 302)]
        assert response.status_code == 200
        content = response.content.decode()
        assert "INC-OUT reassigned to Networks" in content
        own.refresh_from_db()
        assert own.queue == networks

    def test_an_agent_who_moves_a_ticket_stays_on_it(self, client_as, desk, networks, targets):
        ticket = log_ticket(queue=desk, reference="INC-MOVE")
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            action_url(ticket, "reassign"), {"reassign-queue": networks.pk}
        )
        assert response["Location"] == ticket_url(ticket)

    def test_a_queue_owner_who_is_also_an_agent_acts_on_any_ticket(
        self, client, make_user, networks, desk, targets
    ):
        user = make_user(Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT)
        desk.owners.add(user)
        client.force_login(user)
        other = log_ticket(queue=networks)
        assert client.post(action_url(other, "resolve"), {}).status_code == 302

    def test_an_agent_acts_on_any_ticket(self, client_as, ticket):
        response = client_as(Role.SERVICE_DESK_AGENT).post(action_url(ticket, "resolve"), {})
        assert response.status_code == 302
        assert response["Location"] == ticket_url(ticket)

    @pytest.mark.parametrize("role", sorted(set(Role) - {Role.SERVICE_DESK_AGENT}))
    def test_no_one_else_acts_on_a_ticket(self, client_as, ticket, role):
        response = client_as(role).post(action_url(ticket, "resolve"), {})
        assert response.status_code == 403
        assert TicketEvent.objects.filter(kind=EventKind.RESOLVED).count() == 0

    def test_the_dmt_sees_a_ticket_without_its_action_forms(self, client_as, ticket):
        response = client_as(Role.DMT).get(ticket_url(ticket))
        assert response.status_code == 200
        assert response.context["actions"] == []

    def test_actions_are_post_only(self, client_as, ticket):
        response = client_as(Role.SERVICE_DESK_AGENT).get(action_url(ticket, "resolve"))
        assert response.status_code == 405

    def test_an_unknown_action_or_ticket_is_not_found(self, client_as, ticket):
        client = client_as(Role.SERVICE_DESK_AGENT)
        assert client.post(action_url(ticket, "explode"), {}).status_code == 404
        assert client.get(reverse("servicedesk:ticket_detail", args=["NOPE"])).status_code == 404


@pytest.fixture
def busy_desk(desk, networks, targets, make_user):
    """A service desk with one ticket for each count, as of NOW (Tue 16:00)."""
    person = make_user(first_name="Ana", last_name="Lee")
    made = {}
    # Logged at 09:00: 7 of 8 hours used by 16:00, so at risk.
    made["at_risk"] = log_ticket(queue=desk, reference="INC-RISK", summary="Slow laptop")
    # Logged the Friday before: breaching.
    made["breaching"] = log_ticket(
        queue=desk, reference="INC-LATE", at=MORNING - 4 * 24 * H, summary="No e-mail"
    )
    made["on_hold"] = log_ticket(queue=desk, reference="INC-HOLD", at=MORNING + 6 * H)
    services.ticket_put_on_hold(ticket=made["on_hold"], actor=None, at=MORNING + 6 * H, reason="x")
    made["old"] = log_ticket(
        queue=desk, reference="INC-OLD", at=MORNING - 8 * 24 * H, priority=Priority.P4
    )
    # On hold from two days after it was logged: already past due then.
    services.ticket_put_on_hold(ticket=made["old"], actor=None, at=MORNING - 6 * 24 * H, reason="x")
    made["reopened"] = log_ticket(queue=desk, reference="INC-REOPEN", at=MORNING + 5 * H)
    services.ticket_resolve(ticket=made["reopened"], actor=None, at=MORNING + 5 * H)
    services.ticket_reopen(ticket=made["reopened"], actor=None, at=MORNING + 6 * H, reason="x")
    made["reassigned"] = log_ticket(queue=desk, reference="INC-MOVED", at=MORNING + 5 * H)
    t = made["reassigned"]
    services.ticket_assign(ticket=t, actor=None, at=MORNING + 5 * H, assignee=person)
    services.ticket_reassign(ticket=t, actor=None, at=MORNING + 5 * H, queue=networks)
    services.ticket_reassign(ticket=t, actor=None, at=MORNING + 5 * H, queue=desk, assignee=person)
    made["escalated"] = log_ticket(
        queue=desk, reference="SR-ESC", at=MORNING + 5 * H, kind="request"
    )
    services.ticket_escalate(
        ticket=made["escalated"], actor=None, at=MORNING + 6 * H, level=1, reason="x"
    )
    made["done"] = log_ticket(queue=desk, reference="INC-DONE", at=MORNING)
    services.ticket_resolve(ticket=made["done"], actor=None, at=MORNING + H)
    log_ticket(queue=networks, reference="NET-1", at=MORNING + 6 * H)
    return made


@pytest.mark.django_db
class OverviewTests:
    def test_it_counts_each_kind_of_ticket_in_one_query(
        self, client_as, busy_desk, django_assert_num_queries
    ):
        client = client_as(Role.DMT)
        client.get(reverse("servicedesk:queue_list"))  # warm the session
        # session, user, savepoint, user perms, group perms (twice: DMT, then agent check
        # is skipped since DMT holds VIEW_REVIEW) ... counted exactly:
        # 1 session, 2 user, 3 savepoint, 4 user permissions, 5 group permissions,
        # 6 the queues, 7 every count of every queue (one query, from the queues' tallies:
        # the same cost at any size), 8 release savepoint.
        with django_assert_num_queries(8):
            response = client.get(reverse("servicedesk:queue_list"))
        rows = {q.name: q for q in response.context["table"].data}
        desk = rows["Service desk"]
        counts = {show: getattr(desk, f"{show.value}_count") for show in Show}
        assert counts == {
            Show.OPEN: 7,
            Show.ON_HOLD: 2,
            Show.BREACHING: 2,  # INC-LATE, and INC-OLD (past due before it went on hold)
            Show.AT_RISK: 1,
            Show.OVER_A_WEEK_OLD: 1,
            Show.REOPENED: 1,
            Show.REASSIGNED: 1,
            Show.ESCALATED: 1,
            Show.UNASSIGNED: 6,
        }
        assert rows["Networks"].open_count == 1

    def test_each_count_links_to_the_queue_page_filtered(self, client_as, busy_desk, desk):
        content = client_as(Role.DMT).get(reverse("servicedesk:queue_list")).content.decode()
        for show in Show:
            assert f'href="{queue_url(desk)}?show={show.value}"' in content


@pytest.mark.django_db
class QueuePageTests:
    def test_it_lists_breached_then_at_risk_first(self, client_as, busy_desk, desk):
        response = client_as(Role.DMT).get(queue_url(desk))
        refs = [t.reference for t in response.context["table"].page.object_list.data]
        assert refs[:3] == ["INC-OLD", "INC-LATE", "INC-RISK"]  # breached by due time
        assert "INC-DONE" not in refs and "NET-1" not in refs

    def test_it_shows_sla_status_in_words(self, client_as, busy_desk, desk):
        content = client_as(Role.DMT).get(queue_url(desk)).content.decode()
        assert ">Breached</strong>" in content
        assert ">At risk</strong>" in content
        assert "1h 00m left" in content  # INC-RISK: 7 of 8 hours used

    @pytest.mark.parametrize(
        ("show", "expected"),
        [
            (Show.OPEN, 7),
            (Show.ON_HOLD, {"INC-HOLD", "INC-OLD"}),
            (Show.BREACHING, {"INC-LATE", "INC-OLD"}),
            (Show.AT_RISK, {"INC-RISK"}),
            (Show.OVER_A_WEEK_OLD, {"INC-OLD"}),
            (Show.REOPENED, {"INC-REOPEN"}),
            (Show.REASSIGNED, {"INC-MOVED"}),
            (Show.ESCALATED, {"SR-ESC"}),
            (Show.UNASSIGNED, 6),
        ],
    )
    def test_each_count_filter_shows_its_tickets(self, client_as, busy_desk, desk, show, expected):
        response = client_as(Role.DMT).get(queue_url(desk, show=show.value))
        refs = {t.reference for t in response.context["filter"].qs}
        if isinstance(expected, int):
            assert len(refs) == expected
        else:
            assert refs == expected

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "laptop"}, {"INC-RISK"}),
            ({"q": "inc-late"}, {"INC-LATE"}),
            ({"q": "  "}, None),
            ({"kind": "request"}, {"SR-ESC"}),
            ({"priority": ["P4"]}, {"INC-OLD"}),
            ({"status": ["awaiting_customer"]}, {"INC-HOLD", "INC-OLD"}),
            ({"status": ["in_progress"]}, {"INC-REOPEN"}),
        ],
    )
    def test_each_filter_narrows_the_tickets(self, client_as, busy_desk, desk, params, expected):
        response = client_as(Role.DMT).get(queue_url(desk, **params))
        refs = {t.reference for t in response.context["filter"].qs}
        assert refs == (expected if expected is not None else set(refs) | set())
        if expected is None:
            assert len(refs) == 7

    def test_the_assignee_filter(self, client_as, busy_desk, desk):
        person = Ticket.objects.get(reference="INC-MOVED").assignee
        response = client_as(Role.DMT).get(queue_url(desk, assignee_id=person.pk))
        assert {t.reference for t in response.context["filter"].qs} == {"INC-MOVED"}

    def test_the_category_filter(self, client_as, desk, targets):
        printers = CategoryFactory(name="MFD print and copy", is_mfd_print=True)
        log_ticket(queue=desk, reference="INC-PRINT", category=printers)
        log_ticket(queue=desk, reference="INC-OTHER")
        response = client_as(Role.DMT).get(queue_url(desk, category_id=printers.pk))
        assert {t.reference for t in response.context["filter"].qs} == {"INC-PRINT"}

    def test_a_filtered_table_says_so_beside_the_whole_queue_counts(self, client_as, desk, targets):
        hardware = CategoryFactory(name="Hardware")
        laptops = CategoryFactory(name="Laptop fault", parent=hardware)
        log_ticket(queue=desk, reference="INC-LAPTOP", category=laptops, priority=Priority.P1)
        log_ticket(queue=desk, reference="INC-OTHER")
        client = client_as(Role.DMT)
        html = client.get(
            queue_url(desk, category_id=hardware.pk, priority=["P1", "P2"], q=" lap ")
        ).content.decode()
        text = " ".join(strip_tags(html).split())
        assert "Counts for the whole queue" in text
        assert "Open tickets, filtered" in text
        assert (
            "Only those with search by reference, summary or customer: “lap”; "
            "priority: P1 critical, P2 high; category: Hardware. Show all"
        ) in text
        plain = " ".join(
            strip_tags(client.get(queue_url(desk, show="breaching")).content.decode()).split()
        )
        assert "filtered" not in plain and "Only those with" not in plain

    def test_a_count_keeps_the_sort_and_drops_the_filters(self, client_as, desk, targets):
        html = client_as(Role.DMT).get(queue_url(desk, sort="-priority", q="x")).content.decode()
        path = reverse("servicedesk:queue_detail", args=[desk.slug])
        assert f'href="{path}?show=breaching&amp;sort=-priority"' in html
        html = client_as(Role.DMT).get(queue_url(desk)).content.decode()
        assert f'href="{path}?show=breaching"' in html

    @pytest.mark.parametrize(
        ("query", "opened"),
        [
            ({}, False),
            ({"sort": "-priority", "page": "1"}, False),
            ({"show": "breaching"}, False),
            ({"q": "  "}, True),  # the panel was used
            ({"q": "printer"}, True),
            ({"priority": "P1"}, True),
            ({"sort": "priority", "status": "logged"}, True),
            ({"q": "", "show": "breaching", "kind": ""}, True),  # applied from the panel
        ],
    )
    def test_the_filters_start_open_only_when_one_narrows_the_table(
        self, client_as, desk, targets, query, opened
    ):
        html = client_as(Role.DMT).get(queue_url(desk, **query)).content.decode()
        details = re.search(r'<details class="govuk-details[^>]*>', html).group(0)
        assert ("open" in details.split("data-module")[1]) is opened

    def test_a_category_filter_takes_in_its_subcategories_and_names_them_by_path(
        self, client_as, desk, targets
    ):
        hardware = CategoryFactory(name="Hardware")
        laptops = CategoryFactory(name="Laptop fault", parent=hardware)
        network = CategoryFactory(name="Network")
        CategoryFactory(name="Other", parent=hardware)
        CategoryFactory(name="Other", parent=network)
        log_ticket(queue=desk, reference="INC-LAPTOP", category=laptops)
        log_ticket(queue=desk, reference="INC-HW", category=hardware)
        log_ticket(queue=desk, reference="INC-NET", category=network)
        client = client_as(Role.DMT)
        response = client.get(queue_url(desk, category_id=hardware.pk))
        assert {t.reference for t in response.context["filter"].qs} == {"INC-LAPTOP", "INC-HW"}
        response = client.get(queue_url(desk, category_id=laptops.pk))
        assert {t.reference for t in response.context["filter"].qs} == {"INC-LAPTOP"}
        labels = [
            label for _, label in response.context["filter"].form.fields["category_id"].choices
        ]
        assert labels == [
            "Any category",
            "Hardware",
            "Hardware / Laptop fault",
            "Hardware / Other",
            "Network",
            "Network / Other",
        ]
        assert client.get(queue_url(desk, category_id="nope")).status_code == 200

    @pytest.mark.parametrize("column", TicketTable.base_columns.keys())
    @pytest.mark.parametrize("direction", ["", "-"])
    def test_it_sorts_every_column(self, client_as, busy_desk, desk, column, direction):
        response = client_as(Role.DMT).get(queue_url(desk, sort=direction + column))
        assert response.status_code == 200
        refs = [t.reference for t in response.context["table"].page.object_list.data]
        assert len(refs) == len(set(refs)) == 7

    def test_it_returns_only_the_table_part_to_htmx(self, client_as, busy_desk, desk):
        url = queue_url(desk, show="breaching")
        response = client_as(Role.DMT).get(url, headers={"HX-Request": "true"})
        content = response.content.decode()
        assert content.lstrip().startswith('<div id="queue-tickets"')
        assert f'hx-get="{url}"' in content
        # It polls every minute, held back by hackperf.js while bulk boxes are ticked.
        assert 'hx-trigger="every 60s"' in content
        assert 'data-hold-refresh-while-checked="input[name=bulk-tickets]:checked"' in content
        assert "<html" not in content
        assert "INC-LATE" in content and "INC-RISK" not in content

    def test_the_overview_refreshes_itself_keeping_its_sort(self, client_as, busy_desk, settings):
        settings.SERVICEDESK_REFRESH_SECONDS = 3
        client = client_as(Role.DMT)
        url = reverse("servicedesk:queue_list") + "?sort=-breaching_count"
        page = client.get(url).content.decode()
        assert f'hx-get="{url}"' in page
        assert 'hx-trigger="every 3s"' in page
        assert "Updated <time datetime=" in page
        part = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in part and 'id="queue-overview"' in part
        assert "Updated <time" in part

    def test_the_overview_refresh_runs_a_fixed_number_of_queries(
        self, client_as, busy_desk, django_assert_num_queries
    ):
        client = client_as(Role.DMT)
        url = reverse("servicedesk:queue_list")
        client.get(url, headers={"HX-Request": "true"})
        # As the full page: the queues, then every count of them from their tallies.
        with django_assert_num_queries(8):
            client.get(url, headers={"HX-Request": "true"})

    def test_the_refresh_interval_is_a_setting(self, client_as, desk, settings):
        settings.SERVICEDESK_REFRESH_SECONDS = 2
        content = client_as(Role.DMT).get(queue_url(desk)).content.decode()
        assert 'hx-trigger="every 2s"' in content

    def test_it_runs_the_same_queries_whatever_the_number_of_tickets(
        self, busy_desk_agent, desk, django_assert_num_queries, monkeypatch
    ):
        client, tickets = busy_desk_agent(queue_url(desk))
        # Drawn afresh, as the first view of a minute is (the visit above kept its tickets
        # part; test_queue_cache counts a view served that).
        monkeypatch.setattr(queue_cache, "get", lambda key: None)
        # 1 session, 2 user, 3 savepoint (ATOMIC_REQUESTS), 4 user permissions,
        # 5 group permissions (they also say the agent sees every queue), 6 the queue by slug
        # with its version,
        # 7 the queue's counts (one aggregate; they also give the paginator its total),
        # 8 the page's keys (each rank read by index, one UNION ALL), 9 the page's tickets by
        # key with assignee and category, 10 bank holidays (the queue's calendar), 11 the
        # page's pause intervals (SLA clocks), 12 release savepoint,
        # 13 the "Assigned to" filter's people, 14 the "Category" filter's categories,
        # 15 the bulk "Assign to" people, 16 the bulk "Move to queue" queues.
        with django_assert_num_queries(16):
            response = client.get(queue_url(desk))
        assert len(response.context["table"].page.object_list.data) == tickets


@pytest.mark.django_db
class ClosedTicketClockTests:
    """A stopped clock reads as its result, not as time "left" (issue 13)."""

    def clock_text(self, client_as, ticket) -> str:
        content = client_as(Role.SERVICE_DESK_AGENT).get(ticket_url(ticket)).content.decode()
        start = content.index('data-testid="resolution-clock">')
        return strip_tags(content[start : content.index("</p>", start)]).split(">", 1)[1]

    def test_met(self, client_as, desk, targets):
        ticket = log_ticket(queue=desk, reference="INC-MET", at=MORNING)
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + 3 * H)
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + 4 * H)
        assert self.clock_text(client_as, ticket) == "Met: resolved in 3 h 00 m of 8 h."

    def test_missed(self, client_as, desk, targets):
        # Mon 09:00 to Tue 12:20: 8 h on Monday and 3 h 20 m on Tuesday.
        ticket = log_ticket(queue=desk, reference="INC-LATE", at=MORNING - 24 * H)
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + 3 * H + 20 * M)
        assert self.clock_text(client_as, ticket) == "Missed: resolved in 11 h 20 m of 8 h."

    def test_an_open_ticket_still_reads_time_left(self, client_as, desk, targets):
        ticket = log_ticket(queue=desk, reference="INC-OPEN", at=MORNING)
        assert self.clock_text(client_as, ticket) == "At risk 1h 00m left."


@pytest.mark.django_db
class TicketPageTests:
    @pytest.fixture
    def ticket(self, desk, networks, targets):
        t = log_ticket(queue=desk, reference="INC-42", summary="VPN drops")
        services.ticket_assign(ticket=t, actor=None, at=MORNING + H, queue=networks)
        services.ticket_put_on_hold(ticket=t, actor=None, at=MORNING + 2 * H, reason="Await user")
        services.ticket_take_off_hold(ticket=t, actor=None, at=MORNING + 3 * H)
        return t

    def test_the_timeline_names_a_move_and_not_a_stay_in_one_queue(self, client_as, ticket):
        # An export's "reassignment" within one queue (BPI 2014) is kept as it happened.
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).update(
            from_queue=ticket.events.get(kind=EventKind.ASSIGNED).to_queue
        )
        html = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        timeline = " ".join(strip_tags(html.split('data-testid="timeline"', 1)[1]).split())
        assert "From Networks to Networks" not in timeline
        assert "In Networks." in timeline

    def test_a_closed_tickets_times_stop_when_it_is_done(self, client_as, ticket):
        services.ticket_resolve(ticket=ticket, actor=None, at=MORNING + 4 * H)
        services.ticket_close(ticket=ticket, actor=None, at=MORNING + 5 * H)
        later = MORNING + timedelta(days=400)
        with time_machine.travel(later, tick=False):
            times = client_as(Role.DMT).get(ticket_url(ticket)).context["times"]
        by_queue = {row.label: row.seconds for row in times.by_queue}
        assert by_queue == {"Service desk": 3600, "Networks": 4 * 3600}  # not to 400 days on
        by_status = {row.label: row.seconds for row in times.by_status}
        assert by_status["Resolved"] == 3600  # until it was closed
        assert "Closed" not in by_status

    def test_it_shows_the_timeline_times_and_clock(self, client_as, ticket):
        response = client_as(Role.DMT).get(ticket_url(ticket))
        content = response.content.decode()
        assert [e.kind for e in response.context["events"]] == [
            "logged",
            "assigned",
            "on_hold",
            "off_hold",
        ]
        by_queue = {row.label: row.business_seconds for row in response.context["times"].by_queue}
        assert by_queue == {"Service desk": 3600, "Networks": 6 * 3600}
        by_status = {row.label: row.seconds for row in response.context["times"].by_status}
        assert by_status["On hold: awaiting customer"] == 3600
        clock = response.context["clock"]
        assert clock.used_seconds == 6 * 3600
        assert "Paused business time subtracted: 1h 00m" in content
        assert "Status: At risk" in content  # 6 of 8 hours: 75%
        assert reverse("servicedesk:queue_detail", args=["networks"]) in content
        assert reverse("servicedesk:queue_detail", args=["service-desk"]) in content

    def test_it_shows_the_exports_own_counts_beside_the_historys_when_they_differ(
        self, client_as, ticket
    ):
        Ticket.objects.filter(pk=ticket.pk).update(
            export_reassignment_count=3, export_reopen_count=0
        )
        content = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        assert "export: 3, history: 0" in content  # reassignments differ
        assert "export: 0" not in content  # reopens agree: one figure
        assert "0 times" in content

    def test_it_shows_one_count_where_the_export_gives_none(self, client_as, ticket):
        content = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        assert "export:" not in content

    def test_it_offers_the_actions_the_state_allows(self, client_as, ticket):
        response = client_as(Role.SERVICE_DESK_AGENT).get(ticket_url(ticket))
        slugs = [action.slug for action, _ in response.context["actions"]]
        assert slugs == [
            "note",
            "assign",
            "reassign",
            "hold",
            "escalate",
            "resolve",
            "close",
            "cancel",
        ]

    def test_an_action_records_an_event_and_redirects(self, client_as, ticket, desk):
        client = client_as(Role.SERVICE_DESK_AGENT, first_name="Amir", last_name="Khan")
        response = client.post(
            action_url(ticket, "reassign"), {"reassign-queue": desk.pk, "reassign-reason": "Ours"}
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.queue == desk
        assert ticket.reassignment_count == 1
        event = ticket.events.latest("sequence")
        assert (event.kind, event.actor_name, event.reason) == ("reassigned", "Amir Khan", "Ours")
        page = client.get(response["Location"])
        assert "Reassigned: INC-42" in page.content.decode()

    def test_a_work_note_is_kept_with_who_and_when_and_changes_nothing_else(
        self, client_as, ticket
    ):
        client = client_as(Role.SERVICE_DESK_AGENT, first_name="Amir", last_name="Khan")
        events = ticket.events.count()
        response = client.post(action_url(ticket, "note"), {"note-text": "Rang the user"})
        assert response.status_code == 302
        note = ticket.notes.get()
        assert (note.author_name, note.at, note.text) == ("Amir Khan", NOW, "Rang the user")
        assert ticket.events.count() == events
        page = client.get(ticket_url(ticket)).content.decode()
        assert "Rang the user" in page and "Amir Khan" in page
        refused = client.post(action_url(ticket, "note"), {"note-text": "  "})
        assert refused.status_code == 400
        assert "Enter the note" in refused.content.decode()
        assert ticket.notes.count() == 1

    def test_a_closed_ticket_still_takes_a_work_note(self, client_as, ticket):
        services.ticket_close(ticket=ticket, actor=None, at=NOW)
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.get(ticket_url(ticket))
        assert [a.slug for a, _ in response.context["actions"]][0] == "note"
        assert client.post(action_url(ticket, "note"), {"note-text": "x"}).status_code == 302

    def test_an_illegal_transition_re_renders_with_the_message(self, client_as, ticket, networks):
        events = TicketEvent.objects.count()
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            action_url(ticket, "reassign"), {"reassign-queue": networks.pk}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "There is a problem" in content
        assert "The ticket is already in the Networks queue" in content
        assert TicketEvent.objects.count() == events

    def test_a_missing_field_re_renders_and_saves_nothing(self, client_as, ticket):
        events = TicketEvent.objects.count()
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            action_url(ticket, "hold"), {"hold-reason": ""}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "Enter a reason" in content
        assert "Choose whether the ticket awaits the customer or a supplier" in content
        assert 'id="action-hold" open' in content
        assert TicketEvent.objects.count() == events
        assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS

    def test_each_action_form_works_through_the_page(self, client_as, ticket, make_user):
        client = client_as(Role.SERVICE_DESK_AGENT)
        person = make_user(Role.SERVICE_DESK_AGENT)
        steps = [
            ("assign", {"assign-assignee": person.pk}),
            ("hold", {"hold-status": "awaiting_supplier", "hold-reason": "Part"}),
            ("off-hold", {}),
            ("escalate", {"escalate-level": "2", "escalate-reason": "VIP"}),
            ("resolve", {"resolve-reason": "Fixed"}),
            ("reopen", {"reopen-reason": "Not fixed"}),
            ("close", {}),
        ]
        for action, data in steps:
            response = client.post(action_url(ticket, action), data)
            assert response.status_code == 302, (action, response.content.decode()[-2000:])
        ticket.refresh_from_db()
        assert (ticket.status, ticket.reopen_count, ticket.escalation_level) == ("closed", 1, 2)
        assert ticket.assignee == person
        other = log_ticket(queue=QueueFactory())
        assert client.post(action_url(other, "cancel"), {"cancel-reason": "Dup"}).status_code == 302


@pytest.mark.django_db
class QueuePageCountLinkTests:
    def test_every_count_links_to_exactly_the_tickets_it_counts(self, client_as, busy_desk, desk):
        client = client_as(Role.DMT)
        response = client.get(queue_url(desk))
        content = response.content.decode()
        for item in response.context["counts"]:
            assert f'href="{queue_url(desk)}?show={item.show.value}"' in content
            shown = client.get(queue_url(desk, show=item.show.value))
            assert shown.context["filter"].qs.count() == item.count, item.show


def create_url():
    return reverse("servicedesk:ticket_create")


VALID = {
    "kind": "incident",
    "summary": "Printer on floor 3 jams",
    "priority": "P2",
    "channel": "portal",
    "customer_name": "Sam Taylor",
    "customer_email": "sam.taylor@hackney.example",
}


@pytest.mark.django_db
class TicketCreateTests:
    @pytest.mark.parametrize("role", list(Role))
    def test_only_people_who_work_tickets_may_log_one(self, client_as, role, desk):
        expected = 200 if role in {Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT} else 403
        assert client_as(role).get(create_url()).status_code == expected

    def test_it_logs_a_ticket_with_its_first_event_and_interval(self, client_as, desk, targets):
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            create_url(), {**VALID, "queue": desk.pk, "reference": "INC-900"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("servicedesk:ticket_detail", args=["INC-900"])
        ticket = Ticket.objects.get(reference="INC-900")
        assert (ticket.kind, ticket.priority, ticket.channel) == ("incident", "P2", "portal")
        assert ticket.logged_at == NOW
        assert ticket.sla_due_at is not None
        assert [e.kind for e in ticket.events.all()] == [EventKind.LOGGED]
        assert ticket.intervals.count() == 1

    def test_it_keeps_the_description_and_the_customer_contact(self, client_as, desk, targets):
        client = client_as(Role.SERVICE_DESK_AGENT)
        response = client.post(
            create_url(),
            {
                **VALID,
                "queue": desk.pk,
                "reference": "INC-901",
                "description": "Screen flickers.\nTried another cable.",
                "customer_name": "Sam Taylor",
                "customer_email": "sam.taylor@hackney.gov.uk",
                "customer_phone": "020 8356 0000",
                "customer_directorate": "Children and Education",
            },
        )
        assert response.status_code == 302
        ticket = Ticket.objects.get(reference="INC-901")
        assert ticket.description == "Screen flickers.\nTried another cable."
        assert (ticket.customer_phone, ticket.customer_directorate) == (
            "020 8356 0000",
            "Children and Education",
        )
        page = client.get(response["Location"]).content.decode()
        assert "<p>Screen flickers.<br>Tried another cable.</p>" in page
        assert "020 8356 0000" in page and "Sam Taylor, Children and Education" in page

    def test_the_directorate_is_a_choice_not_free_text(self, client_as, desk, targets, settings):
        settings.SERVICEDESK_DIRECTORATES = ("Children and Education", "Finance")
        client = client_as(Role.SERVICE_DESK_AGENT)
        form = client.get(create_url()).content.decode()
        assert ">Choose a directorate</option>" in form
        assert '<option value="Finance">Finance</option>' in form
        response = client.post(
            create_url(), {**VALID, "queue": desk.pk, "customer_directorate": "Made up"}
        )
        assert response.status_code == 400
        assert Ticket.objects.count() == 0

    def test_it_makes_up_a_reference_when_none_is_given(self, client_as, desk, targets):
        client_as(Role.SERVICE_DESK_AGENT).post(
            create_url(), {**VALID, "kind": "request", "queue": desk.pk}
        )
        assert Ticket.objects.get().reference.startswith("SR-20260303-160000-")

    def test_it_assigns_at_once_when_asked(self, client_as, make_user, desk, targets):
        agent = make_user(Role.SERVICE_DESK_AGENT, first_name="Ana", last_name="Lee")
        client_as(Role.SERVICE_DESK_AGENT).post(
            create_url(), {**VALID, "queue": desk.pk, "assignee": agent.pk}
        )
        ticket = Ticket.objects.get()
        assert ticket.assignee == agent
        assert ticket.status == Status.ASSIGNED
        assert [e.kind for e in ticket.events.all()] == [EventKind.LOGGED, EventKind.ASSIGNED]

    def test_errors_re_render_and_save_nothing(self, client_as, desk, targets):
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            create_url(), {"summary": "", "customer_email": "not-an-address"}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "There is a problem" in content
        for message in (
            "Choose whether it is an incident or a service request",
            "Enter a summary",
            "Choose the queue to log the ticket in",
            "Choose how the ticket reached us",
            "Enter an e-mail address like name@hackney.gov.uk",
        ):
            assert message in content
        assert 'href="#id_kind_0"' in content
        assert Ticket.objects.count() == 0

    def test_a_taken_reference_is_refused_and_nothing_saved(self, client_as, desk, targets):
        log_ticket(queue=desk, reference="INC-1")
        response = client_as(Role.SERVICE_DESK_AGENT).post(
            create_url(), {**VALID, "queue": desk.pk, "reference": "INC-1"}
        )
        assert response.status_code == 400
        content = response.content.decode()
        # It says what to do, and links to the ticket the agent may open.
        link = (
            f'<a class="govuk-link" href="{reverse("servicedesk:ticket_detail", args=["INC-1"])}">'
        )
        assert f"A ticket with reference INC-1 already exists: {link}open it</a> or use" in content
        assert "Ticket with this Reference already exists" not in content
        assert Ticket.objects.count() == 1

    def test_a_taken_reference_in_a_queue_out_of_sight_has_no_link(
        self, client, make_user, desk, networks, targets
    ):
        log_ticket(queue=networks, reference="INC-9")
        owner = make_user(Role.QUEUE_OWNER)
        desk.owners.add(owner)
        client.force_login(owner)
        response = client.post(create_url(), {**VALID, "queue": desk.pk, "reference": "INC-9"})
        assert response.status_code == 400
        content = response.content.decode()
        assert services.REFERENCE_TAKEN.format(reference="INC-9") in content
        assert "open it" not in content

    def test_a_queue_owner_logs_only_in_their_own_queues(
        self, client, make_user, desk, networks, targets
    ):
        owner = owner_of(make_user, desk)
        client.force_login(owner)
        form = client.get(create_url()).context["form"]
        assert list(form.fields["queue"].queryset) == [desk]
        refused = client.post(create_url(), {**VALID, "queue": networks.pk})
        assert refused.status_code == 400
        assert Ticket.objects.count() == 0
        assert client.post(create_url(), {**VALID, "queue": desk.pk}).status_code == 302

    def test_the_overview_links_to_it_for_those_who_may_log(self, client_as, desk):
        link = f'href="{create_url()}"'
        assert (
            link
            in client_as(Role.SERVICE_DESK_AGENT)
            .get(reverse("servicedesk:queue_list"))
            .content.decode()
        )
        assert (
            link not in client_as(Role.DMT).get(reverse("servicedesk:queue_list")).content.decode()
        )


@pytest.mark.django_db
class ResponseClockTests:
    """Response: business time from logging to the first assignment (target 1 h here)."""

    def test_it_shows_a_response_met(self, client_as, desk, networks, targets):
        ticket = log_ticket(queue=desk)
        services.ticket_assign(ticket=ticket, actor=None, at=MORNING + H / 2, queue=networks)
        content = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        assert "Met</strong>" in content
        assert "Taken on (first assigned) after 0h 30m of the 1h 00m target." in content

    def test_it_shows_a_response_missed(self, client_as, desk, networks, targets):
        ticket = log_ticket(queue=desk)
        services.ticket_assign(ticket=ticket, actor=None, at=MORNING + 2 * H, queue=networks)
        content = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        assert "Missed</strong>" in content
        assert "after 2h 00m of the 1h 00m target" in content

    def test_it_says_so_when_no_target_is_set(self, client_as, desk):
        ticket = log_ticket(queue=desk)
        content = client_as(Role.DMT).get(ticket_url(ticket)).content.decode()
        assert "No response target is set for this kind and priority (incident, P3)." in content


@pytest.mark.django_db
class QuickCellsTests:
    """The tables' quick cells (hackperf/templatetags/table_rows.py) draw what django-tables2's
    own cell path draws, on the real pages: every column of the queue page (choices shown by
    their labels, an empty assignee as "Unassigned", the SLA and history cells, the checkboxes)
    and of the overview (the counts; the linked name takes django-tables2's path)."""

    @pytest.mark.parametrize("role", [Role.DMT, Role.QUEUE_OWNER])
    @pytest.mark.parametrize("page", ["queue", "queue sorted", "refresh", "overview"])
    def test_pages_are_the_same_with_and_without_them(
        self, client, make_user, busy_desk, desk, monkeypatch, role, page
    ):
        from hackperf.templatetags import table_rows

        person = make_user(role)
        desk.owners.add(person)  # the owner may work the queue: the checkbox column shows
        client.force_login(person)
        url, headers = {
            "queue": (queue_url(desk), {}),
            "queue sorted": (queue_url(desk, sort="-priority", page=1), {}),
            "refresh": (queue_url(desk), {"HX-Request": "true"}),
            "overview": (reverse("servicedesk:queue_list"), {}),
        }[page]

        def drawn() -> str:  # less the CSRF token and CSP nonce, new on every response
            response = client.get(url, headers=headers)
            assert response.status_code == 200
            html = response.content.decode()
            return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value="|nonce=")[^"]+', "", html)

        quick = drawn()
        assert quick.count("govuk-table__cell") >= 7
        monkeypatch.setattr(table_rows, "_quick_cell", lambda column, record: None)
        assert drawn() == quick
