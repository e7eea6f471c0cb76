"""Per-day tallies of the counted events, kept by triggers: a fortnight's period figures in
14 days' rows instead of its 80,000 events (issue 15).

A snapshot's period figures (closures, reopens, escalations, incidents and requests logged,
new starters, joiners/movers/leavers, self-service) were one grouped scan of the fortnight's
counted events: 81,500 of them, 37 ms, at 1,000,000 tickets. ``servicedesk_eventdaytally``
holds, per London day and (queue, kind, category) as of the event, how many events of that
day each figure counts; statement-level triggers on the event table add what each INSERT,
UPDATE or DELETE (and COPY: the importer, the demo) changes, in the same statement, so the
tallies are exact at every commit whoever writes the events. A TRUNCATE of the events empties
them. The triggers fire always (as the queue tallies' do since 0015), so the importer's
replica-mode insert, which skips only the foreign keys' per-row checks, still counts.

The conditions are ``servicedesk.models``' ``RESOLUTION_Q`` and ``REOPEN_Q`` (the statuses of
``servicedesk.statuses``) and the event kinds, frozen here as SQL; a test compares the tallies
with the ORM's counts over every pair of statuses, and the figures with the events' own.
PostgreSQL only: on SQLite (``make run``) the table stays empty and the figures count the
events. ``servicedesk_eventdaytally_rebuild()`` recounts them all from the events
(``tallies.event_day_tallies_rebuild``).
"""

from django.db import migrations, models

NOT_DONE = "('logged', 'assigned', 'in_progress', 'awaiting_customer', 'awaiting_supplier')"
DONE = "('resolved', 'closed')"

# An event's contributions, one row per counted event: its London day, its group as of the
# event, and 1 or 0 for each figure.
CONTRIBUTIONS = f"""
SELECT (e.at AT TIME ZONE 'Europe/London')::date AS day,
    e.ticket_queue_id, e.ticket_kind, e.ticket_category_id,
    (e.from_status IN {NOT_DONE} AND e.to_status IN {DONE})::int AS closures,
    (e.from_status IN {DONE} AND e.to_status IN {NOT_DONE})::int AS reopens,
    (e.kind = 'escalated')::int AS escalations,
    (e.kind = 'logged')::int AS logged,
    (e.kind = 'logged' AND e.ticket_channel = 'portal')::int AS self_service
FROM {{rows}} e
WHERE (e.from_status IN {NOT_DONE} AND e.to_status IN {DONE})
    OR (e.from_status IN {DONE} AND e.to_status IN {NOT_DONE})
    OR e.kind IN ('escalated', 'logged')
"""

FIGURES = ("closures", "reopens", "escalations", "logged", "self_service")
GROUP = "day, ticket_queue_id, ticket_kind, ticket_category_id"

# The columns the contributions read: an UPDATE that changes none of them changes no tally.
COLUMNS = (
    "at",
    "ticket_queue_id",
    "ticket_kind",
    "ticket_category_id",
    "ticket_channel",
    "kind",
    "from_status",
    "to_status",
)

# Add the summed changes in key order (concurrent writers lock the rows they share in the same
# order), then drop the rows that fell to 0 (an event moved or deleted).
APPLY = f"""
WITH upserted AS (
    INSERT INTO servicedesk_eventdaytally ({GROUP}, {", ".join(FIGURES)})
    SELECT {GROUP}, {", ".join(f"sum({f} * d)" for f in FIGURES)}
    FROM ({{changes}}) AS c
    GROUP BY {GROUP}
    HAVING {" OR ".join(f"sum({f} * d) <> 0" for f in FIGURES)}
    ORDER BY {GROUP}
    ON CONFLICT ON CONSTRAINT servicedesk_eventdaytally_one_per_day_and_group DO UPDATE SET
        {", ".join(f"{f} = servicedesk_eventdaytally.{f} + EXCLUDED.{f}" for f in FIGURES)}
    RETURNING id, {" + ".join(f"abs({f})" for f in FIGURES)} AS total
)
SELECT array_agg(id) FILTER (WHERE total = 0) INTO emptied FROM upserted;
IF emptied IS NOT NULL THEN
    DELETE FROM servicedesk_eventdaytally WHERE id = ANY(emptied);
END IF;
"""


