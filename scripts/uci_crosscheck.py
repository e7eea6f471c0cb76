"""The service-desk figures of the UCI ServiceNow log, counted straight from its CSV file.

An independent count to set beside the app's figures on the imported log (the
``uci_servicenow`` preset): it reads the gzip-compressed CSV with the csv module, never the
database, the importer or the ORM, and applies DESIGN.md's metric dictionary itself. It reuses
only the specified pure calculator ``servicedesk.sla`` (business seconds on a calendar, less
pauses), fed with the England and Wales bank holidays of ``../shared/data/real/uk-bank-holidays``.

How the log is read (its README, ``../shared/data/real/uci-incident-event-log/``):

- one row per update of an incident; ``incident_state`` is its status after the update and
  ``assignment_group`` the team holding it (``?`` is missing: the row says nothing about it);
- an incident's rows in order of ``sys_updated_at``, then ``sys_mod_count``, then the file;
- times are ``D/M/YYYY HH:MM`` with no zone. They are read as Europe/London wall-clock time:
  the log's working day (busiest 08:00-17:00) is local, so the service calendar's 09:00-17:00
  applies to the times as written. A time London skipped (the export writes six updates at
  01:12 and 01:59 on 27 March 2016, when the clocks went from 01:00 to 02:00) is the instant
  the clocks changed, 01:00 UTC; a time London had twice is the first (BST). Months and weeks
  run from London midnight to London midnight (ISO weeks from Monday);
- an incident is logged at ``opened_at``, or at its first row when that is earlier (five
  incidents have updates up to 2.5 h before their opened time);
- states: New and Active are open; Awaiting User Info, Awaiting Evidence, Awaiting Vendor and
  Awaiting Problem are paused (on hold); Resolved and Closed are done; ``-100`` (5 rows) is
  no change. Every incident is an incident (the log has no service requests).

The rules, as DESIGN.md states them:

- a *resolution event* is a change from open or paused to Resolved or Closed (Resolved →
  Closed is not one); a *reopen* is a change from Resolved or Closed to open or paused; a
  *reassignment* is a change of team after the first (the first team an incident has is its
  first assignment);
- FR ICT 17: of incidents whose last resolution event falls in the month, the share with
  business resolution time ≤ 8 h: business seconds Mon-Fri 09:00-17:00 Europe/London less
  bank holidays, from logged to that last resolution, less the business seconds paused;
- FR ICT 17a: incidents logged in the month;
- closures: resolution events in the week; reopens: reopen events in the month;
- open at T: logged at or before T and open or paused after its updates at or before T;
  over a week old at T: open at T and logged before T − 7 × 24 h; multiple reassignments at
  T: open at T with at least 2 reassignments at or before T.

Usage::

    python scripts/uci_crosscheck.py [--file PATH] [--at ISO_INSTANT ...] [--json]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servicedesk.sla import ServiceCalendar, business_seconds  # noqa: E402 (pure; no Django)

REAL = ROOT.parent / "shared" / "data" / "real"
FILE = REAL / "uci-incident-event-log" / "incident_event_log.csv.gz"
HOLIDAYS = REAL / "uk-bank-holidays" / "england-and-wales_2012-2028.csv"
LONDON = ZoneInfo("Europe/London")
THRESHOLD = 8 * 3600
WEEK = timedelta(hours=7 * 24)
MULTIPLE = 2
MISSING = "?"

OPEN, PAUSED, DONE = "open", "paused", "done"
STATE_CLASS = {
    "New": OPEN,
    "Active": OPEN,
    "Awaiting User Info": PAUSED,
    "Awaiting Evidence": PAUSED,
    "Awaiting Vendor": PAUSED,
    "Awaiting Problem": PAUSED,
    "Resolved": DONE,
    "Closed": DONE,
}
NO_CHANGE = "-100"

# Instants the figures "at T" are given for by default: the (a week after the
# spring clock change), month and fortnight ends, and a weekday afternoon.
INSTANTS = (
    "2016-03-30T09:00:00+00:00",
    "2016-04-01T00:00:00+01:00",
    "2016-04-15T15:30:00+01:00",
    "2016-05-02T00:00:00+01:00",
    "2016-06-01T00:00:00+01:00",
)


def instant(text: str) -> datetime:
    """A naive London wall-clock time from the file, as an aware UTC instant."""
    naive = datetime.strptime(text, "%d/%m/%Y %H:%M")  # noqa: DTZ007 (localised below)
    local = naive.replace(tzinfo=LONDON)  # fold=0: the first of a time London had twice
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        # Skipped in London: the clocks go forward at 01:00 UTC (01:00 GMT -> 02:00 BST).
        return datetime(naive.year, naive.month, naive.day, 1, 0, tzinfo=UTC)
    return local.astimezone(UTC)


def month_of(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%Y-%m")


def week_of(at: datetime) -> str:
    """The ISO week, e.g. ``2016-W13``, of an instant's London date."""
    year, week, _ = at.astimezone(LONDON).isocalendar()
    return f"{year}-W{week:02d}"


