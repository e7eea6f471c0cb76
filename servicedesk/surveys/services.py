"""All writes of the surveys: sampling a month (and e-mailing it) and recording an answer.

Sampling is idempotent by construction: each invitation is claimed with ``INSERT … ON
CONFLICT DO NOTHING RETURNING`` on the ``(email, month)`` unique constraint, and its e-mail
is put in the outbox (``hackperf.outbox``) in the same transaction, keyed by the invitation.
So a rerun, a redelivered task or two runs at once invite nobody twice, a worker that dies
mid-batch loses nothing (the outbox sends what is left), and a bad address fails its own
message only. Links are signed (``django.core.signing``, with a salt of their own),
expire after 14 days and are used once (a conditional UPDATE claims the invitation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from hackperf import outbox
from servicedesk.models import Ticket
from servicedesk.surveys import selectors
from servicedesk.surveys.models import SurveyInvitation, SurveyOptOut, SurveyResponse
from servicedesk.surveys.sampling import Candidate, choose, parse_rate

TOKEN_SALT = "servicedesk.surveys.invitation"
LINK_DAYS = 14
DEFAULT_RATE = "0.10"
OUTBOX_KIND = "servicedesk.survey_invitation"

MONTH_NOT_ENDED = "{month:%B %Y} has not ended yet: sample a month once it is over."
SUBJECT = "How did we do with your ICT request {reference}?"


# -- settings ----------------------------------------------------------------------------------


def sampling_rate() -> Fraction:
    """``SURVEY_SAMPLE_RATE`` (default 10%), exactly."""
    return parse_rate(getattr(settings, "SURVEY_SAMPLE_RATE", DEFAULT_RATE))


def sampling_key() -> bytes:
    """The key of the sample's keyed hash: ``SURVEY_SAMPLING_KEY``, else one derived from
    ``SECRET_KEY``. Set ``SURVEY_SAMPLING_KEY`` in production, so that rotating the secret
    key does not change who a month's rerun would pick."""
    secret = getattr(settings, "SURVEY_SAMPLING_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"hackperf.servicedesk.surveys.sampling:" + secret.encode()).digest()


def link_max_age() -> timedelta:
    return timedelta(days=LINK_DAYS)


# -- sampling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRun:
    """What a month's sampling found, chose, claimed and sent."""

    month: date
    closed: int  # distinct people whose tickets closed in the month
    recently_surveyed: int  # of those, excluded: sampled in the last 90 days
    opted_out: int  # of those, excluded: asked not to be surveyed
    eligible: int  # N, after the exclusions
    chosen: int  # ceil(rate × N)
    shares: dict[int, int] = field(default_factory=dict)  # queue pk → people chosen
    claimed: list[int] = field(default_factory=list)  # invitations this run inserted
    sent: int = 0


def _claim(month: date, chosen: list[Candidate], *, now: datetime) -> list[int]:
    """Insert the month's invitations, skipping people who have one; the pks inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING``: a concurrent run blocks on the other's
    uncommitted rows, then skips them, so exactly one run owns (and e-mails) each person.
    """
    if not chosen:
        return []
    references = dict(
        Ticket.objects.filter(pk__in=[c.ticket_id for c in chosen]).values_list("pk", "reference")
    )
    table = SurveyInvitation._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chosen))
    params: list[Any] = []
    for c in chosen:
        params += [c.email, month, c.queue_id, c.ticket_id, references[c.ticket_id], now]
    sql = (
        f"INSERT INTO {table} (email, month, queue_id, ticket_id, ticket_reference, created_at) "
        f"VALUES {values} ON CONFLICT (email, month) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def survey_sample(
    *, month: date, now: datetime, rate: Fraction | None = None, send: bool = True
) -> SampleRun:
    """Sample ``month`` (its first day) and e-mail the people this run newly claims.

    The exclusions (sampled for an earlier month in the last 90 days; opted out) are applied
    *before* N is counted, so exactly ``ceil(rate × N)`` of the people who can be asked are
    chosen. The invitations and their e-mails commit together; with ``send`` the outbox's
    survey e-mails are then sent at once (the outbox's own runs send whatever is left).
    """
    month = month.replace(day=1)
    if selectors.month_bounds(month)[1] > now:
        raise ValueError(MONTH_NOT_ENDED.format(month=month))
    rate = rate if rate is not None else sampling_rate()
    people = selectors.closed_people(month=month)
    recent = selectors.recently_surveyed(month=month)
    out = selectors.opted_out()
    excluded_out = {c.email for c in people if c.email in out}
    excluded_recent = {c.email for c in people if c.email in recent} - excluded_out
    eligible = [c for c in people if c.email not in out and c.email not in recent]
    sample = choose(eligible, rate=rate, month=month, key=sampling_key())
    with transaction.atomic():
        claimed = _claim(month, sample.chosen, now=now)
        invitations_enqueue(month=month, now=now)
    sent = outbox.outbox_send(now=now, kinds=[OUTBOX_KIND]).sent if send else 0
    return SampleRun(
        month=month,
        closed=len(people),
        recently_surveyed=len(excluded_recent),
        opted_out=len(excluded_out),
        eligible=sample.eligible,
        chosen=sample.size,
        shares=sample.shares,
        claimed=claimed,
        sent=sent,
    )