def _signed(rows: str, sign: int) -> str:
    return f"SELECT x.*, {sign} AS d FROM ({CONTRIBUTIONS.format(rows=rows)}) x"


CHANGED_OLD = (
    f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
    f"WHERE ({', '.join('o.' + c for c in COLUMNS)}) IS DISTINCT FROM "
    f"({', '.join('n.' + c for c in COLUMNS)}))"
)
CHANGED_NEW = CHANGED_OLD.replace("SELECT o.*", "SELECT n.*")
TRIGGERS = ("insert", "update", "delete", "truncate")

FORWARD = f"""
CREATE FUNCTION servicedesk_eventdaytally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION servicedesk_eventdaytally_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM servicedesk_eventdaytally;
    RETURN NULL;
END
$$;

CREATE FUNCTION servicedesk_eventdaytally_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- No event written while the events are recounted: writers wait for this transaction.
    LOCK TABLE servicedesk_ticketevent IN SHARE MODE;
    DELETE FROM servicedesk_eventdaytally;
    INSERT INTO servicedesk_eventdaytally ({GROUP}, {", ".join(FIGURES)})
    SELECT {GROUP}, {", ".join(f"sum({f})" for f in FIGURES)}
    FROM ({CONTRIBUTIONS.format(rows="servicedesk_ticketevent")}) c
    GROUP BY {GROUP};
END
$$;

CREATE TRIGGER servicedesk_eventdaytally_insert AFTER INSERT ON servicedesk_ticketevent
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_eventdaytally_apply();
CREATE TRIGGER servicedesk_eventdaytally_update AFTER UPDATE ON servicedesk_ticketevent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_eventdaytally_apply();
CREATE TRIGGER servicedesk_eventdaytally_delete AFTER DELETE ON servicedesk_ticketevent
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_eventdaytally_apply();
CREATE TRIGGER servicedesk_eventdaytally_truncate AFTER TRUNCATE ON servicedesk_ticketevent
    FOR EACH STATEMENT EXECUTE FUNCTION servicedesk_eventdaytally_clear();
{"".join(f"ALTER TABLE servicedesk_ticketevent ENABLE ALWAYS TRIGGER servicedesk_eventdaytally_{t};" for t in TRIGGERS)}

SELECT servicedesk_eventdaytally_rebuild();
"""

BACKWARD = (
    "".join(
        f"DROP TRIGGER IF EXISTS servicedesk_eventdaytally_{t} ON servicedesk_ticketevent;"
        for t in TRIGGERS
    )
    + """
DROP FUNCTION IF EXISTS servicedesk_eventdaytally_apply();
DROP FUNCTION IF EXISTS servicedesk_eventdaytally_clear();
DROP FUNCTION IF EXISTS servicedesk_eventdaytally_rebuild();
"""
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0017_queue_assignees_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventDayTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day (London)")),
                ("ticket_queue_id", models.BigIntegerField(null=True, verbose_name="queue then")),
                ("ticket_kind", models.CharField(max_length=20, verbose_name="kind then")),
                (
                    "ticket_category_id",
                    models.BigIntegerField(null=True, verbose_name="category then"),
                ),
                ("closures", models.IntegerField(verbose_name="closures")),
                ("reopens", models.IntegerField(verbose_name="reopens")),
                ("escalations", models.IntegerField(verbose_name="escalations")),
                ("logged", models.IntegerField(verbose_name="logged")),
                ("self_service", models.IntegerField(verbose_name="logged through the portal")),
            ],
            options={
                "verbose_name_plural": "event day tallies",
                "ordering": ["day", "ticket_queue_id", "ticket_kind", "ticket_category_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "ticket_queue_id", "ticket_kind", "ticket_category_id"),
                        name="servicedesk_eventdaytally_one_per_day_and_group",
                        nulls_distinct=False,
                        violation_error_message="The day already has a tally for this queue, kind and category.",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
