"""Parsing, mapping and validation of service-management exports (no ORM).

``import_tickets`` reads a CSV (or gzip-compressed CSV) exported by another system, maps it to
our vocabulary with a TOML :class:`~servicedesk.importers.mapping.Mapping`, and gets one
:class:`~servicedesk.importers.history.TicketHistory` per ticket. Only then does it touch the
database, through the services. Keeping this layer free of the ORM lets it be tested on the real
logs in seconds and reused by the upload page and the benchmark.

Typical use (all-or-nothing: the file is refused whole when any row is bad)::

    mapping = load_mapping("bpic2013")
    errors: list[RowError] = []
    for history in read_histories(path, mapping, errors=errors):
        ...  # stage the history; the caller rolls back if ``errors`` is not empty at the end
"""

from servicedesk.importers.history import (
    NormalisedEvent,
    TicketHistory,
    classify_status_change,
    derive_history,
    group_events,
    synthesise_history,
)
from servicedesk.importers.mapping import Mapping, MappingError, load_mapping, parse_mapping
from servicedesk.importers.pipeline import read_histories
from servicedesk.importers.reader import (
    EventRecord,
    RowError,
    TicketRecord,
    iter_rows,
    read_events,
    read_records,
    read_tickets,
)
from servicedesk.importers.reconcile import Reconciliation, reconcile_reassignments

__all__ = [
    "EventRecord",
    "Mapping",
    "MappingError",
    "NormalisedEvent",
    "Reconciliation",
    "RowError",
    "TicketHistory",
    "TicketRecord",
    "classify_status_change",
    "derive_history",
    "group_events",
    "iter_rows",
    "load_mapping",
    "parse_mapping",
    "read_events",
    "read_histories",
    "read_records",
    "read_tickets",
    "reconcile_reassignments",
    "synthesise_history",
]
