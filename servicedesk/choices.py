"""Choices of the service desk: kinds, priorities, channels, statuses and event kinds.

Statuses fall in three classes (DESIGN.md, metric dictionary): open (logged, assigned, in
progress), paused (on hold: awaiting customer, awaiting supplier) and done (resolved, closed,
cancelled). Every count on the pages starts from that split, which is stated once, in
``servicedesk.statuses`` (pure Python, for the import parser too): the classes below are read
from it, and a test keeps its statuses equal to ``Status``.
"""

from django.db import models

from servicedesk import statuses


class Kind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Service request"


class Priority(models.TextChoices):
    P1 = "P1", "P1 critical"
    P2 = "P2", "P2 high"
    P3 = "P3", "P3 medium"
    P4 = "P4", "P4 low"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Self-service portal"
    WALK_IN = "walk_in", "Walk-in"


class Status(models.TextChoices):
    LOGGED = "logged", "Logged"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_CUSTOMER = "awaiting_customer", "On hold: awaiting customer"
    AWAITING_SUPPLIER = "awaiting_supplier", "On hold: awaiting supplier"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class StatusClass(models.TextChoices):
    OPEN = "open", "Open"
    PAUSED = "paused", "On hold"
    DONE = "done", "Done"


# The split as ``servicedesk.statuses`` states it, in the statuses' order.
STATUS_CLASSES: dict[str, StatusClass] = {
    **dict.fromkeys(statuses.OPEN, StatusClass.OPEN),
    **dict.fromkeys(statuses.PAUSED, StatusClass.PAUSED),
    **dict.fromkeys(statuses.DONE, StatusClass.DONE),
}

OPEN_STATUSES: tuple[str, ...] = statuses.OPEN
PAUSED_STATUSES: tuple[str, ...] = statuses.PAUSED
NOT_DONE_STATUSES: tuple[str, ...] = statuses.NOT_DONE
RESOLVED_STATUSES: tuple[str, ...] = statuses.RESOLUTION_TO
"""The statuses a resolution event goes to, and a reopen comes from (``servicedesk.statuses``)."""


def status_class(status: str) -> StatusClass:
    """The class (open, paused, done) of a status."""
    return STATUS_CLASSES[status]


class EventKind(models.TextChoices):
    LOGGED = "logged", "Logged"
    ASSIGNED = "assigned", "Assigned"
    REASSIGNED = "reassigned", "Reassigned"
    STATUS_CHANGED = "status_changed", "Status changed"
    ON_HOLD = "on_hold", "Put on hold"
    OFF_HOLD = "off_hold", "Taken off hold"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    RECLASSIFIED = "reclassified", "Kind or category changed"


class EscalationLevel(models.IntegerChoices):
    NONE = 0, "Not escalated"
    TEAM_LEADER = 1, "Level 1: team leader"
    SERVICE_MANAGER = 2, "Level 2: service manager"
    HEAD_OF_SERVICE = 3, "Level 3: head of service"


class Show(models.TextChoices):
    """The subsets of a queue's tickets that its counts link to."""

    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    BREACHING = "breaching", "Breaching"
    AT_RISK = "at_risk", "At risk"
    OVER_A_WEEK_OLD = "over_a_week_old", "Over a week old"
    REOPENED = "reopened", "Reopened"
    REASSIGNED = "reassigned", "Multiple reassignments"
    ESCALATED = "escalated", "Escalated"
    UNASSIGNED = "unassigned", "Unassigned"


SLA_STATUS_COLOURS: dict[str, str] = {
    "breached": "red",
    "at_risk": "amber",
    "within": "green",
}


def get_sla_status_color(status: str) -> str:
    return SLA_STATUS_COLOURS.get(status, "none")
