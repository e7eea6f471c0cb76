"""Celery tasks of the infogov app: thin interfaces onto ``infogov.services``."""

from django.utils import timezone

from hackperf.tasks import IMPORT_RUN, job
from hackperf.workdays import is_working_day
from infogov import selectors
from infogov.services.escalations import escalations_send


# No autoretry: mail failures are the outbox's to retry, message by message.
@job(acks_late=True, soft_time_limit=120, time_limit=180)
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
    return len(escalations_send(today=today, calendar=calendar).escalated)


@job(**IMPORT_RUN)
def cases_import_run(run_id: int) -> None:
    """Import the file of a case ImportRun (queued by the upload page).

    Idempotent like ``servicedesk.tasks.tickets_import_run``: a finished run is not redone,
    one being imported is left alone, one whose worker died is started again.
    """
    from hackperf.imports import import_run_execute
    from infogov.import_jobs import run_cases

    import_run_execute(run_id=run_id, runner=run_cases)
