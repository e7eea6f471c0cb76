"""``python manage.py compute_indicators --period YYYY-MM [--json]``

Computes FR ICT 17, 17a, 17b, 18a, 18b, 18c, 19a, 19b and 19c for the month (London month
boundaries) from the service-desk and IG history and stores them with their numerators and
denominators. Idempotent: a second run changes nothing unless the history did.
"""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hackperf.command_dates import in_range
from indicators.services.compute import indicators_compute


class Command(BaseCommand):
    help = "Compute and store the FR ICT 17–19 indicator values for a month."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--json", action="store_true", help="print the values as JSON")

    def handle(self, *args, **options):
        try:
            period_start = date.fromisoformat(f"{options['period']}-01")
        except ValueError as error:
            raise CommandError(f"--period: {options['period']!r} is not YYYY-MM.") from error
        in_range(period_start, option="--period", shown=options["period"], end=".")
        try:
            figures = indicators_compute(period_start=period_start)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "period": f"{period_start:%Y-%m}",
                        "indicators": [
                            {
                                "code": f.code,
                                "value": None if f.value is None else str(f.value),
                                "numerator": f.numerator,
                                "denominator": f.denominator,
                                "result": f.result,
                                **(f.extra or {}),
                            }
                            for f in figures
                        ],
                    },
                    indent=2,
                )
            )
            return
        for f in figures:
            value = "no data" if f.value is None else str(f.value)
            working = f" ({f.numerator}/{f.denominator})" if f.denominator is not None else ""
            self.stdout.write(f"{f.code}: {value}{working} [{f.result}]")
