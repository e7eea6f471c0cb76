"""Root URLs. Each app has its own namespace (``servicedesk:``, ``infogov:``, ``indicators:``)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hackperf import import_views, views
from hackperf.routes import action_paths
from servicedesk.surveys import views as survey_views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("saved-filters/", views.SavedFilterCreateView.as_view(), name="saved_filter_create"),
    *action_paths(
        "saved-filters/<int:pk>/", "saved_filter", {"delete": views.SavedFilterDeleteView.as_view()}
    ),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/unlock/", views.SignInUnlockView.as_view(), name="person_unlock"),
    path("healthz", views.healthz, name="healthz"),
    path("bank-holidays/", views.BankHolidayListView.as_view(), name="bank_holiday_list"),
    *action_paths(
        "bank-holidays/<int:pk>/",
        "holiday_to_confirm",
        {
            "confirm": views.HolidayToConfirmDecideView.as_view(confirm=True),
            "reject": views.HolidayToConfirmDecideView.as_view(confirm=False),
        },
    ),
    path("imports/", import_views.ImportRunListView.as_view(), name="import_run_list"),
    path("imports/<int:pk>/", import_views.ImportRunDetailView.as_view(), name="import_run_detail"),
    *action_paths(
        "imports/<int:pk>/",
        "import_run",
        {"progress": import_views.ImportRunProgressView.as_view()},
    ),
    path(
        "imports/<int:pk>/bad-rows.csv",
        import_views.ImportRunBadRowsView.as_view(),
        name="import_run_bad_rows",
    ),
    path("survey/<str:token>/", survey_views.survey, name="survey"),
    path("queues/", include("servicedesk.urls")),
    path("information-governance/", include("infogov.urls")),
    path("", include("indicators.urls")),
    path("admin/", admin.site.urls),
]

# Bad input answers 400 with the reason (hackperf.views.bad_request), never a bare page.
handler400 = "hackperf.views.bad_request"
