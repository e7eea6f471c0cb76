"""Benchmarks of the service desk (see ``hackperf.bench``): issue 3's figures.

* ``bench_import`` writes a synthetic audit log shaped like BPI 2013 (the same columns,
  statuses, offsets and rows per incident) to a temporary folder, imports it end to end with
  the ``bpic2013`` preset, and prints its rows per second and peak memory beside the ceiling:
  PostgreSQL's own ``COPY`` of the same file into a bare UNLOGGED table. It removes what it
  wrote, so the benchmark database is left as it was found.
* ``bench_import_uci`` does the same with the real UCI ServiceNow incident event log
  (``../shared/data/real/uci-incident-event-log/``, 141,712 rows) and its ``uci_servicenow``
  preset: rows per second end to end, the bare ``COPY`` of the same (gunzipped) file in the
  same run, their ratio, and peak memory for half the file and the whole.
* ``bench_queue_page`` and ``bench_fr_ict_17`` (in ``servicedesk.bench_pages``) run on
  1,000,000 demo tickets, seeded by the first benchmark that needs them (a few minutes, printed
  as a figure) and kept for later runs: queue pages at 10 and 10,000 open tickets (the same
  query count), the overview, FR ICT 17 for a month and the DMT snapshot figures.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from hackperf.bench import Figure
from hackperf.copy import copy_file
from hackperf.planning import serial_plans
from servicedesk.bench_pages import (  # noqa: F401 (found by name)
    bench_fr_ict_17,
    bench_home_and_search,
    bench_queue_page,
    bench_queue_page_growth,
)
from servicedesk.importers import load_mapping
from servicedesk.importers.writer import tickets_import

IMPORT_ROWS = 200_000
PREFIX = "BENCH-"
BRUSSELS = ZoneInfo("Europe/Brussels")
HEADER = (
    "SR Number",
    "Change Date+Time",
    "Status",
    "Sub Status",
    "Involved ST",
    "Involved ST Function Div",
    "Involved Org line 3",
    "Owner First Name",
    "Owner Country",
    "Country",
    "SR Latest Impact",
    "Product",
)
OWNERS = ("Frederic", "Anne Claire", "Siebe", "Pierre", "Marcelo", "Eva", "Jonas", "Sofia")
IMPACTS = (("Medium", 60), ("Low", 25), ("High", 13), ("Major", 2))


def synthetic_log(path: Path, *, rows: int, seed: int = 2013) -> int:
    """Write an audit log of about ``rows`` rows shaped like BPI 2013; return the row count.

    Each incident is queued in a team, taken in progress, sometimes passed to other teams and
    put on hold, updated a few times without change (as the real log is), then resolved and
    closed; about 8.7 rows an incident, as in the real log.
    """
    rng = random.Random(seed)
    start = datetime(2012, 1, 2, 8, 0, tzinfo=BRUSSELS)
    written = 0
    incident = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        while written < rows:
            incident += 1
            reference = f"{PREFIX}{incident:07d}"
            at = start + timedelta(minutes=incident * 7 + rng.randint(0, 6))
            team = f"{PREFIX}V{rng.randint(1, 40)}"
            impact = rng.choices([i for i, _ in IMPACTS], [w for _, w in IMPACTS])[0]
            product = f"{PREFIX}PROD{rng.randint(1, 300)}"
            owner = rng.choice(OWNERS)
            org = f"Org line {rng.choice('ABCG')}"
            steps = [("Queued", "Awaiting Assignment"), ("Accepted", "In Progress")]
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
                steps.append(("Queued", "Awaiting Assignment"))  # with a new team, below
                steps.append(("Accepted", "In Progress"))
            steps += [("Accepted", "In Progress")] * rng.randint(0, 3)  # updates, no change
            if rng.random() < 0.3:
                steps += [("Accepted", rng.choice(("Wait - User", "Wait - Vendor")))]
                steps += [("Accepted", "In Progress")]
            steps += [("Completed", "Resolved"), ("Completed", "Closed")]
            for status, sub in steps:
                if status == "Queued" and written and rng.random() < 0.9:
                    team = f"{PREFIX}V{rng.randint(1, 40)}"
                at += timedelta(minutes=rng.randint(1, 600), seconds=rng.randint(0, 59))
                out.writerow(
                    (
                        reference,
                        at.isoformat(),
                        status,
                        sub,
                        team,
                        "A2_4",
                        org,
                        owner,
                        "Belgium",
                        "be",
                        impact,
                        product,
                    )
                )
                written += 1
    return written


def _delete_tickets(cursor: Any, where: str, param: str) -> None:
    """Delete the tickets ``where`` picks, and their events and intervals first, in SQL (a
    statement a table: Django's collector would load every key)."""
    for table in ("servicedesk_ticketevent", "servicedesk_ticketinterval"):
        cursor.execute(
            f"DELETE FROM {table} WHERE ticket_id IN "  # noqa: S608
            f"(SELECT id FROM servicedesk_ticket WHERE {where})",
            [param],
        )
    cursor.execute(f"DELETE FROM servicedesk_ticket WHERE {where}", [param])  # noqa: S608


def _remove_bench_data() -> None:
    like = PREFIX + "%"
    with connection.cursor() as cursor:
        _delete_tickets(cursor, "reference LIKE %s", like)
        for table in ("servicedesk_queue", "servicedesk_category"):
            _delete_unreferenced(cursor, table, "name LIKE %s", like)


# The tables and columns whose foreign keys point at ``%s`` (from the catalogue).
_REFERENCES_SQL = """
    SELECT c.conrelid::regclass::text, a.attname
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.contype = 'f' AND c.confrelid = %s::regclass
"""


def _delete_unreferenced(cursor: Any, table: str, where: str, param: object) -> None:
    """Delete the bench's rows of ``table`` (those ``where`` picks) once nothing points at them.

    Why: the as-of queue and category columns of events and intervals are unindexed (no
    page reads them by key), so a plain DELETE of 300 categories made PostgreSQL scan
    millions of events once per deleted row and column to check the keys: more than eight
    minutes at 1,000,000 tickets. One scan per referencing table proves no row refers to
    them; the delete then skips the per-row checks (``session_replication_role``, as the
    importer does). Should any row still refer to them, the plain DELETE runs and fails on
    its key, as before.
    """
    if connection.vendor != "postgresql":
        cursor.execute(f"DELETE FROM {table} WHERE {where}", [param])  # noqa: S608
        return
    cursor.execute(f"SELECT array_agg(id) FROM {table} WHERE {where}", [param])  # noqa: S608
    (ids,) = cursor.fetchone()
    if not ids:
        return
    cursor.execute(_REFERENCES_SQL, [table])
    columns: dict[str, list[str]] = {}
    for referring, column in cursor.fetchall():
        columns.setdefault(referring, []).append(column)
    referred = False
    for referring, names in columns.items():
        where = " OR ".join(f"{name} = ANY(%s)" for name in names)
        params = [ids] * len(names)
        if referring == table:  # a category's parent: only the rows that stay count
            where, params = f"({where}) AND NOT id = ANY(%s)", [*params, ids]
        cursor.execute(f"SELECT EXISTS (SELECT FROM {referring} WHERE {where})", params)  # noqa: S608
        referred = referred or cursor.fetchone()[0]
    with transaction.atomic():
        if not referred:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])  # noqa: S608


