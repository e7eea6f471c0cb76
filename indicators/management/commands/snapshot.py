"""``python manage.py snapshot [--as-of ISO_DATETIME] [--from D --to D] [--daily] [--json]``

Without options, snapshots the latest fortnight end. ``--as-of`` takes one snapshot at that
instant (a datetime without an offset is London time; one the clocks skip or show twice is
refused, with the offsets to choose from). ``--from``/``--to`` backfill every
fortnight end (or, with ``--daily``, every day end) between the two dates, inclusive.
"""

import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hackperf.command_dates import command_date, in_range
from hackperf.dates import DateInputError, local_instant
from indicators import periods
from indicators.choices import Granularity
from indicators.services.snapshots import snapshot_instants, snapshot_take


def _datetime(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of: {text!r} is not an ISO 8601 datetime.") from error
    in_range(instant.date(), option="--as-of", shown=text, end=".")
    if timezone.is_naive(instant):
        try:
            instant = local_instant(instant, shown=text)
        except DateInputError as error:
            raise CommandError(f"--as-of: {error}.") from error
    return instant


def _date(option: str, text: str) -> date:
    return command_date(
        option, text, not_a_date="{option}: {value!r} is not a date (YYYY-MM-DD).", end="."
    )


class Command(BaseCommand):
    help = "Snapshot the DMT metric set as of an instant, or backfill a range of fortnights."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO 8601 datetime (default: latest fortnight end)")
        parser.add_argument("--from", dest="start", help="first date of a backfill, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last date of a backfill, YYYY-MM-DD")
        parser.add_argument(
            "--daily", action="store_true", help="day ends instead of fortnight ends"
        )
        parser.add_argument("--json", action="store_true", help="print the rows as JSON")

    def handle(self, *args, **options):
        granularity = Granularity.DAILY if options["daily"] else Granularity.FORTNIGHTLY
        if bool(options["start"]) != bool(options["end"]):
            raise CommandError("--from and --to go together.")
        if options["start"] and options["as_of"]:
            raise CommandError("Give either --as-of or --from/--to, not both.")
        if options["start"]:
            start, end = _date("--from", options["start"]), _date("--to", options["end"])
            if end < start:
                raise CommandError("--to is before --from.")
            instants = snapshot_instants(start=start, end=end, granularity=granularity)
        elif options["as_of"]:
            instants = [_datetime(options["as_of"])]
        elif granularity == Granularity.DAILY:
            instants = [periods.day_end_on_or_before(timezone.now())]
        else:
            instants = [periods.fortnight_end_on_or_before(timezone.now())]

        output = []
        for instant in instants:
            rows = snapshot_take(as_of=instant, granularity=granularity)
            output.append(
                {
                    "instant": instant.isoformat(),
                    "granularity": granularity.value,
                    "rows": [
                        {
                            "metric": row.metric,
                            "breakdown": row.breakdown,
                            "key": row.key,
                            "label": row.label,
                            "value": row.value,
                        }
                        for row in rows
                    ],
                }
            )
            if not options["json"]:
                self.stdout.write(f"{instant.isoformat()} {granularity.value}: {len(rows)} rows")
        if options["json"]:
            self.stdout.write(json.dumps(output, indent=2))
