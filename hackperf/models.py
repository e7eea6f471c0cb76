"""Models of the project package: site-wide permissions, the bank-holiday calendar, imports."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hackperf.choices import IMPORT_STATE_COLOURS, DivisionChoice, ImportKind, ImportState
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


class ImportRun(models.Model):
    """One import of one export file (tickets or cases), from the upload page or the command.

    The record of what was imported, by whom, from which file (name, size, SHA-256) with which
    mapping, and what came of it: the counts, or every bad row (the first
    ``STORED_BAD_ROWS`` kept, all counted), or why it failed. Uploads are imported by a Celery
    task (``hackperf.imports.import_run_execute``), which claims the run and reports its
    progress; the progress page and the import history read it.
    """

    STORED_BAD_ROWS = 1000

    kind = models.CharField("kind", max_length=10, choices=ImportKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="started by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_name = models.CharField(
        "started by (name)",
        max_length=200,
        blank=True,
        help_text="Kept when the account is deleted; the user name for the command line.",
    )
    created_at = models.DateTimeField("queued at")
    file_name = models.CharField("file name", max_length=255)
    stored_path = models.CharField(
        "stored file",
        max_length=500,
        help_text="Under IMPORT_ROOT for uploads; the path given on the command line otherwise.",
    )
    file_size = models.BigIntegerField("size (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    mapping_preset = models.CharField("mapping preset", max_length=100, blank=True)
    mapping_toml = models.TextField("mapping (TOML)", blank=True)
    mapping_name = models.CharField("mapping", max_length=200)
    dry_run = models.BooleanField("dry run", default=False)
    state = models.CharField(
        "state", max_length=10, choices=ImportState.choices, default=ImportState.QUEUED
    )
    phase = models.CharField(
        "phase",
        max_length=20,
        blank=True,
        help_text="While running: checking (every row is validated first) or writing.",
    )
    attempts = models.PositiveSmallIntegerField(
        "attempts", default=0, help_text="Times a worker started it (a redelivery resumes it)."
    )
    rows_read = models.PositiveBigIntegerField("rows read", default=0)
    rows_total = models.PositiveBigIntegerField("rows in the file", null=True, blank=True)
    items = models.PositiveBigIntegerField("tickets or cases", default=0)
    created = models.PositiveBigIntegerField("created", default=0)
    updated = models.PositiveBigIntegerField("updated", default=0)
    unchanged = models.PositiveBigIntegerField("unchanged", default=0)
    summary_lines = models.JSONField("summary", default=list, blank=True)
    started_at = models.DateTimeField("started at", null=True, blank=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)
    bad_rows = models.JSONField(
        "bad rows",
        default=list,
        blank=True,
        help_text="The first 1,000: each {line, column, value, reason}.",
    )
    bad_row_count = models.PositiveBigIntegerField("bad rows (all)", default=0)
    error = models.TextField("why it failed", blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "import run"
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message="Not a state of an import run.",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=False, finished_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_finished_after_started",
                violation_error_message="A run finishes after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(mapping_preset="") | ~Q(mapping_toml=""),
                name="%(app_label)s_%(class)s_has_a_mapping",
                violation_error_message="A run needs a preset or a TOML mapping.",
            ),
        ]
        indexes = [
            # The import history: one kind's runs, newest first (hackperf.views.ImportRunListView).
            models.Index(fields=["kind", "-created_at"], name="hackperf_importrun_kind_new"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.file_name} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (ImportState.SUCCEEDED, ImportState.REFUSED, ImportState.FAILED)

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def hidden_bad_rows(self) -> int:
        """Bad rows counted but not stored (beyond the first ``STORED_BAD_ROWS``)."""
        return max(0, self.bad_row_count - len(self.bad_rows))

    def get_state_color(self) -> str:
        return IMPORT_STATE_COLOURS[ImportState(self.state)]