def _copy_rate(path: Path, table: str, *, width: int, unlogged: bool = False) -> float:
    """Rows per second of PostgreSQL's COPY of the CSV file into ``table``, made for the
    measure (``width`` text columns, no indexes, no constraints) and dropped after."""
    columns = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE {'UNLOGGED ' if unlogged else ''}TABLE {table} ({columns})")
        started = time.perf_counter()
        with path.open(encoding="utf-8") as f:
            copy_file(cursor, table, f, options="FORMAT csv, HEADER")
        seconds = time.perf_counter() - started
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        (rows,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {table}")
    return rows / seconds


def _copy_ceiling(path: Path) -> float:
    """Rows per second of PostgreSQL's COPY of the file into a bare UNLOGGED table."""
    return _copy_rate(path, "bench_import_copy", width=len(HEADER), unlogged=True)


def _peak_memory(label: str, **import_args: Any) -> Figure:
    """Peak Python memory of one ``tickets_import(**import_args)``, in MB, by tracemalloc
    (which slows what it watches: a run of its own, never one that is also timed)."""
    tracemalloc.start()
    try:
        tickets_import(**import_args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Figure(f"{label} (tracemalloc)", peak / 1024 / 1024, "MB")


def bench_import() -> Iterator[Figure]:
    """Import a 200,000-row BPI 2013-shaped audit log end to end, beside the COPY ceiling."""
    if connection.vendor != "postgresql":
        return
    with tempfile.TemporaryDirectory(prefix="hackperf-bench-") as tmp:
        path = Path(tmp) / "audit_events.csv"
        rows = synthetic_log(path, rows=IMPORT_ROWS)
        _remove_bench_data()
        mapping = load_mapping("bpic2013")
        try:
            summary = tickets_import(source=path, mapping=mapping)
            assert not summary.errors, summary.errors[:5]
            yield Figure(
                f"import: {rows:,} audit-event rows ({summary.created:,} tickets, "
                f"{summary.events_added:,} events), end to end",
                summary.rows_per_second,
                "rows/s",
            )
            yield Figure(
                "import: PostgreSQL COPY of the same file into an UNLOGGED table (ceiling)",
                _copy_ceiling(path),
                "rows/s",
            )
            again = tickets_import(source=path, mapping=mapping)
            yield Figure(
                "import: the same file again (nothing changes)", again.rows_per_second, "rows/s"
            )
            # Memory, in runs of their own (tracemalloc slows the import it watches), for a
            # quarter of the file and the whole: flat means the same peak for both. The
            # process's max RSS cannot show it, having peaked earlier (the 1M-ticket seed).
            quarter = Path(tmp) / "audit_events_quarter.csv"
            quarter_rows = synthetic_log(quarter, rows=IMPORT_ROWS // 4)
            for source, count in ((quarter, quarter_rows), (path, rows)):
                _remove_bench_data()
                yield _peak_memory(
                    f"import: peak Python memory while importing {count:,} rows",
                    source=source,
                    mapping=mapping,
                )
        finally:
            _remove_bench_data()


UCI_LOG = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "data"
    / "real"
    / "uci-incident-event-log"
    / "incident_event_log.csv.gz"
)
_BUILT = ("servicedesk_ticket", "servicedesk_ticketevent", "servicedesk_ticketinterval")


def _vacuum() -> None:
    """VACUUM ANALYZE what an import builds: this PostgreSQL runs without autovacuum, so dead
    rows of a removal and stale statistics would otherwise skew the next run."""
    with connection.cursor() as cursor:
        for table in (*_BUILT, "servicedesk_queue", "servicedesk_category"):
            cursor.execute(f"VACUUM ANALYZE {table}")


UCI_REFERENCES = "^INC[0-9]+$"
"""The UCI log's references (INC0000045 and so on), as a PostgreSQL regular expression."""
IMPORT_GOAL = 50_000
"""Issue 9's goal for the UCI log, in rows per second end to end."""
_FLOOR_RUNS = 3
# Each table the import stores, its key to the ticket, and the order the import inserts in.
_STORED = (
    ("servicedesk_ticket", "id", "id"),
    ("servicedesk_ticketevent", "ticket_id", "ticket_id, sequence"),
    ("servicedesk_ticketinterval", "ticket_id", "ticket_id, started_at"),
)


def _remove_uci_data(first_queue: int, first_category: int) -> None:
    """Remove the UCI tickets (references INC0000045 and so on) and what their import made."""
    with connection.cursor() as cursor:
        _delete_tickets(cursor, "reference ~ %s", UCI_REFERENCES)
        _delete_unreferenced(cursor, "servicedesk_category", "id >= %s", first_category)
        _delete_unreferenced(cursor, "servicedesk_queue", "id >= %s", first_queue)


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
        (next_id,) = cursor.fetchone()
    return next_id


def _bare_copy(path: Path) -> float:
    """Rows per second of PostgreSQL's COPY of a CSV file into a bare table of text columns
    (no indexes, no constraints), as the import's anchor."""
    with path.open(encoding="utf-8", newline="") as f:
        width = len(next(csv.reader(f)))
    return _copy_rate(path, "bench_import_bare", width=width)


def _backend_cpu() -> float | None:
    """CPU seconds the import's PostgreSQL backend has used, from /proc when the server runs
    on this machine (None otherwise). Beside the Python process's own, it says which side
    limits an import on a machine whose other users make wall-clock time vary."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _write_floor() -> float:
    """Median seconds PostgreSQL takes to insert the rows an import of the UCI log stores
    (its tickets, events and intervals, already made) into the real tables, and nothing else.

    Why: the import must check every row of the file before it writes to these tables
    (all or nothing, and a refused file leaves no dead rows), so its time is at least the
    reading and checking plus this. The rows are those just imported, copied aside and
    removed; each run inserts them as the import's move does (in its order, per-row
    foreign-key checks skipped where allowed), in a transaction that is rolled back, so the
    tables' indexes and triggers (tallies, queue versions) do all their usual work. It leaves
    the UCI tickets removed.
    """
    with connection.cursor() as cursor:
        for table, key, _ in _STORED:
            cursor.execute(f"DROP TABLE IF EXISTS bench_floor_{table}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE bench_floor_{table} AS SELECT * FROM {table} "  # noqa: S608
                f"WHERE {key} IN (SELECT id FROM servicedesk_ticket WHERE reference ~ %s)",
                [UCI_REFERENCES],
            )
        _delete_tickets(cursor, "reference ~ %s", UCI_REFERENCES)
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (replica,) = cursor.fetchone()
    runs = []
    try:
        for _ in range(_FLOOR_RUNS):
            _vacuum()
            with transaction.atomic(), connection.cursor() as cursor:
                if replica:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                started = time.perf_counter()
                for table, _, order in _STORED:
                    cursor.execute(
                        f"INSERT INTO {table} SELECT * FROM bench_floor_{table} "  # noqa: S608
                        f"ORDER BY {order}"
                    )
                runs.append(time.perf_counter() - started)
                transaction.set_rollback(True)
    finally:
        with connection.cursor() as cursor:
            for table, _, _ in _STORED:
                cursor.execute(f"DROP TABLE IF EXISTS bench_floor_{table}")
        _vacuum()
    return sorted(runs)[len(runs) // 2]


def _head(path: Path, into: Path, rows: int) -> int:
    """The header and about the first ``rows`` rows of a CSV, ending at a ticket's last row."""
    with path.open(encoding="utf-8", newline="") as f, into.open("w", encoding="utf-8") as out:
        reader, writer = csv.reader(f), csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        written, last = 0, None
        for row in reader:
            if written >= rows and row[0] != last:
                break
            writer.writerow(row)
            written, last = written + 1, row[0]
    return written


def bench_import_uci() -> Iterator[Figure]:
    """Import the real UCI ServiceNow log end to end, beside a bare COPY of the same file."""
    if connection.vendor != "postgresql":
        return
    if not UCI_LOG.exists():
        raise FileNotFoundError(f"the UCI log is missing: {UCI_LOG}")
    mapping = load_mapping("uci_servicenow")
    print("  (VACUUM ANALYZE of the service desk tables after each removal and import:")
    print("   autovacuum is off on this PostgreSQL)")
    with tempfile.TemporaryDirectory(prefix="hackperf-bench-") as tmp:
        path = Path(tmp) / "incident_event_log.csv"
        with gzip.open(UCI_LOG, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        first_queue, first_category = (
            _next_id("servicedesk_queue"),
            _next_id("servicedesk_category"),
        )
        _remove_uci_data(first_queue, first_category)
        _vacuum()
        try:
            backend, python = _backend_cpu(), time.process_time()
            summary = tickets_import(source=path, mapping=mapping)
            python = time.process_time() - python
            backend = None if backend is None else (_backend_cpu() or 0.0) - backend
            assert not summary.errors, summary.errors[:5]
            _vacuum()
            bare = _bare_copy(path)
            yield Figure(
                f"import (UCI): {summary.rows:,} audit rows ({summary.created:,} tickets, "
                f"{summary.events_added:,} events), end to end",
                summary.rows_per_second,
                "rows/s",
            )
            yield Figure(
                "import (UCI): PostgreSQL COPY of the same file, bare table", bare, "rows/s"
            )
            yield Figure(
                "import (UCI): import as a share of the bare COPY",
                100 * summary.rows_per_second / bare,
                "% (0.04x is 4 %)",
            )
            yield Figure("import (UCI): CPU time of the Python process", python, "s")
            if backend is not None:
                yield Figure("import (UCI): CPU time of its PostgreSQL backend", backend, "s")
            again = tickets_import(source=path, mapping=mapping)
            yield Figure(
                "import (UCI): the same file again (nothing changes)",
                again.rows_per_second,
                "rows/s",
            )
            dry = tickets_import(source=path, mapping=mapping, dry_run=True)
            yield Figure("import (UCI): dry run (check only)", dry.rows_per_second, "rows/s")
            floor = _write_floor()
            yield Figure(
                "import (UCI): the floor: PostgreSQL inserting the rows it stores, already "
                f"made, into the real tables (median of {_FLOOR_RUNS}), as rows of the file",
                summary.rows / floor,
                "rows/s",
            )
            yield Figure(
                f"import (UCI): what {IMPORT_GOAL:,} rows/s would leave to read, check and "
                "derive the file, all before that write",
                summary.rows / IMPORT_GOAL - floor,
                "s",
            )
            # Peak memory in runs of their own (tracemalloc slows the import it watches): flat
            # means the same peak for half the file and for the whole.
            half = Path(tmp) / "incident_event_log_half.csv"
            half_rows = _head(path, half, summary.rows // 2)
            for source, count in ((half, half_rows), (path, summary.rows)):
                _remove_uci_data(first_queue, first_category)
                _vacuum()
                yield _peak_memory(
                    f"import (UCI): peak Python memory importing {count:,} rows",
                    source=source,
                    mapping=mapping,
                )
        finally:
            _remove_uci_data(first_queue, first_category)
            _vacuum()


# -- what other apps' benchmarks need of the service desk's tables -----------------------------
# indicators reads no servicedesk table (issue 14): its snapshot benchmarks reach these through
# the registry's providers (``servicedesk.declarations``), by name.

SNAPSHOT_FLOOR_SQL = """
    SELECT queue_id, count(*)
    FROM servicedesk_ticketinterval
    WHERE started_at <= %(t)s
      AND (ended_at IS NULL OR ended_at > %(t)s)
      AND status_class IN ('open', 'paused')
    GROUP BY queue_id
"""
"""Issue 15's anchor for a snapshot: one plain GROUP BY over the same rows (tickets open at T,
by queue), as the issue measured it (16-18 ms then). Since migration 0014 dropped
``sd_interval_range`` PostgreSQL plans it as a scan of every interval (about 270 ms at a
million tickets): every ticket's last interval has no end, so the planner expects hundreds of
thousands of open intervals where there are tens of thousands."""

SNAPSHOT_FLOOR_INDEXED_SQL = """
    SELECT queue_id, count(*)
    FROM (
        SELECT queue_id FROM servicedesk_ticketinterval
        WHERE ended_at > %(t)s AND started_at <= %(t)s AND status_class IN ('open', 'paused')
        UNION ALL
        SELECT queue_id FROM servicedesk_ticketinterval
        WHERE ended_at IS NULL AND started_at <= %(t)s AND status_class IN ('open', 'paused')
    ) AS open_at_t
    GROUP BY queue_id
"""
"""The same GROUP BY written for the indexes (two ranges of ``sd_interval_live_by_end``, as
the snapshot reads them): the anchor the snapshot's goal is judged against, since the plain
one's slow plan would flatter every ratio over it (20-35 ms at a million tickets)."""


def snapshot_floor(
    as_of: datetime, *, indexed: bool = True, serial: bool = False
) -> Callable[[], object]:
    """The anchor of a snapshot as of ``as_of``, as a function to time: the GROUP BY written
    for the indexes, or (``indexed=False``) as the issue wrote it; with ``serial``, planned
    without parallel workers, as the snapshot plans its reads (``hackperf.planning``). Both
    must count the same rows, and are compared before the function is returned, so a wrong
    anchor is never timed."""
    sql = SNAPSHOT_FLOOR_INDEXED_SQL if indexed else SNAPSHOT_FLOOR_SQL

    def counts(text: str) -> list[tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(text, {"t": as_of})
            return sorted(cursor.fetchall())

    if counts(SNAPSHOT_FLOOR_SQL) != counts(SNAPSHOT_FLOOR_INDEXED_SQL):
        raise AssertionError("the two anchors' GROUP BYs count different rows")

    def run() -> object:
        if not serial:
            return counts(sql)
        with serial_plans():
            return counts(sql)

    return run


def tickets_count() -> int:
    """How many tickets the database holds (the size a figure was measured at)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM servicedesk_ticket")
        return cursor.fetchone()[0]


def demo_tickets(tickets: int) -> Iterator[Figure]:
    """At least ``tickets`` demo tickets (seeded if fewer: printed as a figure), then a
    VACUUM (ANALYZE) of the service desk's tables, since autovacuum is off on this machine's
    PostgreSQL: what the bench built (or a migration rewrote) is planned on fresh statistics
    and read with a visibility map (index-only scans). Quick when nothing changed."""
    from servicedesk.bench_pages import _demo_tickets, vacuumed

    yield from _demo_tickets(tickets)
    yield from vacuumed()
