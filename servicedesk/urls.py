from django.urls import include, path, register_converter

from hackperf.routes import action_paths
from servicedesk import import_views, views
from servicedesk.converters import TicketReferenceConverter

register_converter(TicketReferenceConverter, "ref")

app_name = "servicedesk"

urlpatterns = [
    path("", views.QueueListView.as_view(), name="queue_list"),
    # Mounted at /queues/ by hackperf/urls.py: /queues/tickets/INC123/ is a ticket, and
    # /queues/networks/ a queue (so no queue may have the slug "tickets").
    # Before the ticket page; a ticket whose reference is "new" (or holds a "/") still has its
    # own URL: the "ref" converter escapes it (servicedesk.converters).
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/<ref:reference>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path(
        "tickets/<ref:reference>/<slug:action>/",
        views.TicketActionView.as_view(),
        name="ticket_action",
    ),
    path("import/", import_views.TicketImportView.as_view(), name="ticket_import"),
    path("surveys/", include("servicedesk.surveys.urls")),
    path("<slug:slug>/", views.QueueDetailView.as_view(), name="queue_detail"),
    *action_paths("<slug:slug>/", "queue", {"bulk": views.QueueBulkActionView.as_view()}),
]
