"""Directorates, services, FOI/EIR/SAR cases, their clock events, due-date history and escalations.

The requester's identity lives in :class:`Requester`, apart from :class:`Case`, so that no
case queryset, table or export can carry it by accident: it is read only where the viewer
holds ``Perm.VIEW_REQUESTER_DATA`` (UK GDPR Art 5(1)(f), need to know).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from hackperf.constraints import check_rule, not_before, unique_rule
from hackperf.model_fields import ref, user_ref
from infogov import choices, exemptions
from infogov.querysets import CaseQuerySet, DirectorateQuerySet, EscalationQuerySet


class Directorate(models.Model):
    """A directorate of the council, with the director who answers for its cases.

    ``directors`` are the people on this site who see the directorate's cases (set by the
    DMT or an IG officer on the directors page, ``services.directorates_assign``); the
    e-mail addresses are only where escalations go, never who may see what.
    """

    name = models.CharField("name", max_length=120, unique=True)
    director_name = models.CharField("director", max_length=120)
    director_email = models.EmailField("director's e-mail")
    group_director_email = models.EmailField(
        "group director's e-mail",
        blank=True,
        help_text="Receives the overdue escalations; blank when the directorate has none.",
    )
    directors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="infogov_directorates",
        verbose_name="directors on this site",
        help_text="People in the director role who see this directorate's cases.",
    )

    objects = DirectorateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service within a directorate, with its lead (copied into T-5 escalations)."""

    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, related_name="services", verbose_name="directorate"
    )
    name = models.CharField("name", max_length=120)
    lead_name = models.CharField("service lead", max_length=120)
    lead_email = models.EmailField("service lead's e-mail")

    class Meta:
        ordering = ["directorate__name", "name", "pk"]
        constraints = [
            unique_rule(
                "unique_name_per_directorate",
                ["directorate", "name"],
                "This directorate already has a service of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """An FOI, EIR or subject-access request, or a review or complaint linked to one.

    ``due``, ``due_working``, ``regime`` and ``clock_stopped`` are derived from the clock events
    by ``services.cases.case_recompute_due`` and stored so lists and the escalation scan can query
    them; never edit them by hand.
    """

    reference = models.CharField("reference", max_length=40, unique=True)
    kind = models.CharField("kind", max_length=8, choices=choices.Kind.choices)
    stage = models.CharField(
        "stage", max_length=20, choices=choices.Stage.choices, default=choices.Stage.REQUEST
    )
    parent = ref("self", "original request", related_name="linked_cases", optional=True)
    received = models.DateField("received")
    channel = models.CharField("channel", max_length=12, choices=choices.Channel.choices)
    subject = models.CharField("subject", max_length=300)
    # The request as the requester put it: personal data on every kind of case (it names
    # people, addresses, incidents), so it reaches IG officers only (infogov.privacy).
    request_text = models.TextField(
        "request", blank=True, max_length=20000, help_text="The request as it was received."
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, related_name="cases", verbose_name="directorate"
    )
    service = ref(Service, "service", related_name="cases", optional=True)
    officer = user_ref(
        "case officer", on_delete=models.SET_NULL, optional=True, related_name="infogov_cases"
    )
    status = models.CharField(
        "status", max_length=20, choices=choices.Status.choices, default=choices.Status.RECEIVED
    )
    outcome = models.CharField(
        "outcome", max_length=20, choices=choices.Outcome.choices, blank=True
    )
    # Chosen from the list of the request's law (infogov.exemptions), stored by code.
    exemption_codes = models.JSONField(
        "exemptions cited", default=list, blank=True, help_text="Codes of infogov.exemptions."
    )
    # A SAR's exemptions (DPA 2018 Schedules 2-4, typed), and what older or imported FOI/EIR
    # text said that the list did not recognise: kept as typed rather than dropped.
    exemptions = models.CharField(
        "exemptions cited, as typed",
        max_length=300,
        blank=True,
        help_text="A SAR's (DPA 2018), or text of an FOI/EIR case not matched to the list.",
    )
    responded = models.DateField("responded", null=True, blank=True)
    withdrawn = models.DateField("withdrawn", null=True, blank=True)
    due = models.DateField("due")
    due_working = models.JSONField("working of the due date", default=list, blank=True)
    regime = models.CharField("regime", max_length=40)
    clock_stopped = models.BooleanField("clock stopped", default=False)
    created_at = models.DateTimeField("logged at", auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            not_before(
                "due_on_or_after_received",
                "due",
                "received",
                "The due date cannot be before the date received.",
            ),
            not_before(
                "responded_on_or_after_received",
                "responded",
                "received",
                "The response cannot be before the date received.",
                optional=True,
            ),
            check_rule(
                "linked_stage_has_parent",
                Q(stage=choices.Stage.REQUEST, parent__isnull=True)
                | (~Q(stage=choices.Stage.REQUEST) & Q(parent__isnull=False)),
                "A review or complaint must be linked to its request; a request must not be.",
            ),
        ]
        indexes = [
            # Used by services.escalations and the IG overview: open cases by due date.
            models.Index(
                fields=["due"],
                name="infogov_case_open_due_idx",
                condition=Q(status__in=[s.value for s in choices.OPEN_STATUSES]),
            ),
            # Used by the per-directorate performance report (received/responded in a period).
            models.Index(fields=["directorate", "received"], name="infogov_case_dir_recv_idx"),
            # The cases open on a day (received by it, neither responded to nor withdrawn by
            # it) as ``metrics.snapshot_metrics`` reads them: those never closed, those
            # responded to after the day and those withdrawn after it, each one range of its
            # own index, read alone (a scan of every case cost 26 ms of 46 at 100,000 cases).
            models.Index(
                fields=["received"],
                include=["id", "kind", "directorate", "due"],
                condition=Q(responded__isnull=True, withdrawn__isnull=True),
                name="infogov_case_unclosed_idx",
            ),
            models.Index(
                fields=["responded"],
                include=["id", "received", "withdrawn", "kind", "directorate", "due"],
                condition=Q(responded__isnull=False),
                name="infogov_case_responded_idx",
            ),
            models.Index(
                fields=["withdrawn"],
                include=["id", "received", "kind", "directorate", "due"],
                condition=Q(responded__isnull=True, withdrawn__isnull=False),
                name="infogov_case_withdrawn_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("infogov:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in choices.OPEN_STATUSES

    def get_status_color(self) -> str:
        return choices.get_status_color(self.status)

    def get_exemption_labels(self) -> list[str]:
        """The exemptions chosen, as "s.43 Commercial interests", in the list's order."""
        return exemptions.labels(self.exemption_codes or [])


def _case_part(related_name: str, *, one: bool = False) -> "models.ForeignKey[Any, Any]":
    """The case a part of its file belongs to (its requester, events, notes, due-date changes,
    escalations), and goes with: a case deleted takes its file along. ``one``: a case has at
    most one (a one-to-one field)."""
    return ref(Case, "case", related_name=related_name, on_delete=models.CASCADE, one=one)


class Requester(models.Model):
    """The person who made the request: personal data, seen only by IG officers."""

    case = _case_part("requester", one=True)
    name = models.CharField("name", max_length=200)
    email = models.EmailField("e-mail", blank=True)
    address = models.TextField("postal address", blank=True)
    phone = models.CharField("phone", max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Requester of {self.case_id}"


class ClockEvent(models.Model):
    """Something that happened to a case and may move its clock (the case's history)."""

    case = _case_part("events")
    kind = models.CharField("event", max_length=30, choices=choices.EventKind.choices)
    date = models.DateField("date")
    note = models.TextField("note", blank=True)
    extension_reason = models.CharField(
        "extension reason", max_length=20, choices=choices.ExtensionReason.choices, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(
        "extension (working days)", null=True, blank=True
    )
    actor = user_ref("recorded by", on_delete=models.SET_NULL, optional=True)
    recorded_at = models.DateTimeField("recorded at", auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            check_rule(
                "extension_has_reason",
                ~Q(kind=choices.EventKind.EXTENSION) | ~Q(extension_reason=""),
                "An extension needs its reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"


class CaseNote(models.Model):
    """An internal correspondence note on a case: who wrote it, when, and what it says.

    Free text about people (the requester, colleagues, third parties), so personal data on
    every kind of case: IG officers alone read or write it (DESIGN.md, Personal data).
    Notes are appended, never edited, so the record of who said what stays as it was.
    """

    case = _case_part("notes")
    author = user_ref("written by", on_delete=models.SET_NULL, optional=True)
    at = models.DateTimeField("written at")
    text = models.TextField("note", max_length=5000)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "correspondence note"
        constraints = [
            check_rule("text_not_blank", ~Q(text=""), "A note needs its text."),
        ]

    def __str__(self) -> str:
        return f"Note on {self.case_id} at {self.at:%d %b %Y %H:%M}"


class DueDateChange(models.Model):
    """A move of a case's due date, with why (a clock event, a bank-holiday change…)."""

    case = _case_part("due_changes")
    old = models.DateField("old due date", null=True, blank=True)
    new = models.DateField("new due date")
    reason = models.TextField("reason")
    at = models.DateTimeField("changed at")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "due-date change"

    def __str__(self) -> str:
        return f"{self.case_id}: {self.old} → {self.new}"


class Escalation(models.Model):
    """A level of the escalation ladder reached by a case: e-mailed, or skipped with why.

    Once per case and level, ever: the unique constraint is the claim that makes two
    concurrent or redelivered scans record each level once (``escalations_send``).
    An escalated level's e-mails are outbox messages (``messages``, one digest per recipient
    and run), written in the same transaction, so "escalated" never means "e-mailed": each
    message says whether it was sent, failed or is waiting for an address.
    """

    case = _case_part("escalations")
    level = models.CharField("level", max_length=12, choices=choices.EscalationLevel.choices)
    escalated_at = models.DateTimeField("recorded at")
    recipients = models.JSONField("recipients", default=list, blank=True)
    skipped_reason = models.CharField(
        "skipped because",
        max_length=300,
        blank=True,
        help_text="Blank: escalated. Otherwise why this lower level was not e-mailed.",
    )
    messages = models.ManyToManyField(
        "hackperf.OutboxMessage", related_name="+", blank=True, verbose_name="e-mails"
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-escalated_at", "pk"]
        constraints = [
            unique_rule(
                "once_per_case_and_level",
                ["case", "level"],
                "This case has already been escalated at this level.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def is_skipped(self) -> bool:
        return bool(self.skipped_reason)

    def get_level_color(self) -> str:
        return choices.get_escalation_color(self.level)


class EscalationAcknowledgement(models.Model):
    """A director's acknowledgement of a case's escalations: once per case, for all levels."""

    case = _case_part("acknowledgement", one=True)
    by = user_ref("acknowledged by", on_delete=models.SET_NULL, optional=True)

    at = models.DateTimeField("acknowledged at")
    comment = models.TextField("comment", blank=True, max_length=2000)

    class Meta:
        ordering = ["-at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} acknowledged"


# Peers' published statistics live in their own module; imported here so Django finds them.
from infogov.peers.models import PeerBody, PeerStatistic  # noqa: E402, F401
