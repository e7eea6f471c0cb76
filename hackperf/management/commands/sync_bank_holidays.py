"""``manage.py sync_bank_holidays [--file PATH | --url URL]``: refresh the stored bank holidays."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hackperf.bank_holidays import bank_holidays_refresh
from hackperf.choices import GOOD_FETCH_OUTCOMES, ToConfirmStatus
from hackperf.models import HolidayToConfirm


class Command(BaseCommand):
    help = (
        "Load bank holidays from a GOV.UK bank-holidays.json file (default: the copy shipped "
        "with hackperf) or URL, cross-check them with the holidays package, and recompute the "
        "due dates of open cases if the set changed."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", type=Path, help="a file in the GOV.UK feed's shape")
        source.add_argument("--url", default="", help="e.g. https://www.gov.uk/bank-holidays.json")
        parser.add_argument(
            "--allow-past-removals",
            action="store_true",
            help="store a feed even though it lacks past holidays that are stored (a correction)",
        )

    def handle(self, *args, file: Path | None, url: str, allow_past_removals: bool, **options):
        where = url or file or "the shipped copy"
        try:
            fetch = bank_holidays_refresh(
                url=url, path=file, allow_past_removals=allow_past_removals
            )
        except OSError as exc:
            raise CommandError(str(exc)) from None
        if fetch.outcome not in GOOD_FETCH_OUTCOMES:
            raise CommandError(fetch.message)
        if not fetch.changes:
            self.stdout.write(f"Bank holidays already match {where}: nothing changed.")
        else:
            self.stdout.write(f"{len(fetch.changes)} change(s) from {where}:")
            for change in fetch.changes:
                self.stdout.write(f"  {change}")
        to_confirm = HolidayToConfirm.objects.filter(status=ToConfirmStatus.TO_CONFIRM)
        for item in to_confirm:
            self.stdout.write(
                f"To confirm: {item.date.isoformat()} {item.title} ({item.division}): in "
                f"{item.present_in}, not in {item.missing_from}."
            )
