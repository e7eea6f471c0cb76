"""Pages of the indicators app: the scorecard, an indicator's page, the value forms and
actions, the exports and the read-only JSON API (indicators, values, trend snapshots).

The DMT review is in ``review_views``; the Mayor's briefing and the risk register in
``briefing_views``."""

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_tables2 import SingleTableMixin

from hackperf.dates import parse_month
from hackperf.exports import csv_safe
from hackperf.roles import Perm, perm_name
from hackperf.views import PermissionRequired, ServiceFormMixin, signed_in
from indicators import charts, choices, selectors
from indicators.forms import PeriodValueCommentaryForm, PeriodValueForm, PeriodValueReviseForm
from indicators.models import Indicator, PeriodValue
from indicators.periods import LONDON, month_bounds
from indicators.records import RecordsCsvMixin, records_page
from indicators.services.values import (
    period_value_approve,
    period_value_check,
    period_value_comment,
    period_value_enter,
    period_value_revise,
)
from indicators.tables import PeriodValueTable

if TYPE_CHECKING:
    _View = View  # what IndicatorMixin goes on, for mypy
else:
    _View = object


def _can(user, perm: Perm) -> bool:
    return user.has_perm(perm_name(perm))


class ScorecardView(PermissionRequired, TemplateView):
    """Every indicator: latest value, target, RAG, direction of travel and a sparkline.

    People who cannot enter values see approved values only; those who can see the latest
    value of any status, with its status shown.
    """

    perm = Perm.VIEW_INDICATORS
    template_name = "indicators/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        approved_only = not _can(self.request.user, Perm.ENTER_INDICATOR_VALUES)
        cards = []
        for row in selectors.scorecard(today=timezone.localdate(), approved_only=approved_only):
            card = selectors.scorecard_card(row)
            card["sparkline"] = charts.sparkline_svg(
                row.sparkline,
                label=f"{row.indicator.code} trend",
                format_value=row.indicator.format_value,
            )
            cards.append(card)
        context["cards"] = cards
        context["approved_only"] = approved_only
        return context


