"""``manage.py deadline {foi,eir,sar} RECEIVED [...] [--explain]``: a statutory due date.

The first line of output is the due date as YYYY-MM-DD, so scripts can read it; with
``--explain`` the working follows (regime, rule, days counted, holidays skipped by name and
division, clock events applied). Bad dates and impossible sequences exit non-zero with a
message naming the argument.
"""

from datetime import date
from typing import Any, overload

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hackperf.command_dates import command_date
from hackperf.selectors import holiday_calendar
from infogov.deadlines import CaseKind, DeadlineInputError, compute_deadline

DATE_ARGUMENTS = (
    ("clarification_requested", "--clarification-requested"),
    ("clarified", "--clarified"),
    ("fee_notice", "--fee-notice"),
    ("fee_paid", "--fee-paid"),
    ("id_received", "--id-received"),
)

BAD_DATE = "{option}: {value!r} is not a date; use YYYY-MM-DD"


@overload
def parse_date(option: str, value: str) -> date: ...
@overload
def parse_date(option: str, value: str | None) -> date | None: ...
def parse_date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    return command_date(option, value, not_a_date=BAD_DATE)


class Command(BaseCommand):
    help = "Print the statutory due date of an FOI, EIR or subject access request."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[k.value for k in CaseKind])
        parser.add_argument("received", help="date received, YYYY-MM-DD")
        for _, option in DATE_ARGUMENTS:
            parser.add_argument(option, metavar="D", help="a date, YYYY-MM-DD")
        parser.add_argument(
            "--extended",
            action="store_true",
            help="public-interest (FOI), complexity (EIR) or complexity (SAR) extension",
        )
        parser.add_argument("--explain", action="store_true", help="print the working too")

    def handle(self, *args, kind: str, received: str, extended: bool, explain: bool, **options):
        dates: dict[str, Any] = {
            name: parse_date(option, options[name]) for name, option in DATE_ARGUMENTS
        }
        try:
            deadline = compute_deadline(
                kind,
                parse_date("RECEIVED", received),
                calendar=holiday_calendar(),
                extended=extended,
                **dates,
            )
        except DeadlineInputError as exc:
            raise CommandError(self.name_options(str(exc))) from None
        self.stdout.write(deadline.due.isoformat())
        if explain:
            for line in deadline.explain():
                self.stdout.write(line)

    @staticmethod
    def name_options(message: str) -> str:
        """Say ``--fee-paid`` where the engine says ``fee_paid``: the names people typed."""
        for name, option in DATE_ARGUMENTS:
            message = message.replace(name, option)
        return message.replace("id_requested", "--id-requested")
