"""Drop the ticket foreign keys' own indexes on events and intervals: another index leads
with the same column and serves every lookup by ticket (issue 9's speed section), so each one
only cost every import's COPY an index to maintain.

* ``servicedesk_ticketevent_ticket_id_fb119142`` (ticket_id): the unique (ticket_id, sequence)
  constraint's index covers it.
* ``servicedesk_ticketinterval_ticket_id_5d00a57b`` (ticket_id): ``sd_interval_ticket``
  (ticket_id, started_at) covers it.

The state change is the model's ``db_index=False``; the database change is only the DROP INDEX
(Django's own AlterField would also drop and re-add each foreign key, checking every row of
two of the largest tables again). Valid on PostgreSQL and SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("servicedesk_ticketevent_ticket_id_fb119142", "servicedesk_ticketevent"),
    ("servicedesk_ticketinterval_ticket_id_5d00a57b", "servicedesk_ticketinterval"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0007_ticket_description_contact_notes_and_survey_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="servicedesk.ticket",
                        verbose_name="ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketinterval",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="intervals",
                        to="servicedesk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} (ticket_id)",
                )
                for name, table in INDEXES
            ],
        ),
    ]
