"""The queue tallies' triggers fire always, also under ``session_replication_role = replica``.

Why: the importer's move inserts its staged rows with ``replica`` to skip PostgreSQL's per-row
foreign-key triggers, after checking the keys once per key (``servicedesk.importers.staging``).
Replica also skipped the tallies' triggers (ADR 0007), so the ticket table kept its per-row
checks: two queries per new ticket, queued until COMMIT (0.5 to 0.75 s of the UCI log's
import on a loaded machine). ``ENABLE ALWAYS`` makes the tallies fire whatever the role, so
replica skips only the foreign keys' triggers on tickets too. ``DISABLE TRIGGER`` still
stops them (and must be followed by ``tallies.queue_tallies_rebuild``); ``ENABLE TRIGGER``
puts them back to firing in origin mode only, in which case the importer sees it and keeps
the per-row checks. PostgreSQL only, as migration 0013's triggers are.
"""

from django.db import migrations

TRIGGERS = (
    "servicedesk_queuetally_insert",
    "servicedesk_queuetally_update",
    "servicedesk_queuetally_delete",
    "servicedesk_queuetally_truncate",
)


def fire_always(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE servicedesk_ticket ENABLE ALWAYS TRIGGER {name}")


def fire_in_origin_mode(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE servicedesk_ticket ENABLE TRIGGER {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0014_drop_indexes_covered_by_others"),
    ]

    operations = [
        migrations.RunPython(fire_always, fire_in_origin_mode, elidable=False),
    ]
