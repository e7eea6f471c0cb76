"""Tables of the service-desk pages: the queue overview and a queue's open tickets.

Every column sorts on the server; each ``order_by`` ends in a unique field so pages never
skip or repeat rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django_tables2.data import TableQuerysetData
from django_tables2.utils import OrderBy

from hackperf.cells import day_text, time_element, with_note
from hackperf.templatetags.ui import rag_tag
from servicedesk import selectors, sla
from servicedesk.choices import Show, StatusClass, get_sla_status_color
from servicedesk.models import Queue, Ticket
from servicedesk.selectors import COUNTS, RankSizes, multiple_reassignments
from servicedesk.sla import SlaClock


def duration(seconds: int) -> str:
    """Business time for people: ``3h 05m``."""
    hours, rest = divmod(abs(int(seconds)), 3600)
    return f"{hours}h {rest // 60:02d}m"


def sla_tag(clock: sla.SlaClock) -> str:
    """The SLA status as a tag, in words (never colour alone)."""
    return rag_tag(get_sla_status_color(clock.status.value), clock.status.label)


def spaced_duration(seconds: int, *, drop_zero_minutes: bool = False) -> str:
    """Business time in a sentence: ``3 h 00 m`` (or ``8 h`` for a whole-hour target)."""
    hours, rest = divmod(abs(int(seconds)), 3600)
    if drop_zero_minutes and rest < 60:
        return f"{hours} h"
    return f"{hours} h {rest // 60:02d} m"


def sla_outcome(clock: sla.SlaClock, *, cancelled: bool = False) -> str:
    """A stopped clock, as the result it is: "Met: resolved in 3 h 00 m of 8 h" or
    "Missed: resolved in 11 h 20 m of 8 h" (not the time "left" of a running clock)."""
    met = clock.remaining_seconds >= 0
    return format_html(
        "{} {} in {} of {}",
        rag_tag("green" if met else "red", "Met:" if met else "Missed:"),
        "cancelled" if cancelled else "resolved",
        spaced_duration(clock.used_seconds),
        spaced_duration(clock.target_seconds, drop_zero_minutes=True),
    )


def sla_cell(clock: sla.SlaClock | None, status_class: str) -> str:
    """The SLA status in words and the business time left or over."""
    if clock is None:
        return format_html('<span class="lbh-body-s">{}</span>', "No target")
    tag = sla_tag(clock)
    if clock.remaining_seconds >= 0:
        left = f"{duration(clock.remaining_seconds)} left"
    else:
        left = f"{duration(-clock.remaining_seconds)} over"
    paused = " (on hold, clock stopped)" if status_class == StatusClass.PAUSED else ""
    return format_html("{} {}{}", tag, left, paused)


def header_of(show: Show) -> str:
    """A count's column header: its label, but "Moved 2+ times" for multiple reassignments,
    whose long word alone would push the overview past the page's width (the key under
    "What the counts mean" gives the full name)."""
    if show == Show.REASSIGNED:
        return format_html(
            '<abbr title="{}">Moved {}+ times</abbr>', show.label, multiple_reassignments()
        )
    return show.label


class CountColumn(tables.Column):
    """A queue's count, linking to the queue page filtered to those tickets."""

    def __init__(self, show: Show, **kwargs):
        self.show = show
        super().__init__(
            verbose_name=header_of(show),
            accessor=f"{show.value}_count",
            order_by=(f"{show.value}_count", "name"),
            attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
            **kwargs,
        )

    def value(self, value, record):
        # The CSV's counts are numbers; "Open" keeps its on-hold part in words.
        if self.show != Show.OPEN:
            return value
        return f"{value} ({getattr(record, f'{Show.ON_HOLD.value}_count')} on hold)"

    def render(self, value, record):
        link = count_link(record, self.show, value)
        if self.show != Show.OPEN:
            return link
        # "On hold" shares the "Open" cell (a part of it), one column fewer to fit the page.
        on_hold = getattr(record, f"{Show.ON_HOLD.value}_count")
        return with_note(link, format_html("{} on hold", count_link(record, Show.ON_HOLD, on_hold)))


