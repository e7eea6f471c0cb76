"""Tests for deriving ticket histories from export rows (servicedesk/importers/history.py).

Hand-made histories check the metric dictionary's definitions (DESIGN.md): a resolution is
open/paused -> resolved/closed, a reopen is resolved/closed -> open or paused, a reassignment is
a change of queue after the first assignment.
"""

from __future__ import annotations

import gc
import io
import tomllib
from datetime import UTC, datetime

import pytest

from servicedesk.importers.history import TicketHistory, classify_status_change
from servicedesk.importers.mapping import parse_mapping
from servicedesk.importers.pipeline import READING_GC_THRESHOLD, read_histories
from servicedesk.importers.reader import RowError
from tests.servicedesk.mappings import EVENT_COLUMNS

STATE_TOML = (
    EVENT_COLUMNS
    + """assignee = "Who"
[dates]
timezone = "UTC"
[grouping]
order_by = ["sequence"]
[values.status]
New = "logged"
Queued = "assigned"
Working = "in_progress"
"Wait user" = "awaiting_customer"
"Wait vendor" = "awaiting_supplier"
Resolved = "resolved"
Closed = "closed"
Cancelled = "cancelled"
"?" = "keep"
"""
)

ACTIVITY_TOML = """
shape = "event"
[columns]
reference = "Ref"
updated_at = "When"
sequence = "Seq"
activity = "What"
queue = "Team"
[dates]
timezone = "UTC"
[grouping]
order_by = ["updated_at", "sequence"]
contiguous = false
history = "activity"
spill_buckets = 3
[values.activity]
Open = "logged"
Move = "reassigned"
Take = "assigned"
Chase = "escalated"
"Pending vendor" = "awaiting_supplier"
"Vendor replied" = "off_hold"
Fix = "resolved"
Close = "closed"
Reopen = "reopened"
"""


def histories(toml: str, rows: str, **grouping: object) -> tuple[list[TicketHistory], list]:
    data = tomllib.loads(toml)
    data["grouping"].update(grouping)
    mapping = parse_mapping(data, source="test.toml")
    errors: list[RowError] = []
    found = list(read_histories(io.BytesIO(rows.encode()), mapping, errors=errors))
    return found, errors


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 6, 10, hour, minute, tzinfo=UTC)


def kinds(history: TicketHistory) -> list[tuple[str, ...]]:
    return [
        (e.kind, e.status_to or "", e.queue_to or "")
        if e.kind not in ("assigned", "reassigned")
        else (e.kind, e.queue_from or "", e.queue_to or "")
        for e in history.events
    ]


STATE_HEADER = "Ref,When,Seq,State,Team,Who\n"


class ClassifyTests:
    @pytest.mark.parametrize(
        ("before", "after", "kind"),
        [
            (None, "logged", "logged"),
            ("logged", "assigned", "status_changed"),
            ("assigned", "in_progress", "status_changed"),
            ("in_progress", "awaiting_customer", "on_hold"),
            ("awaiting_customer", "awaiting_supplier", "status_changed"),
            ("awaiting_supplier", "in_progress", "off_hold"),
            ("in_progress", "resolved", "resolved"),
            ("awaiting_customer", "resolved", "resolved"),
            ("in_progress", "closed", "resolved"),  # a resolution, although it skips resolved
            ("resolved", "closed", "closed"),  # not a resolution
            ("resolved", "in_progress", "reopened"),
            ("closed", "assigned", "reopened"),
            ("closed", "awaiting_customer", "reopened"),
            ("resolved", "awaiting_supplier", "reopened"),
            ("closed", "resolved", "status_changed"),
            ("in_progress", "cancelled", "cancelled"),
            ("cancelled", "assigned", "status_changed"),  # reinstated, not a reopen
        ],
    )
    def test_it_classifies_status_changes_by_the_metric_dictionary(self, before, after, kind):
        assert classify_status_change(before, after) == kind


