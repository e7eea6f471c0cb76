from django.urls import path

from hackperf.navigation import section_view

app_name = "servicedesk"

urlpatterns = [
    path("", section_view("servicedesk:queue_list"), name="queue_list"),
]
