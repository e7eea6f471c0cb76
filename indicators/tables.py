"""Tables of the indicators app."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.timezone import localdate

from hackperf.cells import day_text, with_note
from hackperf.templatetags.ui import rag_tag
from indicators import choices
from indicators.models import PeriodValue
from indicators.rag import Tolerance
from indicators.selectors import rag_of


class PeriodValueTable(tables.Table):
    """An indicator's monthly values with target, RAG, status and the approval trail.

    The data is ``selectors.period_values_for_table``: the target is annotated, so it sorts
    in SQL and costs no query per row; RAG is derived from value and target, so it does not
    sort (sort by value instead).
    """

    period_start = tables.DateColumn(verbose_name="Month", format="F Y")
    value = tables.Column(verbose_name="Value", attrs={"td": {"class": "hp-num"}})
    target_value = tables.Column(
        verbose_name="Target", default="—", attrs={"td": {"class": "hp-num"}}
    )
    rag = tables.Column(verbose_name="RAG status", accessor="pk", orderable=False)
    status = tables.Column(verbose_name="Status")
    # The numerator "of" the denominator, and who entered the value over when it was approved:
    # one column each, so that the eleven fit 1,280 pixels with the actions in sight.
    numerator = tables.Column(
        verbose_name="Records",
        order_by=("denominator", "numerator"),
        attrs={"td": {"class": "hp-num"}},
    )
    commentary = tables.Column(
        verbose_name="Commentary", attrs={"td": {"class": "hp-col-commentary-wide"}}
    )
    approved_at = tables.Column(verbose_name="Entered, approved", empty_values=())
    actions = tables.TemplateColumn(
        verbose_name="Actions",
        template_name="indicators/includes/_value_actions.html",
        accessor="pk",
        orderable=False,
    )

    class Meta:
        model = PeriodValue
        fields = (
            "period_start",
            "value",
            "target_value",
            "rag",
            "status",
            "numerator",
            "commentary",
            "approved_at",
            "actions",
        )
        order_by = ("-period_start",)
        empty_text = "No values yet."

    def __init__(
        self,
        *args,
        can_enter: bool = False,
        can_approve: bool = False,
        behind_url: str = "",
        **kwargs,
    ):
        self.can_enter = can_enter
        self.can_approve = can_approve
        # For a computed indicator the reader may trace: the drill-down URL with "0000-00"
        # standing for the month (one reverse() for the table, not one per row).
        self.behind_url = behind_url
        super().__init__(*args, **kwargs)
        if not (can_enter or can_approve):
            self.columns.hide("actions")

    def render_period_start(self, value, record) -> str:
        month = f"{value:%B %Y}"
        if not self.behind_url:
            return month
        return format_html(
            '<a class="lbh-link" href="{}">{}<span class="govuk-visually-hidden">: the records'
            " behind it</span></a>",
            self.behind_url.replace("0000-00", f"{value:%Y-%m}"),
            month,
        )

    def order_period_start(self, queryset, is_descending):
        # pk last, so a page never skips or repeats a row.
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}period_start", "pk"), True

    def render_value(self, record) -> str:
        return record.indicator.format_value(record.value)

    def render_target_value(self, record) -> str:
        return record.indicator.format_value(record.target_value)

    def render_numerator(self, value, record) -> str:
        if record.denominator is None:
            return f"{value.normalize():,f}"
        # Breaks before "of", never inside "of 2,393" (which read as a number of its own).
        return f"{value.normalize():,f} of\u00a0{record.denominator.normalize():,f}"

    def render_rag(self, record) -> str:
        target = _TargetFigures(record) if record.target_value is not None else None
        status = rag_of(record.indicator, record.value, target)
        return rag_tag(choices.get_rag_color(status), status.label)

    def render_status(self, record) -> str:
        return format_html(
            '<strong class="govuk-tag lbh-tag {}">{}</strong>',
            record.get_status_color(),
            record.get_status_display(),
        )

    def render_approved_at(self, value, record) -> str:
        person = record.entered_by
        entered = (person.get_full_name() or person.get_username()) if person else "Computed"
        day = day_text(localdate(value)).replace(" ", "\u00a0") if value else ""
        return with_note(entered, f"approved {day}" if value else "not approved")

    def order_approved_at(self, queryset, is_descending):
        # A month's approvals often share a day: then newest month first, as unsorted.
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}approved_at", "-period_start", "pk"), True


class _TargetFigures:
    """The annotated target of a row, shaped like a ``Target`` for ``selectors.rag_of``."""

    def __init__(self, record):
        self.value = record.target_value
        self.tolerance = Tolerance(record.target_tolerance_kind, record.target_tolerance_amount)
