"""Tables of the indicators app."""

import django_tables2 as tables
from django.utils.html import format_html

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
    numerator = tables.Column(verbose_name="Numerator", attrs={"td": {"class": "hp-num"}})
    denominator = tables.Column(verbose_name="Denominator", attrs={"td": {"class": "hp-num"}})
    commentary = tables.Column(
        verbose_name="Commentary", attrs={"td": {"class": "hp-col-commentary-wide"}}
    )
    entered_by = tables.Column(
        verbose_name="Entered by",
        default="Computed",
        order_by=("entered_by__last_name", "entered_by__first_name", "entered_by__username"),
    )
    approved_at = tables.DateTimeColumn(verbose_name="Approved", format="j M Y", default="—")
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
            "denominator",
            "commentary",
            "entered_by",
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

    def render_numerator(self, value) -> str:
        return f"{value.normalize():,f}"

    def render_denominator(self, value) -> str:
        return f"{value.normalize():,f}"

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

    def render_entered_by(self, value) -> str:
        return value.get_full_name() or value.get_username()


class _TargetFigures:
    """The annotated target of a row, shaped like a ``Target`` for ``selectors.rag_of``."""

    def __init__(self, record):
        self.value = record.target_value
        self.tolerance = Tolerance(record.target_tolerance_kind, record.target_tolerance_amount)
