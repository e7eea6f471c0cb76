"""Drop three indexes whose every read another index serves (issue 9's speed section): each
only cost every import's insert of tickets, events or intervals an index to maintain.

* ``sd_event_kind_at`` (kind, at): the only events read by kind and instant are those of a
  counted kind (escalations and loggings, ``servicedesk.metrics``), and
  ``sd_event_counted_at`` (at, partial on the counted events, with ``kind`` included) serves
  them: the escalations' drill-down reads it as an index range.
* ``sd_interval_range`` (started_at, ended_at): every as-of read of the intervals is of open
  or paused ones (``not_done``), which ``sd_interval_live_by_end`` serves, and every other
  read is by ticket (``sd_interval_ticket``); on the UCI log no page's plan used it.
* ``servicedesk_ticket_reference_72eb9995_like`` (reference varchar_pattern_ops), the index
  Django adds beside a unique text column for ``LIKE 'abc%'``: no read asks for a prefix of a
  reference. Lookups by reference use the unique index, and the search by part of one
  (``icontains``) the trigram index of migration 0010. Not in the model state (Django makes it
  implicitly), so it is dropped in SQL, PostgreSQL only (SQLite never had it).

Measured on the UCI log's import (``make bench``, a loaded machine): its PostgreSQL
backend's CPU time fell from 3.2 s to 2.6 s. ``sd_event_at`` (at) stays: a period's
drill-down (``metrics.tickets_behind``) reads it in order and stops at a page, where
``sd_event_counted_at`` alone made it hash every event (1 ms to 127 ms on the UCI log).
"""

from django.db import migrations

LIKE_INDEX = "servicedesk_ticket_reference_72eb9995_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON servicedesk_ticket "
            "(reference varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0013_queue_tallies"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticketevent", name="sd_event_kind_at"),
        migrations.RemoveIndex(model_name="ticketinterval", name="sd_interval_range"),
        migrations.RunPython(drop_like_index, create_like_index, elidable=False),
    ]