def _queue_link_parts(queue: Queue) -> tuple[str, str]:
    """The queue page's address and the queue's name, escaped, worked out once per queue
    object: the overview links each of a queue's nine counts to its page (``reverse`` and the
    escaping were most of the overview's time)."""
    parts = getattr(queue, "_link_parts", None)
    if parts is None:
        url = reverse("servicedesk:queue_detail", args=[queue.slug])
        parts = (escape(url), escape(queue.name))
        queue._link_parts = parts  # type: ignore[attr-defined]  # a memo on the object
    return parts


# Each count's query string and its words for screen readers, escaped once.
_SHOW_PARTS = {
    show: (escape(urlencode({"show": show.value})), escape(show.label.lower())) for show in Show
}


def count_link(queue: Queue, show: Show, value: int) -> str:
    """A count linking to the queue page filtered to those tickets (named for screen readers)."""
    url, name = _queue_link_parts(queue)
    query, words = _SHOW_PARTS[show]
    return mark_safe(  # noqa: S308 (every part escaped above; value is a count)
        f'<a class="govuk-link lbh-link" href="{url}?{query}">{escape(value)}'
        f'<span class="govuk-visually-hidden"> {words} in {name}</span></a>'
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
        extra = [
            (f"{show.value}_count", CountColumn(show)) for show in COUNTS if show != Show.ON_HOLD
        ]
        super().__init__(*args, extra_columns=extra, **kwargs)


class SelectColumn(tables.Column):
    """A GOV.UK checkbox per ticket for the bulk actions form (``form="bulk-actions"``, which
    sits outside the refreshing table), with "select all on this page" in the header."""

    def __init__(self, **kwargs):
        super().__init__(
            verbose_name=mark_safe(
                '<div class="govuk-checkboxes lbh-checkboxes govuk-checkboxes--small">'
                '<div class="govuk-checkboxes__item">'
                '<input class="govuk-checkboxes__input" id="select-all" type="checkbox"'
                ' data-select-all="bulk-tickets">'
                '<label class="govuk-label govuk-checkboxes__label" for="select-all">'
                '<span class="govuk-visually-hidden">Select all tickets on this page</span>'
                "</label></div></div>"
            ),
            accessor="reference",
            orderable=False,
            exclude_from_export=True,
            **kwargs,
        )

    def render(self, value, record):
        return format_html(
            '<div class="govuk-checkboxes lbh-checkboxes govuk-checkboxes--small">'
            '<div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" id="select-{}" name="bulk-tickets"'
            ' type="checkbox" value="{}" form="bulk-actions">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{}">'
            '<span class="govuk-visually-hidden">Select {}</span></label></div></div>',
            record.pk,
            value,
            record.pk,
            value,
        )


def _ticket_column(verbose_name: str, *keys: str, **kwargs) -> tables.Column:
    """A :class:`TicketTable` column sorted on ``keys``, then on the unique reference: the
    module's rule that each ``order_by`` ends in a unique field, kept here rather than
    restated on every column."""
    return tables.Column(verbose_name=verbose_name, order_by=(*keys, "reference"), **kwargs)


class TicketTable(tables.Table):
    """A queue's open tickets with their SLA clocks (set ``clocks`` before rendering).

    Eight columns, so the table fits the page's 960 px column at 1280 px wide: a ticket's kind
    sits under its reference, its category under its summary, its logged date over its time,
    and its reassignments ("moves"), reopens and escalation share one cell (only what
    happened, one per line).
    """

    select = SelectColumn()
    reference = _ticket_column("Reference")
    summary = _ticket_column("Summary", "summary")
    sla = _ticket_column("SLA", "sla_rank", "sla_due_at", accessor="pk")
    priority = _ticket_column("Priority", "priority")
    status = _ticket_column("Status", "status")
    assignee = _ticket_column(
        "Assigned to", "assignee__last_name", "assignee__first_name", default="Unassigned"
    )
    logged_at = _ticket_column("Logged", "logged_at")
    history = _ticket_column(
        "Moves, reopens, escalation",
        "escalation_level",
        "reassignment_count",
        "reopen_count",
        accessor="pk",
    )

    class Meta:
        model = Ticket
        fields = (
            "select",
            "reference",
            "summary",
            "sla",
            "priority",
            "status",
            "assignee",
            "logged_at",
            "history",
        )
        empty_text = "No open tickets match."
        attrs = {"class": "govuk-table lbh-table"}

    clocks: dict[int, SlaClock | None] = {}  # not sla.SlaClock: the column above is named sla

    def render_reference(self, record):
        link = format_html(
            '<a class="govuk-link lbh-link" href="{}">{}</a>',
            reverse("servicedesk:ticket_detail", args=[record.reference]),
            record.reference,
        )
        return with_note(link, record.get_kind_display())

    def render_summary(self, record):
        if record.category_id is None:
            return record.summary
        return with_note(record.summary, record.category.name)

    def render_sla(self, record):
        return sla_cell(self.clocks.get(record.pk), record.status_class)

    def render_assignee(self, value):
        return value.get_full_name() or value.get_username()

    def value_logged_at(self, value):
        return value

    def render_logged_at(self, value):
        local = timezone.localtime(value)
        return time_element(local, with_note(day_text(local), f"{local:%H:%M}"))

    def value_history(self, record):
        return "; ".join(history_lines(record)) or "None"

    def render_history(self, record):
        lines = history_lines(record)
        if not lines:
            return mark_safe('<span class="hp-cell-note">None</span>')
        return format_html_join("", '<span class="hp-cell-note">{}</span>', ((li,) for li in lines))


def history_lines(ticket: Ticket) -> list[str]:
    """What happened to a ticket that makes it stuck, in words: moves, reopens, escalation."""
    lines = []
    if ticket.reassignment_count:
        n = ticket.reassignment_count
        lines.append(f"{n} move{'s' if n != 1 else ''}")
    if ticket.reopen_count:
        n = ticket.reopen_count
        lines.append(f"{n} reopen{'s' if n != 1 else ''}")
    if ticket.escalation_level:
        lines.append(f"Escalated: level {ticket.escalation_level}")
    return lines


class RankedTickets(TableQuerysetData):
    """A queue page's tickets for django-tables2, read a page at a time in SLA order.

    Sorted by the SLA column (the page's default, either way) a page is read rank by rank
    (:func:`servicedesk.selectors.ranked_page`) instead of ordering every open ticket of the
    queue to show 25; any other sort is the plain queryset's. The total comes from ``sizes``
    (the queue's counts, or one aggregate), so the paginator runs no count of its own.
    """

    def __init__(self, data, *, now: datetime, sizes: Callable[[], RankSizes]):
        super().__init__(data)
        self.now = now
        self.sizes = sizes
        self.descending: bool | None = False  # None: sorted by another column

    def order_by(self, aliases):
        super().order_by(aliases)
        bare = [OrderBy(alias).bare for alias in aliases]
        if bare == ["sla"]:
            self.descending = OrderBy(aliases[0]).is_descending
        elif bare:
            self.descending = None

    def __len__(self):
        return self.sizes().total

    def __getitem__(self, key):
        if isinstance(key, slice) and self.descending is not None:
            start, stop, step = key.indices(len(self))
            if step == 1:
                return selectors.ranked_page(
                    self.data,
                    now=self.now,
                    sizes=self.sizes(),
                    start=start,
                    stop=stop,
                    descending=self.descending,
                )
        return super().__getitem__(key)
