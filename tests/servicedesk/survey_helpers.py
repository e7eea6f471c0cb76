"""Helpers for the survey tests: people whose tickets closed in a month."""

from datetime import UTC, date, datetime, timedelta

from servicedesk import services
from servicedesk.surveys.models import SurveyInvitation
from tests.servicedesk.factories import log_ticket

FEBRUARY = date(2026, 2, 1)
# Tue 10 Feb 2026 10:00 GMT: a ticket logged then is resolved an hour later.
IN_FEBRUARY = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
# Mon 2 Mar 2026 08:00 GMT: the first working day after February, when the job runs.
SURVEY_DAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def close_ticket(*, email, queue, at=IN_FEBRUARY, summary="Printer on floor 3 jams", **kwargs):
    """A ticket of ``email``'s, logged at ``at`` in ``queue`` and resolved an hour later."""
    ticket = log_ticket(queue=queue, at=at, customer_email=email, summary=summary, **kwargs)
    return services.ticket_resolve(ticket=ticket, actor=None, at=at + timedelta(hours=1))


def people(n, *, queue, prefix="person", at=IN_FEBRUARY):
    """``n`` people, each with one ticket closed in ``queue``; their e-mails."""
    emails = [f"{prefix}{i:03d}@hackney.example" for i in range(n)]
    for i, email in enumerate(emails):
        close_ticket(email=email, queue=queue, at=at + timedelta(minutes=i))
    return emails


def invited(month=FEBRUARY):
    return set(SurveyInvitation.objects.filter(month=month).values_list("email", flat=True))


def invite(ticket, *, at=SURVEY_DAY) -> SurveyInvitation:
    """The February survey's invitation about ``ticket``, to its customer, sent at ``at``."""
    return SurveyInvitation.objects.create(
        email=ticket.customer_email,
        month=FEBRUARY,
        queue=ticket.queue,
        ticket=ticket,
        ticket_reference=ticket.reference,
        created_at=at,
        sent_at=at,
    )
