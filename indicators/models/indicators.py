"""Indicator definitions, effective-dated targets, monthly values and their revisions, API tokens.

A value's figures, once approved, are never overwritten without trace: a change makes a
:class:`ValueRevision` with the old figures and the reason
(``services.values.period_value_revise``).
"""

import hashlib
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from hackperf.constraints import check_rule, unique_rule
from hackperf.model_fields import user_ref
from indicators import choices, rag
from indicators.querysets import PeriodValueQuerySet, TargetQuerySet


class _Digits(TypedDict):
    max_digits: int
    decimal_places: int


VALUE_DIGITS: _Digits = {"max_digits": 14, "decimal_places": 4}


class Indicator(models.Model):
    """A performance indicator (Covalent-style PI): what it measures, who owns it, its RAG rule.

    Created by the data migration ``0002_definitions`` from ``indicators.definitions``.
    """

    code = models.CharField("code", max_length=20, unique=True, help_text="e.g. FR ICT 17")
    slug = models.SlugField("slug", max_length=30, unique=True, help_text="The code in URLs.")
    title = models.CharField("title", max_length=200)
    description = models.TextField("definition")
    unit = models.CharField("unit", max_length=10, choices=choices.Unit.choices)
    polarity = models.CharField("polarity", max_length=20, choices=choices.Polarity.choices)
    frequency = models.CharField(
        "frequency",
        max_length=10,
        choices=choices.Frequency.choices,
        default=choices.Frequency.MONTHLY,
    )
    owner = models.CharField("owner", max_length=120)
    owner_email = models.EmailField(
        "owner's e-mail",
        blank=True,
        help_text=(
            "Where the data-due reminders of an indicator entered by hand go: when a month's "
            "value is due, and again when it is late."
        ),
    )
    is_computed = models.BooleanField("computed", default=False)
    source = models.CharField("source", max_length=20, choices=choices.Source.choices)
    rag_rule = models.TextField("RAG rule", help_text="The RAG rule in words.")
    display_order = models.PositiveSmallIntegerField("order on the scorecard", default=0)
    is_public = models.BooleanField(
        "published as open data",
        default=False,
        help_text="Its approved values appear in the open data (/open-data/indicators.csv).",
    )

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            check_rule(
                "computed_matches_source",
                Q(is_computed=True, source__in=choices.COMPUTED_SOURCES)
                | Q(is_computed=False, source=choices.Source.ENTERED),
                "A computed indicator needs a computing source; an entered one, 'entered'.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator_detail", kwargs={"code": self.slug})

    @property
    def rag_polarity(self) -> rag.Polarity:
        return rag.Polarity(self.polarity)

    @property
    def decimal_places(self) -> int:
        return 0 if self.unit == choices.Unit.COUNT else 1

    @property
    def unchanged_within(self) -> Decimal:
        """Half the last digit shown: a change nobody can see on the page is 'unchanged'."""
        return Decimal(5) / Decimal(10) ** (self.decimal_places + 1)

    def format_value(self, value: Decimal | None) -> str:
        """The value as people read it: ``91.2%``, ``1,204``; an em dash when missing."""
        if value is None:
            return "—"
        text = f"{value:,.{self.decimal_places}f}"
        return f"{text}%" if self.unit == choices.Unit.PERCENT else text


