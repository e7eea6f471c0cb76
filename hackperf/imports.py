"""Import runs: keep an uploaded export, run its import as a job, record what came of it.

Ticket and case imports share this (DESIGN.md: what more than one app needs lives in
``hackperf``). Each app gives a *runner*, a function that imports one run's file and returns
an :class:`ImportOutcome`; its Celery task calls :func:`import_run_execute` with it, and so do
the ``import_tickets`` and ``import_cases`` commands, in their own process.

* **Files.** :func:`import_file_store` streams an upload into ``IMPORT_ROOT`` under a name
  of our own (the browser's name is only shown), hashing it on the way.
* **Idempotent on redelivery** (tasks are acknowledged late): a finished run is never redone.
  A worker holds a PostgreSQL advisory lock on its run for as long as it imports it; the lock
  goes with the worker's connection, so a redelivered run whose lock is free was left by a
  worker that died, and its import is *resumed*: started again from the first row. That is
  safe because an import writes in one transaction, which PostgreSQL rolled back when the
  connection dropped. A run whose lock is held is being imported: the copy returns at once.
  After ``MAX_ATTEMPTS`` starts the run is marked failed instead, so a file that kills its
  worker (memory, the hard time limit) cannot crash-loop.
* **Progress** goes to the cache, not the database: an import writes inside one
  transaction, whose updates nobody else sees until it commits. The progress page reads the
  run and its cache entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final, Protocol

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from hackperf.choices import ImportKind, ImportState
from hackperf.importing.mapping import M, MappingError, Mappings
from hackperf.models import ImportRun
from hackperf.saving import validated_save

logger = logging.getLogger(__name__)

MAX_ATTEMPTS: Final = 3
PROGRESS_INTERVAL: Final = 0.5
"""Seconds between two progress writes to the cache (the page polls every 2 s)."""
PROGRESS_TIMEOUT: Final = 24 * 3600
ADVISORY_LOCK_CLASS: Final = 0x494D  # "IM": the first key of pg_try_advisory_lock(int, int)
SAFE_SUFFIXES: Final = (".csv.gz", ".tsv.gz", ".txt.gz", ".csv", ".tsv", ".txt", ".gz")
VALUE_SHOWN: Final = 200
"""Characters of a bad value kept on the run (a bad value may be a 200,000-character field)."""

# Messages (tests reuse them).
GAVE_UP = (
    "The worker stopped {attempts} times while importing this file (out of memory, or over "
    "the hard time limit), so it was not tried again. Nothing was written."
)
TIMED_OUT = (
    "The import took longer than {seconds:,} seconds (IMPORT_TASK_SOFT_TIME_LIMIT) and was "
    "stopped. Nothing was written."
)
CRASHED = "The import stopped with an error, and nothing was written: {error}"
FILE_GONE = "The stored file {name} is no longer there, so it cannot be imported."
NEVER_STARTED = (
    "No worker took this import up in {hours:,} hours, though it was queued again "
    "{requeued} time(s) (the job queue, Redis, was probably down), so it was given up. "
    "Nothing was written: upload the file again."
)

IMPORT_TASKS: Final[dict[str, str]] = {
    ImportKind.TICKETS: "servicedesk.tasks.tickets_import_run",
    ImportKind.CASES: "infogov.tasks.cases_import_run",
}
"""The Celery task that imports each kind of run, by name: hackperf imports neither app."""


class ImportRefused(Exception):
    """The whole file is refused for one reason (it cannot be read, its mapping is bad)."""


class BadRow(Protocol):
    line: int
    reason: str


@dataclass
class ImportOutcome:
    """What a runner did with a run's file (or, for a dry run or a refusal, would have done)."""

    rows: int = 0
    items: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    errors: Sequence[Any] = ()
    error_count: int | None = None
    """All the bad rows, when ``errors`` holds only the first of them; else len(errors)."""
    lines: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The tallies an :class:`ImportRun` records, under the names it records them by."""
        return {name: getattr(self, name) for name in ("items", "created", "updated", "unchanged")}


Runner = Callable[..., ImportOutcome]
"""``runner(*, run: ImportRun, progress: Progress) -> ImportOutcome``."""


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str
    size: int
    sha256: str

    def run_fields(self) -> dict[str, Any]:
        """The :class:`ImportRun` fields that say which file it reads."""
        return {
            "file_name": self.name,
            "stored_path": str(self.path),
            "file_size": self.size,
            "sha256": self.sha256,
        }


def safe_suffix(name: str) -> str:
    """The upload's suffix when it is one we expect (``.csv.gz``…), else none at all."""
    lowered = name.lower()
    return next((s for s in SAFE_SUFFIXES if lowered.endswith(s)), "")