class StateHistoryTests:
    def test_it_derives_reassignments_back_and_forth(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,New,,Ann\n"
            "T1,2024-06-10T09:05,2,Queued,Desk,Ann\n"
            "T1,2024-06-10T09:10,3,Queued,Network,Bo\n"
            "T1,2024-06-10T09:20,4,Working,Desk,Cy\n"
            "T1,2024-06-10T09:30,5,Working,Network,Bo\n"
            "T1,2024-06-10T10:00,6,Resolved,Network,Bo\n"
        )
        [history], errors = histories(STATE_TOML, rows)
        assert errors == []
        assert kinds(history) == [
            ("logged", "logged", ""),
            ("assigned", "", "Desk"),
            ("status_changed", "assigned", "Desk"),
            ("reassigned", "Desk", "Network"),
            ("reassigned", "Network", "Desk"),
            ("status_changed", "in_progress", "Desk"),
            ("reassigned", "Desk", "Network"),
            ("resolved", "resolved", "Network"),
        ]
        assert history.reassignment_count == 3
        assert [e.sequence for e in history.events] == list(range(1, 9))
        assert history.events[3].assignee == "Bo"
        ticket = history.ticket
        assert (ticket.status, ticket.queue, ticket.assignee) == ("resolved", "Network", "Bo")
        assert ticket.opened_at == at(9) and ticket.resolved_at == at(10)
        assert ticket.closed_at is None
        assert ticket.reassignment_count is None  # the export gives no count of its own

    def test_it_derives_two_reopens(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,Queued,Desk,\n"
            "T1,2024-06-10T10:00,2,Resolved,Desk,\n"
            "T1,2024-06-10T11:00,3,Working,Desk,\n"
            "T1,2024-06-10T12:00,4,Closed,Desk,\n"
            "T1,2024-06-10T13:00,5,Queued,Desk,\n"
            "T1,2024-06-10T14:00,6,Resolved,Desk,\n"
            "T1,2024-06-10T15:00,7,Closed,Desk,\n"
        )
        [history], _ = histories(STATE_TOML, rows)
        assert [e.kind for e in history.events] == [
            "logged",
            "assigned",
            "status_changed",
            "resolved",
            "reopened",
            "resolved",  # in progress -> closed is a resolution
            "reopened",
            "resolved",
            "closed",
        ]
        assert history.reopen_count == 2
        assert history.ticket.reopen_count is None  # the export gives no count of its own
        assert history.ticket.resolved_at == at(14)  # the last resolution
        assert history.ticket.closed_at == at(15)
        assert history.reassignment_count == 0

    def test_it_derives_on_hold_and_off_hold_with_the_reason(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,Working,Desk,\n"
            "T1,2024-06-10T10:00,2,Wait user,Desk,\n"
            "T1,2024-06-10T11:00,3,Wait vendor,Desk,\n"
            "T1,2024-06-10T12:00,4,Working,Desk,\n"
            "T1,2024-06-10T13:00,5,?,Desk,\n"
            "T1,2024-06-10T14:00,6,Cancelled,Desk,\n"
        )
        [history], _ = histories(STATE_TOML, rows)
        assert [(e.kind, e.at, e.reason) for e in history.events[2:]] == [
            ("status_changed", at(9), "Working"),
            ("on_hold", at(10), "Wait user"),
            ("status_changed", at(11), "Wait vendor"),
            ("off_hold", at(12), "Working"),
            ("cancelled", at(14), "Cancelled"),  # the "keep" row changed nothing
        ]
        assert history.events[3].status_from == "in_progress"
        assert history.events[3].status_to == "awaiting_customer"

    def test_it_orders_rows_by_sequence_before_deriving(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T10:00,10,Resolved,Desk,\n"
            "T1,2024-06-10T09:00,2,Queued,Desk,\n"
            "T1,2024-06-10T09:30,9,Working,Desk,\n"
        )
        [history], _ = histories(STATE_TOML, rows)
        assert [e.kind for e in history.events] == [
            "logged",
            "assigned",
            "status_changed",
            "status_changed",
            "resolved",
        ]
        assert history.ticket.opened_at == at(9)

    def test_it_refuses_rows_of_a_ticket_that_reappear_in_a_grouped_file(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,Queued,Desk,\n"
            "T2,2024-06-10T09:00,1,Queued,Desk,\n"
            "T1,2024-06-10T10:00,2,Resolved,Desk,\n"
            "T1,2024-06-10T11:00,3,Closed,Desk,\n"
        )
        found, errors = histories(STATE_TOML, rows)
        assert [h.ticket.reference for h in found] == ["T1", "T2"]
        assert [(e.line, e.value) for e in errors] == [(4, "T1"), (5, "T1")]
        assert "set [grouping].contiguous = false" in errors[0].reason
        assert "ending at line 2" in errors[0].reason

    def test_it_groups_an_ungrouped_file_when_told(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,Queued,Desk,\n"
            "T2,2024-06-10T09:00,1,Queued,Desk,\n"
            "T1,2024-06-10T10:00,2,Resolved,Desk,\n"
            "T3,2024-06-10T09:00,1,Queued,Desk,\n"
            "T2,2024-06-10T11:00,2,Closed,Desk,\n"
        )
        found, errors = histories(STATE_TOML, rows, contiguous=False, spill_buckets=2)
        assert errors == []
        by_ref = {h.ticket.reference: h for h in found}
        assert sorted(by_ref) == ["T1", "T2", "T3"]
        assert by_ref["T1"].ticket.status == "resolved"
        assert by_ref["T2"].ticket.status == "closed"
        assert by_ref["T3"].ticket.status == "assigned"


