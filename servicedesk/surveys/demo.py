"""Demo surveys: a year of monthly samples and answers drawn from the demo tickets.

``seed(now=..., seed=2026)`` samples each of the last 12 complete months by the same rules as
the monthly job (``sampling.choose`` over ``selectors.closed_people``, the 90-day exclusion
and opt-outs applied in order, month by month), then draws answers: about half answer, mostly
satisfied, a few opt out. Deterministic for a seed, ``now`` and the demo tickets; written with
``bulk_create``; running it again replaces the previous demo surveys (tickets ``DEMO-…``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import transaction

from servicedesk.models import Ticket
from servicedesk.surveys import selectors, services
from servicedesk.surveys.models import SurveyInvitation, SurveyOptOut, SurveyResponse
from servicedesk.surveys.sampling import choose

DEMO_PREFIX = "DEMO-"
DEMO_DOMAIN = "@hackney.example"
MONTHS = 12
RESPONSE_RATE = 0.55
OPT_OUT_RATE = 0.03
RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (3, 4, 8, 35, 50)
COMMENTS = {
    "good": (
        "Fixed quickly and the engineer explained what had gone wrong.",
        "Very helpful on the phone, thank you.",
        "Sorted the same morning.",
        "Kept me updated the whole way through.",
    ),
    "poor": (
        "It took three calls before anyone picked it up.",
        "Passed between teams several times before it was fixed.",
        "Closed without checking with me that it worked.",
        "Still waiting for the replacement laptop.",
    ),
}


@dataclass(frozen=True)
class SeededSurveys:
    months: int
    invitations: int
    responses: int
    opt_outs: int


def _send_instant(month_after) -> datetime:
    """08:00 London on the first weekday of the month after (the job's morning run)."""
    day = month_after
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=selectors.LONDON).astimezone(UTC)


@transaction.atomic
def seed(*, now: datetime, seed: int = 2026) -> SeededSurveys:
    """Create (or replace) a year of demo invitations, answers and opt-outs."""
    rng = random.Random(seed)
    SurveyInvitation.objects.filter(ticket_reference__startswith=DEMO_PREFIX).delete()
    SurveyOptOut.objects.filter(email__endswith=DEMO_DOMAIN).delete()
    key, rate = services.sampling_key(), services.sampling_rate()
    first = now.astimezone(selectors.LONDON).date().replace(day=1)
    months = [first]
    for _ in range(MONTHS):
        months.insert(0, selectors.previous_month(months[0]))
    months = months[:-1]  # the last 12 complete months

    last_invited: dict[str, datetime] = {}
    opted_out: set[str] = set()
    invitations: list[SurveyInvitation] = []
    answers: list[tuple[SurveyInvitation, SurveyResponse]] = []
    opt_outs: list[SurveyOptOut] = []
    for month in months:
        sent_at = _send_instant(selectors.next_month(month))
        if sent_at >= now:
            continue
        window_start = selectors.month_bounds(selectors.next_month(month))[0] - timedelta(
            days=selectors.EXCLUSION_DAYS
        )
        people = [
            c
            for c in selectors.closed_people(month=month)
            if c.email.endswith(DEMO_DOMAIN)
            and c.email not in opted_out
            and (c.email not in last_invited or last_invited[c.email] < window_start)
        ]
        sample = choose(people, rate=rate, month=month, key=key)
        references = dict(
            Ticket.objects.filter(pk__in=[c.ticket_id for c in sample.chosen]).values_list(
                "pk", "reference"
            )
        )
        for candidate in sample.chosen:
            if not references[candidate.ticket_id].startswith(DEMO_PREFIX):
                continue
            last_invited[candidate.email] = sent_at
            invitation = SurveyInvitation(
                email=candidate.email,
                month=month,
                queue_id=candidate.queue_id,
                ticket_id=candidate.ticket_id,
                ticket_reference=references[candidate.ticket_id],
                created_at=sent_at,
                sent_at=sent_at,
            )
            invitations.append(invitation)
            if rng.random() >= RESPONSE_RATE:
                continue
            answered_at = sent_at + timedelta(hours=rng.uniform(0.2, 13 * 24))
            if answered_at >= now:
                continue
            invitation.used_at = answered_at
            rating = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
            resolved = rng.random() < (0.95 if rating >= 4 else 0.5)
            comment = ""
            if rng.random() < 0.4:
                comment = rng.choice(COMMENTS["good" if rating >= 4 else "poor"])
            response = SurveyResponse(
                rating=rating, resolved=resolved, comment=comment, responded_at=answered_at
            )
            answers.append((invitation, response))
            if rng.random() < OPT_OUT_RATE and candidate.email not in opted_out:
                opted_out.add(candidate.email)
                opt_outs.append(SurveyOptOut(email=candidate.email, created_at=answered_at))

    SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
    responses = []
    for invitation, response in answers:
        response.invitation = invitation
        responses.append(response)
    SurveyResponse.objects.bulk_create(responses, batch_size=2000)
    SurveyOptOut.objects.bulk_create(opt_outs, ignore_conflicts=True)
    return SeededSurveys(
        months=len({i.month for i in invitations}),
        invitations=len(invitations),
        responses=len(responses),
        opt_outs=len(opt_outs),
    )
