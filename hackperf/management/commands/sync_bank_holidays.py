"""``manage.py sync_bank_holidays [--file PATH]``: replace the stored bank holidays from a feed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hackperf.bank_holidays import BUNDLED_SOURCE, bank_holidays_sync, read_feed
from hackperf.workdays import BUNDLED_FEED_PATH


class Command(BaseCommand):
    help = (
        "Load bank holidays from a GOV.UK bank-holidays.json file (default: the copy shipped "
        "with hackperf) and recompute the due dates of open cases if the set changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="a file in the GOV.UK feed's shape")

    def handle(self, *args, file: Path | None, **options):
        path = file or BUNDLED_FEED_PATH
        try:
            calendar = read_feed(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        source = BUNDLED_SOURCE if file is None else f"file {path.name}"
        result = bank_holidays_sync(calendar=calendar, source=source)
        if not result.changes:
            self.stdout.write(f"Bank holidays already match {path}: nothing changed.")
            return
        self.stdout.write(f"{len(result.changes)} change(s) from {path}:")
        for change in result.changes:
            self.stdout.write(f"  {change}")
