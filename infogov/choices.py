"""Choices of the infogov app, with the colours their status tags use."""

from django.db import models

from hackperf.colours import colour_map


class Kind(models.TextChoices):
    """The request's legal kind; it picks the deadline rule (``infogov.deadlines``)."""

    FOI = "foi", "FOI"
    EIR = "eir", "EIR"
    SAR = "sar", "SAR"


class Stage(models.TextChoices):
    """Where a case sits in the life of a request: the request, or a linked review/complaint."""

    REQUEST = "request", "Request"
    INTERNAL_REVIEW = "internal_review", "Internal review"
    ICO_COMPLAINT = "ico_complaint", "ICO complaint"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEB_FORM = "web_form", "Web form"
    POST = "post", "Post"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class Status(models.TextChoices):
    """Open statuses come first; ``OPEN_STATUSES`` and ``DONE_STATUSES`` split them."""

    RECEIVED = "received", "Received"
    ALLOCATED = "allocated", "Allocated"
    AWAITING_REQUESTER = "awaiting_requester", "Awaiting requester (clock stopped)"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.RECEIVED, Status.ALLOCATED, Status.AWAITING_REQUESTER)
DONE_STATUSES = (Status.RESPONDED, Status.WITHDRAWN, Status.CLOSED)


class Outcome(models.TextChoices):
    SUPPLIED_IN_FULL = "supplied_in_full", "Information supplied in full"
    SUPPLIED_IN_PART = "supplied_in_part", "Information supplied in part"
    REFUSED = "refused", "Refused (exemptions cited)"
    NOT_HELD = "not_held", "Information not held"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EventKind(models.TextChoices):
    """Clock events (DESIGN.md "History is the source of truth")."""

    CLARIFICATION_REQUESTED = "clarification_requested", "Clarification requested"
    CLARIFICATION_RECEIVED = "clarification_received", "Clarification received"
    FEE_NOTICE = "fee_notice", "Fees notice given"
    FEE_PAID = "fee_paid", "Fee paid"
    ID_REQUESTED = "id_requested", "Proof of identity requested"
    ID_RECEIVED = "id_received", "Proof of identity received"
    EXTENSION = "extension", "Extension"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ExtensionReason(models.TextChoices):
    PUBLIC_INTEREST = "public_interest", "Public interest test (FOIA s.10(3))"
    EIR_COMPLEXITY = "eir_complexity", "Complexity and volume (EIR reg 7)"
    SAR_COMPLEXITY = "sar_complexity", "Complex or numerous requests (UK GDPR Art 12(3))"


class EscalationLevel(models.TextChoices):
    T_MINUS_5 = "t_minus_5", "5 working days before the due date"
    T_MINUS_2 = "t_minus_2", "2 working days before the due date"
    OVERDUE = "overdue", "Overdue"


# Tag colours (lbh-tag modifiers via hp-rag). The tag always carries the status word too.
STATUS_COLOURS = colour_map(
    Status, amber=(Status.AWAITING_REQUESTER,), green=(Status.RESPONDED, Status.CLOSED)
)
ESCALATION_COLOURS = colour_map(
    EscalationLevel,
    amber=(EscalationLevel.T_MINUS_5, EscalationLevel.T_MINUS_2),
    red=(EscalationLevel.OVERDUE,),
)


def get_status_color(status: str) -> str:
    return STATUS_COLOURS.get(status, "none")


def get_escalation_color(level: str) -> str:
    return ESCALATION_COLOURS.get(level, "none")
