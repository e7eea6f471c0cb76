from datetime import date

from django.urls import path, register_converter

from hackperf.dates import parse_month
from hackperf.routes import action_paths
from indicators import (
    api,
    briefing_views,
    publication_views,
    review_action_views,
    review_views,
    views,
)


class PeriodConverter:
    """A month in a URL, ``2026-03``, as the date of its first day."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        # ValueError (month 13, or a year outside hackperf.dates' bounds) → no match, 404.
        return parse_month(value)

    def to_url(self, value: date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(PeriodConverter, "period")

app_name = "indicators"

urlpatterns = [
    path("review/", review_views.ReviewView.as_view(), name="review"),
    path("review/figures/", review_views.ReviewDrilldownView.as_view(), name="review_drilldown"),
    path(
        "review/packs/new/", review_views.ReviewPackCreateView.as_view(), name="review_pack_create"
    ),
    path(
        "review/packs/<int:pk>/",
        review_views.ReviewPackDetailView.as_view(),
        name="review_pack_detail",
    ),
    path("review/compute/", review_action_views.ReviewComputeView.as_view(), name="review_compute"),
    path(
        "review/packs/<int:pk>/actions/new/",
        review_action_views.ReviewActionCreateView.as_view(),
        name="review_action_create",
    ),
    *action_paths(
        "review/actions/<int:pk>/",
        "review_action",
        {"close": review_action_views.ReviewActionCloseView.as_view()},
    ),
    path("indicators/", views.ScorecardView.as_view(), name="scorecard"),
    path("indicators/<slug:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    *action_paths(
        "indicators/<slug:code>/", "indicator", {"export": views.IndicatorExportView.as_view()}
    ),
    path(
        "indicators/<slug:code>/values/new/",
        views.PeriodValueEnterView.as_view(),
        name="period_value_create",
    ),
    *action_paths(
        "indicators/<slug:code>/values/<period:period>/",
        "period_value",
        {
            "check": views.PeriodValueCheckView.as_view(),
            "approve": views.PeriodValueApproveView.as_view(),
            "behind": views.PeriodValueBehindView.as_view(),
            "revise": views.PeriodValueReviseView.as_view(),
            "commentary": views.PeriodValueCommentaryView.as_view(),
        },
    ),
    path("api/indicators/", api.api_indicator_list, name="api_indicator_list"),
    path("api/indicators/<slug:code>/values/", api.api_value_list, name="api_value_list"),
    path("api/snapshots/", api.api_snapshot_list, name="api_snapshot_list"),
    path("api/metrics/", api.api_metric_list, name="api_metric_list"),
    path("briefing/", briefing_views.BriefingView.as_view(), name="briefing"),
    # Open data, no login: stable URLs that others link to (do not rename).
    path(
        "open-data/foi-eir-statistics-<str:frequency>.<str:fmt>",
        publication_views.foi_open_data,
        name="foi_open_data",
    ),
    path(
        "open-data/indicators.<str:fmt>",
        publication_views.indicators_open_data,
        name="indicators_open_data",
    ),
    path("briefing/freeze/", briefing_views.BriefingFreezeView.as_view(), name="briefing_freeze"),
    path(
        "briefing/frozen/<int:pk>/",
        briefing_views.BriefingPackDetailView.as_view(),
        name="briefing_pack_detail",
    ),
    path("briefing/risks/new/", briefing_views.RiskCreateView.as_view(), name="risk_create"),
    path("briefing/risks/<int:pk>/", briefing_views.RiskUpdateView.as_view(), name="risk_update"),
    *action_paths(
        "briefing/risks/<int:pk>/", "risk", {"close": briefing_views.RiskCloseView.as_view()}
    ),
    path(
        "briefing/risks/mark-briefed/",
        briefing_views.RiskRegisterMarkBriefedView.as_view(),
        name="risk_register_mark_briefed",
    ),
]
