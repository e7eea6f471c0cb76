"""The queue page's tickets part, kept for the minute it was drawn in per queue version
(``servicedesk.queue_cache``, migration 0019): served again only while nothing of the queue
changed, drawn again for every write of its tickets, every minute, every address and for
those who may act on the tickets."""

import contextlib
import re
import socket
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from hackperf.roles import Role
from servicedesk import queue_cache, services
from servicedesk.models import QueueVersion, Ticket
from tests.servicedesk.factories import MORNING, NOW, H, QueueFactory, log_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

HTMX = {"HX-Request": "true"}


def url_of(queue, query: str = "") -> str:
    return reverse("servicedesk:queue_detail", args=[queue.slug]) + query


def version_of(queue) -> tuple[int, int] | None:
    return QueueVersion.objects.filter(queue=queue).values_list("version", "written_by").first()


class VersionTests:
    """The triggers move a queue's version in every statement that writes one of its
    tickets, whoever writes it, and never give one twice."""

    def test_logging_a_ticket_moves_its_queue(self, desk, networks, targets):
        before = version_of(networks)
        log_ticket(queue=desk)
        assert version_of(desk) is not None
        assert version_of(networks) == before

    def test_every_statement_moves_it_even_in_one_transaction(self, desk, targets):
        # A test runs in one transaction: the sequence still moves on every statement.
        ticket = log_ticket(queue=desk)
        seen = {version_of(desk)}
        for summary in ("One", "Two", "Three"):
            Ticket.objects.filter(pk=ticket.pk).update(summary=summary)
            seen.add(version_of(desk))
        assert len(seen) == 4

    def test_a_change_that_touches_no_count_moves_it(self, desk, targets):
        ticket = log_ticket(queue=desk)
        before = version_of(desk)
        Ticket.objects.filter(pk=ticket.pk).update(summary="Only the words change")
        assert version_of(desk) != before

    def test_a_move_moves_both_queues(self, desk, networks, targets):
        ticket = log_ticket(queue=desk)
        log_ticket(queue=networks)
        before = (version_of(desk), version_of(networks))
        services.ticket_reassign(ticket=ticket, actor=None, at=MORNING + H, queue=networks)
        assert version_of(desk) != before[0]
        assert version_of(networks) != before[1]

    def test_a_delete_moves_it(self, desk, targets):
        ticket = log_ticket(queue=desk)
        before = version_of(desk)
        Ticket.objects.filter(pk=ticket.pk).delete()
        assert version_of(desk) != before

    def test_the_writing_transaction_is_named(self, desk, targets):
        log_ticket(queue=desk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            (current,) = cursor.fetchone()
        assert version_of(desk)[1] == current

    def test_a_truncate_forgets_every_version(self, desk, targets):
        log_ticket(queue=desk)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE servicedesk_ticket CASCADE")
        assert not QueueVersion.objects.exists()

    @staticmethod
    def versioned_queue():
        queue = QueueFactory()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO servicedesk_queueversion (queue_id, version, written_by) "
                "VALUES (%s, 1, 1)",
                [queue.pk],
            )
        return queue

    def test_a_queue_deleted_in_sql_is_not_stopped_by_its_version(self):
        # make bench removes in SQL the queues an import made, after their tickets.
        queue = self.versioned_queue()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM servicedesk_queue WHERE id = %s", [queue.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_deleting_a_queue_in_django_deletes_its_version(self):
        queue = self.versioned_queue()
        pk = queue.pk
        queue.delete()
        assert not QueueVersion.objects.filter(queue_id=pk).exists()

    def test_the_triggers_fire_always_so_the_importers_replica_insert_moves_it(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = 'servicedesk_ticket'::regclass AND NOT tgisinternal"
            )
            enabled = dict(cursor.fetchall())
        assert {name: state for name, state in enabled.items() if "queue_version" in name} == {
            f"servicedesk_queue_version_{op}": "A"
            for op in ("insert", "update", "delete", "truncate")
        }

    def test_they_fire_before_the_tallies_so_the_version_is_the_queues_lock(self):
        # PostgreSQL fires a statement's triggers in name order.
        assert "servicedesk_queue_version_update" < "servicedesk_queuetally_update"


