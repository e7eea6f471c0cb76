"""Demo data: realistic, deterministic, and fast enough for seed_demo."""

from datetime import UTC, datetime
from operator import attrgetter

import pytest
from django.db import connection

from servicedesk import demo, services
from servicedesk.choices import EventKind
from servicedesk.models import Category, Queue, Ticket, TicketEvent, TicketInterval

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def fingerprint():
    return list(
        Ticket.objects.order_by("reference").values_list(
            "reference",
            "logged_at",
            "status",
            "queue__slug",
            "reassignment_count",
            "reopen_count",
            "business_resolution_seconds",
            "sla_due_at",
        )
    )


derived = attrgetter(
    "status",
    "queue_id",
    "reassignment_count",
    "reopen_count",
    "last_resolved_at",
    "business_resolution_seconds",
    "sla_due_at",
)
"""A ticket's fields that its services derive from its history."""


TABLES = ["servicedesk_ticket", "servicedesk_ticketevent", "servicedesk_ticketinterval"]


def schema():
    """The three tables' indexes and constraints, by name (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1", [TABLES]
        )
        indexes = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, contype, condeferrable, condeferred FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1",
            [TABLES],
        )
        return indexes, cursor.fetchall()


@pytest.mark.django_db
class DemoTests:
    def test_it_seeds_2000_tickets_with_their_histories(self):
        # How fast it seeds is measured by ``make bench`` (building the 1M database), not here.
        seeded = demo.seed(tickets=2000, now=NOW)
        assert seeded.tickets == Ticket.objects.count() == 2000
        assert Queue.objects.count() == 15
        assert TicketEvent.objects.count() == seeded.events > 2000 * 3
        assert TicketInterval.objects.count() == seeded.intervals
        flags = Category.objects.filter
        assert flags(is_mfd_print=True).exists() and flags(is_new_starter=True).exists()
        assert flags(is_mover=True).exists() and flags(is_leaver=True).exists()
        tickets = Ticket.objects
        assert tickets.filter(reassignment_count__gte=2).exists()
        assert tickets.filter(reopen_count__gte=1).exists()
        assert tickets.filter(escalation_level__gt=0).exists()
        assert tickets.on_hold().exists()
        assert tickets.open().exists()
        assert TicketEvent.objects.filter(kind=EventKind.ON_HOLD).exists()
        assert not tickets.filter(logged_at__gt=NOW).exists()
        assert not TicketEvent.objects.filter(at__gt=NOW).exists()

    def test_mondays_are_busiest_and_september_brings_new_starters(self):
        demo.seed(tickets=3000, now=NOW)
        logged = Ticket.objects.values_list("logged_at", flat=True)
        local = [t.astimezone(demo.LONDON) for t in logged]
        by_weekday = [sum(1 for t in local if t.weekday() == d) for d in range(7)]
        assert by_weekday[0] == max(by_weekday)
        assert by_weekday[5] + by_weekday[6] < by_weekday[0] / 5
        new_starters = Ticket.objects.filter(category__is_new_starter=True)
        september = new_starters.filter(logged_at__month=9).count()
        march = new_starters.filter(logged_at__month=3).count()
        assert september > 2 * march

    def test_it_is_deterministic_and_replaces_its_own_tickets(self):
        demo.seed(tickets=300, seed=7, now=NOW)
        first = fingerprint()
        demo.seed(tickets=300, seed=7, now=NOW)
        assert fingerprint() == first
        assert Queue.objects.count() == 15
        demo.seed(tickets=300, seed=8, now=NOW)
        assert fingerprint() != first

    def test_its_derived_fields_are_what_the_services_would_derive(self):
        demo.seed(tickets=200, now=NOW)
        for ticket in Ticket.objects.order_by("reference")[:200:10]:
            before = derived(ticket)
            services.ticket_history_rebuild(ticket=ticket)
            ticket.refresh_from_db()
            after = derived(ticket)
            assert after == before

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
    def test_a_big_seed_loads_the_same_tickets_and_rebuilds_every_index(self, monkeypatch):
        demo.seed(tickets=300, seed=7, now=NOW)
        small = fingerprint()
        before = schema()
        assert before[0] and before[1]
        monkeypatch.setattr(demo, "BIG_SEED", 100)  # drop indexes, COPY, rebuild them
        seeded = demo.seed(tickets=300, seed=7, now=NOW, batch_size=70)
        assert fingerprint() == small
        assert schema() == before
        assert seeded.events == TicketEvent.objects.count()
        assert seeded.intervals == TicketInterval.objects.count()
        # The keys taken from the sequence are the ones the rows got, and the next is free.
        ticket = Ticket.objects.create(
            reference="AFTER-1",
            kind="incident",
            channel="phone",
            queue=Queue.objects.first(),
            status="logged",
            logged_at=NOW,
            status_since=NOW,
        )
        assert ticket.pk > Ticket.objects.exclude(pk=ticket.pk).order_by("-pk")[0].pk