def import_file_store(*, chunks: Iterable[bytes], name: str, now=None) -> StoredFile:
    """Stream an upload into ``IMPORT_ROOT/<year>/<month>/<random>.<suffix>``, hashing it.

    The stored name is ours (a random UUID and a known suffix): the browser's name is kept
    only for display, so no name can reach outside the folder or clash with another upload.
    """
    now = now or timezone.now()
    folder = Path(settings.IMPORT_ROOT) / f"{now:%Y}" / f"{now:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{safe_suffix(name)}"
    digest = hashlib.sha256()
    size = 0
    with path.open("xb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return StoredFile(path=path, name=Path(name).name[:255], size=size, sha256=digest.hexdigest())


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file on disk (the command line's file, not copied)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


def import_run_create(
    *,
    kind: str,
    stored: StoredFile,
    mapping_name: str,
    mapping_preset: str = "",
    mapping_toml: str = "",
    dry_run: bool = False,
    user=None,
    actor_name: str = "",
    now=None,
) -> ImportRun:
    """Record a queued import of a stored file (the caller queues its task on commit)."""
    if user is not None and not actor_name:
        actor_name = user.get_full_name() or user.get_username()
    return validated_save(
        ImportRun(
            kind=kind,
            created_by=user,
            created_by_name=actor_name[:200],
            created_at=now or timezone.now(),
            **stored.run_fields(),
            mapping_name=mapping_name[:200],
            mapping_preset=mapping_preset,
            mapping_toml=mapping_toml,
            dry_run=dry_run,
        )
    )


def import_run_mapping(run: ImportRun, mappings: Mappings[M]) -> M:
    """The run's mapping: its preset, or the TOML it was given (checked again, as it was)."""
    try:
        if run.mapping_preset:
            return mappings.load(run.mapping_preset)
        return mappings.from_text(run.mapping_toml, source=run.mapping_name)
    except MappingError as e:
        raise ImportRefused(str(e)) from e


def import_run_path(run: ImportRun) -> Path:
    """The run's stored file, which a runner imports (refused when it has been deleted)."""
    path = Path(run.stored_path)
    if not path.is_file():
        raise ImportRefused(FILE_GONE.format(name=run.file_name))
    return path


def progress_key(run_id: int) -> str:
    return f"hackperf:import-run:{run_id}:progress"


class Progress:
    """Passes an import's progress to the cache (at most every ``PROGRESS_INTERVAL`` s) and
    to ``also`` (the command line's bar) on every call.

    ``position``, if given, says what share of the file has been read (0 to 1): before the
    first pass ends the number of rows is not known, but how far into the file it is, is.
    """

    def __init__(
        self,
        run_id: int,
        *,
        position: Callable[[], float] | None = None,
        also: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.run_id = run_id
        self.position = position
        self.also = also
        self.phase = ""
        self.last = 0.0

    def __call__(
        self, phase: str, rows: int, total: int | None, *, items: int | None = None
    ) -> None:
        if total:
            share: float | None = min(1.0, rows / total)
        elif total is None and self.position is not None:
            share = self.position()
        else:
            share = None
        state = {"phase": phase, "rows": rows, "total": total, "share": share, "items": items}
        if self.also is not None:
            self.also(state)
        now = time.monotonic()
        if phase == self.phase and now - self.last < PROGRESS_INTERVAL:
            return
        self.phase, self.last = phase, now
        state["at"] = timezone.now()
        cache.set(progress_key(self.run_id), state, timeout=PROGRESS_TIMEOUT)


PHASE_LABELS: Final = {"checking": "Checking every row", "writing": "Writing"}


class ProgressPrinter:
    """The command line's progress: a bar redrawn in place on a terminal, else a plain line
    every ``every`` seconds and at the end of each pass (for logs and cron mail)."""

    def __init__(self, stream: Any, *, tty: bool | None = None, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every = every
        self.phase = ""
        self.last = 0.0
        self.started = time.monotonic()

    def __call__(self, state: dict[str, Any]) -> None:
        phase, rows, total, share = state["phase"], state["rows"], state["total"], state["share"]
        now = time.monotonic()
        new_phase = phase != self.phase
        if new_phase:
            if self.phase and self.tty:
                self.stream.write("\n")
            # A terminal draws the bar at once; a log gets its first line ``every`` seconds
            # in (and one at the end of the pass), not whenever the machine's clock says.
            self.phase, self.started = phase, now
            self.last = 0.0 if self.tty else now
        done = total is not None and rows >= total
        if not (self.tty or done or now - self.last >= self.every):
            return
        if self.tty and not done and now - self.last < 0.1:
            return  # a terminal redraws at most ten times a second
        self.last = now
        label = PHASE_LABELS.get(phase, phase)
        counted = f"{rows:,} of {total:,} rows" if total is not None else f"{rows:,} rows"
        percent = f"{share:4.0%}" if share is not None else "  ? "
        elapsed = f"{now - self.started:,.1f} s"
        if self.tty:
            width = 30
            filled = round(width * (share or 0))
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r{label:<18} [{bar}] {percent} {counted}, {elapsed}\x1b[K")
            if done:
                self.stream.write("\n")
                self.phase = ""
            self.stream.flush()
        else:
            self.stream.write(f"{label}: {counted} ({percent.strip()}), {elapsed}\n")


STALLED_AFTER: Final = timedelta(minutes=2)
"""A running import reports at least every 1,000 rows; this long without a word, its worker
has probably stopped (the broker redelivers the task when its visibility timeout ends)."""


def import_run_stalled(run: ImportRun, progress: dict[str, Any], *, now) -> bool:
    last = progress.get("at") or run.started_at
    return run.state == ImportState.RUNNING and last is not None and now - last > STALLED_AFTER


def import_run_progress(run: ImportRun) -> dict[str, Any]:
    """A running import's progress: its pass, rows read, rows in the file (once known), the
    share of the file read, and when it was last reported (``at``); from the cache while it
    runs, from the run once it has finished."""
    live = cache.get(progress_key(run.pk)) if run.state == ImportState.RUNNING else None
    if live:
        return live
    return {
        "at": run.started_at,
        "phase": run.phase,
        "rows": run.rows_read,
        "total": run.rows_total,
        "share": None,
        "items": run.items if run.is_finished else None,
    }


@contextlib.contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    """Hold PostgreSQL's advisory lock on the run for as long as this worker imports it;
    yields whether it was free. Released at the end, or by PostgreSQL if the worker dies."""
    if connection.vendor != "postgresql":
        yield True  # SQLite (make run): one worker, nothing to race
        return
    key = (ADVISORY_LOCK_CLASS, run_id % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def import_run_execute(
    *,
    run_id: int,
    runner: Runner,
    also: Callable[[dict[str, Any]], None] | None = None,
    position: Callable[[], float] | None = None,
) -> ImportRun | None:
    """Claim a run, import its file with ``runner``, and record the outcome.

    Returns the run as it ended, or None when there was nothing to do: no such run, already
    finished, or being imported by another worker now.
    """
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.is_finished:
        return None
    with _run_lock(run_id) as free:
        if not free:
            return None
        run.refresh_from_db()
        if run.is_finished:
            return None
        if run.attempts >= MAX_ATTEMPTS:
            # Each earlier start ended with its worker gone: its transaction was rolled back.
            return _finish(run, ImportState.FAILED, error=GAVE_UP.format(attempts=run.attempts))
        started = timezone.now()
        claimed = ImportRun.objects.filter(
            pk=run_id, state__in=(ImportState.QUEUED, ImportState.RUNNING), attempts=run.attempts
        ).update(
            state=ImportState.RUNNING,
            attempts=F("attempts") + 1,
            started_at=started,
            phase="",
            rows_read=0,
            rows_total=None,
            error="",
        )
        if not claimed:
            return None
        run.refresh_from_db()
        cache.delete(progress_key(run_id))
        progress = Progress(run_id, position=position, also=also)
        try:
            outcome = runner(run=run, progress=progress)
        except ImportRefused as e:
            return _finish(run, ImportState.REFUSED, error=str(e))
        except SoftTimeLimitExceeded:
            return _finish(
                run,
                ImportState.FAILED,
                error=TIMED_OUT.format(seconds=settings.IMPORT_TASK_SOFT_TIME_LIMIT),
            )
        except Exception as e:  # noqa: BLE001 - recorded on the run, which is where people look
            logger.exception("import run %s failed", run_id)
            return _finish(run, ImportState.FAILED, error=CRASHED.format(error=f"{e!r}"))
        return _record(run, outcome)


def _record(run: ImportRun, outcome: ImportOutcome) -> ImportRun:
    bad: list[dict[str, Any]] = []
    seen = 0
    for error in outcome.errors:
        seen += 1
        if len(bad) < ImportRun.STORED_BAD_ROWS:
            bad.append(bad_row_json(error))
    count = outcome.error_count if outcome.error_count is not None else seen
    state = ImportState.REFUSED if count else ImportState.SUCCEEDED
    return _finish(
        run,
        state,
        rows_read=outcome.rows,
        rows_total=outcome.rows,
        **outcome.counts(),
        summary_lines=outcome.lines,
        bad_rows=bad,
        bad_row_count=count,
    )


def _finish(run: ImportRun, state: str, **fields: Any) -> ImportRun:
    now = timezone.now()
    fields.update(state=state, phase="", finished_at=now)
    if run.started_at is None:
        fields["started_at"] = now
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=list(fields))
    cache.delete(progress_key(run.pk))
    return run


def _text(value: Any) -> str | None:
    """Text PostgreSQL can store in JSON: NUL written out, very long values cut (and said)."""
    if value is None:
        return None
    raw = str(value)
    text = raw.replace("\x00", "\\x00")
    if len(text) > VALUE_SHOWN:
        text = f"{text[:VALUE_SHOWN]}… ({len(raw):,} characters)"
    return text


def bad_row_json(error: Any) -> dict[str, Any]:
    """A bad row (``hackperf.importing.rows.RowError``) as stored on the run."""
    reason = str(getattr(error, "reason", error)).replace("\x00", "\\x00")
    return {
        "line": getattr(error, "line", None),
        "column": _text(getattr(error, "column", None)),
        "value": _text(getattr(error, "value", None)),
        "reason": reason[:2000],
    }


# ---------------------------------------------------------------------------------------------
# Housekeeping (beat: hackperf.tasks.sweep_import_runs, delete_old_uploads)
# ---------------------------------------------------------------------------------------------


@dataclass
class SweepOutcome:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def import_runs_sweep(*, now=None) -> SweepOutcome:
    """Queue again the runs still queued ``IMPORT_QUEUED_REQUEUE_AFTER`` seconds after they
    were queued (or last queued again), and fail, with the reason, those still queued
    ``IMPORT_QUEUED_GIVE_UP_AFTER`` seconds after they were queued.

    Why: an upload is saved first and its task queued on commit, so when the broker is down
    the run is saved but its message is lost (``hackperf.tasks.enqueue_on_commit`` logs it),
    and nothing would ever take it up. Each run is claimed with a conditional UPDATE, as a
    worker claims it, so a sweep and a worker (or two sweeps) never both act on one run.
    """
    from hackperf.celery import app
    from hackperf.tasks import enqueue_on_commit

    now = now or timezone.now()
    again = timedelta(seconds=settings.IMPORT_QUEUED_REQUEUE_AFTER)
    give_up = timedelta(seconds=settings.IMPORT_QUEUED_GIVE_UP_AFTER)
    outcome = SweepOutcome()
    queued = ImportRun.objects.filter(state=ImportState.QUEUED)
    for pk, requeued in queued.filter(created_at__lt=now - give_up).values_list(
        "pk", "requeued_count"
    ):
        error = NEVER_STARTED.format(hours=round(give_up.total_seconds() / 3600), requeued=requeued)
        if queued.filter(pk=pk).update(
            state=ImportState.FAILED, error=error, started_at=now, finished_at=now, phase=""
        ):
            outcome.failed.append(pk)
    stale = queued.filter(created_at__lt=now - again).filter(
        Q(requeued_at__isnull=True) | Q(requeued_at__lt=now - again)
    )
    for pk, kind, last in stale.values_list("pk", "kind", "requeued_at"):
        if queued.filter(pk=pk, requeued_at=last).update(
            requeued_at=now, requeued_count=F("requeued_count") + 1
        ):
            enqueue_on_commit(app.tasks[IMPORT_TASKS[kind]], pk)
            outcome.requeued.append(pk)
    if outcome.requeued or outcome.failed:
        logger.warning(
            "import runs queued again: %s; given up: %s", outcome.requeued, outcome.failed
        )
    return outcome


def import_uploads_delete(*, now=None) -> list[int]:
    """Delete the stored files of uploads whose import finished ``IMPORT_UPLOAD_KEEP_DAYS``
    ago or more; the runs that lost their file.

    Why: every upload is kept under ``IMPORT_ROOT`` for its worker, and a year of exports
    would fill the disk. The run stays, with the file's name, size and SHA-256, so what was
    imported can still be told and a copy matched to it. Only files under ``IMPORT_ROOT``
    are deleted: a command-line import's path is its owner's own file.
    """
    now = now or timezone.now()
    root = Path(settings.IMPORT_ROOT)
    old = ImportRun.objects.filter(
        finished_at__lte=now - timedelta(days=settings.IMPORT_UPLOAD_KEEP_DAYS),
        file_deleted_at__isnull=True,
        stored_path__startswith=f"{root}/",
    )
    deleted = []
    for pk, stored in old.values_list("pk", "stored_path"):
        path = Path(stored)
        if not path.resolve().is_relative_to(root.resolve()):
            continue  # a name that climbs out of the folder: not one of ours
        path.unlink(missing_ok=True)
        ImportRun.objects.filter(pk=pk).update(file_deleted_at=now)
        deleted.append(pk)
    return deleted
