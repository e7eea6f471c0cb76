"""Template helpers for the service-desk pages."""

from django import template

from servicedesk.choices import Status
from servicedesk.tables import duration as _duration
from servicedesk.tables import sla_outcome as _sla_outcome
from servicedesk.tables import sla_tag as _sla_tag

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as ``3h 05m`` (absolute: the words around it say left or over)."""
    if seconds is None:
        return ""
    return _duration(seconds)


@register.simple_tag
def sla_tag(clock):
    """The SLA status as a tag, in words."""
    return _sla_tag(clock)


@register.simple_tag
def sla_outcome(clock, ticket):
    """A stopped resolution clock: "Met: resolved in 3 h 00 m of 8 h"."""
    return _sla_outcome(clock, cancelled=ticket.status == Status.CANCELLED)
