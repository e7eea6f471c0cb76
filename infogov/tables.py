"""Tables of the IG pages (django-tables2).

A SAR's subject shows as "Subject access request" unless ``personal`` (``privacy.subject``).

The requester's name is shown by :class:`CaseTableWithRequester` only, which views use
for holders of ``Perm.VIEW_REQUESTER_DATA``; :class:`CaseTable` has no way to show it.
"""

import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html

from hackperf.cells import day_text, time_element, with_note
from hackperf.tables import BadgeColumn
from hackperf.templatetags.ui import rag_tag
from infogov import privacy, selectors


class CaseTable(tables.Table):
    """Open cases: due this week and overdue first (ordered by due date).

    Due, working days left and status come first, as officers read the list (issue 13), and
    the table fits the 960 px column at 1280 px without scrolling: the kind sits under the
    reference, the service under the directorate and the date received under the due date.
    """

    due = tables.Column(verbose_name="Due", order_by=("due", "pk"))
    days_left = tables.Column(
        verbose_name="Working days left",
        accessor="due",
        order_by=("due", "pk"),
        attrs={"td": {"class": "hp-num"}, "th": {"class": "hp-num"}},
    )
    status = BadgeColumn(verbose_name="Status", order_by=("status", "due", "pk"))
    reference = tables.Column(verbose_name="Reference", order_by=("reference",))
    kind = tables.Column(verbose_name="Kind", order_by=("kind", "due", "pk"), visible=False)
    subject = tables.Column(verbose_name="Subject", order_by=("subject", "pk"))
    directorate = tables.Column(verbose_name="Directorate", order_by=("directorate__name", "pk"))
    service = tables.Column(verbose_name="Service", order_by=("service__name", "pk"), visible=False)
    officer = tables.Column(
        verbose_name="Case officer",
        order_by=("officer__first_name", "officer__last_name", "pk"),
        default="Not allocated",
    )
    received = tables.Column(verbose_name="Received", order_by=("received", "pk"), visible=False)

    class Meta:
        fields: tuple[str, ...] = (
            "due",
            "days_left",
            "status",
            "reference",
            "kind",
            "subject",
            "directorate",
            "service",
            "officer",
            "received",
        )
        order_by = ("due",)
        empty_text = "No open cases match."
        attrs = {"class": "govuk-table lbh-table", "id": "cases"}

    def __init__(self, *args, today, calendar, personal: bool, **kwargs):
        self.today = today
        self.calendar = calendar
        self.personal = personal
        super().__init__(*args, **kwargs)

    def render_due(self, value, record):
        return with_note(
            time_element(value, day_text(value)),
            f"received {record.received.day} {record.received:%b}",
        )

    # The CSV (hackperf.exports) gives the folded second lines their own columns (kind,
    # service, received, requester): these cells keep only their first line.
    def value_due(self, value):
        return value

    def value_reference(self, record):
        return record.reference

    def value_kind(self, record):
        return self.kind_of(record)

    def value_subject(self, record):
        return privacy.subject(record, personal=self.personal)

    def value_directorate(self, value):
        return value.name

    @staticmethod
    def kind_of(record) -> str:
        """The kind, and the stage when past the request: "FOI internal review"."""
        kind = record.get_kind_display()
        if record.stage != "request":
            kind = f"{kind} {record.get_stage_display().lower()}"
        return kind

    def render_reference(self, record):
        kind = self.kind_of(record)
        link = format_html(
            '<a class="govuk-link lbh-link hp-case-ref" href="{}">{}</a>',
            record.get_absolute_url(),
            record.reference,
        )
        return with_note(link, kind)

    def render_subject(self, record) -> str:
        return privacy.subject(record, personal=self.personal)

    def render_directorate(self, value, record):
        if record.service_id is None:
            return value.name
        return with_note(value, record.service.name)

    def render_officer(self, value) -> str:
        return value.get_full_name() or value.username

    def render_days_left(self, value):
        """A number, or the words in a tag: red "Overdue" with by how much, amber "Due today"."""
        left = selectors.working_days_left(self.today, value, calendar=self.calendar)
        if value < self.today:
            late = -left
            return with_note(
                rag_tag("red", "Overdue"), f"by {late} working day{'s' if late != 1 else ''}"
            )
        if value == self.today:
            return rag_tag("amber", "Due today")
        return str(left)


class CaseTableWithRequester(CaseTable):
    """The overview for IG officers: the requester's name under the subject."""

    requester = tables.Column(
        verbose_name="Requester",
        accessor="requester__name",
        order_by=("requester__name", "pk"),
        visible=False,
    )

    class Meta(CaseTable.Meta):
        fields = (*CaseTable.Meta.fields, "requester")

    def render_subject(self, record):
        subject = privacy.subject(record, personal=self.personal)
        try:
            name = record.requester.name
        except ObjectDoesNotExist:
            return subject
        return with_note(subject, f"from {name}")
