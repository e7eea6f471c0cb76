"""The ticket as of each event and interval: the derived columns the figures group by.

Each :class:`~servicedesk.models.TicketInterval` carries the ticket's kind and category
during it (a reclassification starts a new interval) and when the ticket was logged; each
:class:`~servicedesk.models.TicketEvent` carries the ticket's queue, kind and category once
its instant is over (those of the ticket's latest interval started by then, as
``servicedesk.metrics`` has always read them) and its channel. With them the as-of and period
figures are one grouped range scan each, with no join and no subquery per row (issue 15).

The services fill them as they write, the demo data as it is made, and the ticket importer
as it builds each history (``history.events_as_of``: an UPDATE after the import's insert
rewrote every event and interval it wrote, half the UCI log's database time). A bulk load
that writes events and intervals without them leaves their markers empty (``kind`` of an
interval, ``ticket_kind`` of an event; partial indexes find them), and one that changes a
ticket's kind, category or channel over events it keeps names the ticket; either calls
:func:`tickets_as_of_fill` once at the end, which fills them in a fixed number of set-based
statements, however many tickets were loaded (the importer's call finds no row unfilled).

Kind and category come from the history: before a ticket's first reclassification they are
that event's ``from_`` values, after one its ``to_`` values; a ticket never reclassified has
its current kind and category throughout.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from django.db import connection

from servicedesk.choices import EventKind

__all__ = ["tickets_as_of_fill"]

_T: Final = "servicedesk_ticket"
_E: Final = "servicedesk_ticketevent"
_I: Final = "servicedesk_ticketinterval"
_RECLASSIFIED: Final = EventKind.RECLASSIFIED.value

# Statements, each with a {scope} on the rows it may touch (alias i or e). Portable SQL
# (PostgreSQL, and SQLite for `make run`): UPDATE ... FROM and correlated subqueries.
_INTERVALS_FROM_TICKET: Final = f"""
    UPDATE {_I} AS i SET kind = t.kind, category_id = t.category_id, logged_at = t.logged_at
    FROM {_T} AS t
    WHERE t.id = i.ticket_id AND {{scope}}
      AND NOT EXISTS (
        SELECT 1 FROM {_E} AS r WHERE r.ticket_id = i.ticket_id AND r.kind = '{_RECLASSIFIED}'
      )
"""


def _reclassification(column: str) -> str:
    """The value of ``column`` (kind or category_id) as of interval ``i``'s start, from the
    ticket's reclassification events."""
    return f"""CASE WHEN EXISTS (
            SELECT 1 FROM {_E} AS r WHERE r.ticket_id = i.ticket_id
              AND r.kind = '{_RECLASSIFIED}' AND r.at <= i.started_at)
        THEN (SELECT r.to_{column} FROM {_E} AS r WHERE r.ticket_id = i.ticket_id
              AND r.kind = '{_RECLASSIFIED}' AND r.at <= i.started_at
              ORDER BY r.sequence DESC LIMIT 1)
        ELSE (SELECT r.from_{column} FROM {_E} AS r WHERE r.ticket_id = i.ticket_id
              AND r.kind = '{_RECLASSIFIED}' ORDER BY r.sequence LIMIT 1)
        END"""


_INTERVALS_FROM_RECLASSIFICATIONS: Final = f"""
    UPDATE {_I} AS i SET kind = {_reclassification("kind")},
        category_id = {_reclassification("category_id")}, logged_at = t.logged_at
    FROM {_T} AS t
    WHERE t.id = i.ticket_id AND {{scope}}
      AND EXISTS (
        SELECT 1 FROM {_E} AS r WHERE r.ticket_id = i.ticket_id AND r.kind = '{_RECLASSIFIED}'
      )
"""

_EVENTS_FROM_INTERVALS: Final = f"""
    UPDATE {_E} AS e SET ticket_queue_id = i.queue_id, ticket_kind = i.kind,
        ticket_category_id = i.category_id, ticket_channel = t.channel
    FROM {_I} AS i, {_T} AS t
    WHERE t.id = e.ticket_id AND {{scope}}
      AND i.id = (
        SELECT l.id FROM {_I} AS l WHERE l.ticket_id = e.ticket_id AND l.started_at <= e.at
        ORDER BY l.started_at DESC, l.id DESC LIMIT 1
      )
"""

UNFILLED_INTERVALS: Final = "i.kind = ''"
UNFILLED_EVENTS: Final = "e.ticket_kind = ''"


def fill_statements(*, intervals_scope: str, events_scope: str) -> list[str]:
    """The fill, in order (intervals first: the events read them), for rows in scope."""
    return [
        _INTERVALS_FROM_TICKET.format(scope=intervals_scope),
        _INTERVALS_FROM_RECLASSIFICATIONS.format(scope=intervals_scope),
        _EVENTS_FROM_INTERVALS.format(scope=events_scope),
    ]


def tickets_as_of_fill(*, tickets: Collection[int] = ()) -> None:
    """Fill the as-of columns of every event and interval written without them (a bulk
    load's), and refill those of ``tickets`` (whose kind, category or channel a bulk load
    changed without an event). A fixed number of statements, whatever the data's size."""
    params: list[object] = []
    intervals_scope, events_scope = UNFILLED_INTERVALS, UNFILLED_EVENTS
    if tickets:
        ids = sorted(set(tickets))
        if connection.vendor == "postgresql":
            listed, params = "= ANY(%s)", [ids]
        else:
            listed, params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
        intervals_scope = f"({UNFILLED_INTERVALS} OR i.ticket_id {listed})"
        events_scope = f"({UNFILLED_EVENTS} OR e.ticket_id {listed})"
    with connection.cursor() as cursor:
        for sql in fill_statements(intervals_scope=intervals_scope, events_scope=events_scope):
            cursor.execute(sql, params)  # type: ignore[arg-type]  # a list of ticket ids
