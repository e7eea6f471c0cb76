from django.urls import include, path

from servicedesk import import_views, views

app_name = "servicedesk"

urlpatterns = [
    path("", views.QueueListView.as_view(), name="queue_list"),
    # Mounted at /queues/ by hackperf/urls.py: /queues/tickets/INC123/ is a ticket, and
    # /queues/networks/ a queue (so no queue may have the slug "tickets").
    # Before the ticket page, so no ticket may have the reference "new".
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/<str:reference>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path(
        "tickets/<str:reference>/<slug:action>/",
        views.TicketActionView.as_view(),
        name="ticket_action",
    ),
    path("import/", import_views.ImportView.as_view(), name="ticket_import"),
    path("surveys/", include("servicedesk.surveys.urls")),
    path("<slug:slug>/", views.QueueDetailView.as_view(), name="queue_detail"),
]
