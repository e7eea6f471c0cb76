"""``python manage.py survey_sample --month YYYY-MM [--rate R] [--dry-run]``

Sample the people whose tickets closed in the month (10% by default, setting
``SURVEY_SAMPLE_RATE``) and e-mail them the satisfaction survey. Safe to rerun: the same
people are chosen, and nobody is e-mailed twice for a month.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hackperf.dates import DateInputError, check_in_range
from servicedesk.surveys import services
from servicedesk.surveys.sampling import parse_rate


class Command(BaseCommand):
    help = "Sample a month's closed tickets' people for the satisfaction survey and e-mail them."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month tickets closed in, YYYY-MM")
        parser.add_argument("--rate", help="the share to sample, e.g. 0.1 (default: the setting)")
        parser.add_argument(
            "--dry-run", action="store_true", help="show who would be chosen; change nothing"
        )

    def handle(self, *args, month: str, rate: str | None, dry_run: bool, **options):
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError as error:
            raise CommandError(f"--month: {month!r} is not YYYY-MM.") from error
        try:
            check_in_range(first, shown=month)
        except DateInputError as error:
            raise CommandError(f"--month: {error}.") from None
        try:
            fraction = parse_rate(rate) if rate is not None else services.sampling_rate()
        except ValueError as error:
            raise CommandError(f"--rate: {error}") from error
        try:
            if dry_run:
                # Claim inside a transaction that is rolled back: nothing kept, nothing sent.
                with transaction.atomic():
                    run = services.survey_sample(
                        month=first, now=timezone.now(), rate=fraction, send=False
                    )
                    transaction.set_rollback(True)
            else:
                # Not in one transaction: the claims and their outbox e-mails commit first.
                run = services.survey_sample(month=first, now=timezone.now(), rate=fraction)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{first:%B %Y}: {run.closed} people had tickets closed; excluded "
            f"{run.recently_surveyed} surveyed in the last 90 days and {run.opted_out} opted "
            f"out; {run.eligible} eligible, {run.chosen} chosen ({float(fraction):.0%})."
        )
        if dry_run:
            self.stdout.write(f"Dry run: {len(run.claimed)} would be invited; nothing was saved.")
        else:
            self.stdout.write(
                f"{len(run.claimed)} newly invited, {run.sent} e-mailed "
                f"({run.chosen - len(run.claimed)} already had this month's survey)."
            )
