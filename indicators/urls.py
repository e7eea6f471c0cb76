from datetime import date

from django.urls import path, register_converter

from hackperf.navigation import section_view
from indicators import views


class PeriodConverter:
    """A month in a URL, ``2026-03``, as the date of its first day."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(f"{value}-01")  # ValueError (month 13) → no match, 404

    def to_url(self, value: date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(PeriodConverter, "period")

app_name = "indicators"

urlpatterns = [
    path("review/", section_view("indicators:review"), name="review"),
    path("indicators/", views.ScorecardView.as_view(), name="scorecard"),
    path("indicators/<slug:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path(
        "indicators/<slug:code>/export/",
        views.IndicatorExportView.as_view(),
        name="indicator_export",
    ),
    path(
        "indicators/<slug:code>/values/new/",
        views.PeriodValueEnterView.as_view(),
        name="period_value_create",
    ),
    path(
        "indicators/<slug:code>/values/<period:period>/check/",
        views.PeriodValueCheckView.as_view(),
        name="period_value_check",
    ),
    path(
        "indicators/<slug:code>/values/<period:period>/approve/",
        views.PeriodValueApproveView.as_view(),
        name="period_value_approve",
    ),
    path(
        "indicators/<slug:code>/values/<period:period>/revise/",
        views.PeriodValueReviseView.as_view(),
        name="period_value_revise",
    ),
    path("api/indicators/", views.api_indicator_list, name="api_indicator_list"),
    path("api/indicators/<slug:code>/values/", views.api_value_list, name="api_value_list"),
    path("briefing/", section_view("indicators:briefing"), name="briefing"),
]
