"""Choices of the indicators app, with the colours their tags use."""

from collections.abc import Mapping
from typing import Final

from django.db import models

from indicators.rag import RAG_COLOURS, Rag
from indicators.rag import Polarity as RagPolarity
from indicators.rag import ToleranceKind as RagToleranceKind


class Unit(models.TextChoices):
    """What an indicator's value counts; it decides how the value is shown."""

    PERCENT = "percent", "Percentage"
    COUNT = "count", "Count"
    SCORE = "score", "Score"


class Polarity(models.TextChoices):
    """Which way is good: ``indicators.rag.Polarity``'s members, values and labels."""

    HIGHER_IS_BETTER = RagPolarity.HIGHER_IS_BETTER.value, RagPolarity.HIGHER_IS_BETTER.label
    LOWER_IS_BETTER = RagPolarity.LOWER_IS_BETTER.value, RagPolarity.LOWER_IS_BETTER.label
    NONE = RagPolarity.NONE.value, RagPolarity.NONE.label


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"


class Source(models.TextChoices):
    """Where an indicator's values come from: computed from another app, or entered by hand."""

    SERVICEDESK = "servicedesk", "Service desk (computed)"
    INFOGOV = "infogov", "Information governance cases (computed)"
    SURVEYS = "surveys", "Satisfaction surveys (computed)"
    ENTERED = "entered", "Entered by hand"


COMPUTED_SOURCES: Final = (Source.SERVICEDESK, Source.INFOGOV, Source.SURVEYS)


class ToleranceKind(models.TextChoices):
    """The amber band's kind: ``indicators.rag.ToleranceKind``'s members, values and labels."""

    PERCENT = RagToleranceKind.PERCENT.value, RagToleranceKind.PERCENT.label
    ABSOLUTE = RagToleranceKind.ABSOLUTE.value, RagToleranceKind.ABSOLUTE.label


class Status(models.TextChoices):
    """A period value's place in the approval flow: entered → checked → approved."""

    ENTERED = "entered", "Entered"
    CHECKED = "checked", "Checked"
    APPROVED = "approved", "Approved"


class RevisionKind(models.TextChoices):
    """What a revision changed: the figures (which then need checking again) or only the words."""

    FIGURES = "figures", "Figures"
    COMMENTARY = "commentary", "Commentary"


class UpsertResult(models.TextChoices):
    """What ``services.values.period_value_upsert_computed`` did, for the task's log."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated (not yet approved)"
    REVISED = "revised", "Revised (was approved; old figures kept)"
    UNCHANGED = "unchanged", "Unchanged"


STATUS_COLOURS: Final[Mapping[str, str]] = {
    Status.ENTERED: "govuk-tag--grey",
    Status.CHECKED: "govuk-tag--blue",
    Status.APPROVED: "govuk-tag--green",
}


def get_rag_color(value: Rag) -> str:
    """The ``hp-rag--…`` modifier for a RAG status."""
    return RAG_COLOURS[value]


class Granularity(models.TextChoices):
    """How often a trend snapshot is taken; its period metrics cover that span."""

    FORTNIGHTLY = "fortnightly", "Fortnightly"
    DAILY = "daily", "Daily"


GRANULARITY_DAYS: Final[Mapping[str, int]] = {Granularity.FORTNIGHTLY: 14, Granularity.DAILY: 1}