class Target(models.Model):
    """An indicator's target from a date on, with its amber band.

    The target for a period is the one with the latest ``effective_from`` on or before the
    period's first day, so a new year's target never changes how last year's values read.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="indicator"
    )
    effective_from = models.DateField("effective from")
    value = models.DecimalField("target", max_digits=14, decimal_places=4)
    tolerance_kind = models.CharField(
        "tolerance kind",
        max_length=10,
        choices=choices.ToleranceKind.choices,
        default=choices.ToleranceKind.ABSOLUTE,
    )
    tolerance_amount = models.DecimalField(
        "tolerance", max_digits=14, decimal_places=4, default=Decimal(0)
    )
    note = models.CharField("note", max_length=300, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_id", "-effective_from", "pk"]
        constraints = [
            unique_rule(
                "one_per_indicator_and_date",
                ["indicator", "effective_from"],
                "This indicator already has a target from that date.",
            ),
            check_rule(
                "tolerance_not_negative",
                Q(tolerance_amount__gte=0),
                "The tolerance must be zero or more.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} target {self.value} from {self.effective_from:%-d %b %Y}"

    @property
    def tolerance(self) -> rag.Tolerance:
        # The column's choices are Tolerance's kinds, and Tolerance refuses any other.
        return rag.Tolerance(self.tolerance_kind, self.tolerance_amount)


def _plain(number: Decimal) -> str:
    """12, 10.5, -5: a decimal as people write it (never 1E+1)."""
    return format(number.normalize(), "f")


ERR_PERCENT_RANGE = "A percentage is from 0 to 100; {value} cannot be right."
ERR_NEGATIVE = "{what} cannot be negative ({value})."
ERR_NUMERATOR_ABOVE_DENOMINATOR = (
    "The numerator ({numerator}) cannot be more than the denominator ({denominator}): "
    "it counts some of what the denominator counts."
)


class PeriodValue(models.Model):
    """An indicator's value for one month, with its figures, commentary and approval trail.

    Moves entered → checked → approved (``services``); a computed value has no ``entered_by``.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name="indicator"
    )
    period_start = models.DateField("period", help_text="The first day of the month.")
    value = models.DecimalField("value", **VALUE_DIGITS)
    numerator = models.DecimalField("numerator", null=True, blank=True, **VALUE_DIGITS)
    denominator = models.DecimalField("denominator", null=True, blank=True, **VALUE_DIGITS)
    status = models.CharField(
        "status", max_length=10, choices=choices.Status.choices, default=choices.Status.ENTERED
    )
    commentary = models.TextField("commentary", blank=True)
    data_quality_note = models.TextField("data quality note", blank=True)
    entered_by = user_ref(
        "entered by", optional=True, help_text="Blank when the value was computed."
    )
    entered_at = models.DateTimeField("entered")
    checked_by = user_ref("checked by", optional=True)
    checked_at = models.DateTimeField("checked", null=True, blank=True)
    approved_by = user_ref("approved by", optional=True)
    approved_at = models.DateTimeField("approved", null=True, blank=True)

    objects = PeriodValueQuerySet.as_manager()

    class Meta:
        # The unique constraint's index (indicator, period_start) serves the scorecard and
        # the indicator page, which read an indicator's values by period.
        ordering = ["indicator_id", "-period_start", "pk"]
        constraints = [
            unique_rule(
                "one_per_indicator_and_period",
                ["indicator", "period_start"],
                "This indicator already has a value for that month.",
            ),
            check_rule(
                "period_starts_on_the_first",
                Q(period_start__day=1),
                "A period starts on the first day of a month.",
            ),
            check_rule(
                "denominator_positive",
                Q(denominator__isnull=True) | Q(denominator__gt=0),
                "A denominator, when given, is more than zero.",
            ),
            check_rule(
                "status_matches_trail",
                (
                    Q(
                        status=choices.Status.ENTERED,
                        checked_at__isnull=True,
                        approved_at__isnull=True,
                    )
                    | Q(
                        status=choices.Status.CHECKED,
                        checked_at__isnull=False,
                        approved_at__isnull=True,
                    )
                    | Q(
                        status=choices.Status.APPROVED,
                        checked_at__isnull=False,
                        approved_at__isnull=False,
                    )
                ),
                "A checked value has a check time; an approved one, a check and an approval.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start:%b %Y}: {self.value}"

    def clean(self) -> None:
        """Refuse figures that cannot be true, saying why (services call ``full_clean``)."""
        errors: dict[str, str] = {}
        unit = self.indicator.unit if self.indicator_id else None
        if self.value is not None:
            if unit == choices.Unit.PERCENT and not 0 <= self.value <= 100:
                errors["value"] = ERR_PERCENT_RANGE.format(value=_plain(self.value))
            elif unit == choices.Unit.COUNT and self.value < 0:
                errors["value"] = ERR_NEGATIVE.format(what="A count", value=_plain(self.value))
        if self.numerator is not None and self.numerator < 0:
            errors["numerator"] = ERR_NEGATIVE.format(
                what="A numerator", value=_plain(self.numerator)
            )
        elif (
            self.numerator is not None
            and self.denominator is not None
            and self.numerator > self.denominator
        ):
            errors["numerator"] = ERR_NUMERATOR_ABOVE_DENOMINATOR.format(
                numerator=_plain(self.numerator), denominator=_plain(self.denominator)
            )
        if errors:
            raise ValidationError(errors)

    def get_status_color(self) -> str:
        return choices.STATUS_COLOURS[self.status]


class ValueRevision(models.Model):
    """What a value said before it was changed, and why it was changed.

    A ``figures`` revision keeps an approved value's old figures (the value then goes back to
    be checked and approved again); a ``commentary`` revision keeps the words a checked or
    approved value had before its commentary was added to or corrected, which leaves the
    approval standing.
    """

    period_value = models.ForeignKey(
        PeriodValue,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name="period value",
    )
    old_value = models.DecimalField("old value", **VALUE_DIGITS)
    old_numerator = models.DecimalField("old numerator", null=True, blank=True, **VALUE_DIGITS)
    old_denominator = models.DecimalField("old denominator", null=True, blank=True, **VALUE_DIGITS)
    old_commentary = models.TextField("old commentary", blank=True)
    old_data_quality_note = models.TextField("old data quality note", blank=True)
    old_approved_by = user_ref("old value approved by", optional=True)
    old_approved_at = models.DateTimeField("old value approved", null=True, blank=True)
    kind = models.CharField(
        "what changed",
        max_length=10,
        choices=choices.RevisionKind.choices,
        default=choices.RevisionKind.FIGURES,
    )
    reason = models.TextField("reason")
    revised_by = user_ref(
        "revised by", optional=True, help_text="Blank when a recomputation revised the value."
    )
    revised_at = models.DateTimeField("revised")

    class Meta:
        ordering = ["period_value_id", "-revised_at", "pk"]
        constraints = [check_rule("has_a_reason", ~Q(reason=""), "A revision needs a reason.")]

    def __str__(self) -> str:
        return f"{self.period_value} was {self.old_value} until {self.revised_at:%-d %b %Y}"


class ApiToken(models.Model):
    """A bearer token for the read-only JSON API, acting as its user.

    Only a SHA-256 hash is stored: the token is shown once, when made. The tokens are 256
    random bits, so a fast hash is enough (no dictionary to guess from).
    """

    user = user_ref("user", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("name", max_length=100, help_text="What uses it, e.g. 'Power BI'.")
    token_hash = models.CharField("token hash", max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        "prefix", max_length=8, editable=False, help_text="The token's first characters."
    )
    created_at = models.DateTimeField("created")
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["user_id", "name", "pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        """The stored form of a raw token."""
        return hashlib.sha256(raw.encode()).hexdigest()