ACTIVITY_HEADER = "Ref,When,Seq,What,Team\n"


class ActivityHistoryTests:
    def test_it_counts_each_reassignment_activity(self):
        # Rows out of order and split, as in BPI 2014's activity log; same-instant rows are
        # ordered by the source's activity number.
        rows = ACTIVITY_HEADER + (
            "T1,2024-06-10T09:30,A03,Move,Network\n"
            "T1,2024-06-10T09:00,A01,Open,Desk\n"
            "T2,2024-06-10T09:00,B01,Open,Desk\n"
            "T1,2024-06-10T09:30,A02,Note,Desk\n"
            "T1,2024-06-10T09:30,A04,Take,Network\n"
            "T1,2024-06-10T10:00,A05,Move,Network\n"
            "T1,2024-06-10T11:00,A06,Close,Apps\n"
            "T1,2024-06-10T12:00,A08,Reopen,Desk\n"
            "T1,2024-06-10T12:00,A07,Move,Desk\n"
            "T1,2024-06-10T12:30,A09,Pending vendor,Desk\n"
            "T1,2024-06-10T13:00,A10,Vendor replied,Desk\n"
            "T1,2024-06-10T13:30,A11,Chase,Desk\n"
            "T1,2024-06-10T14:00,A12,Close,Desk\n"
            "T1,2024-06-10T14:05,A13,Pending vendor,Desk\n"
        )
        found, errors = histories(ACTIVITY_TOML, rows)
        assert errors == []
        history = next(h for h in found if h.ticket.reference == "T1")
        assert kinds(history) == [
            ("logged", "logged", ""),
            ("assigned", "", "Desk"),
            ("reassigned", "Desk", "Network"),
            # "Take" to the queue it is already in is not a change
            ("reassigned", "Network", "Network"),  # the log's word wins: it counts
            ("resolved", "closed", "Network"),
            ("reassigned", "Network", "Desk"),  # while closed, as the log has it
            ("reopened", "assigned", "Desk"),
            ("on_hold", "awaiting_supplier", "Desk"),
            ("off_hold", "assigned", "Desk"),
            ("escalated", "assigned", "Desk"),
            ("resolved", "closed", "Desk"),
            # a vendor note after the close does not reopen the ticket
        ]
        assert history.reassignment_count == 3
        assert history.reopen_count == 1
        assert history.ticket.status == "closed"
        assert history.ticket.closed_at == at(14)


TICKET_TOML = """
shape = "ticket"
[columns]
reference = "Ref"
status = "State"
queue = "Team"
opened_at = "Opened"
resolved_at = "Resolved"
closed_at = "Closed"
updated_at = "Updated"
reassignment_count = "Moves"
[dates]
timezone = "UTC"
[values.status]
Open = "logged"
Waiting = "awaiting_customer"
Fixed = "resolved"
Closed = "closed"
"""


