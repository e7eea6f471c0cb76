"""Models of the project package: site-wide permissions and the bank-holiday calendar."""

from django.db import models

from hackperf.choices import DivisionChoice
from hackperf.roles import Perm


class SitePermission(models.Model):
    """Owns the permissions that belong to no single model (see ``hackperf.roles``).

    Unmanaged and tableless: Django creates permissions for it like for any model, and
    nothing ever queries it.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = Perm.choices
        verbose_name = "site permission"

    def __str__(self) -> str:
        return "site permission"


class BankHoliday(models.Model):
    """A bank holiday in one division, as the GOV.UK feed lists it.

    The database copy is what deadlines and SLA clocks count with, so a holiday announced
    at short notice (19 Sep 2022) is one ``sync_bank_holidays`` away, and every due date it
    moves is recomputed and the change recorded.
    """

    division = models.CharField("division", max_length=20, choices=DivisionChoice.choices)
    date = models.DateField("date")
    title = models.CharField("title", max_length=200)
    notes = models.CharField("notes", max_length=200, blank=True)
    source = models.CharField(
        "source", max_length=200, help_text="Where this holiday came from, e.g. the feed file."
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ("date", "division")
        verbose_name = "bank holiday"
        constraints = [
            models.UniqueConstraint(
                fields=("division", "date"),
                name="%(app_label)s_%(class)s_one_per_division_and_date",
                violation_error_message="A division has at most one bank holiday on a date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%a %-d %b %Y} {self.title} ({self.get_division_display()})"
