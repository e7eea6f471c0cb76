"""A stopped Redis (cache and Celery broker) takes no page down.

A real redis-server of the test's own is started on its own port, used, then shut down; the
pages are then asked for with the cache and the broker pointing at the dead port.
"""

import os
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from hackperf.celery import app
from hackperf.roles import Role
from hackperf.tasks import enqueue_on_commit, heartbeat
from servicedesk.surveys import services as survey_services
from servicedesk.surveys.models import SurveyResponse
from tests.hackperf.test_views import PAGES
from tests.indicators.test_review import make_snapshots
from tests.servicedesk.factories import QueueFactory
from tests.servicedesk.survey_helpers import SURVEY_DAY, close_ticket, invite

# Our own port (never the shared Redis): the worktree's port + 100, or a free one.
PORT = int(os.environ.get("TEST_DEAD_REDIS_PORT", "8206"))


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _forget_connections() -> None:
    """Make Celery open connections afresh for the broker URL now configured.

    Only forgotten, never closed: kombu keeps one pool per URL for the whole process, and a
    closed one would be handed back to the next test that publishes to the real broker.
    """
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def stopped_redis(settings):
    """A real Redis that ran, was used, and is now stopped; cache and broker point at it."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: apt-get install redis-server")
    assert not _port_open(PORT), f"port {PORT} is taken: set TEST_DEAD_REDIS_PORT"
    process = subprocess.Popen(
        [server, "--port", str(PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if _port_open(PORT):
                break
            time.sleep(0.1)
        url = f"redis://127.0.0.1:{PORT}/0"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "hackperf",
            }
        }
        from django.core.cache import cache

        cache.set("alive", "yes")
        assert cache.get("alive") == "yes"  # it really was a working Redis
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not _port_open(PORT)
    changed = {
        "broker_url": url,
        "broker_transport_options": {},
        "broker_connection_retry": False,
        "broker_connection_max_retries": 0,
    }
    saved = {name: app.conf[name] for name in changed}
    app.conf.update(changed)
    _forget_connections()
    yield url
    app.conf.update(saved)
    _forget_connections()


@pytest.mark.django_db
class StoppedBrokerTests:
    def test_the_dmt_home_says_scheduled_jobs_unknown(self, stopped_redis, client_as):
        response = client_as(Role.DMT).get(reverse("home"))
        assert response.status_code == 200
        assert "Scheduled jobs: unknown" in response.content.decode()

    def test_the_review_serves_from_the_snapshots_without_its_cache(self, stopped_redis, client_as):
        make_snapshots(3)  # so the page reaches for its cache (no snapshot: it never does)
        response = client_as(Role.DMT).get(reverse("indicators:review"))
        assert response.status_code == 200
        assert response.context["headline_html"] in response.content.decode()

    @pytest.mark.parametrize("role", list(Role))
    def test_every_page_serves(self, stopped_redis, client_as, role):
        client = client_as(role)
        for name, roles in PAGES.items():
            if role in roles:
                assert client.get(reverse(name)).status_code == 200, name

    def test_a_survey_answer_is_stored(self, stopped_redis, client):
        desk = QueueFactory(name="Service desk", slug="service-desk")
        ticket = close_ticket(email="sam.taylor@hackney.example", queue=desk)
        invitation = invite(ticket)
        with time_machine.travel(SURVEY_DAY + timedelta(hours=1), tick=False):
            url = reverse("survey", args=[survey_services.invitation_token(invitation)])
            response = client.post(url, {"rating": "4", "resolved": "yes", "comment": "Fine."})
        assert response.status_code == 200
        assert SurveyResponse.objects.filter(invitation=invitation).count() == 1

    def test_enqueueing_after_commit_logs_and_does_not_raise(
        self, stopped_redis, django_capture_on_commit_callbacks, caplog
    ):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(heartbeat)
        assert "could not queue hackperf.tasks.heartbeat" in caplog.text
