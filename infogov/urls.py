from django.urls import path

from hackperf.navigation import section_view

app_name = "infogov"

urlpatterns = [
    path("", section_view("infogov:case_list"), name="case_list"),
]
