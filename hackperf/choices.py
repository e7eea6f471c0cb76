"""Choices shared across the project."""

from django.db import models

from hackperf.colours import colour_map
from hackperf.workdays import Division


class DivisionChoice(models.TextChoices):
    """The GOV.UK bank-holiday divisions, as stored; values match ``workdays.Division``."""

    ENGLAND_AND_WALES = Division.ENGLAND_AND_WALES.value, "England and Wales"
    SCOTLAND = Division.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = Division.NORTHERN_IRELAND.value, "Northern Ireland"


class FetchOutcome(models.TextChoices):
    """What came of one bank-holiday refresh (``hackperf.models.BankHolidayFetch``)."""

    CHANGED = "changed", "Stored, with changes"
    UNCHANGED = "unchanged", "Stored, no change"
    FAILED = "failed", "Could not be fetched"
    REFUSED = "refused", "Refused"


GOOD_FETCH_OUTCOMES = (FetchOutcome.CHANGED, FetchOutcome.UNCHANGED)


class ToConfirmStatus(models.TextChoices):
    """Where a holiday that one source has and the other lacks stands."""

    TO_CONFIRM = "to_confirm", "To confirm"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    AGREED = "agreed", "The sources now agree"


TO_CONFIRM_COLOURS = colour_map(
    ToConfirmStatus, amber=(ToConfirmStatus.TO_CONFIRM,), green=(ToConfirmStatus.CONFIRMED,)
)


class OutboxStatus(models.TextChoices):
    """Where an e-mail of the outbox stands (``hackperf.outbox``)."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NO_RECIPIENT = "no_recipient", "No recipient"


OUTBOX_COLOURS = colour_map(
    OutboxStatus,
    green=(OutboxStatus.SENT,),
    red=(OutboxStatus.FAILED, OutboxStatus.NO_RECIPIENT),
)


class ImportKind(models.TextChoices):
    """What an import brings in; each app that imports registers a runner for its kind."""

    TICKETS = "tickets", "Tickets"
    CASES = "cases", "Cases"


class ImportState(models.TextChoices):
    """Where an import run is: queued, running, then one of three ends."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


IMPORT_KEPT_NOTHING: tuple[ImportState, ...] = (ImportState.REFUSED, ImportState.FAILED)
"""The ends of a run that keep nothing it read (ADR 0004: checked before anything is written)."""

# hp-rag tag modifiers (assets/scss/_hackperf.scss).
IMPORT_STATE_COLOURS = colour_map(
    ImportState, green=(ImportState.SUCCEEDED,), red=IMPORT_KEPT_NOTHING
)
