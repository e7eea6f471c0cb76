"""Fetch log and "to confirm" list for bank holidays; load the holidays the shipped copy gained.

The shipped copy (hackperf/data/bank-holidays.json) gained Scotland's one-off bank holiday of
Monday 15 June 2026. A database made before then lacks it, so FOI due dates spanning it are a
day early (FOIA s.10(6)). ``load_missing`` adds whatever the shipped copy has and the database
lacks (never removing anything) and records it as a fetch not yet signalled: once migrate has
finished, ``hackperf.apps`` signals it, and open cases' due dates are recomputed through the
services, each move recorded. Reads the data file, not the model code.
"""

import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SOURCE = "GOV.UK bank-holidays.json (copy shipped in hackperf/data/)"


def load_missing(apps, schema_editor):
    from django.utils import timezone

    from hackperf.workdays import BUNDLED_FEED_PATH, HolidayCalendar

    BankHoliday = apps.get_model("hackperf", "BankHoliday")
    BankHolidayFetch = apps.get_model("hackperf", "BankHolidayFetch")
    if not BankHoliday.objects.exists():
        return  # an emptied table already reads as the shipped copy
    with BUNDLED_FEED_PATH.open(encoding="utf-8") as fh:
        calendar = HolidayCalendar.from_govuk_feed(json.load(fh))
    stored = set(BankHoliday.objects.values_list("division", "date"))
    missing = sorted(
        (h for h in calendar.holidays if (h.division.value, h.date) not in stored),
        key=lambda h: (h.date, h.division.value),
    )
    if not missing:
        return
    BankHoliday.objects.bulk_create(
        [
            BankHoliday(
                division=h.division.value, date=h.date, title=h.title, notes=h.notes, source=SOURCE
            )
            for h in missing
        ]
    )
    BankHolidayFetch.objects.create(
        at=timezone.now(),
        source=SOURCE + ", loaded by migration 0006",
        outcome="changed",
        changes=[f"added {h.date.isoformat()} {h.title} ({h.division.value})" for h in missing],
        changed_dates=sorted({h.date.isoformat() for h in missing}),
        signalled=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hackperf", "0005_work_all_queues"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BankHolidayFetch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                ("source", models.CharField(max_length=500, verbose_name="source")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("changed", "Stored, with changes"),
                            ("unchanged", "Stored, no change"),
                            ("failed", "Could not be fetched"),
                            ("refused", "Refused"),
                        ],
                        max_length=12,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "message",
                    models.TextField(
                        blank=True,
                        help_text="Why it failed or was refused.",
                        verbose_name="message",
                    ),
                ),
                ("changes", models.JSONField(blank=True, default=list, verbose_name="changes")),
                (
                    "changed_dates",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="ISO dates whose status changed.",
                        verbose_name="changed dates",
                    ),
                ),
                (
                    "signalled",
                    models.BooleanField(
                        default=True,
                        help_text="False when a data migration stored holidays: the post-migrate step then recomputes open due dates for them.",
                        verbose_name="due dates recomputed",
                    ),
                ),
                (
                    "feed",
                    models.JSONField(
                        blank=True, help_text="The last good copy.", null=True, verbose_name="feed"
                    ),
                ),
            ],
            options={
                "verbose_name": "bank-holiday fetch",
                "ordering": ("-at", "-pk"),
                "indexes": [
                    models.Index(fields=["outcome", "-at"], name="hackperf_bhfetch_outcome_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="HolidayToConfirm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "division",
                    models.CharField(
                        choices=[
                            ("england-and-wales", "England and Wales"),
                            ("scotland", "Scotland"),
                            ("northern-ireland", "Northern Ireland"),
                        ],
                        max_length=20,
                        verbose_name="division",
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "in_feed",
                    models.BooleanField(
                        help_text="True: the feed has it and the package lacks it; else the reverse.",
                        verbose_name="in the feed",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("feed_source", models.CharField(max_length=500, verbose_name="feed")),
                ("package_source", models.CharField(max_length=200, verbose_name="package")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("to_confirm", "To confirm"),
                            ("confirmed", "Confirmed"),
                            ("rejected", "Rejected"),
                            ("agreed", "The sources now agree"),
                        ],
                        default="to_confirm",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("found_at", models.DateTimeField(verbose_name="found at")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "bank holiday to confirm",
                "verbose_name_plural": "bank holidays to confirm",
                "ordering": ("date", "division", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("division", "date"),
                        name="hackperf_holidaytoconfirm_one_per_division_and_date",
                        violation_error_message="This date is already listed for this division.",
                    )
                ],
            },
        ),
        migrations.RunPython(load_missing, migrations.RunPython.noop),
    ]
