"""Queues, categories, SLA targets, tickets and their history (events and derived intervals).

History is the source of truth (DESIGN.md): a ticket's current state, its counts and its
clocks are all derived from its :class:`TicketEvent` rows by ``servicedesk.services``.
:class:`TicketInterval` is the derived table that makes "as of T" questions plain range
queries: one row per stretch of time a ticket spent in one status, one queue, with one
reassignment count and escalation level.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from hackperf.constraints import check_rule, not_before, unique_rule
from hackperf.model_fields import ref, user_ref
from hackperf.workdays import Division
from servicedesk import statuses
from servicedesk.calendars import validate_working_hours
from servicedesk.choices import (
    Channel,
    EscalationLevel,
    EventKind,
    Kind,
    Priority,
    Status,
    StatusClass,
)
from servicedesk.querysets import TicketIntervalQuerySet, TicketQuerySet

RESERVED_QUEUE_SLUGS = frozenset({"tickets", "import", "surveys"})
"""Paths under /queues/ that are pages, not queues (servicedesk/urls.py)."""


def validate_queue_slug(value: str) -> None:
    if value in RESERVED_QUEUE_SLUGS:
        raise ValidationError(
            f"{value!r} is the address of another page under /queues/; choose another slug."
        )


def _unindexed_ref(
    to: Any, verbose_name: str, *, on_delete: Any = models.PROTECT
) -> "models.ForeignKey[Any, Any]":
    """An optional reference a ticket's history names: no reverse accessor, no index of its own.

    Nothing asks a queue or a category for the events that name it, and an index on every
    such column was mostly NULLs that each import's COPY had to add (the partial
    ``sd_event_*_set`` indexes serve the deletes that need one).
    """
    return ref(
        to, verbose_name, related_name="+", on_delete=on_delete, optional=True, db_index=False
    )


def _ticket_history(related_name: str) -> "models.ForeignKey[Any, Any]":
    """The ticket a row of its history (an event, an interval) belongs to, and goes with.

    No index of its own: each history table's composite index leads with the ticket
    (events: the unique (ticket, sequence); intervals: sd_interval_ticket) and serves every
    lookup by ticket; a second one only slowed each import's COPY.
    """
    return models.ForeignKey(
        "servicedesk.Ticket",
        verbose_name="ticket",
        related_name=related_name,
        on_delete=models.CASCADE,
        db_index=False,
    )


def _filled_choice(verbose_name: str, choices: Any) -> "models.CharField[Any, Any]":
    """A kind or channel column of a ticket's history, blank until the services fill it.

    ``db_default`` too: the bulk loaders (demo, import writer) COPY named columns only.
    """
    return models.CharField(
        verbose_name, max_length=10, choices=choices, blank=True, default="", db_default=""
    )


def default_working_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday, 09:00-17:00: weekday (0 = Monday) → [[start, end], ...]."""
    return {str(day): [["09:00", "17:00"]] for day in range(5)}


