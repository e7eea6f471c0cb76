"""Celery for real: a worker consuming from Redis runs the task that beat schedules."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from hackperf.celery import app
from hackperf.selectors import jobs_status
from hackperf.tasks import HEARTBEAT_KEY, heartbeat


class ConfigurationTests:
    def test_it_acknowledges_late_and_requeues_on_a_lost_worker(self):
        assert app.conf.task_acks_late is True
        assert app.conf.task_reject_on_worker_lost is True
        assert app.conf.worker_prefetch_multiplier == 1

    def test_it_uses_redis_in_tests(self):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert app.conf.task_always_eager is False

    def test_every_scheduled_task_exists(self):
        app.loader.import_default_modules()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            assert entry["task"] in app.tasks, name

    def test_tasks_can_be_queued_on_commit(self):
        # Views queue with delay_on_commit (Celery >= 5.4's DjangoTask).
        assert hasattr(heartbeat, "delay_on_commit")


@pytest.mark.django_db(transaction=True)
class WorkerTests:
    def test_a_real_worker_runs_the_heartbeat_and_a_rerun_changes_only_the_time(self):
        cache.delete(HEARTBEAT_KEY)
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            heartbeat.delay()
            deadline = time.monotonic() + 20
            while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
                time.sleep(0.1)
            first = cache.get(HEARTBEAT_KEY)
            assert first is not None, "the worker did not run the task"
            heartbeat.delay()
            deadline = time.monotonic() + 20
            while cache.get(HEARTBEAT_KEY) == first and time.monotonic() < deadline:
                time.sleep(0.1)
        status = jobs_status(now=timezone.now())
        assert status.running is True
