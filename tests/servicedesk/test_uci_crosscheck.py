"""The UCI ServiceNow log, imported with the ``uci_servicenow`` preset, gives exactly the
figures an independent count of the raw file gives (``scripts/uci_crosscheck.py``).

The count reads the CSV with the csv module and DESIGN.md's definitions, reusing only the
pure ``servicedesk.sla``: FR ICT 17 (numerator and denominator) and 17a per month, closures
per ISO week, reopens per month, and open, over a week old and with multiple reassignments at
a few instants. Both read the log's naive times as London wall-clock time and log each
incident at its ``opened_at`` (or at its first update, when that is earlier).

The log is imported once for the module (141,712 rows) and removed after it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import F

from hackperf.metrics import ALL
from indicators.services.definitions import definitions_sync
from servicedesk import metrics
from servicedesk.importers import load_mapping
from servicedesk.importers.writer import tickets_import
from servicedesk.models import Category, Queue, Ticket, TicketEvent, TicketInterval
from tests.conftest import REAL_DATA
from tests.repo import load_script

UCI = REAL_DATA / "uci-incident-event-log" / "incident_event_log.csv.gz"
LONDON = ZoneInfo("Europe/London")


def _month(key: str) -> tuple[datetime, datetime]:
    year, month = map(int, key.split("-"))
    start = datetime(year, month, 1, tzinfo=LONDON)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def _week(key: str) -> tuple[datetime, datetime]:
    year, week = key.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=LONDON)
    sunday_after = date.fromordinal(monday.toordinal() + 7)
    end = datetime(sunday_after.year, sunday_after.month, sunday_after.day, tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def _value(rows: list, metric: str) -> int:
    [found] = [r.value for r in rows if (r.metric, r.breakdown) == (metric, ALL)]
    return found


@pytest.fixture(scope="module")
def independent(real_data: Path) -> dict[str, dict]:
    return load_script("uci_crosscheck").figures(UCI)


@pytest.fixture(scope="module")
def imported(real_data: Path, django_db_setup: None, django_db_blocker: Any):
    """The whole log imported once (committed), and everything it wrote removed after."""
    with django_db_blocker.unblock():
        assert not Ticket.objects.exists()
        queues = set(Queue.objects.values_list("pk", flat=True))
        categories = set(Category.objects.values_list("pk", flat=True))
        try:
            yield tickets_import(source=UCI, mapping=load_mapping("uci_servicenow"))
        finally:
            for model in (TicketInterval, TicketEvent, Ticket):
                model.objects.all()._raw_delete(model.objects.db)
            Queue.objects.exclude(pk__in=queues).delete()
            made = Category.objects.exclude(pk__in=categories)
            made.filter(parent__isnull=False).delete()  # children first: parent is PROTECT
            made.delete()


@pytest.mark.django_db
class UciCrosscheckTests:
    def test_the_whole_log_imports(self, imported):
        assert imported.errors == []
        assert (imported.rows, imported.created) == (141712, 24918)
        assert Ticket.objects.count() == 24918

    def test_fr_ict_17_and_17a_match_for_every_month(self, imported, independent):
        months = independent["months"]
        assert len(months) == 13  # February 2016 to February 2017
        for key, theirs in months.items():
            start, end = _month(key)
            ratio = metrics.fr_ict_17(start=start, end=end)
            ours = {
                "17_numerator": ratio.numerator,
                "17_denominator": ratio.denominator,
                "17a": metrics.logged(kind="incident", start=start, end=end),
            }
            assert ours == {k: theirs[k] for k in ours}, key

    def test_compute_indicators_gives_the_same_fr_ict_17(self, imported, independent):
        definitions_sync()
        for key in ("2016-03", "2016-04", "2016-05", "2016-06"):
            out = StringIO()
            call_command("compute_indicators", period=key, json=True, stdout=out)
            figures = {f["code"]: f for f in json.loads(out.getvalue())["indicators"]}
            theirs = independent["months"][key]
            assert figures["FR ICT 17"]["numerator"] == theirs["17_numerator"], key
            assert figures["FR ICT 17"]["denominator"] == theirs["17_denominator"], key
            assert int(figures["FR ICT 17a"]["value"]) == theirs["17a"], key

    def test_reopens_match_for_every_month(self, imported, independent):
        for key, theirs in independent["months"].items():
            start, end = _month(key)
            rows = metrics.period_metrics(start=start, end=end)
            assert _value(rows, metrics.REOPENS) == theirs["reopens"], key

    def test_closures_match_for_every_week(self, imported, independent):
        for key, theirs in independent["weeks"].items():
            start, end = _week(key)
            rows = metrics.period_metrics(start=start, end=end)
            assert _value(rows, metrics.CLOSURES) == theirs, key

    def test_the_figures_at_an_instant_match(self, imported, independent):
        for text, theirs in independent["instants"].items():
            rows = metrics.snapshot_metrics(as_of=datetime.fromisoformat(text))
            ours = {
                "open": _value(rows, metrics.OPEN_INCIDENTS),
                "over_a_week_old": _value(rows, metrics.OVER_A_WEEK_OLD),
                "multiple_reassignments": _value(rows, metrics.MULTIPLE_REASSIGNMENTS),
            }
            assert ours == theirs, text

    def test_one_instant_gives_one_answer_however_it_is_written(self, imported):
        london = datetime(2016, 3, 30, 10, 0, tzinfo=LONDON)
        utc = datetime(2016, 3, 30, 9, 0, tzinfo=UTC)
        assert metrics.snapshot_metrics(as_of=london) == metrics.snapshot_metrics(as_of=utc)

    def test_the_snapshot_command_gives_one_answer_however_the_instant_is_written(
        self, imported, independent
    ):
        # The report: 915 for the London spelling, 900 for the UTC one, before the
        # week was taken as 7 x 24 hours of real time.
        definitions_sync()
        over = {}
        for spelling in ("2016-03-30T10:00:00", "2016-03-30T09:00:00+00:00"):
            out = StringIO()
            call_command("snapshot", as_of=spelling, json=True, stdout=out)
            [snapshot] = json.loads(out.getvalue())
            [over[spelling]] = [
                r["value"]
                for r in snapshot["rows"]
                if (r["metric"], r["breakdown"]) == (metrics.OVER_A_WEEK_OLD, ALL)
            ]
        theirs = independent["instants"]["2016-03-30T09:00:00+00:00"]["over_a_week_old"]
        assert over == dict.fromkeys(over, theirs)

    def test_the_exports_own_counts_are_kept_beside_the_derived_ones(self, imported):
        tickets = Ticket.objects.all()
        assert not tickets.filter(export_reassignment_count__isnull=True).exists()
        assert not tickets.filter(export_reopen_count__isnull=True).exists()
        differ = tickets.exclude(export_reassignment_count=F("reassignment_count"))
        assert 0 < differ.count() < tickets.count()
        # ServiceNow's last row carries the final counters (the data's README).
        assert tickets.filter(export_reopen_count__gt=0).count() == 275
