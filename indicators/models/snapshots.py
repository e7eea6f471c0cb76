"""Trend snapshots of the DMT metric set, and the review packs frozen from them."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from hackperf.constraints import check_rule, unique_rule
from hackperf.models import FrozenRecord
from indicators import choices


class Snapshot(models.Model):
    """One figure of the DMT metric set as it stood at ``instant`` (a fortnight or day end).

    Point-in-time metrics (open, over a week old, overdue…) are as of ``instant``; period
    metrics (closures, reopens, escalations…) count the fortnight or day ending there. Rows
    are written on their natural key by ``services.snapshots.snapshot_take``, only where they
    differ from what is stored, so a rerun, a redelivered task or two workers at once leave one
    row each; ``taken_at`` is when the figure was taken with the value it has. ``granularity``
    is part of the key: a fortnight end is also a day end, and the two snapshots' period
    metrics differ.
    """

    instant = models.DateTimeField("as of")
    granularity = models.CharField(
        "granularity", max_length=12, choices=choices.Granularity.choices
    )
    metric = models.CharField("metric", max_length=60)
    breakdown = models.CharField("breakdown", max_length=30)
    key = models.CharField("key", max_length=100, blank=True)
    label = models.CharField("label", max_length=200, blank=True)
    value = models.BigIntegerField("value")
    taken_at = models.DateTimeField("taken at")

    class Meta:
        ordering = ["-instant", "granularity", "metric", "breakdown", "key"]
        verbose_name = "snapshot figure"
        constraints = [
            unique_rule(
                "one_per_instant_and_figure",
                ["granularity", "instant", "metric", "breakdown", "key"],
                "That figure is already in the snapshot.",
            ),
            check_rule(
                "value_not_negative",
                Q(value__gte=0),
                "A snapshot figure is a count: zero or more.",
            ),
        ]
        indexes = [
            # The DMT review: the "all" figures of the last 14 fortnight ends.
            models.Index(
                fields=["granularity", "breakdown", "-instant"], name="ind_snapshot_review"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.breakdown} {self.key}".strip()
        return f"{self.metric} [{where}] at {self.instant:%Y-%m-%d %H:%M}: {self.value}"


class ReviewPack(FrozenRecord):
    """A DMT review frozen for the record: the figures as they were, commentary and actions.

    ``figures`` is a copy (not a reference) of the review's snapshot rows, so later data
    changes or re-snapshots never alter what the DMT saw and agreed.
    """

    fortnight_end = models.DateTimeField("fortnight ending", unique=True)
    figures = models.JSONField("figures")
    commentary = models.TextField("commentary", blank=True)
    actions_agreed = models.TextField("actions agreed", blank=True)

    class Meta:
        ordering = ["-fortnight_end", "pk"]

    def __str__(self) -> str:
        return f"DMT review pack, fortnight ending {self.fortnight_end:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:review_pack_detail", kwargs={"pk": self.pk})
