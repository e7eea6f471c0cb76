"""Celery tasks of the infogov app: thin interfaces onto ``infogov.services``."""

from celery import shared_task
from django.utils import timezone

from hackperf.workdays import is_working_day
from infogov import selectors, services


@shared_task(
    acks_late=True,
    ignore_result=True,
    # No autoretry: mail failures are the outbox's to retry, message by message.
    soft_time_limit=120,
    time_limit=180,
)
def escalate_due_cases() -> int:
    """Escalate open FOI/EIR/SAR cases near or past their due date, on working days.

    Idempotent: each (case, level) is claimed by a unique constraint, in the transaction
    that queues its digests in the outbox, so a redelivered or concurrent run records and
    sends nothing twice. Returns the number of levels escalated.
    """
    today = timezone.localdate()
    calendar = selectors.holiday_calendar()
    if not is_working_day(today, calendar=calendar, divisions=selectors.STAFF_DIVISIONS):
        return 0
    return len(services.escalations_send(today=today, calendar=calendar).escalated)
