"""A version per queue, moved by triggers whenever any of its tickets is written: the key of
the queue page's cached tickets part (``servicedesk.queue_cache``, issue 15).

The queue page's tickets part (its counts and the table of 25) was drawn afresh for every
view and every htmx refresh: most of the CPU of ``make load``, where fifty people watch three
queues. It is now cached for the minute it was drawn in, under a key that carries the queue's
version. Statement-level triggers move it in the statement that inserts, changes, moves (out
of the queue or into it) or deletes one of the queue's tickets, whoever writes (the services,
the importer's set-based writes and COPY, the demo), so a cached part is never read after a
ticket of its queue changed. The version is two numbers: the next of a sequence (never given
twice, not even to a statement rolled back: every statement of one transaction moves it) and
the writing transaction's id (``xid8``: 64 bits, never wraps; a database recreated with the
same rows, as a test run does, does not give the same ids again). A TRUNCATE of the tickets
forgets every version: a queue with none is drawn afresh. The triggers fire always (as
0015's), so the importer's replica-mode insert moves the version too.

A queue's row is locked until its writer commits, and is now the queue's lock: the triggers
are named to fire before the tallies' (PostgreSQL fires a statement's triggers in name order),
so a writer takes its queues' versions, in queue order, before their ``live`` tally rows
(0013), and never waits on a tally row. Writers of one queue queued up on its ``live`` row
already; what is new is that statements which change no count (a summary, an assignee for
another) queue up too, behind a writer of the same queue. PostgreSQL only: on SQLite (``make
run``) the table stays empty.
"""

import django.db.models.deletion
from django.db import migrations, models

# The queues a statement touched, once each and in order (the lock order), set to the id of
# the writing transaction.
BUMP = """
INSERT INTO servicedesk_queueversion (queue_id, version, written_by)
SELECT queue_id, nextval('servicedesk_queueversion_seq'), pg_current_xact_id()::text::bigint
FROM ({queues}) AS touched
WHERE queue_id IS NOT NULL
GROUP BY queue_id
ORDER BY queue_id
ON CONFLICT (queue_id) DO UPDATE
    SET version = EXCLUDED.version, written_by = EXCLUDED.written_by;
"""

FORWARD = f"""
CREATE SEQUENCE servicedesk_queueversion_seq;

CREATE FUNCTION servicedesk_queueversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {BUMP.format(queues="SELECT queue_id FROM new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {BUMP.format(queues="SELECT queue_id FROM old_rows")}
    ELSE
        {BUMP.format(queues="SELECT queue_id FROM old_rows UNION ALL SELECT queue_id FROM new_rows")}
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION servicedesk_queueversion_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM servicedesk_queueversion;
    RETURN NULL;
END
$$;

CREATE TRIGGER servicedesk_queue_version_insert AFTER INSERT ON servicedesk_ticket
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queueversion_bump();
CREATE TRIGGER servicedesk_queue_version_update AFTER UPDATE ON servicedesk_ticket
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queueversion_bump();
CREATE TRIGGER servicedesk_queue_version_delete AFTER DELETE ON servicedesk_ticket
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queueversion_bump();
CREATE TRIGGER servicedesk_queue_version_truncate AFTER TRUNCATE ON servicedesk_ticket
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queueversion_clear();

ALTER TABLE servicedesk_ticket ENABLE ALWAYS TRIGGER servicedesk_queue_version_insert;
ALTER TABLE servicedesk_ticket ENABLE ALWAYS TRIGGER servicedesk_queue_version_update;
ALTER TABLE servicedesk_ticket ENABLE ALWAYS TRIGGER servicedesk_queue_version_delete;
ALTER TABLE servicedesk_ticket ENABLE ALWAYS TRIGGER servicedesk_queue_version_truncate;

-- Every queue there is starts at this transaction; a queue made later has no version until
-- a ticket of it is written.
INSERT INTO servicedesk_queueversion (queue_id, version, written_by)
SELECT id, nextval('servicedesk_queueversion_seq'), pg_current_xact_id()::text::bigint
FROM servicedesk_queue ORDER BY id;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS servicedesk_queue_version_insert ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queue_version_update ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queue_version_delete ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queue_version_truncate ON servicedesk_ticket;
DROP FUNCTION IF EXISTS servicedesk_queueversion_bump();
DROP FUNCTION IF EXISTS servicedesk_queueversion_clear();
DROP SEQUENCE IF EXISTS servicedesk_queueversion_seq;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0018_event_day_tallies"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueVersion",
            fields=[
                (
                    "queue",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="servicedesk.queue",
                        verbose_name="queue",
                    ),
                ),
                (
                    "version",
                    models.BigIntegerField(
                        help_text="Moved by every write of its tickets.", verbose_name="version"
                    ),
                ),
                (
                    "written_by",
                    models.BigIntegerField(
                        help_text="The id of the transaction that wrote last.",
                        verbose_name="written by",
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