class IndicatorMixin(_View):
    """Loads the indicator named by the URL's ``code`` (its slug) as ``self.indicator``."""

    def dispatch(self, request, *args, **kwargs):
        self.indicator = get_object_or_404(Indicator, slug=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return self.indicator.get_absolute_url()


class IndicatorDetailView(PermissionRequired, SingleTableMixin, DetailView):
    """One indicator: its definition, history chart with the target line, commentary, values."""

    perm = Perm.VIEW_INDICATORS
    model = Indicator
    slug_field = "slug"
    slug_url_kwarg = "code"
    context_object_name = "indicator"
    template_name = "indicators/indicator_detail.html"
    table_class = PeriodValueTable
    table_pagination = {"per_page": 24}

    def get_table_data(self):
        return selectors.period_values_for_table(self.object)

    def get_table_kwargs(self):
        user = self.request.user
        behind_url = ""
        if can_see_records_behind(user, self.object):
            behind_url = reverse(
                "indicators:period_value_behind",
                kwargs={"code": self.object.slug, "period": "0000-00"},
            )
        return {
            "can_enter": _can(user, Perm.ENTER_INDICATOR_VALUES),
            "can_approve": _can(user, Perm.APPROVE_INDICATOR_VALUES),
            "behind_url": behind_url,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.object
        history = selectors.indicator_history(indicator)
        context["chart"] = charts.history_chart(
            id=f"history-{indicator.slug}",
            title=f"{indicator.code}: {indicator.title}",
            unit_label=indicator.get_unit_display(),
            points=history,
            format_value=indicator.format_value,
        )
        context["latest"] = history[-1] if history else None
        context["latest_value"] = indicator.format_value(history[-1].value) if history else ""
        context["awaiting"] = [p for p in history if p.status != choices.Status.APPROVED]
        context["can_enter"] = _can(self.request.user, Perm.ENTER_INDICATOR_VALUES)
        context["can_approve"] = _can(self.request.user, Perm.APPROVE_INDICATOR_VALUES)
        context["revisions"] = selectors.revisions_of(indicator)
        context["risks"] = list(indicator.risks.open())
        context["can_edit_risks"] = _can(self.request.user, Perm.EDIT_RISKS)
        return context


class PeriodValueEnterView(PermissionRequired, IndicatorMixin, ServiceFormMixin, FormView):
    """Enter (or re-enter, while not approved) a hand-kept indicator's value for a month."""

    perm = Perm.ENTER_INDICATOR_VALUES
    form_class = PeriodValueForm
    template_name = "indicators/periodvalue_form.html"

    def get_initial(self):
        period = self.request.GET.get("period", "")
        try:
            period_start = parse_month(period)
        except ValueError:
            return {}
        existing = self.indicator.values.filter(period_start=period_start).first()
        if existing is None:
            return {"period_start": period_start}
        return {"period_start": period_start, **_figures_initial(existing)}

    def form_save(self, form) -> str:
        period_value = period_value_enter(
            indicator=self.indicator, by=signed_in(self.request), **form.cleaned_data
        )
        return (
            f"{self.indicator.code} for {period_value.period_start:%B %Y} entered: "
            "it now needs checking by someone else."
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(indicator=self.indicator, **kwargs)


def _figures_initial(value: PeriodValue) -> dict[str, object]:
    """A stored value's figures and words, as the value forms start from when they change it
    (the value without the trailing zeros of the four places the database keeps)."""
    return {
        "value": value.value.normalize(),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "commentary": value.commentary,
        "data_quality_note": value.data_quality_note,
    }


class PeriodValueMixin(IndicatorMixin):
    """Loads the value for the URL's ``period`` as ``self.period_value``."""

    def dispatch(self, request, *args, **kwargs):
        self.indicator = get_object_or_404(Indicator, slug=kwargs["code"])
        self.period_value = get_object_or_404(
            PeriodValue, indicator=self.indicator, period_start=kwargs["period"]
        )
        return super(IndicatorMixin, self).dispatch(request, *args, **kwargs)


class PeriodValueActionView(PermissionRequired, PeriodValueMixin, View):
    """POST-only: move a value one step on (check or approve), then back to its indicator."""

    http_method_names = ["post"]
    service: Callable[..., PeriodValue]
    done: str

    def post(self, request, *args, **kwargs):
        try:
            self.service(period_value=self.period_value, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(
                request,
                f"{self.indicator.code} for {self.period_value.period_start:%B %Y} {self.done}.",
            )
        return redirect(self.indicator)


class PeriodValueCheckView(PeriodValueActionView):
    # Perm.ENTER_INDICATOR_VALUES is "Can enter and check indicator values".
    perm = Perm.ENTER_INDICATOR_VALUES
    service = staticmethod(period_value_check)
    done = "checked"


class PeriodValueApproveView(PeriodValueActionView):
    perm = Perm.APPROVE_INDICATOR_VALUES
    service = staticmethod(period_value_approve)
    done = "approved"


class PeriodValueFormView(PermissionRequired, PeriodValueMixin, ServiceFormMixin, FormView):
    """A form that changes the URL's value; its page shows the value and its indicator."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            indicator=self.indicator, period_value=self.period_value, **kwargs
        )


class PeriodValueReviseView(PeriodValueFormView):
    """Change an approved value: new figures and a reason; the old figures are kept."""

    perm = Perm.APPROVE_INDICATOR_VALUES
    form_class = PeriodValueReviseForm
    template_name = "indicators/periodvalue_revise.html"

    def get_initial(self):
        return _figures_initial(self.period_value)

    def form_save(self, form) -> str:
        period_value_revise(
            period_value=self.period_value, by=signed_in(self.request), **form.cleaned_data
        )
        return (
            f"{self.indicator.code} for {self.period_value.period_start:%B %Y} revised: "
            "the old figures are kept, and the new ones need checking and approving."
        )


class PeriodValueCommentaryView(PeriodValueFormView):
    """Write or correct a value's commentary; a checked or approved value stays so."""

    perm = Perm.ENTER_INDICATOR_VALUES
    form_class = PeriodValueCommentaryForm
    template_name = "indicators/periodvalue_commentary.html"

    def get_initial(self):
        value = self.period_value
        return {"commentary": value.commentary, "data_quality_note": value.data_quality_note}

    def form_save(self, form) -> str:
        period_value_comment(
            period_value=self.period_value, by=signed_in(self.request), **form.cleaned_data
        )
        month = f"{self.period_value.period_start:%B %Y}"
        status = self.period_value.get_status_display().lower()
        return f"Commentary saved for {self.indicator.code}, {month}; the value is still {status}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            value_text=self.indicator.format_value(self.period_value.value), **kwargs
        )


# --- Exports ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "Indicator",
    "Month",
    "Value",
    "Numerator",
    "Denominator",
    "Target",
    "RAG status",
    "Status",
    "Commentary",
    "Data quality note",
    "Approved by",
    "Approved at",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_rows(indicator: Indicator) -> list[list[Any]]:
    return [
        [
            indicator.code,
            point.period_start,
            point.value,
            point.numerator,
            point.denominator,
            point.target,
            point.rag.label,
            point.status_label,
            point.commentary,
            point.data_quality_note,
            point.approved_by,
            point.approved_at,
        ]
        for point in selectors.indicator_history(indicator)
    ]


class IndicatorExportView(PermissionRequired, IndicatorMixin, View):
    """An indicator's values as CSV or Excel: ``?format=csv`` (the default) or ``xlsx``."""

    perm = Perm.VIEW_INDICATORS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("format", "csv")
        rows = _export_rows(self.indicator)
        name = f"{self.indicator.slug}-values"
        if kind == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            writer = csv.writer(response)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                row[1] = row[1].strftime("%Y-%m")
                row[11] = row[11].isoformat() if row[11] else ""
                writer.writerow([csv_safe(cell) for cell in row])
            return response
        if kind == "xlsx":
            return _xlsx_response(self.indicator, rows, name)
        return HttpResponseBadRequest("format must be csv or xlsx\n", content_type="text/plain")


def _xlsx_response(indicator: Indicator, rows: list[list[Any]], name: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=indicator.slug[:31])
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        approved_at = row[11]
        # Excel has no time zones: write the UK wall-clock time, without tzinfo.
        row[11] = approved_at.astimezone(LONDON).replace(tzinfo=None) if approved_at else None
        sheet.append([csv_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def can_see_records_behind(user, indicator: Indicator) -> bool:
    """Whether ``user`` may list the records behind the indicator's values: the permission
    its metric's declaration names (``hackperf.registry``)."""
    metric = selectors.behind_metric(indicator.code)
    return metric is not None and user.has_perm(f"hackperf.{metric.permission}")


class PeriodValueBehindView(RecordsCsvMixin, PermissionRequired, TemplateView):
    """The tickets or cases a computed monthly value counted (drill-down from a value)."""

    perm = Perm.VIEW_INDICATORS
    template_name = "indicators/value_behind.html"

    def csv_filename(self, context) -> str:
        return f"{context['indicator'].slug}-{context['period']:%Y-%m}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = get_object_or_404(Indicator, slug=self.kwargs["code"])
        if selectors.behind_metric(indicator.code) is None:
            raise Http404("This indicator is not computed from records.")
        if not can_see_records_behind(self.request.user, indicator):
            raise PermissionDenied
        period = self.kwargs["period"]
        behind = selectors.records_behind(
            code=indicator.code,
            period_start=period,
            user=signed_in(self.request),
            sort=self.request.GET.get("sort", ""),
        )
        assert behind is not None  # the indicator has a metric behind it (checked above)
        value = PeriodValue.objects.filter(indicator=indicator, period_start=period).first()
        context.update(
            indicator=indicator,
            period=period,
            period_end=month_bounds(period)[1],
            value=value,
            value_text=indicator.format_value(value.value) if value else "",
            **records_page(behind, request=self.request),
        )
        return context
