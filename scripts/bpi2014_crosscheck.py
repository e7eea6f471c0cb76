"""FR ICT 17, 17a and 17b for the BPI 2014 sample, counted straight from its CSV files.

An independent count to set beside ``manage.py compute_indicators`` on the imported log: it
reads the CSVs with the csv module, never the database, the importer or the ORM, and applies
DESIGN.md's metric dictionary itself. It reuses only the specified pure calculator
``servicedesk.sla`` (business seconds on a calendar, less pauses), fed with the England and
Wales bank holidays of ``../shared/data/real/uk-bank-holidays``.

The rules, as DESIGN.md states them:

- times in the files are naive Dutch wall-clock times (the data's README): read them in
  Europe/Amsterdam; months run from London midnight to London midnight;
- FR ICT 17: of incidents whose *last resolution event* (open or paused → resolved or
  closed; resolved → closed is not one) falls in the month, the share with business
  resolution time ≤ 8 h: business seconds Mon–Fri 09:00–17:00 Europe/London, less bank
  holidays, from logged to that last resolution, less the business seconds on hold;
- FR ICT 17a / 17b: incidents / service requests logged in the month.

Where the history comes from (``--history``):

- ``activities`` (default): ``incident_activities.csv``, each incident's rows in time order
  (then activity number). Logged at its first row; "Pending vendor" and "External Vendor
  Assignment" put an open incident on hold; "Resolved" and "Closed" end it (a resolution
  when it was open or on hold); "Reopen" reopens a resolved or closed one. Nothing else
  changes the status (the log has no "off hold" activity, so a hold lasts until the
  resolution).
- ``tickets``: ``incidents.csv``'s own times: logged at ``open_time``, resolved at
  ``resolved_time`` (else ``close_time``), never on hold.

Whether an incident is an incident or a service request (``--kinds``):

- ``csv`` (default): ``incidents.csv``'s ``category`` ("request for information" is a request);
- ``incident``: every one an incident (what a history read from the activity log alone says).

Usage::

    python scripts/bpi2014_crosscheck.py [--data DIR] [--history activities|tickets]
        [--kinds csv|incident] [--month YYYY-MM ...] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servicedesk.sla import ServiceCalendar, business_seconds  # noqa: E402 (pure; no Django)

REAL = ROOT.parent / "shared" / "data" / "real"
DATA = REAL / "bpic2014-rabobank-incidents-sample"
HOLIDAYS = REAL / "uk-bank-holidays" / "england-and-wales_2012-2028.csv"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")
THRESHOLD = 8 * 3600

HOLD = {"Pending vendor", "External Vendor Assignment"}
DONE_ACTIVITIES = {"Resolved", "Closed"}
REOPEN = "Reopen"


@dataclass
class Incident:
    """One incident as this script reads it: its kind and the figures its history gives."""

    kind: str = "incident"
    logged_at: datetime | None = None
    last_resolution: datetime | None = None
    done: bool = False
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)


def instant(text: str) -> datetime:
    """A naive Dutch wall-clock time from the files, as an aware UTC instant."""
    local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def month_of(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%Y-%m")


def calendar() -> ServiceCalendar:
    """Mon–Fri 09:00–17:00 Europe/London less England and Wales bank holidays (the default)."""
    with HOLIDAYS.open(encoding="utf-8") as f:
        holidays = frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(f))
    nine_to_five = ((time(9), time(17)),)
    return ServiceCalendar(hours=dict.fromkeys(range(5), nine_to_five), holidays=holidays)


def read_kinds(data: Path) -> dict[str, str]:
    with (data / "incidents.csv").open(encoding="utf-8", newline="") as f:
        return {
            row["incident_id"]: "request"
            if row["category"] == "request for information"
            else "incident"
            for row in csv.DictReader(f)
        }


def from_activities(data: Path) -> dict[str, Incident]:
    """Walk each incident's activity rows in time order through open / on hold / done."""
    rows: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    with (data / "incident_activities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["incident_id"]].append(
                (
                    instant(row["data_stamp"]),
                    row["incident_activity_number"],
                    row["incident_activity_type"],
                )
            )
    incidents = {}
    for reference, activities in rows.items():
        activities.sort()
        incident = Incident(logged_at=activities[0][0])
        state = "open"
        for at, _, activity in activities:
            if activity in HOLD and state == "open":
                state = "paused"
                incident.pauses.append((at, None))
            elif activity in DONE_ACTIVITIES and state != "done":
                if state == "paused":
                    incident.pauses[-1] = (incident.pauses[-1][0], at)
                state = "done"
                incident.last_resolution = at  # open or paused → resolved/closed
            elif activity == REOPEN and state == "done":
                state = "open"
        incident.done = state == "done"
        incidents[reference] = incident
    return incidents


def from_tickets(data: Path) -> dict[str, Incident]:
    """One incident per row of incidents.csv: opened, then resolved (or closed), no holds."""
    incidents = {}
    with (data / "incidents.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            resolved = row["resolved_time"] or row["close_time"]
            incidents[row["incident_id"]] = Incident(
                logged_at=instant(row["open_time"]),
                last_resolution=instant(resolved) if resolved else None,
                done=bool(resolved),
            )
    return incidents


def figures(
    data: Path = DATA, *, history: str = "activities", kinds: str = "csv"
) -> dict[str, dict[str, int]]:
    """Per London month: FR ICT 17's numerator and denominator, 17a and 17b."""
    incidents = from_activities(data) if history == "activities" else from_tickets(data)
    if kinds == "csv":
        for reference, kind in read_kinds(data).items():
            if reference in incidents:
                incidents[reference].kind = kind
    cal = calendar()
    months: dict[str, dict[str, int]] = defaultdict(
        lambda: {"17_numerator": 0, "17_denominator": 0, "17a": 0, "17b": 0}
    )
    for incident in incidents.values():
        assert incident.logged_at is not None
        months[month_of(incident.logged_at)]["17a" if incident.kind == "incident" else "17b"] += 1
        if incident.kind == "incident" and incident.done and incident.last_resolution:
            seconds = business_seconds(
                incident.logged_at, incident.last_resolution, calendar=cal, pauses=incident.pauses
            )
            month = months[month_of(incident.last_resolution)]
            month["17_denominator"] += 1
            month["17_numerator"] += seconds <= THRESHOLD
    return dict(sorted(months.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--history", choices=("activities", "tickets"), default="activities")
    parser.add_argument("--kinds", choices=("csv", "incident"), default="csv")
    parser.add_argument("--month", action="append", help="YYYY-MM (default: every month)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = figures(args.data, history=args.history, kinds=args.kinds)
    if args.month:
        result = {m: result.get(m, {}) for m in args.month}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("month    FR ICT 17 (num/den)        17a   17b")
    for month, f in result.items():
        num, den = f.get("17_numerator", 0), f.get("17_denominator", 0)
        percent = f"{100 * num / den:6.2f}%" if den else "   n/a "
        print(
            f"{month}  {percent} ({num:>4}/{den:>4})     {f.get('17a', 0):>5} {f.get('17b', 0):>5}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
