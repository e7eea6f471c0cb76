"""Load the bundled GOV.UK bank-holiday feed, so a new database counts working days at once.

Reads the data file, not the model code; later feeds arrive with ``sync_bank_holidays``.
"""

import json

from django.db import migrations

from hackperf.workdays import BUNDLED_FEED_PATH, HolidayCalendar

SOURCE = "GOV.UK bank-holidays.json (copy shipped in hackperf/data/)"


def load(apps, schema_editor):
    BankHoliday = apps.get_model("hackperf", "BankHoliday")
    with BUNDLED_FEED_PATH.open(encoding="utf-8") as fh:
        calendar = HolidayCalendar.from_govuk_feed(json.load(fh))
    BankHoliday.objects.bulk_create(
        [
            BankHoliday(
                division=h.division.value, date=h.date, title=h.title, notes=h.notes, source=SOURCE
            )
            for h in calendar.holidays
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("hackperf", "BankHoliday").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("hackperf", "0003_bankholiday")]

    operations = [migrations.RunPython(load, unload)]
