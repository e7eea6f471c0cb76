"""A trigram index on the ticket reference, so finding a ticket by part of its reference (the
header search, the queue page's search) reads the index instead of every ticket.

Django's ``reference__icontains`` is ``UPPER("reference"::text) LIKE UPPER('%…%')`` on
PostgreSQL; a GIN index of ``UPPER(reference)`` with ``gin_trgm_ops`` (pg_trgm) answers that
LIKE for three characters or more (``servicedesk.selectors.tickets_by_reference``). At a
million tickets ``make bench`` prints the search before and beside an indexed lookup.

PostgreSQL only: the extension and the index are skipped on SQLite (``make run``), where the
demo's tickets are few and a scan is quick. The index lives in this migration alone, not in
``Ticket.Meta.indexes``: SQLite rebuilds a table from its model's indexes on some changes, and
could not build a GIN index there.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "sd_ticket_reference_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON servicedesk_ticket "
        "USING gin ((UPPER(reference::text)) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0009_event_fk_indexes_only_where_set"),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on another database.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
