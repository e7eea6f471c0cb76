"""``manage.py import_tickets PATH --mapping PRESET_OR_TOML [--dry-run]``: import an export.

All or nothing: when any row is bad, every bad row is printed (line, column, value, reason)
to stderr, nothing is written, and the command exits 1. Otherwise it prints a summary: rows
read, tickets created, updated and unchanged, events added, time taken and rows per second.
``--dry-run`` does the whole import, prints the same summary, and writes nothing. A missing
file, a bad mapping or an unreadable gzip file exit 1 with a one-line message.

Progress goes to stderr: a bar on a terminal, plain lines otherwise. Each run is recorded as
an ``ImportRun`` (it shows in the import history beside the uploads), and is imported in this
process by the same runner as the upload page's Celery task.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hackperf.choices import ImportKind, ImportState
from hackperf.imports import (
    ImportOutcome,
    ProgressPrinter,
    StoredFile,
    file_digest,
    import_run_create,
    import_run_execute,
)
from servicedesk.import_jobs import run_tickets
from servicedesk.importers import MappingError, load_mapping

NO_FILE = "{path}: no such file"
REFUSED = "{count:,} bad row(s): nothing was imported"
NOT_LISTED = "... and {count:,} more (the first {kept:,} are listed)"
DRY_RUN = "Dry run: nothing was written."


def is_preset(option: str) -> bool:
    """``load_mapping``'s rule: a bare name without a slash or ``.toml`` is a preset."""
    return "/" not in option and not option.endswith(".toml")


class Command(BaseCommand):
    help = "Import tickets and their history from a CSV (or .csv.gz) export, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV or gzip-compressed CSV file")
        parser.add_argument(
            "--mapping",
            required=True,
            help="a preset name (servicedesk/presets/<name>.toml) or the path of a TOML mapping",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and count everything, report, then write nothing",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(NO_FILE.format(path=path))
        option = options["mapping"]
        try:
            mapping = load_mapping(option)
        except MappingError as e:
            raise CommandError(str(e)) from None
        size, sha256 = file_digest(path)
        run = import_run_create(
            kind=ImportKind.TICKETS,
            stored=StoredFile(path=path.resolve(), name=path.name, size=size, sha256=sha256),
            mapping_name=mapping.name,
            mapping_preset=option if is_preset(option) else "",
            mapping_toml="" if is_preset(option) else Path(option).read_text(encoding="utf-8"),
            dry_run=options["dry_run"],
            actor_name=f"{getpass.getuser()} (command line)",
        )
        outcomes: list[ImportOutcome] = []

        def runner(**kwargs) -> ImportOutcome:
            outcomes.append(run_tickets(**kwargs))  # every bad row, not only those stored
            return outcomes[-1]

        printer = ProgressPrinter(getattr(self.stderr, "_out", self.stderr))
        ended = import_run_execute(run_id=run.pk, runner=runner, also=printer)
        if ended is None or not outcomes:
            raise CommandError((ended.error if ended else "") or "the import did not run")
        summary = outcomes[0]
        if ended.state == ImportState.REFUSED and not ended.bad_row_count:
            raise CommandError(ended.error)
        if ended.state == ImportState.FAILED:
            raise CommandError(ended.error)
        if ended.bad_row_count:
            for error in summary.errors:
                self.stderr.write(str(error))
            not_kept = getattr(summary.errors, "not_kept", 0)
            if not_kept:
                self.stderr.write(NOT_LISTED.format(count=not_kept, kept=len(summary.errors)))
            raise CommandError(REFUSED.format(count=ended.bad_row_count))
        for line in summary.lines:
            self.stdout.write(line)
        if run.dry_run:
            self.stdout.write(DRY_RUN)