class PageTests:
    def test_a_second_view_in_the_minute_is_served_what_was_drawn(
        self, client_as, desk, targets, django_assert_num_queries
    ):
        log_ticket(queue=desk, reference="INC-KEPT")
        client = client_as(Role.SERVICE_DESK_AGENT)
        first = client.get(url_of(desk), headers=HTMX)
        # The session, the person and their permissions, the queue with its version, and
        # the savepoints of the request: nothing of the tickets, counts or calendar.
        with django_assert_num_queries(7):
            second = client.get(url_of(desk), headers=HTMX)
        assert second.content == first.content
        assert "INC-KEPT" in second.content.decode()

    def test_the_full_page_served_the_kept_part_reads_only_its_forms_choices(
        self, busy_desk_agent, desk, django_assert_num_queries
    ):
        client, tickets = busy_desk_agent(url_of(desk))  # both parts drawn and kept by that visit
        # The seven above, and the bulk actions' choices (people, queues), whatever the
        # number of tickets: the filters and their choices are kept too.
        with django_assert_num_queries(9):
            response = client.get(url_of(desk))
        assert response.content.decode().count('name="bulk-tickets"') == tickets

    @pytest.mark.parametrize("query", ["", "?priority=P1&sort=-sla", "?priority=P9"])
    def test_the_page_served_its_kept_parts_is_the_page_drawn(
        self, client_as, desk, targets, monkeypatch, query
    ):
        log_ticket(queue=desk, reference="INC-SAME", priority="P1")
        client = client_as(Role.SERVICE_DESK_AGENT)
        kept = client.get(url_of(desk, query)).content.decode()  # draws and keeps
        served = client.get(url_of(desk, query)).content.decode()
        monkeypatch.setattr(queue_cache, "get", lambda key: None)
        drawn = client.get(url_of(desk, query)).content.decode()

        def without_tokens(page: str) -> str:  # each response masks its CSRF token afresh
            return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", page)

        assert without_tokens(served) == without_tokens(drawn) == without_tokens(kept)
        assert "Filter tickets" in served

    def test_the_full_page_shows_the_kept_part_in_place(self, client_as, desk, targets):
        log_ticket(queue=desk, reference="INC-KEPT")
        client = client_as(Role.SERVICE_DESK_AGENT)
        part = client.get(url_of(desk), headers=HTMX).content.decode()
        page = client.get(url_of(desk)).content.decode()
        assert part in page
        assert page.count('id="queue-tickets"') == 1
        assert "<html" in page

    def test_a_write_is_shown_at_once(self, client_as, make_user, desk, targets):
        ticket = log_ticket(queue=desk, reference="INC-MOVES")
        agent = make_user(Role.SERVICE_DESK_AGENT, first_name="Ada", last_name="Byron")
        client = client_as(Role.SERVICE_DESK_AGENT)
        assert "Ada Byron" not in client.get(url_of(desk), headers=HTMX).content.decode()
        services.ticket_assign(ticket=ticket, actor=None, at=NOW - H, assignee=agent)
        assert "Ada Byron" in client.get(url_of(desk), headers=HTMX).content.decode()

    def test_a_ticket_moved_out_or_closed_leaves_at_once(self, client_as, desk, networks, targets):
        moved = log_ticket(queue=desk, reference="INC-MOVED")
        resolved = log_ticket(queue=desk, reference="INC-DONE")
        client = client_as(Role.SERVICE_DESK_AGENT)
        before = client.get(url_of(desk), headers=HTMX).content.decode()
        assert "INC-MOVED" in before and "INC-DONE" in before
        services.ticket_reassign(ticket=moved, actor=None, at=NOW - H, queue=networks)
        services.ticket_resolve(ticket=resolved, actor=None, at=NOW - H)
        after = client.get(url_of(desk), headers=HTMX).content.decode()
        assert "INC-MOVED" not in after and "INC-DONE" not in after
        assert "INC-MOVED" in client.get(url_of(networks), headers=HTMX).content.decode()

    def test_the_next_minute_is_drawn_again(self, client_as, desk, targets):
        log_ticket(queue=desk)
        client = client_as(Role.SERVICE_DESK_AGENT)
        first = client.get(url_of(desk), headers=HTMX).content.decode()
        with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
            same = client.get(url_of(desk), headers=HTMX).content.decode()
        with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
            later = client.get(url_of(desk), headers=HTMX).content.decode()
        assert same == first
        assert 'datetime="2026-03-03T16:00:00+00:00"' in first
        assert 'datetime="2026-03-03T16:01:00+00:00"' in later

    def test_each_address_has_its_own_part(self, client_as, desk, targets):
        log_ticket(queue=desk, reference="INC-P1", priority="P1")
        log_ticket(queue=desk, reference="INC-P4", priority="P4")
        client = client_as(Role.SERVICE_DESK_AGENT)
        everything = client.get(url_of(desk), headers=HTMX).content.decode()
        p1 = client.get(url_of(desk, "?priority=P1"), headers=HTMX).content.decode()
        assert "INC-P4" in everything
        assert "INC-P1" in p1 and "INC-P4" not in p1

    def test_who_may_not_act_is_never_served_the_checkboxes(self, client, make_user, desk, targets):
        log_ticket(queue=desk)
        agent, dmt = make_user(Role.SERVICE_DESK_AGENT), make_user(Role.DMT)
        client.force_login(agent)
        assert 'name="bulk-tickets"' in client.get(url_of(desk), headers=HTMX).content.decode()
        client.force_login(dmt)
        assert 'name="bulk-tickets"' not in client.get(url_of(desk), headers=HTMX).content.decode()

    def test_who_may_not_see_the_queue_is_refused_after_another_drew_it(
        self, client, make_user, desk, targets
    ):
        log_ticket(queue=desk)
        client.force_login(make_user(Role.SERVICE_DESK_AGENT))
        assert client.get(url_of(desk), headers=HTMX).status_code == 200
        client.force_login(make_user(Role.QUEUE_OWNER))  # owns no queue
        assert client.get(url_of(desk), headers=HTMX).status_code == 403

    def test_a_stopped_cache_costs_time_not_the_page(self, client_as, desk, targets, monkeypatch):
        log_ticket(queue=desk, reference="INC-STILL")

        def down(*args, **kwargs):
            raise ConnectionError("Redis is stopped")

        monkeypatch.setattr("django.core.cache.cache.get", down)
        monkeypatch.setattr("django.core.cache.cache.set", down)
        client = client_as(Role.SERVICE_DESK_AGENT)
        for headers in (HTMX, {}):
            response = client.get(url_of(desk), headers=headers)
            assert response.status_code == 200
            assert "INC-STILL" in response.content.decode()

    def test_a_redis_that_accepts_and_never_answers_costs_time_not_the_page(
        self, client_as, desk, targets, settings
    ):
        """A real socket that takes the connection and says nothing (a hung Redis): the
        cache's socket timeouts (settings) give up, and the part is drawn without it."""
        server = socket.create_server(("127.0.0.1", 0))
        held: list[socket.socket] = []

        def accept_and_hold() -> None:
            with contextlib.suppress(OSError):  # closed when the test ends
                while True:
                    held.append(server.accept()[0])

        threading.Thread(target=accept_and_hold, daemon=True).start()
        port = server.getsockname()[1]
        log_ticket(queue=desk, reference="INC-HUNG")
        client = client_as(Role.SERVICE_DESK_AGENT)
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
        }
        try:
            response = client.get(url_of(desk), headers=HTMX)
        finally:
            server.close()
            for connection_held in held:
                connection_held.close()
        assert response.status_code == 200
        assert "INC-HUNG" in response.content.decode()
        assert held  # it did try the hung server

    def test_the_cache_gives_up_on_redis_within_a_second(self, settings):
        options = settings.CACHES["default"]["OPTIONS"]
        assert 0 < options["socket_connect_timeout"] <= 1
        assert 0 < options["socket_timeout"] <= 1

    def test_the_csv_is_never_read_from_the_cache(self, client_as, desk, targets):
        log_ticket(queue=desk, reference="INC-CSV")
        client = client_as(Role.SERVICE_DESK_AGENT)
        client.get(url_of(desk, "?format=csv"))
        response = client.get(url_of(desk, "?format=csv"))
        assert response["Content-Type"].startswith("text/csv")
        assert "INC-CSV" in b"".join(response.streaming_content).decode()


