"""The gunicorn settings of the Dockerfile, docker-compose.yml and make load."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hackperf.gunicorn_conf import worker_count

ROOT = Path(__file__).resolve().parents[2]


class WorkerCountTests:
    def test_it_is_one_worker_per_cpu_the_process_may_use(self):
        assert worker_count({}) == len(os.sched_getaffinity(0))
        assert worker_count({"WEB_CONCURRENCY": " "}) == len(os.sched_getaffinity(0))

    @pytest.mark.parametrize("given", ["1", "5", "64", " 3 "])
    def test_web_concurrency_sets_it(self, given):
        assert worker_count({"WEB_CONCURRENCY": given}) == int(given)

    @pytest.mark.parametrize("given", ["0", "65", "-2", "two", "2.5", "3\x00"])
    def test_a_wrong_count_stops_with_a_line_that_says_why(self, given):
        with pytest.raises(SystemExit, match=r"WEB_CONCURRENCY must be a whole number .* 1 to 64"):
            worker_count({"WEB_CONCURRENCY": given})

    def test_gunicorn_reads_the_config(self):
        # gunicorn's own parser, as the Dockerfile's CMD starts it: the config loads and its
        # figures arrive (gunicorn ignores a misspelt setting: its figure would not arrive).
        code = (
            "import sys\n"
            "from gunicorn.app.wsgiapp import WSGIApplication\n"
            "sys.argv = ['gunicorn', 'hackperf.wsgi', "
            "'--config', 'python:hackperf.gunicorn_conf']\n"
            "app = WSGIApplication()\n"
            "print(app.cfg.workers, app.cfg.bind, app.cfg.timeout)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "WEB_CONCURRENCY": "4"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.split() == ["4", "['0.0.0.0:8000']", "30"]
