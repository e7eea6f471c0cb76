"""The DMT review's cache (``indicators.review_cache``): built once per snapshot version and
viewer scope, never served after a snapshot is written, never shared between people who may
see different things (a director sees their own directorates only), and the page it draws
the same as the page built afresh."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hackperf.roles import Role
from indicators import review_cache, selectors
from indicators.review_views import review_page
from indicators.services.snapshots import snapshot_take
from tests.indicators.test_review import make_snapshots
from tests.infogov.factories import DirectorateFactory

URL = reverse("indicators:review")
FIGURES = 'FROM "indicators_snapshot"'  # a query of selectors.review_figures


def figure_queries(client) -> tuple[int, str]:
    """How many of a view's queries read snapshot figures, and the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    reads = [q for q in queries if FIGURES in q["sql"] and "MAX(" not in q["sql"]]
    return len(reads), response.content.decode()


def without_tokens(html: str) -> str:
    return re.sub(r'(value|nonce|X-CSRFToken)(=|": )"[^"]*"', "", html)


@pytest.mark.django_db
class ReviewCacheTests:
    def test_it_builds_the_review_once_per_snapshot_version(self, client_as):
        make_snapshots(3)
        client = client_as(Role.DMT)
        built, first = figure_queries(client)
        cached, second = figure_queries(client)
        assert (built, cached) == (3, 0)  # the instants, the "all" figures, the breakdowns
        assert without_tokens(first) == without_tokens(second)

    def test_a_cached_page_is_the_page_built_afresh(self, client_as):
        instants = make_snapshots(15)
        client = client_as(Role.DMT)
        client.get(URL)
        response = client.get(URL)
        fresh = review_page(instants[-1])
        assert response.context["body_html"] == fresh["body_html"]
        assert response.context["headline_html"] == fresh["headline_html"]
        assert fresh["body_html"] in response.content.decode()

    def test_a_snapshot_written_is_shown_at_once(self, client_as):
        instants = make_snapshots(2)
        client = client_as(Role.DMT)
        before = client.get(URL).context["sections"][0]["rows"][0]["row"]
        assert before.current == 1
        snapshot_take(as_of=instants[-1])  # the history has no tickets: zero
        built, _ = figure_queries(client)
        after = client.get(URL).context["sections"][0]["rows"][0]["row"]
        assert (built, after.code, after.current) == (3, "servicedesk.open_incidents", 0)

    def test_a_snapshot_of_an_earlier_fortnight_shown_moves_the_key(self, client_as):
        instants = make_snapshots(3)
        client = client_as(Role.DMT)
        client.get(URL)
        snapshot_take(as_of=instants[0])
        previous = client.get(URL).context["review"]
        assert figure_queries(client)[0] == 0  # built by the view before, not again
        assert previous.sections[0].rows[0].series[0] == 0

    def test_a_retake_that_changes_only_a_breakdown_moves_the_key(self, fake_sources):
        from hackperf.metrics import ALL, MetricRow

        servicedesk, _ = fake_sources
        instant = datetime(2026, 3, 9, tzinfo=UTC)
        figure = "servicedesk.open_incidents"
        servicedesk.snapshot_rows = [
            MetricRow(figure, ALL, "", 7, "All"),
            MetricRow(figure, "queue", "desk", 4, "Desk"),
            MetricRow(figure, "queue", "net", 3, "Net"),
        ]
        snapshot_take(as_of=instant, now=instant)
        before = selectors.review_snapshot_versions()[instant]
        snapshot_take(as_of=instant, now=instant)  # nothing changed: the same key
        assert selectors.review_snapshot_versions()[instant] == before
        servicedesk.snapshot_rows[1:] = [  # a ticket moved between queues: the total stands
            MetricRow(figure, "queue", "desk", 3, "Desk"),
            MetricRow(figure, "queue", "net", 4, "Net"),
        ]
        snapshot_take(as_of=instant, now=instant.replace(hour=1))
        assert selectors.review_snapshot_versions()[instant] != before

    def test_two_roles_never_share_an_entry(self, client_as, make_user):
        """The DMT sees every directorate's cases; a DMT member who is also a director sees
        their own directorate's only: each is served their own entry, and two directors of
        different directorates each theirs."""
        make_snapshots(2)
        finance = DirectorateFactory(name="Finance")
        housing = DirectorateFactory(name="Housing")
        dmt = make_user(Role.DMT)
        director = make_user(Role.DMT, Role.DIRECTOR)
        finance.directors.add(director)
        other = make_user(Role.DMT, Role.DIRECTOR)
        housing.directors.add(other)
        scopes = [review_cache.viewer_scope(user) for user in (dmt, director, other)]
        assert scopes[0].endswith(";cases=all")
        assert scopes[1].endswith(f";cases=directorates:{finance.pk}")
        assert scopes[2].endswith(f";cases=directorates:{housing.pk}")
        versions = list(selectors.review_snapshot_versions().items())
        keys = {review_cache.key(fortnights=versions, scope=scope) for scope in scopes}
        assert len(keys) == 3

        client = client_as(Role.DMT)
        for user, built in ((dmt, 3), (director, 3), (dmt, 0), (other, 3), (director, 0)):
            client.force_login(user)
            assert figure_queries(client)[0] == built, user

    def test_thresholds_are_part_of_the_key(self, client_as, settings):
        make_snapshots(2)
        client = client_as(Role.DMT)
        settings.REVIEW_THRESHOLDS = {"servicedesk.open_incidents": 0}
        assert "Over the limit of 0 by 1" in client.get(URL).content.decode()
        settings.REVIEW_THRESHOLDS = {"servicedesk.open_incidents": 5}
        assert "Within the limit of 5" in client.get(URL).content.decode()

    def test_an_empty_review_is_not_cached(self, client_as):
        client = client_as(Role.DMT)
        assert review_page(datetime(2026, 11, 16, tzinfo=UTC)) is None
        assert "There are no fortnightly snapshots yet" in client.get(URL).content.decode()

    def test_invalidating_forgets_every_cached_review(self, client_as):
        make_snapshots(2)
        client = client_as(Role.DMT)
        client.get(URL)
        review_cache.invalidate()
        assert figure_queries(client)[0] == 3
        assert figure_queries(client)[0] == 0
