"""Tests for the shipped mapping presets, on a sample export and on the real BPI logs.

The real logs live in ../shared/data/real/ (see their READMEs); tests that need them fail
where that folder is absent (``tests.conftest.real_data``).
"""

from __future__ import annotations

import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from servicedesk.importers import (
    RowError,
    load_mapping,
    read_events,
    read_histories,
    read_tickets,
    reconcile_reassignments,
)
from servicedesk.importers.mapping import PRESETS_DIR
from tests.conftest import REAL_DATA as REAL
from tests.conftest import needs_real_data

DATA = Path(__file__).parent / "data"
BPIC2013 = REAL / "bpic2013-volvo-incidents" / "bpic2013_incidents_events.csv.gz"
BPIC2014 = REAL / "bpic2014-rabobank-incidents-sample"


class PresetTests:
    @pytest.mark.parametrize("path", sorted(PRESETS_DIR.glob("*.toml")), ids=lambda p: p.stem)
    def test_it_loads_every_preset(self, path):
        mapping = load_mapping(path.stem)
        assert mapping.name

    def test_it_reads_the_ivanti_landesk_sample(self):
        errors: list[RowError] = []
        mapping = load_mapping("ivanti_landesk")
        found = list(read_histories(DATA / "ivanti_landesk_incidents.csv", mapping, errors=errors))
        assert errors == []
        by_ref = {h.ticket.reference: h for h in found}
        assert sorted(by_ref) == ["104211", "104212", "104213", "104214", "104215"]
        mfd = by_ref["104211"].ticket
        assert (mfd.kind, mfd.priority, mfd.channel, mfd.status) == (
            "incident",
            "P3",
            "phone",
            "closed",
        )
        assert mfd.category == ("MFD Print and Copy", "Print queue")
        assert mfd.opened_at == datetime(2024, 3, 4, 9, 12, 44, tzinfo=UTC)  # GMT in March
        assert mfd.reassignment_count == 1
        starter = by_ref["104212"].ticket
        assert (starter.kind, starter.channel, starter.assignee) == ("request", "portal", None)
        assert by_ref["104213"].ticket.summary == (
            'Outlook keeps asking for password, "Need password" prompt'
        )
        assert by_ref["104213"].events[-1].kind == "on_hold"
        assert by_ref["104214"].ticket.customer_email is None  # "n/a"
        assert by_ref["104215"].events[-1].kind == "cancelled"


@needs_real_data
class Bpic2013Tests:
    def test_it_reads_every_row_with_its_offset(self):
        errors: list[RowError] = []
        offsets: Counter[timedelta | None] = Counter()
        first = None
        for record in read_events(BPIC2013, load_mapping("bpic2013"), errors=errors):
            first = first or record
            offsets[record.source_offset] += 1
        assert errors == []
        assert offsets == {timedelta(hours=2): 62755, timedelta(hours=1): 2778}
        assert first is not None
        assert first.reference == "1-364285768"
        assert first.at == datetime(2010, 3, 31, 14, 59, 42, tzinfo=UTC)  # 16:59:42+02:00
        assert (first.status, first.queue, first.priority) == ("in_progress", "V30", "P3")

    def test_it_builds_every_history_in_flat_memory(self):
        errors: list[RowError] = []
        mapping = load_mapping("bpic2013")
        tracemalloc.start()
        try:
            tickets = events = reopened = 0
            for history in read_histories(BPIC2013, mapping, errors=errors):
                tickets += 1
                events += len(history.events)
                reopened += history.reopen_count > 0
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert errors == []
        assert tickets == 7554
        assert events == 81137
        assert reopened > 0
        # About 1 MB measured for the 65,533-row file: one ticket's rows at a time, never the
        # file. The bound leaves room for the interpreter, not for holding the file (~10 MB).
        assert peak < 5 * 1024 * 1024


@needs_real_data
class Bpic2014Tests:
    def test_it_reads_the_incidents(self):
        errors: list[RowError] = []
        found = list(
            read_tickets(
                BPIC2014 / "incidents.csv", load_mapping("bpic2014_incidents"), errors=errors
            )
        )
        assert errors == []
        assert len(found) == 4000
        assert Counter(t.kind for t in found) == {"incident": 3198, "request": 802}
        assert {t.status for t in found} == {"closed"}

    def test_it_reconciles_reassignments_with_the_logs_own_count(self):
        # The issue asks for >= 97%. Counting "Reassignment" activities gives 3,890 of 4,000
        # (97.25%); the other 110 lack activity rows in the log (see reconcile.py).
        result = reconcile_reassignments(
            BPIC2014 / "incidents.csv", BPIC2014 / "incident_activities.csv"
        )
        assert result.errors == ()
        assert result.tickets == 4000
        assert result.matching == 3890
        assert result.share >= 0.97
        undercounts = sum(1 for _, ours, theirs in result.mismatches if ours < (theirs or 0))
        assert undercounts == 100  # the log misses reassignments far more than it adds them
