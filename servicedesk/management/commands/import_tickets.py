"""``manage.py import_tickets PATH --mapping PRESET_OR_TOML [--dry-run]``: import an export.

All or nothing: when any row is bad, every bad row is printed (line, column, value, reason)
to stderr, nothing is written, and the command exits 1. Otherwise it prints a summary: rows
read, tickets created, updated and unchanged, events added, time taken and rows per second.
``--dry-run`` does the whole import, prints the same summary, and writes nothing. A missing
file, a bad mapping or an unreadable gzip file exit 1 with a one-line message.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicedesk.importers import MappingError, load_mapping
from servicedesk.importers.writer import ImportFileError, tickets_import

NO_FILE = "{path}: no such file"
REFUSED = "{count:,} bad row(s): nothing was imported"
NOT_LISTED = "... and {count:,} more (the first {kept:,} are listed)"
DRY_RUN = "Dry run: nothing was written."


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
        try:
            mapping = load_mapping(options["mapping"])
        except MappingError as e:
            raise CommandError(str(e)) from None
        try:
            summary = tickets_import(source=path, mapping=mapping, dry_run=options["dry_run"])
        except ImportFileError as e:
            raise CommandError(str(e)) from None
        if summary.errors:
            for error in summary.errors:
                self.stderr.write(str(error))
            if summary.errors.not_kept:
                self.stderr.write(
                    NOT_LISTED.format(count=summary.errors.not_kept, kept=len(summary.errors))
                )
            raise CommandError(REFUSED.format(count=summary.error_count))
        for line in summary.lines():
            self.stdout.write(line)
        if summary.dry_run:
            self.stdout.write(DRY_RUN)
