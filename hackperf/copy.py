"""The one bulk loader: PostgreSQL ``COPY ... FROM STDIN`` through psycopg 3 (issue 14).

Ticket import, demo data and the benchmarks load rows with :func:`copy_rows`: each row is a
sequence of Python values (``None`` for NULL, aware datetimes, text with any character) that
psycopg's own adapters encode with ``Copy.write_row``, so no caller formats COPY text by hand
(two hand-made encoders drifted apart: a text value ``\\N`` became NULL in one of them).
:class:`Copier` runs the same loads on a thread, on the caller's own connection and so in its
transaction, while the caller makes the next batch: Python builds rows and PostgreSQL loads
them side by side. :func:`copy_file` streams a file that is already in COPY's format (the
benchmarks' bare-table anchor).

COPY is checked by the same constraints and foreign keys as an INSERT
(https://www.postgresql.org/docs/current/sql-copy.html); psycopg 3's COPY
(https://www.psycopg.org/psycopg3/docs/basic/copy.html) holds the connection's lock for the
whole statement, so another thread's query waits for it instead of landing inside it.

Rows go in COPY's text format unless the column types are given (``types``, or a
:class:`Copier` made with ``binary=True``, which reads them from the catalogue once per table):
then in its binary format, where psycopg's C dumpers write each value's bytes without
formatting it as text for PostgreSQL to parse back (a datetime is eight bytes, not a string
and a time zone): a fifth of the CPU time of the text format for the import's events. Binary
takes each value as the column's type says, so it suits callers whose values are already of
the columns' types (the importer's stage); text lets PostgreSQL read any value's text.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final

from psycopg import sql

__all__ = ["Copier", "column_types", "copy_file", "copy_rows", "copy_statement"]

FILE_CHUNK: Final = 1 << 20
"""Bytes handed to PostgreSQL at a time by :func:`copy_file`."""

Job = tuple[str, Sequence[str], Iterable[Sequence[Any]]]
"""A table, its columns and the rows to copy into them."""


def _raw(cursor: Any) -> Any:
    """The psycopg cursor behind a Django cursor (or the psycopg cursor itself)."""
    return getattr(cursor, "cursor", cursor)


def copy_statement(table: str, columns: Sequence[str] | None = None, *, options: str = "") -> Any:
    """``COPY table (columns) FROM STDIN [options]``, names quoted as identifiers."""
    statement = sql.SQL("COPY {}").format(sql.Identifier(table))
    if columns:
        statement += sql.SQL(" ({})").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
    statement += sql.SQL(" FROM STDIN")
    if options:
        statement += sql.SQL(" WITH ({})").format(sql.SQL(options))
    return statement


def copy_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    types: Sequence[int] | None = None,
) -> int:
    """Copy ``rows`` (each a sequence of values in ``columns``' order) into ``table``; return
    how many. ``cursor`` is a Django cursor or a psycopg 3 one. With ``types`` (the columns'
    type oids, :func:`column_types`) the rows go in COPY's binary format."""
    count = 0
    options = "FORMAT BINARY" if types is not None else ""
    with _raw(cursor).copy(copy_statement(table, columns, options=options)) as copy:
        if types is not None:
            copy.set_types(types)
        write_row = copy.write_row
        for row in rows:
            write_row(row)
            count += 1
    return count


def column_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type oids of ``table``'s ``columns``, in order (for a binary :func:`copy_rows`)."""
    raw = _raw(cursor)
    raw.execute(
        "SELECT attname, atttypid::int FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    oids = dict(raw.fetchall())
    return [oids[column] for column in columns]


def copy_file(cursor: Any, table: str, file: IO[str] | IO[bytes], *, options: str = "") -> None:
    """Stream a file already in COPY's format (``options`` says which: ``FORMAT csv,
    HEADER``) into ``table``, a chunk at a time."""
    with _raw(cursor).copy(copy_statement(table, options=options)) as copy:
        while chunk := file.read(FILE_CHUNK):
            copy.write(chunk)


class Copier:
    """Runs :func:`copy_rows` jobs in order on a thread, on a connection the caller shares.

    Pass Django's ``connection.connection`` (the open psycopg connection): the COPYs run in the
    caller's transaction, so a load stays all or nothing. At most ``waiting`` submissions wait,
    so memory stays flat. A failed COPY fails the transaction: the rest are skipped, and the
    error is raised to the caller on its next :meth:`submit` or on :meth:`close`. With
    ``binary``, each table's column types are read once and its rows go in COPY's binary
    format (see :func:`copy_rows`).
    """

    def __init__(
        self,
        raw_connection: Any,
        *,
        waiting: int = 2,
        name: str = "copier",
        binary: bool = False,
    ) -> None:
        self.raw = raw_connection
        self.binary = binary
        self.types: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        self.jobs: queue.Queue[list[Job] | None] = queue.Queue(maxsize=waiting)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = threading.Thread(
            target=self._run, name=name, daemon=True
        )
        self.thread.start()

    def __enter__(self) -> Copier:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close()
        if kind is None:
            self.check()

    def _run(self) -> None:
        while (jobs := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # the transaction has failed: drain the queue, do nothing
            try:
                with self.raw.cursor() as cursor:
                    for table, columns, rows in jobs:
                        copy_rows(
                            cursor, table, columns, rows, types=self._types(cursor, table, columns)
                        )
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                self.error = e

    def _types(self, cursor: Any, table: str, columns: Sequence[str]) -> list[int] | None:
        if not self.binary:
            return None
        key = (table, tuple(columns))
        types = self.types.get(key)
        if types is None:
            types = self.types[key] = column_types(cursor, table, columns)
        return types

    def check(self) -> None:
        """Raise the error of a COPY that failed, if one did."""
        if self.error is not None:
            raise self.error

    def submit(self, *jobs: Job) -> None:
        """Queue COPYs to run in this order, after those already queued."""
        self.check()
        self.jobs.put(list(jobs))

    def close(self) -> None:
        """Wait for the queued COPYs and stop the thread (idempotent)."""
        if self.thread is not None:
            self.jobs.put(None)
            self.thread.join()
            self.thread = None
