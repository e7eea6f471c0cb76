"""The risk register shown in the Mayor's briefing."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.urls import reverse

from hackperf.constraints import in_range
from hackperf.model_fields import user_ref
from hackperf.models import FrozenRecord
from indicators.models.indicators import Indicator

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskQuerySet(models.QuerySet):
    def open(self) -> "RiskQuerySet":
        """Risks still on the register (the briefing shows these)."""
        return self.filter(closed_at__isnull=True)


class Risk(models.Model):
    """A risk on the ICT risk register: likelihood × impact, mitigations, linked indicators.

    ``previous_score`` is the score shown at the last briefing, for "movement since last
    briefing"; ``services.risks.risk_register_mark_briefed`` copies the scores across.
    """

    title = models.CharField("risk", max_length=200)
    owner = models.CharField("owner", max_length=120)
    likelihood = models.PositiveSmallIntegerField(
        "likelihood", validators=ONE_TO_FIVE, help_text="1 (rare) to 5 (almost certain)."
    )
    impact = models.PositiveSmallIntegerField(
        "impact", validators=ONE_TO_FIVE, help_text="1 (minor) to 5 (severe)."
    )
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name="score",
    )
    previous_score = models.PositiveSmallIntegerField(
        "score at the last briefing", null=True, blank=True
    )
    mitigations = models.TextField("mitigations")
    linked_indicators = models.ManyToManyField(
        Indicator, related_name="risks", blank=True, verbose_name="linked indicators"
    )
    review_date = models.DateField("review date")
    closed_at = models.DateTimeField("closed", null=True, blank=True)
    closure_note = models.TextField("why it was closed", blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "title", "pk"]
        constraints = [
            in_range(
                "scores_one_to_five",
                ["likelihood", "impact"],
                1,
                5,
                "Likelihood and impact are each from 1 to 5.",
            ),
            in_range(
                "previous_score_in_range",
                "previous_score",
                1,
                25,
                "A score is from 1 to 25.",
                optional=True,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("indicators:risk_update", kwargs={"pk": self.pk})

    @property
    def movement(self) -> str:
        """Movement since the last briefing, in words."""
        if self.previous_score is None:
            return "New since the last briefing"
        if self.score > self.previous_score:
            return f"Up from {self.previous_score}"
        if self.score < self.previous_score:
            return f"Down from {self.previous_score}"
        return "No change"

    @property
    def severity(self) -> str:
        """The RAG modifier of the score (5×5 matrix: 15–25 red, 5–12 amber, 1–4 green)."""
        if self.score >= 15:
            return "red"
        if self.score >= 5:
            return "amber"
        return "green"

    @property
    def score_rose(self) -> bool:
        return self.previous_score is not None and self.score > self.previous_score


class RiskRevision(models.Model):
    """What a risk said after each change: the register's history, shown on the risk's page."""

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="revisions", verbose_name="risk"
    )
    changed_at = models.DateTimeField("changed")
    changed_by = user_ref("changed by", optional=True)

    change = models.CharField("what happened", max_length=200)
    likelihood = models.PositiveSmallIntegerField("likelihood", validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField("impact", validators=ONE_TO_FIVE)
    mitigations = models.TextField("mitigations")
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["risk_id", "-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk}: {self.change} ({self.changed_at:%-d %b %Y})"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class BriefingPack(FrozenRecord):
    """A Mayor's briefing frozen for a meeting: the page as it was, printed from this copy.

    ``body`` is the briefing's rendered HTML at the moment it was frozen, so later approvals,
    revisions or risk changes never alter what the meeting was given.
    """

    reporting_month = models.DateField("reporting month", null=True, blank=True)
    meeting = models.CharField("meeting", max_length=200)
    body = models.TextField("briefing as frozen")

    class Meta:
        ordering = ["-frozen_at", "-pk"]
        verbose_name = "frozen briefing"

    def __str__(self) -> str:
        return f"Mayor's briefing for {self.meeting}, frozen {self.frozen_at:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:briefing_pack_detail", kwargs={"pk": self.pk})
