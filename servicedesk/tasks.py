"""Celery tasks of the servicedesk app: thin interfaces onto its services."""

from django.utils import timezone

from hackperf.bank_holidays import holiday_calendar
from hackperf.tasks import IMPORT_RUN, job
from hackperf.workdays import Division, roll_forward
from servicedesk.surveys import selectors as survey_selectors
from servicedesk.surveys import services as survey_services

# Staff work to the England and Wales calendar.
SURVEY_DIVISIONS = (Division.ENGLAND_AND_WALES,)


# No autoretry: mail failures are the outbox's to retry, message by message.
@job(acks_late=True, soft_time_limit=600, time_limit=660)
def survey_monthly_sample() -> int:
    """On the first working day of a month, survey the people whose tickets closed in the
    month before. Beat runs it every weekday morning; on other days it does nothing.

    Idempotent: invitations are claimed on a unique (person, month) constraint and their
    e-mails queued in the outbox in the same transaction, so a redelivered or second run
    invites nobody twice. Returns the number sent by this run.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    first_working_day = roll_forward(
        today.replace(day=1), calendar=holiday_calendar(), divisions=SURVEY_DIVISIONS
    )
    if today != first_working_day:
        return 0
    month = survey_selectors.previous_month(today.replace(day=1))
    return survey_services.survey_sample(month=month, now=now).sent


@job(**IMPORT_RUN)
def tickets_import_run(run_id: int) -> None:
    """Import the file of a ticket ImportRun (queued by the upload page).

    Idempotent (``hackperf.imports.import_run_execute``): a finished run is not redone, a run
    another worker is importing is left to it, and a run whose worker died is started again
    from its first row (its writes were rolled back with the worker's transaction). Not
    retried: a bad file stays bad, and the run says why.
    """
    from hackperf.imports import import_run_execute
    from servicedesk.import_jobs import run_tickets

    import_run_execute(run_id=run_id, runner=run_tickets)
