"""Index the user and queue foreign keys of ticket events only where they are set.

Deleting a user (SET_NULL) or a queue (PROTECT) looks its events up by ``actor_id``,
``assignee_id``, ``from_queue_id`` or ``to_queue_id`` = a key; nothing else reads those
columns by value (the pages join on them by the other table's key). A partial index
``WHERE ... IS NOT NULL`` serves those lookups (``= key`` implies NOT NULL) and leaves out the
NULLs: imported events name no user, and most events name no queue, so the full indexes were
mostly NULL entries that every import's COPY had to add (issue 9's speed section).

As in 0008: the state change is the fields' ``db_index=False``, and the database change only
the DROP INDEX (Django's AlterField would also drop and re-add each foreign key, checking every
row of the largest table again). Valid on PostgreSQL and SQLite.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = (
    ("servicedesk_ticketevent_actor_id_c086fa58", "actor_id"),
    ("servicedesk_ticketevent_assignee_id_4db1e10d", "assignee_id"),
    ("servicedesk_ticketevent_from_queue_id_dbfe502c", "from_queue_id"),
    ("servicedesk_ticketevent_to_queue_id_650cd814", "to_queue_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0008_drop_ticket_fk_indexes_covered_by_others"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="sd_event_actor_set",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False)),
                fields=["assignee"],
                name="sd_event_assignee_set",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("from_queue__isnull", False)),
                fields=["from_queue"],
                name="sd_event_from_queue_set",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("to_queue__isnull", False)),
                fields=["to_queue"],
                name="sd_event_to_queue_set",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticketevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="from_queue",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="servicedesk.queue",
                        verbose_name="from queue",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="to_queue",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="servicedesk.queue",
                        verbose_name="to queue",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON servicedesk_ticketevent ({column})",
                )
                for name, column in INDEXES
            ],
        ),
    ]
