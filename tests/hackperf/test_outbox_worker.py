"""The outbox against real faults: a real Celery worker (Redis broker, the test database,
real SMTP to a slow local server) killed with SIGKILL mid-batch, then run again; a prefork
pool process killed, its task redelivered (acks_late); and a poison address among forty.
Every message is delivered exactly once in the end.

The guarantee is at least once at the mail-server boundary; the window for a duplicate is
one message (``hackperf.outbox``). The kills land while the server is still taking a
message (before its "250"), so that message was not accepted and must go again: these
tests assert that nothing was delivered twice and nothing lost.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hackperf import outbox
from hackperf.celery import app
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from hackperf.tasks import send_outbox
from infogov.models import Case, Escalation
from infogov.services.escalations import escalations_send
from tests.hackperf.smtp_sink import Sink, serve
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

ROOT = Path(__file__).resolve().parents[2]
SINK_PORT = 8101  # this checkout's own port
CLAIM_TIMEOUT = 3  # seconds, for the workers started here: a dead claim is stale quickly


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(name: str, log: Path, *, pool: str = "solo") -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.hackperf.outbox_worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "OUTBOX_SINK_PORT": str(SINK_PORT),
        "OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hackperf",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        f"--hostname={name}@outbox-test",
        "--loglevel=INFO",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until(condition, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.02)


def wait_for_sent(count: int, *, timeout: float, what: str, log: Path) -> None:
    """Wait until ``count`` messages are marked sent by the workers."""
    wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == count,
        timeout=timeout,
        what=what,
        log=log,
    )


def wait_mid_message(sink: Sink, *, after: int, log: Path) -> None:
    """Wait until ``after`` messages are delivered and the next one's data has reached the
    server, which is still taking it (its "250" not yet sent)."""

    def mid_message() -> bool:
        with sink.lock:
            done = len(sink.deliveries) + sink.discarded
            return len(sink.deliveries) >= after and sink.receiving > done

    wait_until(mid_message, timeout=90, what=f"{after} deliveries", log=log)


def kill_mid_message(worker: subprocess.Popen, sink: Sink, *, after: int, log: Path) -> None:
    """SIGKILL the whole worker (its only process, the solo pool) in mid-message."""
    wait_mid_message(sink, after=after, log=log)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def pool_child(worker: subprocess.Popen) -> int:
    """The pid of the prefork worker's one pool process (the one running tasks)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


@pytest.fixture
def sink():
    sink = Sink(delay=0.25)
    server = serve(SINK_PORT, sink)
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def workers(tmp_path):
    """Start workers by name; each is stopped (by its own pid) at the end."""
    app.control.purge()  # nothing left over from earlier tests on this broker
    started: list[subprocess.Popen] = []
    log = tmp_path / "workers.log"

    def start(name: str, pool: str = "solo") -> subprocess.Popen:
        worker = start_worker(name, log, pool=pool)
        started.append(worker)
        return worker

    start.log = log
    yield start
    for worker in started:
        stop(worker)
    app.control.purge()


def overdue_cases(n: int) -> list[Case]:
    """``n`` cases overdue, each in its own directorate: one digest per group director."""
    today = timezone.localdate()
    cases = []
    for i in range(n):
        directorate = DirectorateFactory(
            name=f"Killed worker directorate {i:02d}",
            group_director_email=f"group{i:02d}@hackney.example",
        )
        case = CaseFactory(
            received=today - timedelta(days=60), service=ServiceFactory(directorate=directorate)
        )
        Case.objects.filter(pk=case.pk).update(due=today - timedelta(days=7))
        cases.append(case)
    return cases