class Queue(models.Model):
    """A team's queue of tickets, with its owners, members and service calendar."""

    name = models.CharField("name", max_length=100, unique=True)
    slug = models.SlugField("slug", max_length=100, unique=True, validators=[validate_queue_slug])
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="owners",
        related_name="owned_queues",
        blank=True,
        help_text="Team leaders who answer for the queue; they see and work its tickets.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="members",
        related_name="member_queues",
        blank=True,
    )
    working_hours = models.JSONField(
        "working hours",
        default=default_working_hours,
        help_text='Weekday (0 = Monday) → list of ["HH:MM", "HH:MM"] local intervals.',
    )
    holiday_division = models.CharField(
        "bank-holiday division",
        max_length=20,
        choices=[(d.value, d.value.replace("-", " ").capitalize()) for d in Division],
        default=Division.ENGLAND_AND_WALES.value,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Checked here so that a form shows what is wrong, instead of every page that builds
        # this queue's calendar failing later.
        try:
            validate_working_hours(self.working_hours)
        except ValueError as exc:
            raise ValidationError({"working_hours": str(exc)}) from None


class Category(models.Model):
    """A ticket category; categories form a tree (category / subcategory)."""

    name = models.CharField("name", max_length=100)
    parent = ref("self", "parent", related_name="children", optional=True)
    is_mfd_print = models.BooleanField("MFD print and copy", default=False)
    is_new_starter = models.BooleanField("new starter", default=False)
    is_mover = models.BooleanField("mover", default=False)
    is_leaver = models.BooleanField("leaver", default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "categories"
        constraints = [
            unique_rule(
                "unique_name_per_parent",
                ["parent", "name"],
                "A category with this name already has this parent.",
            ),
            unique_rule(
                "unique_top_level_name",
                ["name"],
                "A top-level category with this name already exists.",
                condition=Q(parent__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """Response and resolution targets, in business seconds, for a kind and priority."""

    kind = models.CharField("kind", max_length=10, choices=Kind.choices)
    priority = models.CharField("priority", max_length=2, choices=Priority.choices)
    response_seconds = models.PositiveIntegerField("response target (business seconds)")
    resolution_seconds = models.PositiveIntegerField("resolution target (business seconds)")

    class Meta:
        ordering = ["kind", "priority", "pk"]
        verbose_name = "SLA target"
        constraints = [
            unique_rule(
                "one_per_kind_and_priority",
                ["kind", "priority"],
                "There is already a target for this kind and priority.",
            ),
            check_rule(
                "resolution_positive",
                Q(resolution_seconds__gt=0),
                "The resolution target must be more than zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.priority}"


# A paused ticket's clock stopped when the pause began (``status_since``): these say how it
# stood then, in the forms the queue page's queries and its partial indexes share (the
# planner uses a partial index only when the query's condition is the index's own).
# A ticket or interval that is not done (open, or paused on hold): what the live indexes
# cover, so the counts of the queue pages and the as-of figures read them alone.
LIVE = Q(status_class__in=["open", "paused"])
PAUSED = Q(status_class="paused")
PAUSED_BREACHED = Q(sla_due_at__lt=F("status_since"))
PAUSED_NOT_BREACHED = Q(sla_due_at__gte=F("status_since")) | Q(sla_due_at__isnull=True)
PAUSED_REACHED = Q(sla_at_risk_at__lte=F("status_since"))
PAUSED_NOT_REACHED = Q(sla_at_risk_at__gt=F("status_since")) | Q(sla_at_risk_at__isnull=True)


class Ticket(models.Model):
    """An incident or service request.

    The fields after ``status`` are derived from the ticket's events by the services in
    ``servicedesk.services``; never set them by hand.
    """

    reference = models.CharField("reference", max_length=40, unique=True)
    kind = models.CharField("kind", max_length=10, choices=Kind.choices)
    summary = models.CharField("summary", max_length=250)
    category = ref(Category, "category", related_name="tickets", optional=True)
    priority = models.CharField(
        "priority", max_length=2, choices=Priority.choices, default=Priority.P3
    )
    channel = models.CharField("channel", max_length=10, choices=Channel.choices)
    customer_name = models.CharField("customer name", max_length=200, blank=True)
    customer_email = models.EmailField("customer e-mail", blank=True)
    customer_directorate = models.CharField("customer directorate", max_length=200, blank=True)
    # db_default too: the bulk loaders (demo, import writer) COPY named columns only.
    customer_phone = models.CharField(
        "customer phone", max_length=40, blank=True, default="", db_default=""
    )
    description = models.TextField("description", blank=True, default="", db_default="")
    queue = models.ForeignKey(
        Queue, verbose_name="queue", related_name="tickets", on_delete=models.PROTECT
    )
    assignee = user_ref(
        "assignee", on_delete=models.SET_NULL, optional=True, related_name="assigned_tickets"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices)
    logged_at = models.DateTimeField("logged at")
    # -- derived from the events --------------------------------------------------------------
    status_class = models.CharField(
        "status class", max_length=10, choices=StatusClass.choices, default=StatusClass.OPEN
    )
    status_since = models.DateTimeField("in this status since")
    first_assigned_at = models.DateTimeField("first assigned at", null=True, blank=True)
    last_sequence = models.PositiveIntegerField("last event sequence", default=0)
    reassignment_count = models.PositiveIntegerField("reassignments", default=0)
    reopen_count = models.PositiveIntegerField("reopens", default=0)
    # An imported export's own counts (ServiceNow's reassignment_count and reopen_count, BPI
    # 2014's x_reassignments), kept beside the ones derived from history: they can differ
    # (the log lacks rows the source counted from), and people should see both.
    export_reassignment_count = models.PositiveIntegerField(
        "reassignments (the export's own count)", null=True, blank=True
    )
    export_reopen_count = models.PositiveIntegerField(
        "reopens (the export's own count)", null=True, blank=True
    )
    escalation_level = models.PositiveSmallIntegerField(
        "escalation level", choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    last_resolved_at = models.DateTimeField("last resolved at", null=True, blank=True)
    business_resolution_seconds = models.PositiveIntegerField(
        "business resolution time (seconds)", null=True, blank=True
    )
    sla_target_seconds = models.PositiveIntegerField(
        "SLA resolution target (business seconds)", null=True, blank=True
    )
    sla_due_at = models.DateTimeField(
        "SLA due at",
        null=True,
        blank=True,
        help_text="Counting the pauses that have ended; a current pause moves it later.",
    )
    sla_at_risk_at = models.DateTimeField(
        "SLA at risk from",
        null=True,
        blank=True,
        help_text="When 75% of the target is used, counting the pauses that have ended.",
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_at", "reference"]
        constraints = [
            not_before(
                "status_since_after_logged",
                "status_since",
                "logged_at",
                "A ticket cannot change status before it is logged.",
            ),
            not_before(
                "resolved_after_logged",
                "last_resolved_at",
                "logged_at",
                "A ticket cannot be resolved before it is logged.",
                optional=True,
            ),
        ]
        indexes = [
            # The live queue pages and overview: a queue's tickets that are not done, with
            # every column their counts test, so the counts read the index alone (an
            # index-only scan: at 100,000 open tickets a third of the time of the table's).
            models.Index(
                fields=["queue", "sla_due_at"],
                include=[
                    "status_class",
                    "status_since",
                    "sla_at_risk_at",
                    "logged_at",
                    "assignee",
                    "reopen_count",
                    "reassignment_count",
                    "escalation_level",
                ],
                condition=LIVE,
                name="sd_ticket_live_by_queue",
            ),
            # The queue page's "Assigned to" filter: the people its open tickets are
            # assigned to, an index probe each (selectors.queue_assignees).
            models.Index(
                fields=["queue", "assignee"], condition=LIVE, name="sd_ticket_live_by_assignee"
            ),
            # The queue page, a page at a time in SLA order (selectors.ranked_page): a queue's
            # open tickets by due time (breached: before now; at risk and the rest: after),
            # and its paused ones in three, by how their stopped clock stands, so each rank
            # is an ordered range of one index, read no further than the page.
            models.Index(
                fields=["queue", "sla_due_at", "reference"],
                include=["sla_at_risk_at"],
                condition=Q(status_class="open"),
                name="sd_ticket_open_by_due",
            ),
            models.Index(
                fields=["queue", "sla_due_at", "reference"],
                condition=PAUSED & PAUSED_BREACHED,
                name="sd_ticket_paused_breached",
            ),
            models.Index(
                fields=["queue", "sla_due_at", "reference"],
                condition=PAUSED & PAUSED_NOT_BREACHED & PAUSED_REACHED,
                name="sd_ticket_paused_at_risk",
            ),
            models.Index(
                fields=["queue", "sla_due_at", "reference"],
                condition=PAUSED & PAUSED_NOT_BREACHED & PAUSED_NOT_REACHED,
                name="sd_ticket_paused_rest",
            ),
            # The queue counts read from tallies (servicedesk.tallies) count exactly only the
            # current hour's edge of a time: open tickets at risk since, and live tickets
            # logged in, the hour that holds the instant (a few rows at most).
            models.Index(
                fields=["queue", "sla_at_risk_at"],
                include=["sla_due_at"],
                condition=Q(status_class="open"),
                name="sd_ticket_open_by_risk",
            ),
            models.Index(
                fields=["queue", "logged_at"],
                condition=LIVE,
                name="sd_ticket_live_by_logged",
            ),
            # FR ICT 17 and closures: tickets by their last resolution.
            models.Index(fields=["last_resolved_at"], name="sd_ticket_last_resolved"),
            models.Index(fields=["logged_at"], name="sd_ticket_logged_at"),
            # Also sd_ticket_reference_trgm (GIN, pg_trgm, UPPER(reference)): finding a ticket by
            # part of its reference. PostgreSQL only, so it is in migration 0009 alone.
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.summary}"


# The events some period figure counts (servicedesk.metrics): resolutions, reopens,
# escalations and loggings. The SQL form of servicedesk.statuses.is_resolution / is_reopen
# (a test checks every pair of statuses); a partial index's condition is this very Q, as the
# planner uses a partial index only when a query states its condition.
RESOLUTION_Q = Q(from_status__in=statuses.RESOLUTION_FROM, to_status__in=statuses.RESOLUTION_TO)
REOPEN_Q = Q(from_status__in=statuses.REOPEN_FROM, to_status__in=statuses.REOPEN_TO)
COUNTED_EVENT = RESOLUTION_Q | REOPEN_Q | Q(kind__in=("escalated", "logged"))


class TicketEvent(models.Model):
    """One change in a ticket's history, with its instant and who made it."""

    ticket = _ticket_history("events")
    sequence = models.PositiveIntegerField("sequence")
    kind = models.CharField("kind", max_length=20, choices=EventKind.choices)
    at = models.DateTimeField("at")
    actor = user_ref("actor", on_delete=models.SET_NULL, optional=True, db_index=False)
    actor_name = models.CharField("actor name", max_length=200, blank=True)
    from_status = models.CharField("from status", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("to status", max_length=20, choices=Status.choices, blank=True)
    from_queue = _unindexed_ref(Queue, "from queue")
    to_queue = _unindexed_ref(Queue, "to queue")
    assignee = user_ref("assignee", on_delete=models.SET_NULL, optional=True, db_index=False)
    reason = models.TextField("reason", blank=True)
    level = models.PositiveSmallIntegerField(
        "escalation level", choices=EscalationLevel.choices, null=True, blank=True
    )
    # A reclassification (kind or category changed) records the ticket's kind and category
    # before and after, both, whichever changed: the values as of any instant follow from it.
    from_kind = _filled_choice("from kind", Kind.choices)
    to_kind = _filled_choice("to kind", Kind.choices)
    from_category = _unindexed_ref(Category, "from category")
    to_category = _unindexed_ref(Category, "to category")
    # -- derived: the ticket as of this event -------------------------------------------------
    # Its queue, kind and category once the event's instant is over (those of its latest
    # interval started by then) and its channel, so that the period figures are one grouped
    # range scan of the events (servicedesk.metrics) with no join. Filled by the services as
    # they write, and in SQL by ``services.tickets_as_of_fill`` after a bulk load; an empty
    # ``ticket_kind`` marks an event not filled yet.
    ticket_queue = _unindexed_ref(Queue, "queue then")
    ticket_kind = _filled_choice("kind then", Kind.choices)
    ticket_category = _unindexed_ref(Category, "category then")
    ticket_channel = _filled_choice("channel", Channel.choices)

    class Meta:
        ordering = ["ticket_id", "sequence", "pk"]
        constraints = [
            unique_rule(
                "unique_sequence",
                ["ticket", "sequence"],
                "The ticket already has an event with this sequence.",
            ),
        ]
        indexes = [
            # The events the period figures count, with what they are grouped and filtered
            # by, so that a fortnight's figures are one index-only range scan. It also serves
            # the events of one counted kind in a period (escalations, loggings: the kind is
            # included), which a (kind, at) index served before migration 0014.
            models.Index(
                fields=["at"],
                include=[
                    "ticket_queue",
                    "ticket_kind",
                    "ticket_category",
                    "ticket_channel",
                    "kind",
                    "from_status",
                    "to_status",
                ],
                condition=COUNTED_EVENT,
                name="sd_event_counted_at",
            ),
            # Events a bulk load wrote without their as-of columns (normally none).
            models.Index(
                fields=["ticket"], condition=Q(ticket_kind=""), name="sd_event_as_of_unfilled"
            ),
            # The people and queues an event names, for deleting a user (SET_NULL) or a
            # queue (PROTECT) and for nothing else: only the events that name one are
            # indexed. Imported events name no user and most name no queue, so a full index
            # was mostly NULLs that every import's COPY had to add (servicedesk 0009).
            *(
                models.Index(
                    fields=[field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"sd_event_{field}_set",
                )
                for field in ("actor", "assignee", "from_queue", "to_queue")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.sequence} {self.get_kind_display()}"


class TicketInterval(models.Model):
    """A stretch of a ticket's life in one status and queue (derived from its events).

    A ticket's intervals tile its life from logging on: ``[started_at, ended_at)``, the last
    one open-ended. "In status S at T" is ``started_at <= T < ended_at``.
    """

    ticket = _ticket_history("intervals")

    status = models.CharField("status", max_length=20, choices=Status.choices)
    status_class = models.CharField("status class", max_length=10, choices=StatusClass.choices)
    queue = models.ForeignKey(
        Queue, verbose_name="queue", related_name="+", on_delete=models.PROTECT
    )
    reassignment_count = models.PositiveIntegerField("reassignments so far", default=0)
    escalation_level = models.PositiveSmallIntegerField(
        "escalation level", choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    # The ticket's kind and category during the interval (a reclassification starts a new
    # one) and when it was logged, so the as-of figures need no join (servicedesk.metrics).
    # Filled by replay and the services, and in SQL by ``services.tickets_as_of_fill`` after a
    # bulk load; an empty ``kind`` marks an interval not filled yet.
    kind = _filled_choice("kind", Kind.choices)
    category = _unindexed_ref(Category, "category")
    logged_at = models.DateTimeField("ticket logged at", null=True, blank=True)
    started_at = models.DateTimeField("from")
    ended_at = models.DateTimeField("to", null=True, blank=True)

    objects = TicketIntervalQuerySet.as_manager()

    class Meta:
        ordering = ["ticket_id", "started_at", "pk"]
        constraints = [
            not_before(
                "ends_after_start",
                "ended_at",
                "started_at",
                "An interval cannot end before it starts.",
                optional=True,
            ),
        ]
        indexes = [
            # A ticket's intervals in order (replays, SLA pauses, the queue as of an event).
            models.Index(fields=["ticket", "started_at"], name="sd_interval_ticket"),
            # The open and paused intervals by their end, with every column the as-of figures
            # group and count by: "open at T" is the intervals ending after T (or not yet)
            # that started by then, read from the index alone. A done ticket's last interval
            # never ends, and without the condition it would be in every such range.
            models.Index(
                fields=["ended_at"],
                include=[
                    "started_at",
                    "status_class",
                    "queue",
                    "kind",
                    "category",
                    "logged_at",
                    "reassignment_count",
                    "escalation_level",
                ],
                condition=LIVE,
                name="sd_interval_live_by_end",
            ),
            # Intervals a bulk load wrote without their as-of columns (normally none).
            models.Index(fields=["ticket"], condition=Q(kind=""), name="sd_interval_unfilled"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class QueueTally(models.Model):
    """How many of a queue's live tickets (open or on hold) fall under one measure and key.

    Kept exact by PostgreSQL triggers on the ticket table, in the statement that changes a
    ticket (every service, the importer's set-based writes, the demo's COPY alike): see
    ``servicedesk.tallies`` and migration 0013. The queue pages read their counts from here, so
    a count costs the same at 10 or 100,000 open tickets. Never written by Django.
    """

    queue = models.ForeignKey(
        Queue, verbose_name="queue", related_name="+", on_delete=models.CASCADE, db_index=False
    )
    measure = models.CharField("measure", max_length=20)
    key = models.BigIntegerField(
        "key", default=0, help_text="An hour since the epoch, a count, or 0 (see tallies.py)."
    )
    n = models.IntegerField("tickets")

    class Meta:
        ordering = ["queue_id", "measure", "key"]
        verbose_name_plural = "queue tallies"
        constraints = [
            # Also the index every read and every trigger's upsert goes through.
            unique_rule(
                "one_per_key",
                ["queue", "measure", "key"],
                "The queue already has a tally for this measure and key.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.measure} {self.key}: {self.n}"


class QueueVersion(models.Model):
    """The version of a queue's tickets: what its page's cached tickets part is keyed on
    (``servicedesk.queue_cache``).

    Kept by PostgreSQL triggers on the ticket table (migration 0019), in the statement that
    inserts, changes, moves or deletes a ticket, whoever writes it: ``version`` is the next
    number of a sequence, which PostgreSQL never gives twice (not even to a statement rolled
    back), and ``written_by`` the writing transaction's id, which a database recreated with the
    same rows (a test run, a restored backup) does not repeat either. So a key never comes
    back. Never written by Django; on SQLite (``make run``) it stays empty and the queue pages
    are drawn afresh every time.
    """

    # No foreign key in the database: the row is the triggers', and a queue deleted in SQL
    # (a benchmark's clean-up, a data fix) must not be stopped by it. Django's delete of a
    # queue still deletes it; one left behind is never read (queue ids are not given twice).
    queue = models.OneToOneField(
        Queue,
        verbose_name="queue",
        primary_key=True,
        related_name="+",
        on_delete=models.CASCADE,
        db_constraint=False,
    )
    version = models.BigIntegerField("version", help_text="Moved by every write of its tickets.")
    written_by = models.BigIntegerField(
        "written by", help_text="The id of the transaction that wrote last."
    )

    def __str__(self) -> str:
        return f"{self.queue_id}: {self.version}.{self.written_by}"


class EventDayTally(models.Model):
    """How many of the events of one London day, in one (queue, kind, category) as of the
    event, each period figure counts: closures, reopens, escalations, loggings, loggings
    through the portal.

    Kept exact by PostgreSQL triggers on the event table, in the statement that writes, changes
    or deletes an event, whoever writes it (the services, the importer, the demo's COPY): see
    migration 0018. The period figures sum a fortnight's 14 days from here instead of counting
    its events (``servicedesk.metrics``), so a snapshot reads a few thousand rows, not 80,000
    events. Never written by Django; on SQLite (``make run``) it stays empty and unread.
    """

    day = models.DateField("day (London)")
    ticket_queue_id = models.BigIntegerField("queue then", null=True)
    ticket_kind = models.CharField("kind then", max_length=20)
    ticket_category_id = models.BigIntegerField("category then", null=True)
    closures = models.IntegerField("closures")
    reopens = models.IntegerField("reopens")
    escalations = models.IntegerField("escalations")
    logged = models.IntegerField("logged")
    self_service = models.IntegerField("logged through the portal")

    class Meta:
        ordering = ["day", "ticket_queue_id", "ticket_kind", "ticket_category_id"]
        verbose_name_plural = "event day tallies"
        constraints = [
            # Also the index every read (a range of days) and every trigger's upsert uses.
            unique_rule(
                "one_per_day_and_group",
                ["day", "ticket_queue_id", "ticket_kind", "ticket_category_id"],
                "The day already has a tally for this queue, kind and category.",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.ticket_queue_id} {self.ticket_kind} {self.ticket_category_id}"


from servicedesk.surveys.models import SurveyInvitation, SurveyOptOut, SurveyResponse  # noqa: E402,F401


class TicketNote(models.Model):
    """An internal work note on a ticket: what was done or found, by whom, when.

    Not an event: a note changes nothing the clock, the counts or the history replay derive
    from, so it lives beside the timeline (``services.ticket_add_note``), never in it.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="notes", verbose_name="ticket"
    )
    at = models.DateTimeField("at")
    author = user_ref("author", on_delete=models.SET_NULL, optional=True)

    author_name = models.CharField("author name", max_length=200)
    text = models.TextField("note")

    class Meta:
        ordering = ("at", "pk")
        indexes = [models.Index(fields=["ticket", "at"], name="sd_note_by_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} note by {self.author_name} at {self.at:%Y-%m-%d %H:%M}"
