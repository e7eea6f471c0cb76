"""Factories for the service desk: queues, categories, SLA targets and tickets.

Tickets are made through ``services.ticket_log`` (their history is the source of truth), so a
factory-made ticket has its logged event and first interval like any other.
"""

from datetime import UTC, datetime
from itertools import count

import factory

from servicedesk import services
from servicedesk.choices import Channel, Kind, Priority
from servicedesk.models import Category, Queue, SlaTarget

# Tue 3 Mar 2026 09:00 GMT: an ordinary working morning.
MORNING = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
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