@pytest.mark.django_db(transaction=True)
class KilledWorkerTests:
    def test_a_worker_killed_mid_batch_twice_loses_nothing_and_sends_nothing_twice(
        self, sink, workers, capsys
    ):
        overdue_cases(55)
        # The scan commits its 55 escalations with their 55 digests and, on commit, queues
        # send_outbox on the broker: the worker started next picks it up.
        run = escalations_send(today=timezone.localdate(), send=False)
        assert (len(run.escalated), run.messages) == (55, 55)
        expected = {str(pk) for pk in OutboxMessage.objects.values_list("pk", flat=True)}

        first = workers("first")
        kill_mid_message(first, sink, after=5, log=workers.log)
        after_first = len(sink.delivered_ids())
        in_flight = OutboxMessage.objects.filter(
            status=OutboxStatus.QUEUED, claimed_at__isnull=False
        )
        assert in_flight.count() == 1  # the one the server was taking: claimed, not sent
        assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == after_first

        time.sleep(CLAIM_TIMEOUT + 0.5)  # the dead worker's claim goes stale
        second = workers("second")
        send_outbox.delay()  # as beat does every minute
        kill_mid_message(second, sink, after=after_first + 20, log=workers.log)
        after_second = len(sink.delivered_ids())

        time.sleep(CLAIM_TIMEOUT + 0.5)
        workers("third")
        # A redelivered scan: records nothing new and sends what the dead workers left.
        escalations_send(today=timezone.localdate(), send=False)
        send_outbox.delay()
        wait_for_sent(55, timeout=120, what="every message sent", log=workers.log)
        delivered = sink.delivered_ids()
        twice = [pk for pk, n in Counter(delivered).items() if n > 1]
        assert twice == []
        assert set(delivered) == expected
        assert len(delivered) == 55
        assert sink.discarded == 2  # the two messages in flight when the workers died
        assert Escalation.objects.filter(skipped_reason="").count() == 55
        log = workers.log.read_text()
        assert log.count("took over a claim") == 2
        with capsys.disabled():
            print(
                f"\nSIGKILL test: 55 messages; first worker delivered {after_first} before "
                f"SIGKILL, second {after_second - after_first}, third "
                f"{len(delivered) - after_second}; {sink.discarded} cut off mid-message and "
                f"re-sent; delivered {len(delivered)} distinct, {len(twice)} twice."
            )

    def test_a_pool_process_killed_mid_batch_is_redelivered_and_nothing_is_sent_twice(
        self, sink, workers, capsys
    ):
        overdue_cases(30)
        run = escalations_send(today=timezone.localdate(), send=False)
        assert run.messages == 30
        worker = workers("prefork", pool="prefork")
        wait_mid_message(sink, after=8, log=workers.log)
        os.kill(pool_child(worker), signal.SIGKILL)
        before_kill = len(sink.delivered_ids())
        # acks_late + reject_on_worker_lost: the task goes back on the queue, a new pool
        # process runs it, and it sends all but the claim the dead process still holds...
        wait_for_sent(29, timeout=90, what="the redelivered task to send the rest", log=workers.log)
        redelivered = len(sink.delivered_ids()) - before_kill
        log = workers.log.read_text()
        assert "WorkerLostError" in log or "Process 'ForkPoolWorker" in log
        # ...which the next run (beat's, every minute) takes over once it is stale.
        time.sleep(CLAIM_TIMEOUT + 0.5)
        send_outbox.delay()
        wait_for_sent(30, timeout=60, what="the stale claim to be taken over", log=workers.log)
        delivered = sink.delivered_ids()
        assert len(delivered) == len(set(delivered)) == 30
        assert sink.discarded == 1
        with capsys.disabled():
            print(
                f"\nPool-process SIGKILL test: 30 messages; {before_kill} delivered before the "
                f"kill, the redelivered task sent {redelivered}, the takeover "
                f"{len(delivered) - before_kill - redelivered}; {len(delivered)} distinct, "
                f"{len(delivered) - len(set(delivered))} twice."
            )


@pytest.mark.django_db(transaction=True)
class PoisonAddressWorkerTests:
    def test_one_poison_address_among_forty_fails_alone_through_a_real_worker(
        self, sink, workers, capsys
    ):
        sink.delay = 0.02
        poison = "person17@hackney.example\nBcc: everyone@hackney.example"
        addresses = [f"person{i:02d}@hackney.example" for i in range(40)]
        addresses[17] = poison
        with transaction.atomic():  # on commit: send_outbox is queued on the broker
            outbox.enqueue(
                [
                    outbox.Mail(
                        dedupe_key=f"poison-test:{i}",
                        kind="servicedesk.survey_invitation",
                        subject=f"Survey {i}",
                        body="How did we do?",
                        to=(address,),
                    )
                    for i, address in enumerate(addresses)
                ]
            )
        workers("poison")
        wait_until(
            lambda: not OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).exists(),
            timeout=90,
            what="the outbox to drain",
            log=workers.log,
        )
        delivered = sink.delivered_ids()
        assert len(delivered) == len(set(delivered)) == 39
        recipients = sorted(r for d in sink.deliveries for r in d.recipients)
        assert recipients == sorted(a for a in addresses if a != poison)
        assert "everyone@hackney.example" not in recipients
        failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
        assert failed.last_error == outbox.ERR_BAD_ADDRESS.format(address=poison)
        assert outbox.undeliverable().failed == 1
        with capsys.disabled():
            print(
                f"\nPoison test: 40 messages; {len(delivered)} delivered (distinct "
                f"{len(set(delivered))}), 1 failed: {failed.last_error}"
            )
