"""``make load``: serve the site as the Dockerfile does and load it with locust, headless.

Why a script: the figure that matters to a queue owner at nine o'clock is what the server
does with many people at once, not one request's time. This serves the benchmark database
(``make bench`` builds it: a million tickets) with gunicorn and whitenoise on a loopback port
with production settings (DEBUG off, hashed and compressed static files), signs in once
through the sign-in form, drives a mix of pages with locust (``scripts/locustfile.py``)
for a bounded time, prints throughput, p50/p95/p99 and errors, and stops everything it
started. Nothing leaves 127.0.0.1.

    python scripts/load_test.py [--users 50] [--seconds 30] [--workers N] [--port 8765] [--runs 3]

gunicorn reads the settings the Dockerfile gives it (``hackperf/gunicorn_conf.py``: one sync
worker per CPU unless ``WEB_CONCURRENCY`` says otherwise); ``--workers`` tries another count.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hackperf.gunicorn_conf import worker_count  # noqa: E402 (after the path is set)

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
USERNAME = "load-dmt"

PREPARE = """
import json, random
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hackperf.roles import Role
from hackperf.services import role_groups_sync
from servicedesk.models import Queue, Ticket
role_groups_sync()
user, _ = get_user_model().objects.get_or_create(username={username!r})
user.set_password({password!r})
user.save()
user.groups.set([Group.objects.get(name=Role.DMT)])
slugs = ["service-desk", "benchq-10000-open", "benchq-100000-open"]
queues = [f"/queues/{{q.slug}}/" for q in Queue.objects.filter(slug__in=slugs)]
refs = list(Ticket.objects.order_by("-logged_at").values_list("reference", flat=True)[:200])
print(json.dumps({{"queues": queues, "tickets": [f"/queues/tickets/{{r}}/" for r in refs]}}))
"""


def bench_database_url() -> str:
    """The database ``make bench`` keeps: ``test_`` + the name in BENCH_DATABASE_URL."""
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hackperf_bench")
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    return urllib.parse.urlunsplit(parts._replace(path=f"/test_{name}"))


def server_env(port: int, static_root: Path) -> dict[str, str]:
    """Production settings, less what needs TLS in front (the load stays on plain HTTP)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hackperf.settings",
        "DATABASE_URL": bench_database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "DEBUG": "false",
        "SECRET_KEY": "load-test-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_TLS_PROXY": "false",
        "STATIC_ROOT": str(static_root),
        "BANK_HOLIDAYS_FEED_URL": "",
    }


def run(args: list[str], env: dict[str, str], *, timeout: float) -> str:
    done = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        sys.exit(f"{' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_until_up(base: str, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {base}/healthz within {seconds:.0f} s")


def sign_in(base: str, password: str) -> str:
    """Sign in through the form, as a person does; return the Cookie header of the session."""
    jar = CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base}/sign-in/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        sys.exit("the sign-in page has no CSRF token")
    form = urllib.parse.urlencode(
        {"username": USERNAME, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        f"{base}/sign-in/", data=form, headers={"Referer": f"{base}/sign-in/"}
    )
    try:
        opener.open(request, timeout=30)
        sys.exit("signing in did not redirect: wrong password or a changed sign-in page")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            sys.exit(f"signing in answered HTTP {answer.code}")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit("signing in set no session cookie")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def warm_up(base: str, cookie: str, paths: dict, *, workers: int) -> int:
    """Ask for every page of the mix a few times per worker before measuring, so the figures
    are the server's steady state, as people meet it at nine o'clock, not each worker's first
    requests (templates compiled, connections opened, caches filled). Returns how many."""
    every = [*paths["queues"], *paths["tickets"][:5], "/", "/queues/"]
    count = 0
    for _ in range(3 * workers):
        for path in every:
            request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            count += 1
    return count


def summary(stats_csv: Path) -> list[str]:
    """The locust figures per page and for all, as lines for people."""
    lines = []
    with stats_csv.open(newline="") as f:
        for row in csv.DictReader(f):
            name = row["Name"] or "all"
            if row["Name"] == "Aggregated":
                name = "ALL PAGES"
            lines.append(
                f"{name:32} {int(row['Request Count']):>7,} requests "
                f"{float(row['Requests/s']):>7.1f} req/s  p50 {row['50%']:>5} ms  "
                f"p95 {row['95%']:>5} ms  p99 {row['99%']:>5} ms  "
                f"errors {int(row['Failure Count']):,}"
            )
    return lines


def load_once(base: str, cookie: str, paths: dict, args: argparse.Namespace) -> list[str]:
    """One locust run against the server: the summary lines, per page and for all."""
    with tempfile.TemporaryDirectory(prefix="hackperf-load-") as tmp:
        prefix = Path(tmp) / "load"
        locust = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "scripts" / "locustfile.py")]
            + ["--headless", "--only-summary", "--host", base]
            + ["-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"]
            + ["--stop-timeout", "5", "--csv", str(prefix), "--loglevel", "ERROR"],
            env={**os.environ, "LOAD_COOKIE": cookie, "LOAD_PATHS": json.dumps(paths)},
            cwd=ROOT,
            timeout=args.seconds + 120,
            check=False,
            capture_output=True,
            text=True,
        )
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            sys.exit(f"locust wrote no figures:\n{locust.stderr[-3000:]}")
        return summary(stats)


