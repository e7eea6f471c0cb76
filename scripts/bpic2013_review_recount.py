"""Recount three DMT review figures from the raw BPIC 2013 file, independently of hackperf.

    python scripts/bpic2013_review_recount.py 2012-05-06 2012-05-20

Each argument is the Sunday a fortnight ends on, as the review names it. Only the csv module
and DESIGN.md's definitions: a ticket is logged (open) first, then takes the status of each
row (Status/Sub Status mapped as the bpic2013 preset's codebook says; "Unmatched" rows change
nothing); open at T = logged at or before T and not resolved, closed or cancelled at T; a
closure = a change from a status that is not done to resolved or closed within the fortnight;
a reopen = from resolved or closed to a status that is not done. Compare with the review of a
database that imported the file (``import_tickets PATH --mapping bpic2013``), each fortnight
computed from the history (the review's "Compute this fortnight" button).
"""

import csv
import gzip
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

FILE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/real/bpic2013-volvo-incidents/bpic2013_incidents_events.csv.gz"
)
STATUS = {
    "Queued/Awaiting Assignment": "assigned",
    "Accepted/Assigned": "assigned",
    "Accepted/In Progress": "in_progress",
    "Accepted/Wait - User": "wait",
    "Accepted/Wait - Customer": "wait",
    "Accepted/Wait": "wait",
    "Accepted/Wait - Vendor": "wait",
    "Accepted/Wait - Implementation": "wait",
    "Completed/Resolved": "resolved",
    "Completed/In Call": "resolved",
    "Completed/Closed": "closed",
    "Completed/Cancelled": "cancelled",
}
DONE = {"resolved", "closed", "cancelled"}
LONDON = ZoneInfo("Europe/London")


def histories(path: Path) -> dict[str, tuple[datetime, list[tuple[datetime, str, str]]]]:
    """Each ticket's logged instant and its status changes (at, from, to)."""
    rows: dict[str, list[tuple[datetime, int, str]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8-sig") as file:
        for n, row in enumerate(csv.DictReader(file)):
            at = datetime.fromisoformat(row["Change Date+Time"])
            rows[row["SR Number"]].append((at, n, f"{row['Status']}/{row['Sub Status']}"))
    result = {}
    for reference, events in rows.items():
        events.sort()
        status, changes = "logged", []
        for at, _, raw in events:
            new = STATUS.get(raw)
            if new is not None and new != status:
                changes.append((at, status, new))
                status = new
        result[reference] = (events[0][0], changes)
    return result


def recount(tickets, day: str) -> str:
    end = datetime.fromisoformat(day).replace(tzinfo=LONDON) + timedelta(days=1)
    start = (end.replace(tzinfo=None) - timedelta(days=14)).replace(tzinfo=LONDON)
    open_at = closures = reopens = 0
    for logged, changes in tickets.values():
        state = "logged"
        for at, old, new in changes:
            if at <= end:
                state = new
            if start < at <= end:
                closures += old not in DONE and new in ("resolved", "closed")
                reopens += old in ("resolved", "closed") and new not in DONE
        open_at += logged <= end and state not in DONE
    return (
        f"fortnight ending {day}: open incidents {open_at}, closures {closures} "
        f"({closures / 2:.1f} a week), reopened {reopens}"
    )


if __name__ == "__main__":
    tickets = histories(FILE)
    for day in sys.argv[1:]:
        print(recount(tickets, day))