class KeyTests:
    def test_no_version_no_key(self, desk):
        desk.tickets_version = None
        assert queue_cache.key(queue=desk, now=NOW, can_work=True, path="/") is None

    def test_the_key_names_the_minute_and_who_may_act(self, desk):
        desk.tickets_version = "7.1234"
        keys = {
            queue_cache.key(queue=desk, now=NOW + timedelta(seconds=s), can_work=w, path="/")
            for s in (0, 59)
            for w in (True, False)
        }
        assert len(keys) == 2
        later = queue_cache.key(
            queue=desk, now=NOW + timedelta(seconds=60), can_work=True, path="/"
        )
        assert later not in keys

    def test_the_setting_turns_it_off(self, desk, settings):
        settings.SERVICEDESK_KEEP_QUEUE_PARTS = False
        desk.tickets_version = "7.1234"
        assert queue_cache.key(queue=desk, now=NOW, can_work=True, path="/") is None

    @pytest.mark.parametrize(
        "change",
        ["name", "SERVICEDESK_REFRESH_SECONDS", "SERVICEDESK_MULTIPLE_REASSIGNMENTS"],
    )
    def test_the_key_follows_what_else_the_parts_are_drawn_from(self, desk, settings, change):
        desk.tickets_version = "7.1234"
        before = queue_cache.key(queue=desk, now=NOW, can_work=True, path="/")
        if change == "name":
            desk.name = "Renamed desk"
        else:
            setattr(settings, change, getattr(settings, change) + 1)
        assert queue_cache.key(queue=desk, now=NOW, can_work=True, path="/") != before