class SynthesisedHistoryTests:
    HEADER = "Ref,State,Team,Opened,Resolved,Closed,Updated,Moves\n"

    def read(self, rows: str) -> tuple[list[TicketHistory], list[RowError]]:
        mapping = parse_mapping(tomllib.loads(TICKET_TOML), source="test.toml")
        errors: list[RowError] = []
        found = list(
            read_histories(io.BytesIO((self.HEADER + rows).encode()), mapping, errors=errors)
        )
        return found, errors

    def test_it_synthesises_logged_resolved_and_closed(self):
        rows = "T1,Closed,Desk,2024-06-10T09:00,2024-06-10T10:00,2024-06-10T11:00,,3\n"
        [history], errors = self.read(rows)
        assert errors == []
        assert [(e.kind, e.at, e.status_to, e.queue_to) for e in history.events] == [
            ("logged", at(9), "logged", None),
            ("assigned", at(9), "assigned", "Desk"),
            ("resolved", at(10), "resolved", "Desk"),
            ("closed", at(11), "closed", "Desk"),
        ]
        assert history.ticket.reassignment_count == 3  # the export's own count is kept

    def test_it_ends_with_the_current_status_at_the_last_update(self):
        rows = "T1,Waiting,Desk,2024-06-10T09:00,,,2024-06-10T12:00,\n"
        [history], _ = self.read(rows)
        assert [(e.kind, e.at) for e in history.events][-1] == ("on_hold", at(12))

    def test_it_refuses_times_out_of_order(self):
        rows = (
            "T1,Closed,Desk,2024-06-10T09:00,2024-06-10T08:00,,,\n"
            "T2,Closed,Desk,2024-06-10T09:00,2024-06-10T10:00,2024-06-10T09:30,,\n"
            "T1,Closed,Desk,2024-06-10T09:00,,,,\n"
        )
        found, errors = self.read(rows)
        assert found == []
        assert [(e.line, e.column) for e in errors] == [
            (2, "resolved_at"),
            (3, "closed_at"),
            (4, "Ref"),
        ]
        assert "is before opened" in errors[0].reason
        assert "is already on line 2" in errors[2].reason


OPENED_TOML = STATE_TOML.replace(
    'assignee = "Who"',
    'assignee = "Who"\nopened_at = "Opened"\n'
    'reassignment_count = "Moves"\nreopen_count = "Reopens"',
)
OPENED_HEADER = "Ref,When,Seq,State,Team,Who,Opened,Moves,Reopens\n"