# -- the e-mail and its link -------------------------------------------------------------------


def invitation_token(invitation: SurveyInvitation) -> str:
    """The signed, timestamped token of the invitation's link (expires ``LINK_DAYS`` after)."""
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def invitation_url(invitation: SurveyInvitation) -> str:
    path = reverse("survey", args=[invitation_token(invitation)])
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _email(invitation: SurveyInvitation) -> dict[str, Any]:
    ticket = invitation.ticket
    body = render_to_string(
        "servicedesk/surveys/survey_email.txt",
        {
            "reference": invitation.ticket_reference,
            "summary": ticket.summary if ticket else "",
            "url": invitation_url(invitation),
            "days": LINK_DAYS,
        },
    )
    return {"subject": SUBJECT.format(reference=invitation.ticket_reference), "body": body}


def invitations_enqueue(*, month: date, now: datetime) -> int:
    """Put the e-mail of each invitation of ``month`` that has none into the outbox.

    Runs in the transaction that inserted the invitations. Also picks up invitations claimed
    before the outbox existed and never e-mailed (no message, no ``sent_at``), so none is
    lost; one that was e-mailed has ``sent_at`` or a message and is never asked again.
    """
    invitations = list(
        SurveyInvitation.objects.filter(month=month, message__isnull=True, sent_at__isnull=True)
        .select_related("ticket")
        .order_by("pk")
    )
    mails = [
        outbox.Mail(
            dedupe_key=outbox.stable_key(OUTBOX_KIND, invitation.pk),
            kind=OUTBOX_KIND,
            to=(invitation.email,),
            **_email(invitation),
        )
        for invitation in invitations
    ]
    messages = outbox.enqueue(mails, now=now)
    for invitation, mail in zip(invitations, mails, strict=True):
        invitation.message = messages[mail.dedupe_key]
    SurveyInvitation.objects.bulk_update(invitations, ["message"], batch_size=500)
    return len(invitations)


def invitation_sent(message_pk: int, sent_at: datetime) -> None:
    """The outbox sent an invitation's e-mail: record when (``register_on_sent``)."""
    SurveyInvitation.objects.filter(message_id=message_pk).update(sent_at=sent_at)


# -- answering ---------------------------------------------------------------------------------


class LinkProblem(Enum):
    """Why a link cannot be answered; the page says so without saying whose link it was."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def invitation_for_token(token: str) -> tuple[SurveyInvitation | None, LinkProblem | None]:
    """The invitation a link is for, or why it cannot be answered."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        return None, LinkProblem.EXPIRED
    except signing.BadSignature:
        return None, LinkProblem.INVALID
    if not isinstance(pk, int):
        return None, LinkProblem.INVALID
    invitation = SurveyInvitation.objects.select_related("ticket").filter(pk=pk).first()
    if invitation is None:
        return None, LinkProblem.INVALID
    if invitation.used_at is not None:
        return None, LinkProblem.USED
    return invitation, None


@transaction.atomic
def survey_answer(
    *,
    invitation: SurveyInvitation,
    rating: int | None,
    resolved: bool | None,
    comment: str,
    opt_out: bool,
    now: datetime,
) -> bool:
    """Record an answer (and an opt-out); False if the link was used meanwhile.

    The conditional UPDATE claims the invitation, so two submissions at once record one
    answer. Someone who only opts out (no rating) leaves no answer, only the opt-out.
    """
    claimed = SurveyInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=now
    )
    if not claimed:
        return False
    if rating is not None and resolved is not None:
        response = SurveyResponse(
            invitation=invitation,
            rating=rating,
            resolved=resolved,
            comment=comment.strip(),
            responded_at=now,
            ticket_shared=True,  # the survey page says the team sees it with the ticket
        )
        response.full_clean()
        response.save()
    if opt_out:
        SurveyOptOut.objects.get_or_create(email=invitation.email, defaults={"created_at": now})
    return True
