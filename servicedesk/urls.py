from django.urls import path

from servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.QueueListView.as_view(), name="queue_list"),
    # Mounted at /queues/ by hackperf/urls.py: /queues/tickets/INC123/ is a ticket, and
    # /queues/networks/ a queue (so no queue may have the slug "tickets").
    path("tickets/<str:reference>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path(
        "tickets/<str:reference>/<slug:action>/",
        views.TicketActionView.as_view(),
        name="ticket_action",
    ),
    path("<slug:slug>/", views.QueueDetailView.as_view(), name="queue_detail"),
]
