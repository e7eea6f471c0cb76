"""Choices shared across the project."""

from django.db import models

from hackperf.workdays import Division


class DivisionChoice(models.TextChoices):
    """The GOV.UK bank-holiday divisions, as stored; values match ``workdays.Division``."""

    ENGLAND_AND_WALES = Division.ENGLAND_AND_WALES.value, "England and Wales"
    SCOTLAND = Division.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = Division.NORTHERN_IRELAND.value, "Northern Ireland"
