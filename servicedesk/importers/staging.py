"""Temporary tables that hold an import's rows until every row of the file has been checked.

Why: a file used to be read twice, once to check every row and once more to write it (a
refused file must write nothing at all, ADR 0004), and the Python pass is most of an import's
time. With a stage it is read once: each batch's tickets, events and intervals are copied
(``COPY`` through ``hackperf.copy``, on the writer's background thread) into ``TEMP``
tables as they are checked; those are neither logged nor indexed, and are private to the
import's connection. Only when the whole file is clean do a few set-based statements move
them to the real tables; a refused file rolls back, and the temporary tables go with it, so
the real tables see no write at all.

Rows are staged with stand-in keys (negative numbers) for what does not exist yet: new tickets
(``sd_import_tkey`` maps them to keys from the ticket sequence when they are moved), new queues
and categories (created by the writer when the file is clean, then mapped through
``sd_import_key``). Existing tickets are staged with their own keys. PostgreSQL only; other
databases use the writer's two-pass path, which stores the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.db import connection

from servicedesk.models import Ticket, TicketEvent, TicketInterval

TICKETS: Final = "sd_import_ticket"
EVENTS: Final = "sd_import_event"
INTERVALS: Final = "sd_import_interval"
CLEAR: Final = "sd_import_clear"
"""Existing tickets whose intervals (and, when ``events``, events) the file replaces."""
KEYS: Final = "sd_import_key"
"""Stand-in key of a new queue or category -> its real key."""
TICKET_KEYS: Final = "sd_import_tkey"
"""Stand-in key of a new ticket -> its real key."""
_TABLES: Final = (TICKETS, EVENTS, INTERVALS, CLEAR, KEYS, TICKET_KEYS)

# Columns that may hold a stand-in key, per staged table.
_QUEUE_OR_CATEGORY: Final = {
    TICKETS: ("category_id", "queue_id"),
    EVENTS: ("from_queue_id", "to_queue_id"),
    INTERVALS: ("queue_id",),
}


def _columns(model: Any, names: Iterable[str]) -> list[str]:
    return [model._meta.get_field(n).column for n in names]


class Stage:
    """The temporary tables of one import, on the default connection, inside its transaction."""

    def __init__(
        self,
        *,
        ticket_columns: tuple[str, ...],
        event_columns: tuple[str, ...],
        interval_columns: tuple[str, ...],
    ) -> None:
        # Database column names, in the order the writer stages its rows.
        self.tickets = ["id", *_columns(Ticket, ticket_columns)]
        self.events = _columns(TicketEvent, event_columns)
        self.intervals = _columns(TicketInterval, interval_columns)

    @classmethod
    def create(
        cls,
        *,
        ticket_columns: tuple[str, ...],
        event_columns: tuple[str, ...],
        interval_columns: tuple[str, ...],
    ) -> Stage:
        """Create the temporary tables (the real tables' column types, no constraints)."""
        stage = cls(
            ticket_columns=ticket_columns,
            event_columns=event_columns,
            interval_columns=interval_columns,
        )
        # ON COMMIT DROP ends them with the import's transaction; drop() ends them sooner
        # when the import runs inside a longer transaction (a test, a caller's atomic block).
        made = (
            (TICKETS, Ticket, stage.tickets),
            (EVENTS, TicketEvent, stage.events),
            (INTERVALS, TicketInterval, stage.intervals),
        )
        with connection.cursor() as cursor:
            stage._drop(cursor)
            for name, model, columns in made:
                cursor.execute(
                    f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WITH NO DATA"
                )
            cursor.execute(
                f"CREATE TEMP TABLE {CLEAR} (ticket_id integer, events boolean) ON COMMIT DROP"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {KEYS} (stand_in integer PRIMARY KEY, id integer) "
                "ON COMMIT DROP"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {TICKET_KEYS} (stand_in integer PRIMARY KEY, id integer) "
                "ON COMMIT DROP"
            )
        return stage

    def columns(self, table: str) -> list[str]:
        """The columns a staged table's rows give, in order (for ``hackperf.copy``)."""
        return {TICKETS: self.tickets, EVENTS: self.events, INTERVALS: self.intervals}.get(
            table, ["ticket_id", "events"]
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            self._drop(cursor)

    def _drop(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TABLES)}")

    # -- the move to the real tables ----------------------------------------------------------

    def apply(self, keys: dict[int, int]) -> None:
        """Move the staged rows to the real tables: new tickets inserted, changed ones updated,
        replaced events and intervals deleted, the new ones inserted (in ticket order, which
        keeps the (ticket, sequence) index's inserts at its right-hand edge).

        ``keys`` maps the stand-in keys of the queues and categories the writer has just
        created to their real ones.
        """
        ticket_table = Ticket._meta.db_table
        with connection.cursor() as cursor:
            if keys:
                cursor.execute(
                    f"INSERT INTO {KEYS} (stand_in, id) "  # noqa: S608
                    "SELECT * FROM unnest(%s::integer[], %s::integer[])",
                    [list(keys), list(keys.values())],
                )
            # Statistics where a plan depends on them: the staged tickets (how many exist
            # already decides between a scan of the ticket table and its key) and the small
            # tables that drive the deletes and joins. The staged events and intervals are
            # only ever read whole, hashed against those, and sorted: sampling them would
            # cost more than it could change.
            for table in (TICKETS, CLEAR, KEYS):
                cursor.execute(f"ANALYZE {table}")
            # New tickets take their keys from the ticket sequence, in the file's order.
            cursor.execute(
                f"INSERT INTO {TICKET_KEYS} (stand_in, id) "  # noqa: S608
                f"SELECT stand_in, nextval(pg_get_serial_sequence('{ticket_table}', 'id')) "
                f"FROM (SELECT id AS stand_in FROM {TICKETS} WHERE id < 0 ORDER BY id DESC) s"
            )
            cursor.execute(f"ANALYZE {TICKET_KEYS}")
            names = self.tickets[1:]
            values = [self._mapped(TICKETS, "s", c) for c in names]
            joins = self._joins(TICKETS, "s")
            cursor.execute(
                f"INSERT INTO {ticket_table} (id, {', '.join(names)}) "  # noqa: S608
                f"SELECT k.id, {', '.join(values)} FROM {TICKETS} s "
                f"JOIN {TICKET_KEYS} k ON k.stand_in = s.id {joins} ORDER BY k.id"
            )
            cursor.execute(
                f"UPDATE {ticket_table} AS t SET ({', '.join(names)}) = "  # noqa: S608
                f"({', '.join(values)}) FROM {TICKETS} s {joins} "
                "WHERE t.id = s.id AND s.id > 0"
            )
            cursor.execute(
                f"DELETE FROM {TicketEvent._meta.db_table} WHERE ticket_id IN "  # noqa: S608
                f"(SELECT ticket_id FROM {CLEAR} WHERE events)"
            )
            cursor.execute(
                f"DELETE FROM {TicketInterval._meta.db_table} WHERE ticket_id IN "  # noqa: S608
                f"(SELECT ticket_id FROM {CLEAR})"
            )
            for table, model, order in (
                (EVENTS, TicketEvent, "sequence"),
                (INTERVALS, TicketInterval, "started_at"),
            ):
                columns = self.events if table == EVENTS else self.intervals
                values = [
                    "coalesce(k.id, s.ticket_id)"
                    if c == "ticket_id"
                    else self._mapped(table, "s", c)
                    for c in columns
                ]
                cursor.execute(
                    f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
                    f"SELECT {', '.join(values)} FROM {table} s "
                    f"LEFT JOIN {TICKET_KEYS} k ON k.stand_in = s.ticket_id "
                    f"{self._joins(table, 's')} ORDER BY 1, s.{order}"
                )

    @staticmethod
    def _mapped(table: str, alias: str, column: str) -> str:
        """A staged column's value, a stand-in key replaced by the real one."""
        if column in _QUEUE_OR_CATEGORY.get(table, ()):
            return f"coalesce({column}_k.id, {alias}.{column})"
        return f"{alias}.{column}"

    @staticmethod
    def _joins(table: str, alias: str) -> str:
        return " ".join(
            f"LEFT JOIN {KEYS} {column}_k ON {column}_k.stand_in = {alias}.{column}"
            for column in _QUEUE_OR_CATEGORY.get(table, ())
        )
