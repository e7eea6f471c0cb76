"""``manage.py import_tickets PATH --mapping PRESET_OR_TOML [--dry-run]``: import an export.

All or nothing: when any row is bad, every bad row is printed (line, column, value, reason)
to stderr, nothing is written, and the command exits 1. Otherwise it prints a summary: rows
read, tickets created, updated and unchanged, events added, time taken and rows per second.
``--dry-run`` does the whole import, prints the same summary, and writes nothing. A missing
file, a bad mapping or an unreadable gzip file exit 1 with a one-line message.

Progress goes to stderr: a bar on a terminal, plain lines otherwise. Each run is recorded as
an ``ImportRun`` (it shows in the import history beside the uploads), and is imported in this
process by the same runner as the upload page's Celery task (``hackperf.import_command``).
"""

from hackperf.choices import ImportKind
from hackperf.import_command import ImportCommand
from servicedesk.import_jobs import run_tickets
from servicedesk.importers.mapping import MAPPINGS

REFUSED = "{count:,} bad row(s): nothing was imported"
NOT_LISTED = "... and {count:,} more (the first {kept:,} are listed)"
DRY_RUN = "Dry run: nothing was written."


class Command(ImportCommand):
    help = "Import tickets and their history from a CSV (or .csv.gz) export, all or nothing."
    kind = ImportKind.TICKETS
    mappings = MAPPINGS
    runner = run_tickets
    presets = "servicedesk/presets/<name>.toml"
    path_help = "the CSV or gzip-compressed CSV file"
    dry_run_help = "check and count everything, report, then write nothing"

    def refused(self, count, outcome):
        not_kept = getattr(outcome.errors, "not_kept", 0)
        if not_kept:
            yield NOT_LISTED.format(count=not_kept, kept=len(outcome.errors))
        yield REFUSED.format(count=count)

    def done(self, run, outcome):
        yield from outcome.lines
        if run.dry_run:
            yield DRY_RUN
