"""Choices shared across the project."""

from django.db import models

from hackperf.workdays import Division


class DivisionChoice(models.TextChoices):
    """The GOV.UK bank-holiday divisions, as stored; values match ``workdays.Division``."""

    ENGLAND_AND_WALES = Division.ENGLAND_AND_WALES.value, "England and Wales"
    SCOTLAND = Division.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = Division.NORTHERN_IRELAND.value, "Northern Ireland"


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


# hp-rag tag modifiers (assets/scss/_hackperf.scss).
IMPORT_STATE_COLOURS = {
    ImportState.QUEUED: "none",
    ImportState.RUNNING: "none",
    ImportState.SUCCEEDED: "green",
    ImportState.REFUSED: "red",
    ImportState.FAILED: "red",
}
