"""Tables of the service-desk pages: the queue overview and a queue's open tickets.

Every column sorts on the server; each ``order_by`` ends in a unique field so pages never
skip or repeat rows.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from servicedesk import sla
from servicedesk.choices import Show, StatusClass, get_sla_status_color
from servicedesk.models import Queue, Ticket
from servicedesk.selectors import COUNTS


def duration(seconds: int) -> str:
    """Business time for people: ``3h 05m``."""
    hours, rest = divmod(abs(int(seconds)), 3600)
    return f"{hours}h {rest // 60:02d}m"


def sla_tag(clock: sla.SlaClock) -> str:
    """The SLA status as a tag, in words (never colour alone)."""
    return format_html(
        '<strong class="lbh-tag hp-rag hp-rag--{}">{}</strong>',
        get_sla_status_color(clock.status.value),
        clock.status.label,
    )


def sla_cell(clock: sla.SlaClock | None, status_class: str) -> str:
    """The SLA status in words and the business time left or over."""
    if clock is None:
        return format_html('<span class="lbh-body-s">No target</span>')
    tag = sla_tag(clock)
    if clock.remaining_seconds >= 0:
        left = f"{duration(clock.remaining_seconds)} left"
    else:
        left = f"{duration(-clock.remaining_seconds)} over"
    paused = " (on hold, clock stopped)" if status_class == StatusClass.PAUSED else ""
    return format_html("{} {}{}", tag, left, paused)


class CountColumn(tables.Column):
    """A queue's count, linking to the queue page filtered to those tickets."""

    def __init__(self, show: Show, **kwargs):
        self.show = show
        super().__init__(
            verbose_name=show.label,
            accessor=f"{show.value}_count",
            order_by=(f"{show.value}_count", "name"),
            attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
            **kwargs,
        )

    def render(self, value, record):
        url = reverse("servicedesk:queue_detail", args=[record.slug])
        return format_html(
            '<a class="govuk-link lbh-link" href="{}?{}">{}'
            '<span class="govuk-visually-hidden"> {} in {}</span></a>',
            url,
            urlencode({"show": self.show.value}),
            value,
            self.show.label.lower(),
            record.name,
        )


class QueueTable(tables.Table):
    """Every queue the person may see, with its counts."""

    name = tables.Column(
        verbose_name="Queue", linkify=("servicedesk:queue_detail", [tables.A("slug")])
    )

    class Meta:
        model = Queue
        fields = ("name",)
        sequence = ("name", "...")
        order_by = ("name",)
        empty_text = "You do not own or belong to any queue yet."
        attrs = {"class": "govuk-table lbh-table"}

    def __init__(self, *args, **kwargs):
        extra = [(f"{show.value}_count", CountColumn(show)) for show in COUNTS]
        super().__init__(*args, extra_columns=extra, **kwargs)


class TicketTable(tables.Table):
    """A queue's open tickets with their SLA clocks (set ``clocks`` before rendering)."""

    reference = tables.Column(
        verbose_name="Reference",
        linkify=("servicedesk:ticket_detail", [tables.A("reference")]),
        order_by=("reference",),
    )
    summary = tables.Column(verbose_name="Summary", order_by=("summary", "reference"))
    sla = tables.Column(
        verbose_name="SLA",
        accessor="pk",
        order_by=("sla_rank", "sla_due_at", "reference"),
    )
    priority = tables.Column(verbose_name="Priority", order_by=("priority", "reference"))
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "reference"))
    status = tables.Column(verbose_name="Status", order_by=("status", "reference"))
    assignee = tables.Column(
        verbose_name="Assigned to",
        default="Unassigned",
        order_by=("assignee__last_name", "assignee__first_name", "reference"),
    )
    category = tables.Column(verbose_name="Category", order_by=("category__name", "reference"))
    logged_at = tables.DateTimeColumn(
        verbose_name="Logged", format="j M Y H:i", order_by=("logged_at", "reference")
    )
    reassignment_count = tables.Column(
        verbose_name="Reassigned",
        order_by=("reassignment_count", "reference"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    reopen_count = tables.Column(
        verbose_name="Reopened",
        order_by=("reopen_count", "reference"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    escalation_level = tables.Column(
        verbose_name="Escalation", order_by=("escalation_level", "reference")
    )

    class Meta:
        model = Ticket
        fields = (
            "reference",
            "summary",
            "sla",
            "priority",
            "kind",
            "status",
            "assignee",
            "category",
            "logged_at",
            "reassignment_count",
            "reopen_count",
            "escalation_level",
        )
        empty_text = "No open tickets match."
        attrs = {"class": "govuk-table lbh-table"}

    clocks: dict[int, sla.SlaClock | None] = {}

    def render_sla(self, record):
        return sla_cell(self.clocks.get(record.pk), record.status_class)

    def render_assignee(self, value):
        return value.get_full_name() or value.get_username()

    def render_escalation_level(self, record):
        level = record.escalation_level
        return "Not escalated" if level == 0 else f"Level {level}"
