from django.urls import path

from hackperf.routes import action_paths
from infogov import import_views, views
from infogov.peers import views as peer_views

app_name = "infogov"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    *action_paths(
        "cases/<int:pk>/",
        "case",
        {
            "allocate": views.CaseAllocateView.as_view(),
            "respond": views.CaseRespondView.as_view(),
            "close": views.CaseCloseView.as_view(),
            "acknowledge": views.CaseAcknowledgeView.as_view(),
        },
    ),
    path(
        "cases/<int:pk>/events/new/", views.ClockEventCreateView.as_view(), name="case_event_create"
    ),
    path(
        "cases/<int:pk>/request/", views.CaseRequestTextView.as_view(), name="case_request_update"
    ),
    path("cases/<int:pk>/notes/new/", views.CaseNoteCreateView.as_view(), name="case_note_create"),
    path("service-options/", views.ServiceOptionsView.as_view(), name="service_options"),
    path("escalations/", views.EscalationListView.as_view(), name="escalation_list"),
    path(
        "directorates/<int:pk>/addresses/",
        views.DirectorateAddressesView.as_view(),
        name="directorate_addresses",
    ),
    path(
        "performance/",
        views.DirectoratePerformanceView.as_view(),
        name="directorate_performance",
    ),
    path("import/", import_views.CaseImportView.as_view(), name="case_import"),
    path("ig-group-report/", views.IgGroupReportView.as_view(), name="ig_group_report"),
    path("peers/", peer_views.PeerStatisticListView.as_view(), name="peer_list"),
    path(
        "ig-group-report/cases/",
        views.IgGroupReportCasesView.as_view(),
        name="ig_group_report_cases",
    ),
    path("directors/", views.DirectorListView.as_view(), name="director_list"),
    path("directors/<int:pk>/", views.DirectorUpdateView.as_view(), name="director_update"),
]
