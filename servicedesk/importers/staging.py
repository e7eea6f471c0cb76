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

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from django.db import IntegrityError, connection

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
    EVENTS: ("from_queue_id", "to_queue_id", "ticket_queue_id", "ticket_category_id"),
    INTERVALS: ("queue_id", "category_id"),
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

    def create(self) -> Stage:
        """Create the temporary tables (the real tables' column types, no constraints); the
        stage itself, so ``Stage(...).create()`` reads as one step. The columns are given
        once, to the constructor, rather than restated by a factory that only forwards them."""
        # ON COMMIT DROP ends them with the import's transaction; drop() ends them sooner
        # when the import runs inside a longer transaction (a test, a caller's atomic block).
        made = (
            (TICKETS, Ticket, self.tickets),
            (EVENTS, TicketEvent, self.events),
            (INTERVALS, TicketInterval, self.intervals),
        )
        with connection.cursor() as cursor:
            self._drop(cursor)
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
        return self

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
        with connection.cursor() as cursor, _local_setting(cursor, "work_mem", MOVE_WORK_MEM):
            self._apply(cursor, keys)

    def _apply(self, cursor: Any, keys: dict[int, int]) -> None:
        ticket_table = Ticket._meta.db_table
        if keys:
            cursor.execute(
                f"INSERT INTO {KEYS} (stand_in, id) "  # noqa: S608
                "SELECT * FROM unnest(%s::integer[], %s::integer[])",
                [list(keys), list(keys.values())],
            )
        # Statistics where a plan depends on them: the staged tickets' keys (how many exist
        # already, the positive ones, decides between a scan of the ticket table and its
        # key; sampling their other columns, summaries and all, cost a tenth of a second
        # per 25,000) and the small tables that drive the deletes and joins. The staged
        # events and intervals are only ever read whole, hashed against those, and sorted:
        # sampling them would cost more than it could change.
        for table in (f"{TICKETS} (id)", CLEAR, KEYS):
            cursor.execute(f"ANALYZE {table}")
        # New tickets take their keys from the ticket sequence, in the file's order.
        cursor.execute(
            f"INSERT INTO {TICKET_KEYS} (stand_in, id) "  # noqa: S608
            f"SELECT stand_in, nextval(pg_get_serial_sequence('{ticket_table}', 'id')) "
            f"FROM (SELECT id AS stand_in FROM {TICKETS} WHERE id < 0 ORDER BY id DESC) s"
        )
        cursor.execute(f"ANALYZE {TICKET_KEYS}")
        unchecked = _may_skip_key_triggers(cursor, [ticket_table])
        names = self.tickets[1:]
        values = [self._mapped(TICKETS, "s", c) for c in names]
        joins = self._joins(TICKETS, "s")
        source = f"{TICKETS} s JOIN {TICKET_KEYS} k ON k.stand_in = s.id {joins}"
        if unchecked:
            _check_keys(cursor, ticket_table, TICKETS, self._mappings(TICKETS, names))
        with _key_triggers_off(cursor, unchecked):
            cursor.execute(
                f"INSERT INTO {ticket_table} (id, {', '.join(names)}) "  # noqa: S608
                f"SELECT k.id, {', '.join(values)} FROM {source} ORDER BY k.id"
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
            unchecked = _may_skip_key_triggers(cursor, [model._meta.db_table])
            columns = self.events if table == EVENTS else self.intervals
            values = [
                "coalesce(k.id, s.ticket_id)" if c == "ticket_id" else self._mapped(table, "s", c)
                for c in columns
            ]
            source = (
                f"{table} s LEFT JOIN {TICKET_KEYS} k ON k.stand_in = s.ticket_id "
                f"{self._joins(table, 's')}"
            )
            if unchecked:
                _check_keys(cursor, model._meta.db_table, table, self._mappings(table, columns))
            with _key_triggers_off(cursor, unchecked):
                cursor.execute(
                    f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
                    f"SELECT {', '.join(values)} FROM {source} ORDER BY 1, s.{order}"
                )

    @staticmethod
    def _mapped(table: str, alias: str, column: str) -> str:
        """A staged column's value, a stand-in key replaced by the real one."""
        if column in _QUEUE_OR_CATEGORY.get(table, ()):
            return f"coalesce({column}_k.id, {alias}.{column})"
        return f"{alias}.{column}"

    @staticmethod
    def _mappings(table: str, columns: list[str]) -> dict[str, str | None]:
        """Each staged column -> the table that maps its stand-in keys to real ones (None: it
        holds none)."""
        mapped: dict[str, str | None] = dict.fromkeys(columns)
        if table != TICKETS and "ticket_id" in mapped:
            mapped["ticket_id"] = TICKET_KEYS
        for column in _QUEUE_OR_CATEGORY.get(table, ()):
            if column in mapped:
                mapped[column] = KEYS
        return mapped

    @staticmethod
    def _joins(table: str, alias: str) -> str:
        return " ".join(
            f"LEFT JOIN {KEYS} {column}_k ON {column}_k.stand_in = {alias}.{column}"
            for column in _QUEUE_OR_CATEGORY.get(table, ())
        )


# -- foreign keys, checked once per key instead of once per row ------------------------------
#
# Why: PostgreSQL checks a foreign key with a trigger per inserted row, each a query on the
# referenced table; for the UCI log's 24,918 tickets, 141,090 events and 116,000 intervals
# that was about 3 s of the database's 7 at COMMIT, more than the inserts' own index work.
# The moved rows come from the stage, so their keys can be checked set-wise first: one scan
# of the staged table collects the distinct keys of all its foreign-key columns, then one
# query per foreign key looks up the stored rows' keys, which also takes the same FOR KEY
# SHARE lock on each referenced row that the trigger would have taken (so no other
# transaction can delete or re-key it before this one commits). A stand-in key (negative)
# needs only its mapping: it becomes the key of a row this transaction has just created,
# which exists and which no other transaction can see. Only then are the rows inserted with
# session_replication_role = replica, which skips the per-row triggers for those INSERT
# statements alone (SET LOCAL, reset right after them, and undone by a rollback in any
# case). It is used only where it is safe and allowed: the role may set it (a superuser, or
# GRANT SET ON PARAMETER since PostgreSQL 15) and the tables have no triggers of their own
# that replica would skip too (the ticket table's tallies fire always). Updates and deletes
# keep their triggers. Anywhere else the rows are inserted as before and checked by the
# triggers at COMMIT.

KEY_MISSING: Final = (
    'insert or update on table "{table}" violates foreign key constraint "{constraint}": '
    "{missing} value(s) of {column} not present in {target}"
)
MOVE_WORK_MEM: Final = "64MB"
"""Memory for each sort and hash of the move: with the default 4 MB, sorting the UCI log's
141,090 staged events into ticket order spilled 18 MB to disk (its intervals 11 MB, its
tickets 5 MB). One import at a time per worker, for the move's few seconds."""
REFS: Final = "sd_import_ref"
"""The distinct keys of a staged table's foreign-key columns, while they are checked."""


def _may_skip_key_triggers(cursor: Any, tables: list[str]) -> bool:
    """Whether this role may set session_replication_role and every trigger of ``tables``
    but PostgreSQL's own (foreign keys) fires always (``ENABLE ALWAYS``), so replica mode
    skips nothing else. The ticket table's queue tallies' triggers (``servicedesk.tallies``)
    do since migration 0015; if they were re-enabled in origin mode only, tickets keep the
    per-row checks."""
    cursor.execute(
        "SELECT (current_setting('is_superuser') = 'on' "
        "OR (current_setting('server_version_num')::int >= 150000 "
        "AND has_parameter_privilege('session_replication_role', 'SET'))) "
        "AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'A' "
        "AND tgrelid::regclass::text = ANY(%s))",
        [tables],
    )
    (allowed,) = cursor.fetchone()
    return bool(allowed)


def _check_keys(cursor: Any, table: str, staged: str, columns: dict[str, str | None]) -> None:
    """Check, set-wise, every single-column foreign key of ``table`` that an insert from the
    staged table ``staged`` sets: ``columns`` maps each staged column to the table mapping its
    stand-in keys (None: a negative key there is missing). Lock each stored row referenced
    FOR KEY SHARE, as the per-row trigger would; raise IntegrityError naming the first broken
    key."""
    cursor.execute(
        "SELECT c.conname, a.attname, c.confrelid::regclass::text, r.attname "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass "
        "AND cardinality(c.conkey) = 1 ORDER BY c.conname",
        [table],
    )
    # Columns the insert does not set are NULL, which a foreign key allows.
    keys = [row for row in cursor.fetchall() if row[1] in columns]
    if not keys:
        return
    pairs = ", ".join(f"({n}, s.{column})" for n, (_, column, _, _) in enumerate(keys))
    cursor.execute(f"DROP TABLE IF EXISTS {REFS}")
    cursor.execute(
        f"CREATE TEMP TABLE {REFS} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT DISTINCT v.fk, v.key FROM {staged} s "
        f"CROSS JOIN LATERAL (VALUES {pairs}) AS v (fk, key) WHERE v.key IS NOT NULL"
    )
    for n, (constraint, column, target, target_column) in enumerate(keys):
        mapping = columns[column]
        unmapped = (
            f"NOT EXISTS (SELECT 1 FROM {mapping} m WHERE m.stand_in = r.key)"
            if mapping
            else "true"
        )
        stored = f"SELECT key FROM {REFS} r WHERE r.fk = {n} AND r.key >= 0"
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {REFS} r WHERE r.fk = {n} AND r.key < 0 "  # noqa: S608
            f"AND {unmapped}) + (SELECT count(*) FROM ({stored}) d) - "
            f"(SELECT count(*) FROM (SELECT 1 FROM {target} t WHERE t.{target_column} IN "
            f"({stored}) FOR KEY SHARE OF t) locked)"
        )
        (missing,) = cursor.fetchone()
        if missing:
            raise IntegrityError(
                KEY_MISSING.format(
                    table=table,
                    constraint=constraint,
                    missing=missing,
                    column=column,
                    target=target,
                )
            )
    cursor.execute(f"DROP TABLE {REFS}")


@contextmanager
def _key_triggers_off(cursor: Any, off: bool) -> Iterator[None]:
    """Skip the per-row foreign-key triggers of the statements inside (keys checked first)."""
    if not off:
        yield
        return
    with _local_setting(cursor, "session_replication_role", "replica"):
        yield


@contextmanager
def _local_setting(cursor: Any, name: str, value: str) -> Iterator[None]:
    """A setting for the statements inside, in this transaction only (``SET LOCAL``), and
    back to what it was after them: the import may run inside a longer transaction (a test,
    a caller's atomic block). A failed statement rolls it back in any case."""
    cursor.execute("SELECT current_setting(%s)", [name])
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    cursor.execute("SELECT set_config(%s, %s, true)", [name, before])
