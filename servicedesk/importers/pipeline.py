"""The import path as a line: read rows -> map values -> group -> derive history -> write.

Each step is a generator of plain records into the next, and none calls back into an earlier
one (STYLE.md, "pipelines read as a line"):

1. **read and map** (``reader``): the file's rows, each checked and mapped through the
   mapping to a :class:`~servicedesk.importers.reader.TicketRecord` (ticket shape) or an
   :class:`~servicedesk.importers.reader.EventRecord` (event shape);
2. **group** (``history``): a ticket's rows together, in the mapping's order
   (:func:`~servicedesk.importers.history.group_events`), or each ticket once
   (:func:`~servicedesk.importers.history.unique_tickets`);
3. **derive** (``history``): each ticket's history in our event vocabulary
   (:func:`~servicedesk.importers.history.histories_from_groups`,
   :func:`~servicedesk.importers.history.synthesised`);
4. **write** (``writer``): batches of histories compared with what is stored and loaded with
   COPY (``hackperf.copy``), all or nothing.

:func:`read_histories` is steps 1 to 3, the one composition of them: the writer, the
reconciliation and the tests use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from servicedesk.importers.history import (
    TicketHistory,
    group_events,
    histories_from_groups,
    synthesised,
    unique_tickets,
)
from servicedesk.importers.mapping import Mapping
from servicedesk.importers.reader import RowError, Source, read_events, read_tickets

__all__ = ["read_histories"]

T = TypeVar("T")


def read_histories(
    source: Source,
    mapping: Mapping,
    *,
    errors: list[RowError],
    on_row: Callable[[], None] | None = None,
) -> Iterator[TicketHistory]:
    """Read an export and yield each ticket's history; problems go to ``errors``.

    Memory stays flat for the ticket shape and for grouped event files (one ticket's rows at
    a time); ungrouped event files are spilled to temporary files first (see
    :func:`~servicedesk.importers.history.group_events`). ``on_row``, if given, is called for
    each row that goes down the line (each good event row; each ticket's one row), so a
    caller can count and report progress without a step of its own.
    """
    if mapping.shape == "ticket":
        records = unique_tickets(read_tickets(source, mapping, errors=errors), mapping, errors)
        yield from _counted(synthesised(records, errors), on_row)
        return
    events = _counted(read_events(source, mapping, errors=errors), on_row)
    yield from histories_from_groups(group_events(events, mapping, errors=errors), mapping, errors)


def _counted(items: Iterable[T], on_row: Callable[[], None] | None) -> Iterable[T]:
    if on_row is None:
        return items
    return _calling(items, on_row)


def _calling(items: Iterable[T], on_row: Callable[[], None]) -> Iterator[T]:
    for item in items:
        on_row()
        yield item