def test_a_renamed_queue_is_drawn_again_at_once(client_as, desk, targets):
    log_ticket(queue=desk)
    client = client_as(Role.SERVICE_DESK_AGENT)
    assert (
        'aria-label="Tickets in the Service desk queue"'
        in client.get(url_of(desk), headers=HTMX).content.decode()
    )
    desk.name = "Front desk"
    desk.save()
    assert (
        'aria-label="Tickets in the Front desk queue"'
        in client.get(url_of(desk), headers=HTMX).content.decode()
    )


def test_a_refresh_that_finds_the_session_ended_takes_the_browser_to_sign_in(client, desk):
    """Not the sign-in page swapped into the refreshing part (a page within the page)."""
    page = url_of(desk, "?sort=-sla")
    refresh = client.get(page, headers=HTMX)
    assert refresh.status_code == 200
    assert refresh["HX-Redirect"].startswith(reverse("login") + "?next=")
    assert refresh.content == b""
    # A page asked for by the browser itself is redirected as ever.
    plain = client.get(page)
    assert plain.status_code == 302
    assert plain["Location"] == refresh["HX-Redirect"]


def test_the_sign_in_page_leads_back_to_the_page_in_the_browser_not_the_part(client, desk):
    asked = client.get(
        reverse("servicedesk:queue_list"),
        headers={**HTMX, "HX-Current-URL": "http://testserver/queues/service-desk/?show=breaching"},
    )
    assert asked["HX-Redirect"] == (
        reverse("login") + "?next=" + "/queues/service-desk/%3Fshow%3Dbreaching"
    )
    elsewhere = client.get(
        url_of(desk), headers={**HTMX, "HX-Current-URL": "https://evil.example//evil.example/x"}
    )
    # A path that would lead off the site ("//host/...") is not offered: the part's own is.
    assert elsewhere["HX-Redirect"] == reverse("login") + "?next=/queues/service-desk/"
