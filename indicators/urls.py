from django.urls import path

from hackperf.navigation import section_view

app_name = "indicators"

urlpatterns = [
    path("review/", section_view("indicators:review"), name="review"),
    path("indicators/", section_view("indicators:scorecard"), name="scorecard"),
    path("briefing/", section_view("indicators:briefing"), name="briefing"),
]
