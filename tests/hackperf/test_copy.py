"""The one COPY loader (hackperf.copy): values arrive as they were, whatever their text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from psycopg import DataError

from hackperf.copy import Copier, copy_file, copy_rows
from servicedesk.choices import EventKind

ROWS = [
    (1, "\\N", None, datetime(2016, 3, 27, 1, 59, tzinfo=UTC)),  # a text \N is text, not NULL
    (2, 'tab\there, a line\nbreak, a \\ and "quotes"', "", None),
    (3, EventKind.REOPENED, "élan", datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
]


@pytest.fixture
def probe():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_probe (n integer, a text, b text, at timestamptz)")
        yield cursor
        cursor.execute("DROP TABLE copy_probe")


def _stored(cursor):
    cursor.execute("SELECT n, a, b, at FROM copy_probe ORDER BY n")
    return cursor.fetchall()


@pytest.mark.django_db
class CopyTests:
    def test_it_stores_every_value_as_it_was(self, probe):
        assert copy_rows(probe, "copy_probe", ["n", "a", "b", "at"], ROWS) == 3
        assert _stored(probe) == [(n, str(a), b, at) for n, a, b, at in ROWS]

    def test_the_copier_loads_in_order_on_its_thread(self, probe):
        with Copier(connection.connection) as copier:
            for row in ROWS:
                copier.submit(("copy_probe", ["n", "a", "b", "at"], [row]))
        assert [n for n, *_ in _stored(probe)] == [1, 2, 3]

    def test_binary_copy_stores_the_same_values(self, probe):
        # The importer's copier sends COPY's binary format (the column types read once).
        with Copier(connection.connection, binary=True) as copier:
            copier.submit(("copy_probe", ["n", "a", "b", "at"], ROWS))
        assert _stored(probe) == [(n, str(a), b, at) for n, a, b, at in ROWS]

    def test_the_copier_raises_a_failed_copy(self, probe):
        with pytest.raises(DataError, match="invalid input syntax"), transaction.atomic():
            with Copier(connection.connection) as copier:
                copier.submit(("copy_probe", ["n"], [("not a number",)]))

    def test_it_streams_a_file_in_copy_format(self, probe):
        copy_file(
            probe, "copy_probe", io.StringIO("n,a,b,at\n7,seven,,\n"), options="FORMAT csv, HEADER"
        )
        probe.execute("SELECT n, a FROM copy_probe")
        assert probe.fetchall() == [(7, "seven")]
