"""Per-queue tallies of live tickets, kept by triggers: the queue pages' counts at any size.

A queue's counts (open, on hold, breaching, at risk, over a week old...) were one aggregate over
every live ticket of the queue: at 100,000 open tickets that read 100,000 index entries on
every page view and every refresh. ``servicedesk_queuetally`` holds, per queue, how many live
tickets fall under each *measure* and *key*; statement-level triggers on the ticket table add
what each INSERT, UPDATE or DELETE (and COPY: the importer, the demo) changes, in the same
statement, so the tallies are exact at every commit whoever writes the tickets. A TRUNCATE of
the tickets empties them.

Measures (every one of tickets not done; ``key`` 0 unless said):

* ``live``; ``on_hold``; ``unassigned``; ``reopened``; ``escalated``;
* ``reassignments``, key = the ticket's reassignment count (N is a setting: a read sums key >= N);
* ``paused_breaching`` / ``paused_at_risk``: on hold, and how the clock stood when it stopped
  (``status_since``: it no longer moves, so these do not depend on the instant);
* hours since the epoch (key = floor(epoch / 3600)) of a time the counts compare with *now*:
  ``logged_hour`` (every live ticket), ``due_hour`` and ``risk_hour`` (open tickets with a due
  time / an at-risk time), ``risk_due_hour`` (open tickets with both: the later of the two).
  A read sums the hours before the current one and counts the current hour's rows exactly
  (``servicedesk.tallies``).

Every statement that touches a queue's tallies updates its ``live`` row first (even by 0), so
concurrent writers to one queue queue up on that row instead of deadlocking on the others.

PostgreSQL only: on SQLite (``make run``) the table stays empty and the pages count the tickets
themselves. The SQL is frozen here; ``servicedesk_queuetally_rebuild(queues)`` recounts the
given queues' tallies from their tickets with the same contributions (``tallies.queue_tallies_rebuild``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A ticket's contributions: one row (queue, measure, key) for each measure it falls under.
CONTRIBUTIONS = """
SELECT t.queue_id, m.measure, m.key
FROM {rows} t
CROSS JOIN LATERAL (VALUES
    ('live', 0::bigint, true),
    ('on_hold', 0, t.status_class = 'paused'),
    ('unassigned', 0, t.assignee_id IS NULL),
    ('reopened', 0, t.reopen_count > 0),
    ('escalated', 0, t.escalation_level > 0),
    ('reassignments', t.reassignment_count::bigint, true),
    ('paused_breaching', 0, t.status_class = 'paused' AND t.sla_due_at < t.status_since),
    ('paused_at_risk', 0, t.status_class = 'paused' AND t.sla_at_risk_at <= t.status_since
        AND (t.sla_due_at IS NULL OR t.sla_due_at >= t.status_since)),
    ('logged_hour', floor(extract(epoch FROM t.logged_at) / 3600)::bigint, true),
    ('due_hour', floor(extract(epoch FROM t.sla_due_at) / 3600)::bigint,
        t.status_class = 'open' AND t.sla_due_at IS NOT NULL),
    ('risk_hour', floor(extract(epoch FROM t.sla_at_risk_at) / 3600)::bigint,
        t.status_class = 'open' AND t.sla_at_risk_at IS NOT NULL),
    ('risk_due_hour',
        floor(extract(epoch FROM greatest(t.sla_at_risk_at, t.sla_due_at)) / 3600)::bigint,
        t.status_class = 'open' AND t.sla_at_risk_at IS NOT NULL AND t.sla_due_at IS NOT NULL)
) AS m (measure, key, applies)
WHERE t.status_class IN ('open', 'paused') AND m.applies IS TRUE
"""

# The columns the contributions read: an UPDATE that changes none of them changes no tally.
COLUMNS = (
    "queue_id, status_class, status_since, assignee_id, reopen_count, escalation_level, "
    "reassignment_count, logged_at, sla_due_at, sla_at_risk_at"
)

# Add the summed changes; the live row first (ORDER BY), even by 0, as the queue's lock; then
# drop the rows that fell to 0 (hours long past would otherwise pile up).
APPLY = """
WITH upserted AS (
    INSERT INTO servicedesk_queuetally (queue_id, measure, key, n)
    SELECT queue_id, measure, key, sum(d)
    FROM ({changes}) AS c
    GROUP BY queue_id, measure, key
    HAVING sum(d) <> 0 OR measure = 'live'
    ORDER BY queue_id, measure <> 'live', measure, key
    ON CONFLICT (queue_id, measure, key) DO UPDATE SET n = servicedesk_queuetally.n + EXCLUDED.n
    RETURNING id, n
)
SELECT array_agg(id) FILTER (WHERE n = 0) INTO emptied FROM upserted;
IF emptied IS NOT NULL THEN
    DELETE FROM servicedesk_queuetally WHERE id = ANY(emptied);