class OpenedAtTests:
    """In event shape a mapped opened time logs the ticket (ServiceNow's opened_at)."""

    def test_a_ticket_opened_before_its_first_row_is_logged_when_it_was_opened(self):
        rows = OPENED_HEADER + (
            "T1,2024-06-10T12:22,1,New,Desk,Ann,2024-06-10T09:16,0,0\n"
            "T1,2024-06-10T13:00,2,Resolved,Desk,Ann,2024-06-10T09:16,0,0\n"
        )
        [history], errors = histories(OPENED_TOML, rows)
        assert errors == []
        assert [(e.kind, e.at) for e in history.events] == [
            ("logged", at(9, 16)),
            ("assigned", at(12, 22)),  # the queue is first seen on the first row
            ("resolved", at(13)),
        ]
        assert history.ticket.opened_at == at(9, 16)

    def test_a_ticket_opened_after_its_first_row_is_logged_at_its_first_row(self):
        # Five UCI incidents have rows before their opened time: a history cannot start
        # after its own events, so the earlier instant logs the ticket.
        rows = OPENED_HEADER + (
            "T1,2024-06-10T07:27,1,New,Desk,Ann,2024-06-10T09:41,0,0\n"
            "T1,2024-06-10T10:00,2,Working,Desk,Ann,2024-06-10T09:41,0,0\n"
        )
        [history], errors = histories(OPENED_TOML, rows)
        assert errors == []
        assert history.events[0].at == at(7, 27)
        assert history.ticket.opened_at == at(7, 27)

    def test_without_an_opened_time_the_first_row_logs_the_ticket(self):
        rows = OPENED_HEADER + "T1,2024-06-10T12:22,1,New,Desk,Ann,,,\n"
        [history], errors = histories(OPENED_TOML, rows)
        assert errors == []
        assert history.events[0].at == at(12, 22)

    def test_a_bad_opened_time_is_a_row_error(self):
        rows = OPENED_HEADER + "T1,2024-06-10T12:22,1,New,Desk,Ann,yesterday,0,0\n"
        found, errors = histories(OPENED_TOML, rows)
        assert found == []
        assert [(e.line, e.column, e.value) for e in errors] == [(2, "Opened", "yesterday")]

    def test_the_exports_own_counts_are_its_last_rows(self):
        rows = OPENED_HEADER + (
            "T1,2024-06-10T09:00,1,New,Desk,Ann,2024-06-10T09:00,0,0\n"
            "T1,2024-06-10T10:00,2,Working,Network,Ann,2024-06-10T09:00,1,0\n"
            "T1,2024-06-10T11:00,3,Resolved,Network,Ann,2024-06-10T09:00,3,1\n"
        )
        [history], errors = histories(OPENED_TOML, rows)
        assert errors == []
        assert (history.ticket.reassignment_count, history.ticket.reopen_count) == (3, 1)
        assert (history.reassignment_count, history.reopen_count) == (1, 0)


class RepeatedRowTests:
    """An event row that repeats its ticket's columns is still checked as a row of its own
    (the reader reuses the ticket record of the previous, good, row)."""

    def test_a_bad_status_on_a_row_that_repeats_its_ticket_is_reported(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,New,Desk,Ann\n"
            "T1,2024-06-10T10:00,2,Bogus,Desk,Ann\n"
            "T1,2024-06-10T11:00,3,Working,Desk,Ann\n"
        )
        found, errors = histories(STATE_TOML, rows)
        assert [(e.line, e.column, e.value) for e in errors] == [(3, "State", "Bogus")]

    def test_a_bad_ticket_value_is_reported_on_each_row_that_repeats_it(self):
        team = "T" * 101  # over the queue name's 100 characters
        rows = STATE_HEADER + (
            f"T1,2024-06-10T09:00,1,New,{team},Ann\nT1,2024-06-10T10:00,2,Working,{team},Ann\n"
        )
        found, errors = histories(STATE_TOML, rows)
        assert found == []
        assert [(e.line, e.column) for e in errors] == [(2, "Team"), (3, "Team")]

    def test_a_nul_outside_the_ticket_columns_is_reported_on_a_repeating_row(self):
        rows = STATE_HEADER + (
            "T1,2024-06-10T09:00,1,New,Desk,Ann\nT1,2024-06-10T10:00,2\x00,Working,Desk,Ann\n"
        )
        found, errors = histories(STATE_TOML, rows)
        assert [(e.line, e.column) for e in errors] == [(3, "Seq")]


class CollectorTests:
    """Reading runs the garbage collector less often, and only while it reads."""

    def test_the_thresholds_are_restored_once_the_file_is_read(self):
        before = gc.get_threshold()
        histories(STATE_TOML, STATE_HEADER + "T1,2024-06-10T09:00,1,New,Desk,Ann\n")
        assert gc.get_threshold() == before

    def test_the_thresholds_are_restored_when_the_reading_is_abandoned(self):
        before = gc.get_threshold()
        mapping = parse_mapping(tomllib.loads(STATE_TOML), source="test.toml")
        rows = (
            STATE_HEADER
            + "T1,2024-06-10T09:00,1,New,Desk,Ann\nT2,2024-06-10T09:00,1,New,Desk,Ann\n"
        )
        reading = read_histories(io.BytesIO(rows.encode()), mapping, errors=[])
        next(reading)
        assert gc.get_threshold()[0] == READING_GC_THRESHOLD
        reading.close()
        assert gc.get_threshold() == before
