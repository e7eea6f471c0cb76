"""Tables of the IG pages (django-tables2).

A SAR's subject shows as "Subject access request" unless ``personal`` (``privacy.subject``).

The requester's name is a column of :class:`CaseTableWithRequester` only, which views use
for holders of ``Perm.VIEW_REQUESTER_DATA``; :class:`CaseTable` has no way to show it.
"""

import django_tables2 as tables
from django.utils.html import format_html

from infogov import privacy, selectors


class BadgeColumn(tables.Column):
    """A status word in a coloured tag (``get_<field>_color()``); the word is always there."""

    def render(self, value, record, bound_column):
        colour = getattr(record, f"get_{bound_column.accessor}_color")()
        label = getattr(record, f"get_{bound_column.accessor}_display")()
        return format_html('<strong class="lbh-tag hp-rag hp-rag--{}">{}</strong>', colour, label)


class CaseTable(tables.Table):
    """Open cases: due this week and overdue first (ordered by due date)."""

    reference = tables.Column(verbose_name="Reference", linkify=True, order_by=("reference",))
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "due", "pk"))
    subject = tables.Column(verbose_name="Subject", order_by=("subject", "pk"))
    directorate = tables.Column(verbose_name="Directorate", order_by=("directorate__name", "pk"))
    service = tables.Column(verbose_name="Service", order_by=("service__name", "pk"))
    officer = tables.Column(
        verbose_name="Case officer",
        order_by=("officer__first_name", "officer__last_name", "pk"),
        default="Not allocated",
    )
    received = tables.DateColumn(
        verbose_name="Received", format="j M Y", order_by=("received", "pk")
    )
    due = tables.DateColumn(verbose_name="Due", format="j M Y", order_by=("due", "pk"))
    days_left = tables.Column(
        verbose_name="Working days left",
        accessor="due",
        order_by=("due", "pk"),
        attrs={"td": {"class": "hp-num"}},
    )
    status = BadgeColumn(verbose_name="Status", order_by=("status", "due", "pk"))

    class Meta:
        fields = (
            "reference",
            "kind",
            "subject",
            "directorate",
            "service",
            "officer",
            "received",
            "due",
            "days_left",
            "status",
        )
        order_by = ("due",)
        empty_text = "No open cases match."
        attrs = {"class": "govuk-table lbh-table"}

    def __init__(self, *args, today, calendar, personal: bool, **kwargs):
        self.today = today
        self.calendar = calendar
        self.personal = personal
        super().__init__(*args, **kwargs)

    def render_subject(self, record) -> str:
        return privacy.subject(record, personal=self.personal)

    def render_officer(self, value) -> str:
        return value.get_full_name() or value.username

    def render_days_left(self, value) -> str:
        left = selectors.working_days_left(self.today, value, calendar=self.calendar)
        if value < self.today:
            return f"Overdue ({-left} working day{'s' if left != -1 else ''})"
        if value == self.today:
            return "Due today"
        return str(left)


class CaseTableWithRequester(CaseTable):
    """The overview for IG officers: with the requester's name."""

    requester = tables.Column(
        verbose_name="Requester", accessor="requester__name", order_by=("requester__name", "pk")
    )

    class Meta(CaseTable.Meta):
        sequence = ("reference", "requester", "...")
