"""Every task logs a line when it starts and one when it ends (issue 14)."""

import logging

from hackperf.celery import app
from hackperf.tasks import heartbeat


def test_a_task_logs_its_start_and_its_end_with_state_and_duration(caplog, db):
    with caplog.at_level(logging.INFO, logger="hackperf.tasks"):
        result = heartbeat.apply()
    assert result.successful()
    lines = [r.getMessage() for r in caplog.records if r.name == "hackperf.tasks"]
    assert lines[0].startswith("task started: hackperf.tasks.heartbeat id=")
    assert "attempt=1" in lines[0]
    assert lines[1].startswith("task ended: hackperf.tasks.heartbeat id=")
    assert "state=SUCCESS" in lines[1]
    assert "took=" in lines[1] and "took=unknown" not in lines[1]


def test_a_failing_task_logs_its_end_as_a_failure(caplog, db):
    @app.task(name="tests.task_log.boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO, logger="hackperf.tasks"):
        result = boom.apply(throw=False)
    assert result.failed()
    lines = [r.getMessage() for r in caplog.records if r.name == "hackperf.tasks"]
    assert any(
        line.startswith("task ended: tests.task_log.boom") and "state=FAILURE" in line
        for line in lines
    ), lines
