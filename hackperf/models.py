"""Models of the project package: site-wide permissions, the bank-holiday calendar, the outbox,
import runs."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q

from hackperf.choices import (
    IMPORT_STATE_COLOURS,
    OUTBOX_COLOURS,
    TO_CONFIRM_COLOURS,
    DivisionChoice,
    FetchOutcome,
    ImportKind,
    ImportState,
    OutboxStatus,
    ToConfirmStatus,
)
from hackperf.constraints import check_rule, unique_rule
from hackperf.model_fields import user_ref
from hackperf.roles import Perm


class FrozenRecord(models.Model):
    """Abstract: a copy kept for the record (a DMT review pack, a Mayor's briefing), with
    when it was frozen and by whom; whoever froze it stays on it (``PROTECT``)."""

    frozen_at = models.DateTimeField("frozen")
    frozen_by = user_ref("frozen by")

    class Meta:
        abstract = True


class SitePermission(models.Model):
    """Owns the permissions that belong to no single model (see ``hackperf.roles``).

    Unmanaged and tableless: Django creates permissions for it like for any model, and
    nothing ever queries it.
    """

    class Meta:
        managed = False
        default_permissions = ()
        # Perm.choices is list[tuple[str, str]]; the stubs' list of (str, str | lazy str) is
        # invariant, and a tuple here would make a migration of it.
        permissions = Perm.choices  # type: ignore[assignment]

    def __str__(self) -> str:
        return "site permission"


class DivisionDay(models.Model):
    """Abstract: a named day in one bank-holiday division, shown as people read a holiday.

    A stored bank holiday and a day one source lists and the other lacks are both this, so
    a day waiting to be confirmed reads on the page as it will once stored.
    """

    division = models.CharField("division", max_length=20, choices=DivisionChoice.choices)
    date = models.DateField("date")
    title = models.CharField("title", max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.date:%a %-d %b %Y} {self.title} ({self.get_division_display()})"


class BankHoliday(DivisionDay):
    """A bank holiday in one division, as the GOV.UK feed lists it.

    The database copy is what deadlines and SLA clocks count with, so a holiday announced
    at short notice (19 Sep 2022) is one ``sync_bank_holidays`` away, and every due date it
    moves is recomputed and the change recorded.
    """

    notes = models.CharField("notes", max_length=200, blank=True)
    source = models.CharField(
        "source", max_length=200, help_text="Where this holiday came from, e.g. the feed file."
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ("date", "division")
        constraints = [
            unique_rule(
                "one_per_division_and_date",
                ("division", "date"),
                "A division has at most one bank holiday on a date.",
            ),
        ]


class BankHolidayFetch(models.Model):
    """One refresh of the bank holidays: where from, when, and what came of it.

    Every attempt is kept (the IG pages say when fetches have failed for over a week). The
    newest good fetch also keeps the feed it read, so the last good copy is always at hand;
    older fetches drop theirs.
    """

    at = models.DateTimeField("at")
    source = models.CharField("source", max_length=500)
    outcome = models.CharField("outcome", max_length=12, choices=FetchOutcome.choices)
    message = models.TextField("message", blank=True, help_text="Why it failed or was refused.")
    changes = models.JSONField("changes", default=list, blank=True)
    changed_dates = models.JSONField(
        "changed dates", default=list, blank=True, help_text="ISO dates whose status changed."
    )
    signalled = models.BooleanField(
        "due dates recomputed",
        default=True,
        help_text=(
            "False when a data migration stored holidays: the post-migrate step then recomputes "
            "open due dates for them."
        ),
    )
    feed = models.JSONField("feed", null=True, blank=True, help_text="The last good copy.")

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = "bank-holiday fetch"
        indexes = [
            # Used by hackperf.selectors.bank_holiday_feed_status: the latest good fetch.
            models.Index(fields=["outcome", "-at"], name="hackperf_bhfetch_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()} ({self.source})"

    # A first load lists every holiday; a page shows the first few and the count.
    CHANGES_SHOWN = 3

    @property
    def changes_summary(self) -> str:
        """``added 2026-06-15 … (scotland)``, or ``471 changes, first: …; …`` when many."""
        changes = list(self.changes or [])
        if len(changes) <= self.CHANGES_SHOWN:
            return "; ".join(changes)
        first = "; ".join(changes[: self.CHANGES_SHOWN])
        return f"{len(changes)} changes, the first: {first}; …"


class HolidayToConfirm(DivisionDay):
    """A bank holiday that one source has and the other lacks, for an IG officer to decide.

    The sources are the feed (GOV.UK, the authority) and the ``holidays`` package, compared
    by weekday date per division after every refresh. Confirming a package-only day stores it
    as a bank holiday (and moves open due dates); rejecting a feed-only day removes it. Each
    refresh keeps both decisions.
    """

    in_feed = models.BooleanField(
        "in the feed", help_text="True: the feed has it and the package lacks it; else the reverse."
    )
    feed_source = models.CharField("feed", max_length=500)
    package_source = models.CharField("package", max_length=200)
    status = models.CharField(
        "status",
        max_length=12,
        choices=ToConfirmStatus.choices,
        default=ToConfirmStatus.TO_CONFIRM,
    )
    found_at = models.DateTimeField("found at")
    decided_by = user_ref("decided by", on_delete=models.SET_NULL, optional=True)
    decided_at = models.DateTimeField("decided at", null=True, blank=True)

    class Meta:
        ordering = ("date", "division", "pk")
        verbose_name = "bank holiday to confirm"
        verbose_name_plural = "bank holidays to confirm"
        constraints = [
            unique_rule(
                "one_per_division_and_date",
                ("division", "date"),
                "This date is already listed for this division.",
            ),
        ]

    @property
    def present_in(self) -> str:

        return self.feed_source if self.in_feed else self.package_source

    @property
    def missing_from(self) -> str:
        return self.package_source if self.in_feed else self.feed_source

    def get_status_color(self) -> str:
        return TO_CONFIRM_COLOURS[ToConfirmStatus(self.status)]


class OutboxMessage(models.Model):
    """One e-mail of the outbox that every e-mail of the site goes through (``hackperf.outbox``).

    Written in the same transaction as the record that causes it (an escalation, a survey
    invitation), so the two exist together or not at all; ``dedupe_key`` is that record's
    natural key, so enqueueing twice enqueues once. ``sent_at`` is written only after the
    mail server accepted the message; ``claimed_at``/``claim_token`` say which run is sending
    it, and a claim older than ``OUTBOX_CLAIM_TIMEOUT`` is taken over.
    """

    dedupe_key = models.CharField("natural key", max_length=255, unique=True)
    kind = models.CharField(
        "kind", max_length=60, help_text="What the e-mail is, e.g. infogov.escalation_digest."
    )
    subject = models.CharField("subject", max_length=300)
    body = models.TextField("body")
    headers = models.JSONField("extra headers", default=dict, blank=True)
    to = models.JSONField("to", default=list, blank=True)
    resolver = models.CharField(
        "recipient resolver",
        max_length=60,
        blank=True,
        help_text="Registered resolver that finds the address at send time while there is none.",
    )
    resolver_args = models.JSONField("resolver arguments", default=dict, blank=True)
    no_recipient_reason = models.CharField(
        "what is missing", max_length=300, blank=True, help_text="Shown while there is no address."
    )
    status = models.CharField(
        "status", max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveIntegerField("attempts", default=0)
    next_attempt_at = models.DateTimeField("next attempt at")
    claimed_at = models.DateTimeField("claimed at", null=True, blank=True)
    claim_token = models.CharField("claim token", max_length=32, blank=True)
    sent_at = models.DateTimeField("sent at", null=True, blank=True)
    last_error = models.TextField("last error", blank=True)
    created_at = models.DateTimeField("queued at")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            check_rule(
                "sent_has_sent_at",
                ~Q(status=OutboxStatus.SENT) | Q(sent_at__isnull=False),
                "A sent message records when it was sent.",
            ),
        ]
        indexes = [
            # Used by hackperf.outbox.outbox_send: the queued messages whose turn has come.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="hackperf_outbox_queued_idx",
                condition=Q(status=OutboxStatus.QUEUED),
            ),
            # The undeliverable counts on the home page and the IG overview.
            models.Index(
                fields=["kind", "status"],
                name="hackperf_outbox_undeliv_idx",
                condition=Q(status__in=[OutboxStatus.FAILED, OutboxStatus.NO_RECIPIENT]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.get_status_display()})"

    def get_status_color(self) -> str:
        return OUTBOX_COLOURS.get(self.status, "none")


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
    created_by = user_ref("started by", on_delete=models.SET_NULL, optional=True)
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
    # hackperf.imports.import_runs_sweep: a run queued while the broker was down is queued
    # again, then given up; an upload's stored file is deleted some days after it finished.
    requeued_count = models.PositiveSmallIntegerField("times queued again", default=0, db_default=0)
    requeued_at = models.DateTimeField("last queued again at", null=True, blank=True)
    file_deleted_at = models.DateTimeField(
        "stored file deleted at",
        null=True,
        blank=True,
        help_text="The record and the file's SHA-256 are kept.",
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            check_rule(
                "state_valid", Q(state__in=ImportState.values), "Not a state of an import run."
            ),
            check_rule(
                "finished_after_started",
                Q(finished_at__isnull=True)
                | Q(started_at__isnull=False, finished_at__gte=F("started_at")),
                "A run finishes after it starts.",
            ),
            check_rule(
                "has_a_mapping",
                ~Q(mapping_preset="") | ~Q(mapping_toml=""),
                "A run needs a preset or a TOML mapping.",
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


class SavedFilter(models.Model):
    """A filtered list page (a queue page, the case list) a person saved under a name.

    Kept as the page's URL name, its arguments and its query string, never a full URL, so a
    saved filter can only ever reopen one of the lists that registered as saveable
    (``hackperf.workspace.register_saveable_list``). Only its owner sees it.
    """

    user = user_ref("owner", on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField("name", max_length=80)
    url_name = models.CharField("page", max_length=80)
    url_kwargs = models.JSONField("page arguments", default=dict, blank=True)
    query_string = models.CharField("filter", max_length=1000, blank=True)
    created_at = models.DateTimeField("saved", auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            unique_rule(
                "one_name_per_user",
                ("user", "name"),
                "You already have a saved filter with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        url = reverse(self.url_name, kwargs=self.url_kwargs)
        return f"{url}?{self.query_string}" if self.query_string else url