def _throughput(line: str) -> float:
    """The req/s of a summary line."""
    return float(re.search(r"([\d.]+) req/s", line).group(1))  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent connections")
    parser.add_argument("--seconds", type=int, default=30, help="how long the load lasts")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers (default: the Dockerfile's, hackperf/gunicorn_conf.py)",
    )
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="runs in a row against the same server, and the median (a shared machine varies)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500 or not 1 <= args.seconds <= 600 or not 1 <= args.runs <= 9:
        sys.exit("--users must be 1-500, --seconds 1-600 and --runs 1-9: the load is bounded")
    if args.workers is None:
        args.workers = worker_count()
    elif not 1 <= args.workers <= 64:
        sys.exit("--workers must be 1-64")

    base = f"http://{HOST}:{args.port}"
    with socket.socket() as probe:  # another server on the port would be measured instead
        if probe.connect_ex((HOST, args.port)) == 0:
            sys.exit(f"port {args.port} is taken on {HOST}: choose another with --port")
    static_root = ROOT / "var" / "load-static"
    env = server_env(args.port, static_root)
    py = str(BIN / "python")
    if not (static_root / "staticfiles.json").exists():
        print("collectstatic (hashed, compressed files, as the Dockerfile builds them) ...")
        run([py, "manage.py", "collectstatic", "--noinput", "-v0"], env, timeout=600)
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    password = secrets.token_urlsafe(16)
    prepared = run(
        [py, "manage.py", "shell", "-c", PREPARE.format(username=USERNAME, password=password)],
        env,
        timeout=120,
    )
    paths = json.loads(prepared.strip().splitlines()[-1])
    if not paths["queues"] or not paths["tickets"]:
        sys.exit("the benchmark database has no tickets: run make bench first")
    paths["static"] = "/static/" + manifest["css/pages.css"]

    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "hackperf.wsgi", "--config", "python:hackperf.gunicorn_conf"]
        + ["--bind", f"{HOST}:{args.port}", "--workers", str(args.workers)]
        + ["--log-level", "warning"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_until_up(base, seconds=60)
        cookie = sign_in(base, password)
        warmed = warm_up(base, cookie, paths, workers=args.workers)
        print(f"warm-up: {warmed} requests, not measured (each worker's first pages compile)")
        print(
            f"locust: {args.users} connections, no think time, {args.seconds} s, "
            f"against gunicorn ({args.workers} workers) on {base}"
        )
        totals = []
        for number in range(1, args.runs + 1):
            if args.runs > 1:
                print(f"run {number} of {args.runs}:")
            lines = load_once(base, cookie, paths, args)
            for line in lines:
                print(line)
            totals.append(lines[-1])
        if args.runs > 1:
            print(f"the median run of {args.runs} (by throughput):")
            print(sorted(totals, key=_throughput)[len(totals) // 2])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
