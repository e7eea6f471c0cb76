"""Indexes for the hot reads at a million tickets (issue 3's figures, ``make bench``).

Plain SQL rather than ``Meta.indexes`` so that the model state (and ``makemigrations``) is
untouched; both statements are valid on PostgreSQL and SQLite. Measured on the benchmark
database (1,000,000 demo tickets, 5.8 million events and intervals), each replaced a
sequential scan of millions of rows.
"""

from django.db import migrations

INDEXES = (
    # "As of T" questions: the intervals covering T that are open or paused,
    # ``started_at <= T AND (ended_at > T OR ended_at IS NULL)``. Only the end is selective
    # (almost every interval started before T), and NULL ends (current intervals) are in a
    # btree too. Used by servicedesk.metrics.snapshot_metrics and tickets_behind (trend
    # snapshots and their backfill) and servicedesk.querysets.TicketQuerySet.open_at & co.
    (
        "sd_interval_live_ended",
        "servicedesk_ticketinterval",
        "(ended_at) WHERE status_class IN ('open', 'paused')",
    ),
    # Events in a period, whatever their kind: a resolution or reopen is told by its
    # statuses, not its kind, so sd_event_kind_at cannot serve them. Used by
    # servicedesk.metrics.period_metrics and tickets_behind (closures, reopens, logged).
    ("sd_event_at", "servicedesk_ticketevent", "(at)"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0002_surveys"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, definition in INDEXES
    ]
