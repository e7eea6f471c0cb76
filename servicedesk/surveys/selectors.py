"""Reads for the surveys: who closed tickets in a month, who is excluded, and the results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hackperf.metrics import Ratio
from hackperf.roles import Perm, perm_name
from hackperf.windows import LONDON, month_bounds, shift_month  # noqa: F401 (re-exported)
from servicedesk.metrics import RESOLUTION_Q
from servicedesk.models import Queue, TicketEvent, TicketInterval
from servicedesk.surveys.models import (
    LOW_RATING,
    SATISFIED_FROM,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from servicedesk.surveys.sampling import Candidate, normalise_email
from servicedesk.surveys.stats import Interval, wilson_interval

EXCLUSION_DAYS = 90


# -- months ------------------------------------------------------------------------------------


# The site's one set of month helpers is hackperf.windows' (month_bounds and LONDON are
# re-exported from here for the survey demo).


def next_month(month: date) -> date:
    return shift_month(month, 1)


def previous_month(month: date) -> date:
    return shift_month(month, -1)


# -- the sampling frame ------------------------------------------------------------------------


def closed_people(*, month: date) -> list[Candidate]:
    """One candidate per person (normalised e-mail) whose ticket had a resolution event in
    the London ``month``: the ticket of their latest such event, and the queue it was in then.

    A resolution event is DESIGN.md's (open or paused → resolved or closed), so resolved →
    closed is not one and a cancelled ticket is not "closed". Tickets without a customer
    e-mail cannot be surveyed and are left out (one query).
    """
    start, end = month_bounds(month)
    queue_at = (
        TicketInterval.objects.filter(ticket=OuterRef("ticket_id"), started_at__lte=OuterRef("at"))
        .order_by("-started_at", "-pk")
        .values("queue_id")[:1]
    )
    rows = (
        TicketEvent.objects.filter(RESOLUTION_Q, at__gte=start, at__lt=end)
        .exclude(ticket__customer_email="")
        .annotate(
            queue_at=Coalesce(
                Subquery(queue_at), F("ticket__queue_id"), output_field=BigIntegerField()
            )
        )
        .order_by("at", "ticket_id", "sequence")
        .values_list("ticket_id", "ticket__customer_email", "queue_at")
    )
    latest: dict[str, Candidate] = {}
    for ticket_id, email, queue_id in rows:
        person = normalise_email(email)
        # In time order, so the last one kept is the person's latest closure.
        latest[person] = Candidate(email=person, queue_id=queue_id, ticket_id=ticket_id)
    return sorted(latest.values(), key=lambda c: c.email)


def recently_surveyed(*, month: date, days: int = EXCLUSION_DAYS) -> set[str]:
    """People sampled for an earlier month within ``days`` before ``month``'s survey starts.

    The window ends at the start of the month after ``month`` (the earliest a month's sample
    can run), so whenever the sample runs nobody is asked twice within ``days``; only earlier
    months count, so a rerun (even after later months were sampled) sees the same exclusions.
    """
    survey_start = month_bounds(next_month(month))[0]
    return set(
        SurveyInvitation.objects.filter(
            month__lt=month, created_at__gte=survey_start - timedelta(days=days)
        ).values_list("email", flat=True)
    )


def opted_out() -> set[str]:
    return set(SurveyOptOut.objects.values_list("email", flat=True))


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """Invited, answered and satisfied for one month and queue (or all queues)."""

    month: date
    queue: Queue | None
    invited: int
    responded: int
    satisfied: int

    @property
    def response_rate(self) -> Ratio:
        return Ratio(self.responded, self.invited)

    @property
    def satisfaction(self) -> Ratio:
        return Ratio(self.satisfied, self.responded)

    @property
    def interval(self) -> Interval | None:
        """The 95% Wilson score interval of the satisfaction."""
        return wilson_interval(self.satisfied, self.responded)

    @property
    def interval_percent(self) -> tuple[Decimal, Decimal] | None:
        interval = self.interval
        if interval is None:
            return None
        return (_percent(interval.low), _percent(interval.high))


def _percent(share: float) -> Decimal:
    return (Decimal(share) * 100).quantize(Decimal("0.1"))


def _grouped(queryset: QuerySet[SurveyInvitation], *fields: str):
    return (
        queryset.values(*fields)
        .annotate(
            invited=Count("pk"),
            responded=Count("response"),
            satisfied=Count("response", filter=Q(response__rating__gte=SATISFIED_FROM)),
        )
        .order_by(*fields)
    )


def survey_months() -> list[date]:
    """The months that have a sample, latest first."""
    return list(
        SurveyInvitation.objects.order_by("-month").values_list("month", flat=True).distinct()
    )


def results_by_month(*, months: int = 12) -> list[ResultRow]:
    """All queues together, for the latest ``months`` sampled months, latest first."""
    recent = survey_months()[:months]
    rows = _grouped(SurveyInvitation.objects.filter(month__in=recent), "month")
    result = [
        ResultRow(r["month"], None, r["invited"], r["responded"], r["satisfied"]) for r in rows
    ]
    return sorted(result, key=lambda row: row.month, reverse=True)


def results_by_queue(*, month: date) -> list[ResultRow]:
    """Each queue sampled in ``month``, by name (two queries)."""
    rows = _grouped(SurveyInvitation.objects.filter(month=month), "queue_id")
    queues = Queue.objects.in_bulk([r["queue_id"] for r in rows])
    result = [
        ResultRow(month, queues[r["queue_id"]], r["invited"], r["responded"], r["satisfied"])
        for r in rows
    ]
    return sorted(result, key=lambda row: (row.queue.name, row.queue.pk) if row.queue else ("", 0))


# -- comments ----------------------------------------------------------------------------------


def comment_queues(user) -> QuerySet[Queue] | None:
    """The queues whose comments ``user`` may read: every queue for the DMT, the queues they
    own for a queue owner; None for anyone else."""
    if not user.is_authenticated:
        return None
    if user.has_perm(perm_name(Perm.VIEW_REVIEW)):
        return Queue.objects.all()
    owned = Queue.objects.filter(owners=user)
    if user.has_perm(perm_name(Perm.VIEW_QUEUES)) and owned.exists():
        return owned
    return None


def comments(
    *, queues: QuerySet[Queue], month: date | None, low_only: bool = False
) -> QuerySet[SurveyResponse]:
    """Answers with a comment for ``queues`` (and ``month``), newest first (one query); with
    ``low_only``, every answer rated 1 or 2 out of 5, with a comment or not.

    Only what the page shows is selected: never the respondent's e-mail; the ticket's
    reference only, which the page links to only when the respondent was told
    (``ticket_shared``).
    """
    responses = SurveyResponse.objects.filter(invitation__queue__in=queues)
    if low_only:
        responses = responses.filter(rating__lte=LOW_RATING)
    else:
        responses = responses.exclude(comment="")
    if month is not None:
        responses = responses.filter(invitation__month=month)
    return responses.select_related("invitation__queue", "invitation__ticket").only(
        "rating",
        "resolved",
        "comment",
        "responded_at",
        "ticket_shared",
        "invitation__month",
        "invitation__queue__name",
        "invitation__queue__slug",
        "invitation__ticket__reference",
    )
