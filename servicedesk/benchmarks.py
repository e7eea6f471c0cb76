"""Benchmarks of the service desk (see ``hackperf.bench``): issue 3's figures.

* ``bench_import`` writes a synthetic audit log shaped like BPI 2013 (the same columns,
  statuses, offsets and rows per incident) to a temporary folder, imports it end to end with
  the ``bpic2013`` preset, and prints its rows per second and peak memory beside the ceiling:
  PostgreSQL's own ``COPY`` of the same file into a bare UNLOGGED table. It removes what it
  wrote, so the benchmark database is left as it was found.
* ``bench_queue_page`` and ``bench_fr_ict_17`` (in ``servicedesk.bench_pages``) run on
  1,000,000 demo tickets, seeded by the first benchmark that needs them (a few minutes, printed
  as a figure) and kept for later runs: queue pages at 10 and 10,000 open tickets (the same
  query count), the overview, FR ICT 17 for a month and the DMT snapshot figures.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection

from hackperf.bench import Figure
from servicedesk.bench_pages import (  # noqa: F401 (found by name)
    bench_fr_ict_17,
    bench_home_and_search,
    bench_queue_page,
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


def _remove_bench_data() -> None:
    like = PREFIX + "%"
    with connection.cursor() as cursor:
        for table in ("servicedesk_ticketevent", "servicedesk_ticketinterval"):
            cursor.execute(
                f"DELETE FROM {table} WHERE ticket_id IN "
                "(SELECT id FROM servicedesk_ticket WHERE reference LIKE %s)",
                [like],
            )
        cursor.execute("DELETE FROM servicedesk_ticket WHERE reference LIKE %s", [like])
        cursor.execute("DELETE FROM servicedesk_queue WHERE name LIKE %s", [like])
        cursor.execute("DELETE FROM servicedesk_category WHERE name LIKE %s", [like])


def _copy_ceiling(path: Path) -> float:
    """Rows per second of PostgreSQL's COPY of the file into a bare UNLOGGED table."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_import_copy ({columns})")
        started = time.perf_counter()
        with path.open(encoding="utf-8") as f:
            cursor.copy_expert("COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER)", f)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_import_copy")
        (rows,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_import_copy")
    return rows / seconds


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
                tracemalloc.start()
                try:
                    tickets_import(source=source, mapping=mapping)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                yield Figure(
                    f"import: peak Python memory while importing {count:,} rows (tracemalloc)",
                    peak / 1024 / 1024,
                    "MB",
                )
        finally:
            _remove_bench_data()
