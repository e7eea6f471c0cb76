"""One reopen rule, one resolution rule: the replay, the import parser and the metrics' SQL
classify every pair of statuses alike (DESIGN.md's metric dictionary, ``servicedesk.statuses``).

A reopen is a change from resolved or closed to any status that is not done (open or paused);
a resolution is a change from an open or paused status to resolved or closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

from servicedesk import statuses
from servicedesk.choices import STATUS_CLASSES, EventKind, Status, StatusClass
from servicedesk.history import TicketState, interval_from, replay
from servicedesk.importers import classify_status_change
from servicedesk.metrics import REOPEN_Q, RESOLUTION_Q
from servicedesk.models import TicketEvent
from tests.servicedesk.factories import log_ticket

PAIRS = [(a, b) for a, b in product(Status.values, repeat=2) if a != b]
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _replayed_counts(from_status: str, to_status: str) -> tuple[int, bool]:
    """(reopens, resolved?) after a ticket logged in ``from_status`` moves to ``to_status``."""
    events = [
        SimpleNamespace(
            kind=EventKind.LOGGED,
            at=START,
            sequence=1,
            to_queue_id=1,
            to_status=from_status,
            assignee_id=None,
            level=None,
        ),
        SimpleNamespace(
            kind=EventKind.STATUS_CHANGED,
            at=START + timedelta(hours=1),
            sequence=2,
            to_queue_id=None,
            to_status=to_status,
            assignee_id=None,
            level=None,
        ),
    ]
    state = replay(events).state
    return state.reopen_count, state.last_resolved_at is not None


class StatusRulesTests:
    def test_an_interval_copies_every_field_of_its_state(self):
        # interval_from builds its row positionally (the replay's hot path): each field must
        # still come from the state's field of the same name.
        state = TicketState(
            status=Status.IN_PROGRESS,
            queue_id=7,
            assignee_id=None,
            logged_at=START,
            status_since=START,
            reassignment_count=2,
            escalation_level=1,
            kind="incident",
            category_id=11,
        )
        at = START + timedelta(hours=3)
        row = interval_from(state, at)
        for name in ("status", "queue_id", "reassignment_count", "escalation_level"):
            assert getattr(row, name) == getattr(state, name)
        assert (row.kind, row.category_id, row.logged_at) == ("incident", 11, START)
        assert (row.started_at, row.ended_at) == (at, None)

    def test_the_classes_are_the_choices_classes(self):
        assert statuses.STATUSES == tuple(Status.values)
        for status, cls in STATUS_CLASSES.items():
            expected = {
                StatusClass.OPEN: statuses.OPEN,
                StatusClass.PAUSED: statuses.PAUSED,
                StatusClass.DONE: statuses.DONE,
            }[cls]
            assert status in expected

    def test_a_reopen_goes_to_any_status_that_is_not_done(self):
        reopens = {pair for pair in PAIRS if statuses.is_reopen(*pair)}
        assert reopens == {
            (a, b) for a in ("resolved", "closed") for b in statuses.OPEN + statuses.PAUSED
        }
        assert ("resolved", "awaiting_customer") in reopens
        assert ("cancelled", "assigned") not in reopens  # reinstated, not reopened

    @pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
    def test_the_replay_and_the_import_parser_agree(self, from_status, to_status):
        reopens, resolved = _replayed_counts(from_status, to_status)
        kind = classify_status_change(from_status, to_status)
        assert (reopens == 1) is statuses.is_reopen(from_status, to_status)
        assert (kind == "reopened") is statuses.is_reopen(from_status, to_status)
        assert resolved is statuses.is_resolution(from_status, to_status)
        assert (kind == "resolved") is statuses.is_resolution(from_status, to_status)


@pytest.mark.django_db
class StatusRulesInSqlTests:
    def test_the_metrics_sql_classifies_every_pair_as_python_does(self, desk, targets):
        ticket = log_ticket(queue=desk, at=START)
        TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket=ticket,
                sequence=100 + n,
                kind=EventKind.STATUS_CHANGED,
                at=START + timedelta(minutes=n),
                from_status=a,
                to_status=b,
            )
            for n, (a, b) in enumerate(PAIRS)
        )
        events = TicketEvent.objects.filter(sequence__gte=100)
        sql_reopens = set(events.filter(REOPEN_Q).values_list("from_status", "to_status"))
        sql_resolutions = set(events.filter(RESOLUTION_Q).values_list("from_status", "to_status"))
        assert sql_reopens == {p for p in PAIRS if statuses.is_reopen(*p)}
        assert sql_resolutions == {p for p in PAIRS if statuses.is_resolution(*p)}
        assert len(sql_reopens) == 10
        assert len(sql_resolutions) == 10