def calendar() -> ServiceCalendar:
    """Mon-Fri 09:00-17:00 Europe/London less England and Wales bank holidays (the default)."""
    with HOLIDAYS.open(encoding="utf-8") as f:
        holidays = frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(f))
    nine_to_five = ((time(9), time(17)),)
    return ServiceCalendar(hours=dict.fromkeys(range(5), nine_to_five), holidays=holidays)


@dataclass
class Incident:
    """One incident as this script reads it: when it was logged and what happened after."""

    logged_at: datetime
    # (instant, class after it, reassignments up to it): one per update, in order.
    steps: list[tuple[datetime, str, int]] = field(default_factory=list)
    resolutions: list[datetime] = field(default_factory=list)
    reopens: list[datetime] = field(default_factory=list)
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    done: bool = False

    def at(self, t: datetime) -> tuple[str, int] | None:
        """(class, reassignments) after its updates at or before ``t``; None if not logged."""
        if self.logged_at > t:
            return None
        now = (OPEN, 0)
        for at, cls, moves in self.steps:
            if at > t:
                break
            now = (cls, moves)
        return now


def read(path: Path = FILE) -> dict[str, Incident]:
    """Every incident of the log, each walked through its updates in order."""
    rows: dict[str, list[tuple[datetime, int, int, dict[str, str]]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f)):
            rows[row["number"]].append(
                (instant(row["sys_updated_at"]), int(row["sys_mod_count"]), line, row)
            )
    incidents = {}
    for number, updates in rows.items():
        updates.sort(key=lambda u: u[:3])
        opened = instant(updates[0][3]["opened_at"])
        incident = Incident(logged_at=min(opened, updates[0][0]))
        cls, team, moves = OPEN, None, 0
        for at, _, _, row in updates:
            group = row["assignment_group"]
            if group != MISSING and group != team:
                if team is not None:
                    moves += 1
                team = group
            state = row["incident_state"]
            new = cls if state == NO_CHANGE else STATE_CLASS[state]
            if new != cls:
                if new == DONE:
                    incident.resolutions.append(at)  # open or paused -> Resolved or Closed
                elif cls == DONE:
                    incident.reopens.append(at)  # Resolved or Closed -> open or paused
                if new == PAUSED:
                    incident.pauses.append((at, None))
                elif cls == PAUSED:
                    incident.pauses[-1] = (incident.pauses[-1][0], at)
                cls = new
            incident.steps.append((at, cls, moves))
        incident.done = cls == DONE
        incidents[number] = incident
    return incidents


def figures(path: Path = FILE, *, instants: tuple[str, ...] = INSTANTS) -> dict[str, dict]:
    """The figures: ``months`` (17 numerator and denominator, 17a, reopens), ``weeks``
    (closures) and ``instants`` (open, over a week old, multiple reassignments)."""
    incidents = read(path)
    cal = calendar()
    months: dict[str, dict[str, int]] = defaultdict(
        lambda: {"17_numerator": 0, "17_denominator": 0, "17a": 0, "reopens": 0}
    )
    weeks: dict[str, int] = defaultdict(int)
    for incident in incidents.values():
        months[month_of(incident.logged_at)]["17a"] += 1
        for at in incident.reopens:
            months[month_of(at)]["reopens"] += 1
        for at in incident.resolutions:
            weeks[week_of(at)] += 1
        if incident.done and incident.resolutions:
            last = incident.resolutions[-1]
            seconds = business_seconds(
                incident.logged_at, last, calendar=cal, pauses=incident.pauses
            )
            month = months[month_of(last)]
            month["17_denominator"] += 1
            month["17_numerator"] += seconds <= THRESHOLD
    at_instants = {}
    for text in instants:
        t = datetime.fromisoformat(text).astimezone(UTC)
        counts = {"open": 0, "over_a_week_old": 0, "multiple_reassignments": 0}
        for incident in incidents.values():
            now = incident.at(t)
            if now is None or now[0] == DONE:
                continue
            counts["open"] += 1
            counts["over_a_week_old"] += incident.logged_at < t - WEEK
            counts["multiple_reassignments"] += now[1] >= MULTIPLE
        at_instants[text] = counts
    return {
        "months": dict(sorted(months.items())),
        "weeks": dict(sorted(weeks.items())),
        "instants": at_instants,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=FILE)
    parser.add_argument("--at", action="append", help="an ISO instant (default: a few)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = figures(args.file, instants=tuple(args.at) if args.at else INSTANTS)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("month    FR ICT 17 (num/den)          17a  reopens")
    for month, f in result["months"].items():
        num, den = f["17_numerator"], f["17_denominator"]
        percent = f"{100 * num / den:6.2f}%" if den else "   n/a "
        print(f"{month}  {percent} ({num:>5}/{den:>5})    {f['17a']:>5}  {f['reopens']:>7}")
    print("\nweek      closures")
    for week, n in result["weeks"].items():
        print(f"{week}  {n:>8}")
    print("\ninstant                      open  over a week old  multiple reassignments")
    for t, c in result["instants"].items():
        print(f"{t}  {c['open']:>5}  {c['over_a_week_old']:>15}  {c['multiple_reassignments']:>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