END IF;
"""


def _signed(rows: str, sign: int) -> str:
    return f"SELECT queue_id, measure, key, {sign} AS d FROM ({CONTRIBUTIONS.format(rows=rows)}) x"


CHANGED_OLD = (
    f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
    f"WHERE ({', '.join('o.' + c for c in COLUMNS.split(', '))}) IS DISTINCT FROM "
    f"({', '.join('n.' + c for c in COLUMNS.split(', '))}))"
)
CHANGED_NEW = CHANGED_OLD.replace("SELECT o.*", "SELECT n.*")

FORWARD = f"""
CREATE FUNCTION servicedesk_queuetally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPLY.format(changes=_signed("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {APPLY.format(changes=_signed("old_rows", -1))}
    ELSE
        {APPLY.format(changes=_signed(CHANGED_NEW, 1) + " UNION ALL " + _signed(CHANGED_OLD, -1))}
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION servicedesk_queuetally_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM servicedesk_queuetally;
    RETURN NULL;
END
$$;

CREATE FUNCTION servicedesk_queuetally_rebuild(queues bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- The queues' live rows first: the same lock order as the triggers.
    PERFORM 1 FROM servicedesk_queuetally
    WHERE queue_id = ANY(queues) AND measure = 'live' ORDER BY queue_id FOR UPDATE;
    DELETE FROM servicedesk_queuetally WHERE queue_id = ANY(queues);
    INSERT INTO servicedesk_queuetally (queue_id, measure, key, n)
    SELECT queue_id, measure, key, count(*)
    FROM ({CONTRIBUTIONS.format(rows="(SELECT * FROM servicedesk_ticket WHERE queue_id = ANY(queues))")}) c
    GROUP BY queue_id, measure, key;
END
$$;

CREATE TRIGGER servicedesk_queuetally_insert AFTER INSERT ON servicedesk_ticket
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queuetally_apply();
CREATE TRIGGER servicedesk_queuetally_update AFTER UPDATE ON servicedesk_ticket
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queuetally_apply();
CREATE TRIGGER servicedesk_queuetally_delete AFTER DELETE ON servicedesk_ticket
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queuetally_apply();
CREATE TRIGGER servicedesk_queuetally_truncate AFTER TRUNCATE ON servicedesk_ticket
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_queuetally_clear();

SELECT servicedesk_queuetally_rebuild(array_agg(id)) FROM servicedesk_queue;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS servicedesk_queuetally_insert ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queuetally_update ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queuetally_delete ON servicedesk_ticket;
DROP TRIGGER IF EXISTS servicedesk_queuetally_truncate ON servicedesk_ticket;
DROP FUNCTION IF EXISTS servicedesk_queuetally_apply();
DROP FUNCTION IF EXISTS servicedesk_queuetally_clear();
DROP FUNCTION IF EXISTS servicedesk_queuetally_rebuild(bigint[]);
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0012_as_of_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("measure", models.CharField(max_length=20, verbose_name="measure")),
                (
                    "key",
                    models.BigIntegerField(
                        default=0,
                        help_text="An hour since the epoch, a count, or 0 (see tallies.py).",
                        verbose_name="key",
                    ),
                ),
                ("n", models.IntegerField(verbose_name="tickets")),
            ],
            options={
                "verbose_name": "queue tally",
                "verbose_name_plural": "queue tallies",
                "ordering": ["queue_id", "measure", "key"],
            },
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_class", "open")),
                fields=["queue", "sla_at_risk_at"],
                include=("sla_due_at",),
                name="sd_ticket_open_by_risk",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_class__in", ["open", "paused"])),
                fields=["queue", "logged_at"],
                name="sd_ticket_live_by_logged",
            ),
        ),
        migrations.AddField(
            model_name="queuetally",
            name="queue",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="servicedesk.queue",
                verbose_name="queue",
            ),
        ),
        migrations.AddConstraint(
            model_name="queuetally",
            constraint=models.UniqueConstraint(
                fields=("queue", "measure", "key"),
                name="servicedesk_queuetally_one_per_key",
                violation_error_message="The queue already has a tally for this measure and key.",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
