"""Factories for the service desk: queues, categories, SLA targets and tickets.

Tickets are made through ``services.ticket_log`` (their history is the source of truth), so a
factory-made ticket has its logged event and first interval like any other.
"""

from datetime import UTC, datetime, timedelta
from itertools import count

import factory

from servicedesk import services
from servicedesk.choices import Channel, Kind, Priority
from servicedesk.models import Category, Queue, SlaTarget, Ticket, TicketEvent, TicketInterval

# Tue 3 Mar 2026 09:00 GMT: an ordinary working morning.
MORNING = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
# Tue 3 Mar 2026 16:00 GMT: the pages' "now" (conftest.frozen_now stops the clock there).
NOW = MORNING + 7 * H
EIGHT_HOURS = 8 * 3600

_references = count(1)


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.Sequence(lambda n: f"queue-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class SlaTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaTarget
        django_get_or_create = ("kind", "priority")

    kind = Kind.INCIDENT
    priority = Priority.P3
    response_seconds = 3600
    resolution_seconds = EIGHT_HOURS


def log_ticket(*, queue=None, at=MORNING, actor=None, **kwargs):
    """A ticket logged through the service, with defaults for everything."""
    fields = {
        "reference": f"INC{next(_references):06d}",
        "kind": Kind.INCIDENT,
        "summary": "Printer on floor 3 jams",
        "channel": Channel.PHONE,
        "priority": Priority.P3,
        "customer_name": "Sam Taylor",
        "customer_email": "sam.taylor@hackney.example",
        "customer_directorate": "Finance",
    }
    fields.update(kwargs)
    return services.ticket_log(actor=actor, at=at, queue=queue or QueueFactory(), **fields)


def log_tickets(queue, count: int) -> None:
    """``count`` tickets logged in ``queue`` five minutes apart from MORNING, every other one
    put on hold an hour before NOW: open and paused rows for the query-count guards."""
    for i in range(count):
        ticket = log_ticket(queue=queue, at=MORNING + i * timedelta(minutes=5))
        if i % 2:
            services.ticket_put_on_hold(ticket=ticket, actor=None, at=NOW - H, reason="x")


def tables() -> tuple:
    """Everything a ticket import writes, with primary keys, so "changes nothing" is exact."""
    return (
        list(Queue.objects.order_by("pk").values_list()),
        list(Category.objects.order_by("pk").values_list()),
        list(Ticket.objects.order_by("pk").values_list()),
        list(TicketEvent.objects.order_by("pk").values_list()),
        list(TicketInterval.objects.order_by("pk").values_list()),
    )
