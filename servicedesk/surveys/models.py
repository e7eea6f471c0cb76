"""Survey invitations, their answers, and the people who asked not to be surveyed.

Imported (and re-exported) at the end of ``servicedesk/models.py``, so the models belong to
the ``servicedesk`` app and its migrations.
"""

from django.db import models
from django.db.models import Q

from hackperf.constraints import check_rule, in_range, unique_rule
from hackperf.model_fields import ref

# Satisfied or very satisfied: the share of answers rating 4 or 5 is "satisfaction".
SATISFIED_FROM = 4


class SurveyInvitation(models.Model):
    """One person asked, once, about one ticket closed in ``month``.

    ``(email, month)`` is unique: a rerun of the month's sample claims nothing twice, so it
    sends nothing twice. Its e-mail is an outbox message written in the same transaction;
    ``sent_at`` is set when the mail server accepted it (``hackperf.outbox``). ``used_at``
    is set when the link is answered (single use).
    """

    email = models.EmailField("e-mail (normalised)")
    month = models.DateField("month sampled", help_text="First day of the month the ticket closed.")
    queue = models.ForeignKey(
        "servicedesk.Queue",
        verbose_name="queue",
        related_name="survey_invitations",
        on_delete=models.PROTECT,
        help_text="The stratum: the queue the person's latest ticket closed in that month.",
    )
    # The answer outlives a deleted ticket; the reference is kept below.
    ticket = ref(
        "servicedesk.Ticket",
        "ticket",
        related_name="survey_invitations",
        on_delete=models.SET_NULL,
        optional=True,
    )
    ticket_reference = models.CharField("ticket reference", max_length=40)
    created_at = models.DateTimeField("sampled at")
    sent_at = models.DateTimeField("e-mailed at", null=True, blank=True)
    message = ref(
        "hackperf.OutboxMessage",
        "e-mail",
        related_name="+",
        on_delete=models.SET_NULL,
        optional=True,
        one=True,
        help_text="The invitation's e-mail in the outbox; it sets sent_at when it goes out.",
    )
    used_at = models.DateTimeField("link used at", null=True, blank=True)

    class Meta:
        ordering = ["-month", "email", "pk"]
        constraints = [
            unique_rule(
                "one_per_person_and_month",
                ["email", "month"],
                "This person already has a survey for this month.",
            ),
            check_rule(
                "month_is_first_day", Q(month__day=1), "The month is stored as its first day."
            ),
        ]
        indexes = [
            # The 90-day exclusion in servicedesk.surveys.selectors.recently_surveyed.
            models.Index(fields=["created_at"], name="sd_survey_inv_created"),
            # The results page groups by month and queue.
            models.Index(fields=["month", "queue"], name="sd_survey_inv_month_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.ticket_reference}"


class SurveyResponse(models.Model):
    """The answer to one invitation: a rating, whether it was resolved, and a comment."""

    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name="invitation",
        related_name="response",
        on_delete=models.CASCADE,
    )
    rating = models.PositiveSmallIntegerField(
        "rating", help_text="1 (very dissatisfied) to 5 (very satisfied)."
    )
    resolved = models.BooleanField("resolved")
    comment = models.TextField("comment", blank=True)
    responded_at = models.DateTimeField("answered at")
    ticket_shared = models.BooleanField(
        "shared with the ticket",
        default=False,
        db_default=False,
        help_text=(
            "The survey page told the respondent that the team sees their answer with their "
            "ticket. Answers given before it said so are never linked to their ticket."
        ),
    )

    class Meta:
        ordering = ["-responded_at", "pk"]
        constraints = [
            in_range("rating_1_to_5", "rating", 1, 5, "The rating is from 1 to 5."),
        ]
        indexes = [
            # The ICT SAT indicator: answers received in a month (servicedesk.metrics).
            models.Index(fields=["responded_at"], name="sd_survey_resp_at"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation} rated {self.rating}"

    @property
    def is_low(self) -> bool:
        """A rating of 1 or 2 out of 5: flagged to the ticket's queue owner to follow up."""
        return self.rating <= LOW_RATING

    @property
    def satisfied(self) -> bool:
        """Satisfied or very satisfied: a rating of 4 or 5."""
        return self.rating >= SATISFIED_FROM


LOW_RATING = 2
"""Ratings at or below this are flagged to the queue owner (issue 13: "1 or 2 out of 5")."""


class SurveyOptOut(models.Model):
    """Someone who asked never to be surveyed again (by normalised e-mail)."""

    email = models.EmailField("e-mail (normalised)", unique=True)
    created_at = models.DateTimeField("opted out at")

    class Meta:
        ordering = ["email", "pk"]
        verbose_name = "survey opt-out"

    def __str__(self) -> str:
        return self.email
