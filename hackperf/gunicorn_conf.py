"""gunicorn's settings, one home for every way the site is served: the Dockerfile,
docker-compose.yml and ``make load`` all start ``gunicorn hackperf.wsgi --config
python:hackperf.gunicorn_conf``.

Why one sync worker per CPU the process may run on, and not gunicorn's "(2 x cores) + 1"
starting point: the pages are CPU-bound. On the two-core machine of issue 15, a request spends
about 17 ms in Python and 3 ms in PostgreSQL, so a worker waits on little; more workers than
cores only take turns on them. Measured with ``make load`` (50 connections, the benchmark's
million tickets, three runs each, the same hour): 2 workers gave 123 req/s with a p95 of
450-460 ms; 3 workers gave 106-111 req/s with a p95 of 510-550 ms (and 4 and 5, fewer still,
in an earlier session). ``WEB_CONCURRENCY`` (gunicorn's own name for it) sets another count
where the host differs, e.g. where the database runs elsewhere and workers wait longer on it.

The CPUs counted are those the process may run on (``os.sched_getaffinity``: a container's
``--cpuset-cpus``), not every CPU of the host.
"""

import os

MAX_WORKERS = 64


def worker_count(environ=os.environ) -> int:
    """``WEB_CONCURRENCY`` when set (a whole number from 1 to 64), else one per usable CPU.

    A number out of range stops the server with a line that says which and why, before any
    worker starts. (gunicorn itself reads ``WEB_CONCURRENCY`` as a number when it starts,
    before this file: a value that is no number at all, even an empty one, stops it there
    with Python's ``invalid literal for int()``. ``make load`` reaches this check first.)
    """
    given = environ.get("WEB_CONCURRENCY", "").strip()
    if not given:
        return max(1, len(os.sched_getaffinity(0)))
    if not given.isdigit() or not 1 <= int(given) <= MAX_WORKERS:
        raise SystemExit(
            f"WEB_CONCURRENCY must be a whole number of gunicorn workers from 1 to "
            f"{MAX_WORKERS}, not {given!r}"
        )
    return int(given)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = worker_count()
# A request that takes longer than this is killed: imports and exports are Celery jobs.
timeout = 30
