"""The DMT's survey results and the queue owners' comments, under ``servicedesk:``.

Included by ``servicedesk/urls.py`` (so the names are ``servicedesk:survey_results`` and
``servicedesk:survey_comments``); the public survey page is in ``hackperf/urls.py``.
"""

from django.urls import path

from servicedesk.surveys import views

urlpatterns = [
    path("", views.SurveyResultsView.as_view(), name="survey_results"),
    path("comments/", views.SurveyCommentsView.as_view(), name="survey_comments"),
]
