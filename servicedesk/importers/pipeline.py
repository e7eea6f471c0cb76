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

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from typing import Final, TypeVar

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

READING_GC_THRESHOLD: Final = 50_000
"""Allocations between the cyclic garbage collector's youngest-generation runs while a file
is read (Python's default is 700). Each row makes a dozen small objects that live until
their ticket is written and are never in a cycle, so the collector ran some 1,900 times on
the UCI log to free a few thousand objects: a tenth of the import's Python time. Cycles
are still collected, every 50,000 allocations (a few megabytes at most)."""


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
    with _fewer_collections():
        if mapping.shape == "ticket":
            records = unique_tickets(read_tickets(source, mapping, errors=errors), mapping, errors)
            yield from _counted(synthesised(records, errors), on_row)
            return
        events = _counted(read_events(source, mapping, errors=errors), on_row)
        groups = group_events(events, mapping, errors=errors)
        yield from histories_from_groups(groups, mapping, errors)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often (``READING_GC_THRESHOLD``) while the file
    is read, and as before once it is read (or the reading is abandoned: closing the
    generator leaves the block). Process-wide while it lasts, as the collector is."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], READING_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _counted(items: Iterable[T], on_row: Callable[[], None] | None) -> Iterable[T]:
    if on_row is None:
        return items
    return _calling(items, on_row)


def _calling(items: Iterable[T], on_row: Callable[[], None]) -> Iterator[T]:
    for item in items:
        on_row()
        yield item
