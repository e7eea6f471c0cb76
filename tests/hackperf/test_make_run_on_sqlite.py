"""`make run` works without PostgreSQL or Redis: SQLite and the filesystem broker."""

import os

from tests.repo import run_python

HOME_PAGE_CHECK = """
import django
django.setup()
from django.test import Client
from django.conf import settings
assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), settings.DATABASES
assert settings.CELERY_BROKER_URL == "filesystem://"
client = Client(HTTP_HOST="127.0.0.1")
assert client.login(username="dmt", password="hackperf-demo")
response = client.get("/")
assert response.status_code == 200, response.status_code
assert b"ICT performance" in response.content
assert b"Where to find what" in response.content
# The queue page reads its rows rank by rank; SQLite allows no LIMIT inside a UNION's parts.
from django.utils import timezone
from servicedesk import selectors
from servicedesk.models import Queue
queue = Queue.objects.get(slug="service-desk")
for query in ("", "?page=2", "?sort=-sla"):
    response = client.get(f"/queues/service-desk/{query}")
    assert response.status_code == 200, (query, response.status_code)
now = timezone.now()
for queue in Queue.objects.all():
    tickets = selectors.queue_open_tickets(queue=queue, now=now)
    sizes = selectors.rank_sizes(tickets, now=now)
    for descending, order in ((False, tickets), (True, tickets.reverse())):
        page = selectors.ranked_page(
            tickets, now=now, sizes=sizes, start=0, stop=sizes.total, descending=descending
        )
        assert page == list(order), ("ranked page out of the queue's order", queue.slug)
print("home page ok")
"""


OUTBOX_CHECK = """
import django
django.setup()
from django.db import transaction
from hackperf import outbox
with transaction.atomic():
    outbox.enqueue([outbox.Mail(dedupe_key="sqlite", kind="check", subject="Hi", body="B",
                                to=("a@hackney.example",))])
    outbox.enqueue([outbox.Mail(dedupe_key="sqlite", kind="check", subject="Hi", body="B",
                                to=("a@hackney.example",))])
run = outbox.outbox_send()
assert (run.sent, outbox.outbox_send().sent) == (1, 0), run
print("outbox ok")
"""


# Several people at once: each request is a transaction that reads, then writes (signing in
# updates last_login). SQLite's deferred transactions failed the later writers at once with
# "database is locked" (500s when three people signed in together); immediate ones wait.
CONCURRENT_WRITERS_CHECK = """
import threading, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection, transaction
User = get_user_model()
errors = []
def person(i):
    try:
        for _ in range(15):
            with transaction.atomic():
                list(User.objects.filter(username="dmt"))
                time.sleep(0.002)
                User.objects.filter(username="dmt").update(first_name=f"P{i}")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()
people = [threading.Thread(target=person, args=(i,)) for i in range(4)]
for p in people:
    p.start()
for p in people:
    p.join()
assert not errors, errors[:3]
print("concurrent writers ok")
"""


def test_it_migrates_seeds_and_serves_the_home_page_on_sqlite(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "hackperf.settings",
        "DEBUG": "true",
        "HACKPERF_VAR_DIR": str(tmp_path),
    }

    def run(*args: str) -> str:
        result = run_python(*args, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("manage.py", "migrate", "--noinput")
    # Nothing fetched by hand: Mon 15 Jun 2026 (Scotland) already counts (FOIA s.10(6)).
    assert run("manage.py", "deadline", "foi", "2026-05-18").splitlines()[0] == "2026-06-17"
    assert "Sign in at http://127.0.0.1:8000/" in run("manage.py", "seed_demo", "--tickets", "300")
    assert (tmp_path / "db.sqlite3").exists()
    assert "home page ok" in run("-c", HOME_PAGE_CHECK)
    # The outbox's claim is a conditional UPDATE, no SELECT … FOR UPDATE: SQLite runs it.
    assert "outbox ok" in run("-c", OUTBOX_CHECK)
    assert "concurrent writers ok" in run("-c", CONCURRENT_WRITERS_CHECK)
