"""Import runs (hackperf.imports) and their tasks: storing uploads, claiming, redelivery,
recording the outcome, and that a refused file or a dry run writes nothing at all."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hackperf import imports
from hackperf.celery import app
from hackperf.choices import ImportKind, ImportState
from hackperf.imports import (
    ADVISORY_LOCK_CLASS,
    CRASHED,
    GAVE_UP,
    MAX_ATTEMPTS,
    NEVER_STARTED,
    TIMED_OUT,
    ImportOutcome,
    ImportRefused,
    ProgressPrinter,
    import_file_store,
    import_run_create,
    import_run_execute,
    import_runs_sweep,
    import_uploads_delete,
    progress_key,
)
from hackperf.models import ImportRun
from hackperf.roles import Role
from servicedesk.import_jobs import run_tickets
from servicedesk.models import Category, Queue, Ticket, TicketEvent, TicketInterval
from servicedesk.tasks import tickets_import_run
from tests.servicedesk.test_import_writer import BAD, HEADER, V1

TICKET_TABLES = (Queue, Category, Ticket, TicketEvent, TicketInterval)


def store(text: str, name: str = "export.csv") -> imports.StoredFile:
    return import_file_store(chunks=[text.encode()], name=name)


def queued(text: str, *, dry_run: bool = False, name: str = "export.csv", **kwargs) -> ImportRun:
    return import_run_create(
        kind=ImportKind.TICKETS,
        stored=store(text, name),
        mapping_name="BPI Challenge 2013",
        mapping_preset="bpic2013",
        dry_run=dry_run,
        actor_name="Test",
        **kwargs,
    )


class FileStoreTests:
    def test_it_keeps_the_upload_under_its_own_name_with_its_hash(self, import_root):
        stored = import_file_store(chunks=[b"a,b\n", b"1,2\n"], name="../../etc/passwd.csv.gz")
        assert stored.path.parent.parent.parent == import_root
        assert stored.path.name.endswith(".csv.gz") and "passwd" not in stored.path.name
        assert stored.name == "passwd.csv.gz"
        assert stored.path.read_bytes() == b"a,b\n1,2\n"
        assert (stored.size, stored.sha256) == (8, hashlib.sha256(b"a,b\n1,2\n").hexdigest())

    def test_an_unexpected_suffix_is_dropped(self, import_root):
        assert import_file_store(chunks=[b"x"], name="export.exe").path.suffix == ""
        assert import_file_store(chunks=[b"x"], name="EXPORT.CSV").path.suffix == ".csv"


@pytest.mark.django_db
class ExecuteTests:
    def test_it_imports_and_records_the_counts(self, import_root):
        run = queued(V1)
        ended = import_run_execute(run_id=run.pk, runner=run_tickets)
        assert ended.state == ImportState.SUCCEEDED
        assert (ended.rows_read, ended.rows_total, ended.items) == (6, 6, 2)
        assert (ended.created, ended.updated, ended.unchanged) == (2, 0, 0)
        assert ended.attempts == 1 and ended.bad_row_count == 0
        assert ended.finished_at >= ended.started_at
        assert "Events added: 10" in ended.summary_lines
        assert Ticket.objects.count() == 2
        assert cache.get(progress_key(run.pk)) is None

    def test_it_records_every_bad_row_with_its_column_and_value(self, import_root):
        ended = import_run_execute(run_id=queued(BAD).pk, runner=run_tickets)
        assert ended.state == ImportState.REFUSED
        assert ended.bad_row_count == 3
        assert [r["line"] for r in ended.bad_rows] == [3, 4, 5]
        assert ended.bad_rows[0]["column"] == "Change Date+Time"
        assert ended.bad_rows[0]["value"] == "yesterday"
        assert Ticket.objects.count() == 0

    def test_it_keeps_the_first_thousand_bad_rows_and_counts_them_all(self, import_root):
        rows = "".join(
            f"T-{n},someday,Accepted,In Progress,V30,Ann,Medium,PROD1,Org A\n" for n in range(1500)
        )
        ended = import_run_execute(run_id=queued(HEADER + rows).pk, runner=run_tickets)
        assert ended.bad_row_count == 1500
        assert len(ended.bad_rows) == ImportRun.STORED_BAD_ROWS
        assert ended.hidden_bad_rows == 500

    def test_a_nul_byte_or_a_huge_value_is_stored_readably(self):
        row = imports.bad_row_json(
            type("E", (), {"line": 2, "column": "A", "value": "x\x00" + "y" * 5000, "reason": "r"})
        )
        assert "\x00" not in row["value"] and row["value"].startswith("x\\x00y")
        assert row["value"].endswith("(5,002 characters)")

    def test_a_dry_run_counts_and_writes_nothing(self, import_root, table_writes):
        run = queued(V1, dry_run=True)
        before = table_writes(*TICKET_TABLES)
        ended = import_run_execute(run_id=run.pk, runner=run_tickets)
        assert (ended.state, ended.created) == (ImportState.SUCCEEDED, 2)
        assert table_writes(*TICKET_TABLES) == before

    def test_a_refused_file_writes_nothing_at_all(self, import_root, table_writes):
        # Rows written and rolled back count too: the first pass must not write at all.
        run = queued(BAD)
        before = table_writes(*TICKET_TABLES)
        import_run_execute(run_id=run.pk, runner=run_tickets)
        assert table_writes(*TICKET_TABLES) == before

    def test_the_counter_sees_writes_that_were_rolled_back(self, import_root, table_writes):
        # The check above would catch the old write-then-roll-back import.
        from django.db import transaction

        before = table_writes(Queue)
        with pytest.raises(RuntimeError), transaction.atomic():
            Queue.objects.create(name="Gone", slug="gone")
            raise RuntimeError
        assert table_writes(Queue)["servicedesk_queue"][0] == before["servicedesk_queue"][0] + 1

    def test_a_finished_run_is_not_redone(self, import_root):
        run = queued(V1)
        import_run_execute(run_id=run.pk, runner=run_tickets)
        before = ImportRun.objects.values().get(pk=run.pk)
        assert import_run_execute(run_id=run.pk, runner=run_tickets) is None
        assert ImportRun.objects.values().get(pk=run.pk) == before
        assert Ticket.objects.count() == 2

    def test_a_missing_run_is_nothing_to_do(self):
        assert import_run_execute(run_id=123456, runner=run_tickets) is None

    def test_a_run_whose_worker_died_is_started_again(self, import_root):
        # What a redelivery finds after a worker was killed mid-import: running, attempt 1,
        # and no lock (PostgreSQL released it, and rolled back the writes, with the connection).
        run = queued(V1)
        ImportRun.objects.filter(pk=run.pk).update(state=ImportState.RUNNING, attempts=1)
        ended = import_run_execute(run_id=run.pk, runner=run_tickets)
        assert (ended.state, ended.attempts, ended.created) == (ImportState.SUCCEEDED, 2, 2)

    def test_it_gives_up_after_the_worker_died_too_often(self, import_root):
        run = queued(V1)
        ImportRun.objects.filter(pk=run.pk).update(state=ImportState.RUNNING, attempts=MAX_ATTEMPTS)
        ended = import_run_execute(run_id=run.pk, runner=run_tickets)
        assert ended.state == ImportState.FAILED
        assert ended.error == GAVE_UP.format(attempts=MAX_ATTEMPTS)
        assert Ticket.objects.count() == 0

    def test_a_run_another_worker_holds_is_left_alone(self, import_root):
        run = queued(V1)
        other = psycopg.connect(**_dsn())
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_lock(%s, %s)", (ADVISORY_LOCK_CLASS, run.pk % 2**31)
                )
            assert import_run_execute(run_id=run.pk, runner=run_tickets) is None
        finally:
            other.close()
        run.refresh_from_db()
        assert (run.state, run.attempts) == (ImportState.QUEUED, 0)

    def test_a_refused_file_says_why(self, import_root):
        def refuse(**kwargs):
            raise ImportRefused("cannot read export.csv.gz: truncated")

        ended = import_run_execute(run_id=queued(V1).pk, runner=refuse)
        assert (ended.state, ended.error) == (
            ImportState.REFUSED,
            "cannot read export.csv.gz: truncated",
        )

    def test_a_crash_is_recorded_as_failed(self, import_root):
        def crash(**kwargs):
            raise KeyError("boom")

        ended = import_run_execute(run_id=queued(V1).pk, runner=crash)
        assert ended.state == ImportState.FAILED
        assert ended.error == CRASHED.format(error="KeyError('boom')")

    def test_a_soft_time_limit_is_recorded_as_failed(self, import_root):
        def slow(**kwargs):
            raise SoftTimeLimitExceeded

        ended = import_run_execute(run_id=queued(V1).pk, runner=slow)
        assert ended.error == TIMED_OUT.format(seconds=settings.IMPORT_TASK_SOFT_TIME_LIMIT)

    def test_progress_reaches_the_cache_while_it_runs(self, import_root):
        seen = []

        def runner(*, run, progress):
            progress("checking", 1000, None, items=10)
            seen.append(cache.get(progress_key(run.pk)))
            return ImportOutcome(rows=1000, items=10)

        import_run_execute(run_id=queued(V1).pk, runner=runner)
        assert seen[0].pop("at") is not None
        assert seen == [
            {"phase": "checking", "rows": 1000, "total": None, "share": None, "items": 10}
        ]

    def test_a_run_silent_for_minutes_is_shown_as_stalled(self, import_root):
        from datetime import timedelta

        from django.utils import timezone

        from hackperf.imports import STALLED_AFTER, import_run_progress, import_run_stalled

        run = queued(V1)
        now = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportState.RUNNING, attempts=1, started_at=now - timedelta(minutes=10)
        )
        run.refresh_from_db()
        cache.set(progress_key(run.pk), {"phase": "writing", "rows": 5, "at": now})
        assert not import_run_stalled(run, import_run_progress(run), now=now)
        later = now + STALLED_AFTER + timedelta(seconds=1)
        assert import_run_stalled(run, import_run_progress(run), now=later)
        cache.delete(progress_key(run.pk))  # the worker died before its first report
        assert import_run_stalled(run, import_run_progress(run), now=now)

    def test_the_stored_file_gone_is_a_refusal(self, import_root):
        run = queued(V1)
        Path(run.stored_path).unlink()
        ended = import_run_execute(run_id=run.pk, runner=run_tickets)
        assert ended.state == ImportState.REFUSED and "no longer there" in ended.error


@pytest.mark.django_db
class TaskTests:
    def test_it_is_acknowledged_late_with_long_time_limits(self):
        assert tickets_import_run.acks_late is True
        assert tickets_import_run.soft_time_limit == settings.IMPORT_TASK_SOFT_TIME_LIMIT
        assert tickets_import_run.time_limit == settings.IMPORT_TASK_TIME_LIMIT
        assert (
            settings.IMPORT_TASK_TIME_LIMIT
            < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        )

    def test_running_it_twice_changes_nothing_the_second_time(self, import_root):
        run = queued(V1)
        tickets_import_run.run(run.pk)
        after_first = (list(ImportRun.objects.values()), Ticket.objects.count())
        tickets_import_run.run(run.pk)
        assert (list(ImportRun.objects.values()), Ticket.objects.count()) == after_first


@pytest.mark.django_db(transaction=True)
class WorkerTests:
    def test_a_real_worker_imports_a_queued_run(self, import_root):
        run = queued(V1)
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            tickets_import_run.delay(run.pk)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                run.refresh_from_db()
                if run.is_finished:
                    break
                time.sleep(0.2)
        assert run.state == ImportState.SUCCEEDED
        assert Ticket.objects.count() == 2


class ProgressPrinterTests:
    def test_off_a_terminal_it_prints_plain_lines(self):
        from io import StringIO

        out = StringIO()
        printer = ProgressPrinter(out, tty=False, every=3600)
        printer({"phase": "checking", "rows": 1000, "total": None, "share": 0.5})
        printer({"phase": "checking", "rows": 2000, "total": 2000, "share": 1.0})
        assert out.getvalue().splitlines()[0].startswith("Checking every row: 2,000 of 2,000")

    def test_on_a_terminal_it_redraws_a_bar(self):
        from io import StringIO

        out = StringIO()
        printer = ProgressPrinter(out, tty=True)
        printer({"phase": "writing", "rows": 500, "total": 2000, "share": 0.25})
        text = out.getvalue()
        assert text.startswith("\rWriting") and "[" + "#" * 8 + "." * 22 + "]" in text
        assert "500 of 2,000 rows" in text


def _dsn() -> dict:
    db = connection.settings_dict
    return {
        "dbname": db["NAME"],
        "user": db["USER"],
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "password": db["PASSWORD"],
    }


@pytest.mark.django_db
class SweepTests:
    """A run whose message was lost (the broker was down at upload) is queued again by the
    beat sweep, then given up with the reason; the run page says so."""

    def test_a_run_left_queued_is_queued_again_and_then_imported(
        self, import_root, django_capture_on_commit_callbacks, monkeypatch
    ):
        sent: list[int] = []
        monkeypatch.setattr(tickets_import_run, "delay", sent.append)
        now = timezone.now()
        run = queued(V1, now=now - timedelta(seconds=settings.IMPORT_QUEUED_REQUEUE_AFTER + 1))
        with django_capture_on_commit_callbacks(execute=True):
            outcome = import_runs_sweep(now=now)
        assert (outcome.requeued, outcome.failed, sent) == ([run.pk], [], [run.pk])
        run.refresh_from_db()
        assert (run.state, run.requeued_count, run.requeued_at) == (ImportState.QUEUED, 1, now)
        tickets_import_run.run(*sent)  # the worker, once the message reaches it
        run.refresh_from_db()
        assert run.state == ImportState.SUCCEEDED
        assert Ticket.objects.count() == 2

    def test_a_broker_still_down_is_logged_and_tried_again_next_time(
        self, import_root, django_capture_on_commit_callbacks, monkeypatch, caplog
    ):
        def down(*args):
            raise OSError("Connection refused")

        monkeypatch.setattr(tickets_import_run, "delay", down)
        now = timezone.now()
        again = timedelta(seconds=settings.IMPORT_QUEUED_REQUEUE_AFTER)
        run = queued(V1, now=now - again - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert import_runs_sweep(now=now).requeued == [run.pk]
        assert "is the broker (Redis) running?" in caplog.text
        sent: list[int] = []
        monkeypatch.setattr(tickets_import_run, "delay", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            assert import_runs_sweep(now=now + again * 2).requeued == [run.pk]
        assert sent == [run.pk]

    def test_it_is_queued_again_once_an_interval_while_no_worker_takes_it(
        self, import_root, django_capture_on_commit_callbacks
    ):
        now = timezone.now()
        again = timedelta(seconds=settings.IMPORT_QUEUED_REQUEUE_AFTER)
        run = queued(V1, now=now - again - timedelta(seconds=1))
        # No worker: the captured callbacks (the enqueueing) are not run.
        with django_capture_on_commit_callbacks() as callbacks:
            assert import_runs_sweep(now=now).requeued == [run.pk]
            before = list(ImportRun.objects.values())
            assert import_runs_sweep(now=now + again / 2).requeued == []  # too soon
            assert list(ImportRun.objects.values()) == before
            assert import_runs_sweep(now=now + again * 2).requeued == [run.pk]
        assert len(callbacks) == 2
        run.refresh_from_db()
        assert (run.state, run.requeued_count) == (ImportState.QUEUED, 2)

    def test_a_fresh_or_taken_run_is_left_alone(self, import_root):
        now = timezone.now()
        fresh = queued(V1, now=now)
        taken = queued(V1, now=now - timedelta(days=2))
        ImportRun.objects.filter(pk=taken.pk).update(state=ImportState.RUNNING, started_at=now)
        before = list(ImportRun.objects.values())
        outcome = import_runs_sweep(now=now)
        assert (outcome.requeued, outcome.failed) == ([], [])
        assert list(ImportRun.objects.values()) == before
        assert fresh.pk not in outcome.requeued

    def test_a_run_queued_too_long_is_failed_with_the_reason(self, import_root, table_writes):
        now = timezone.now()
        run = queued(V1, now=now - timedelta(seconds=settings.IMPORT_QUEUED_GIVE_UP_AFTER + 1))
        ImportRun.objects.filter(pk=run.pk).update(requeued_count=3)
        before = table_writes(*TICKET_TABLES)
        outcome = import_runs_sweep(now=now)
        assert (outcome.requeued, outcome.failed) == ([], [run.pk])
        run.refresh_from_db()
        assert run.state == ImportState.FAILED
        assert run.error == NEVER_STARTED.format(
            hours=round(settings.IMPORT_QUEUED_GIVE_UP_AFTER / 3600), requeued=3
        )
        assert run.finished_at == now
        # A message that turns up after all finds the run finished and does nothing.
        assert import_run_execute(run_id=run.pk, runner=run_tickets) is None
        assert table_writes(*TICKET_TABLES) == before
        assert import_runs_sweep(now=now + timedelta(hours=1)).failed == []

    def test_the_run_page_says_it_was_queued_again(self, import_root, client_as):
        now = timezone.now()
        run = queued(V1, now=now - timedelta(hours=1))
        ImportRun.objects.filter(pk=run.pk).update(requeued_count=2, requeued_at=now)
        page = client_as(Role.DMT).get(reverse("import_run_detail", args=[run.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert 'id="import-requeued"' in text
        assert "Queued again automatically 2 times" in text

    def test_beat_runs_the_sweep_and_the_clean_up(self):
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert {"hackperf.tasks.sweep_import_runs", "hackperf.tasks.delete_old_uploads"} <= tasks
        for name in ("hackperf.tasks.sweep_import_runs", "hackperf.tasks.delete_old_uploads"):
            assert name in app.tasks
        assert set(imports.IMPORT_TASKS.values()) <= set(app.tasks)


@pytest.mark.django_db
class UploadCleanUpTests:
    """An upload's stored file is deleted IMPORT_UPLOAD_KEEP_DAYS after its import finished;
    the run, with the file's name, size and SHA-256, is kept."""

    def finished(self, days_ago: float, *, text: str = V1) -> ImportRun:
        run = queued(text)
        at = timezone.now() - timedelta(days=days_ago)
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportState.SUCCEEDED, started_at=at, finished_at=at
        )
        run.refresh_from_db()
        return run

    def test_an_old_upload_is_deleted_and_its_record_kept(self, import_root, client_as):
        keep = settings.IMPORT_UPLOAD_KEEP_DAYS
        old, recent = self.finished(keep + 0.5), self.finished(keep - 0.5)
        now = timezone.now()
        assert import_uploads_delete(now=now) == [old.pk]
        assert not Path(old.stored_path).exists()
        assert Path(recent.stored_path).exists()
        old.refresh_from_db()
        assert old.file_deleted_at == now
        assert old.sha256 == hashlib.sha256(V1.encode()).hexdigest()
        assert old.state == ImportState.SUCCEEDED
        page = client_as(Role.DMT).get(reverse("import_run_detail", args=[old.pk]))
        text = page.content.decode()
        assert 'id="import-file-deleted"' in text and old.sha256 in text
        assert f"kept for {keep} days" in text

    def test_running_it_again_changes_nothing(self, import_root):
        old = self.finished(settings.IMPORT_UPLOAD_KEEP_DAYS + 1)
        Path(old.stored_path).unlink()  # already gone: not an error
        assert import_uploads_delete() == [old.pk]
        before = list(ImportRun.objects.values())
        assert import_uploads_delete() == []
        assert list(ImportRun.objects.values()) == before

    def test_a_running_or_queued_runs_file_is_kept(self, import_root):
        run = queued(V1, now=timezone.now() - timedelta(days=400))
        assert import_uploads_delete() == []
        assert Path(run.stored_path).exists()

    def test_a_command_line_file_is_never_deleted(self, import_root, tmp_path):
        own = tmp_path / "mine.csv"
        own.write_text(V1)
        run = self.finished(settings.IMPORT_UPLOAD_KEEP_DAYS + 1)
        ImportRun.objects.filter(pk=run.pk).update(stored_path=str(own))
        sneaky = self.finished(settings.IMPORT_UPLOAD_KEEP_DAYS + 1)
        ImportRun.objects.filter(pk=sneaky.pk).update(stored_path=f"{import_root}/../{own.name}")
        assert import_uploads_delete() == []
        assert own.exists()
