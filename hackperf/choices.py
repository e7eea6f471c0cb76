"""Choices shared across the project."""

from django.db import models

from hackperf.workdays import Division


class DivisionChoice(models.TextChoices):
    """The GOV.UK bank-holiday divisions, as stored; values match ``workdays.Division``."""

    ENGLAND_AND_WALES = Division.ENGLAND_AND_WALES.value, "England and Wales"
    SCOTLAND = Division.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = Division.NORTHERN_IRELAND.value, "Northern Ireland"


class OutboxStatus(models.TextChoices):
    """Where an e-mail of the outbox stands (``hackperf.outbox``)."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NO_RECIPIENT = "no_recipient", "No recipient"


OUTBOX_COLOURS = {
    OutboxStatus.QUEUED: "none",
    OutboxStatus.SENT: "green",
    OutboxStatus.FAILED: "red",
    OutboxStatus.NO_RECIPIENT: "red",
}
