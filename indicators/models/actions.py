"""Actions agreed at a DMT review, carried from review to review until closed with a note."""

from django.db import models
from django.db.models import Q

from hackperf.constraints import check_rule
from hackperf.model_fields import user_ref
from indicators.models.snapshots import ReviewPack


class ReviewAction(models.Model):
    """One action the DMT agreed at a review: what, who owns it, by when, and its state.

    It belongs to the pack of the review that agreed it and stays open, shown on every later
    review and in every later pack, until someone closes it with a note saying what was done.
    Closing is the only change: what was agreed is the record, so it is never edited.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    pack = models.ForeignKey(
        ReviewPack,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name="agreed at",
    )
    description = models.TextField("action")
    owner = user_ref("owner")
    due = models.DateField("due")
    state = models.CharField("state", max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField("agreed")
    created_by = user_ref("recorded by")
    closed_at = models.DateTimeField("closed", null=True, blank=True)
    closed_by = user_ref("closed by", optional=True)
    closing_note = models.TextField("closing note", blank=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            check_rule(
                "closed_with_a_note",
                Q(state="open", closed_at__isnull=True, closed_by__isnull=True, closing_note="")
                | (
                    Q(state="closed", closed_at__isnull=False, closed_by__isnull=False)
                    & ~Q(closing_note="")
                ),
                "An action is closed with a note, when and by whom.",
            ),
        ]
        indexes = [
            # The review's open actions, on every review page.
            models.Index(fields=["due"], condition=Q(state="open"), name="ind_reviewaction_open"),
        ]

    def __str__(self) -> str:
        return f"{self.description[:60]} ({self.get_state_display().lower()}, due {self.due})"

    @property
    def agreed_ending(self):
        """The day the fortnight of the review that agreed it ends (how the review names it)."""
        from indicators.periods import ending_day

        return ending_day(self.pack.fortnight_end)
