"""Data-due reminders for the indicators entered by hand (resident satisfaction, adoption of
mobile and collaboration tools): the owner is e-mailed when a month's value is due, and again
when it is late.

Every e-mail goes through the outbox (ADR 0006). Each reminder's natural key is (indicator,
month, due or late), so the daily job can run any number of times, on any number of workers,
and each reminder is queued once. An indicator without an owner's address still gets its
reminder: it waits in the outbox, shown to the DMT, and goes once the address is saved.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from hackperf import outbox
from indicators.choices import Source
from indicators.models import Indicator, PeriodValue
from indicators.periods import month_start, shift_month

KIND: Final = "indicator_data_due"
RESOLVER: Final = "indicators.owner_email"
DUE: Final = "due"
LATE: Final = "late"
NO_ADDRESS: Final = "add the owner's e-mail address for {code} ({title}) in the admin"


@dataclass(frozen=True)
class Reminder:
    indicator: Indicator
    month: date  # the first day of the month whose value is wanted
    stage: str  # DUE or LATE
    due: date  # the last day the value is on time


def due_date(month: date) -> date:
    """The day a month's value is due: the ``INDICATORS_DATA_DUE_DAY``th of the month after."""
    return shift_month(month, 1) + timedelta(days=settings.INDICATORS_DATA_DUE_DAY - 1)


def reminders_due(*, today: date) -> list[Reminder]:
    """The reminders today calls for: for the month just ended, each hand-entered indicator
    without a value is due (from the 1st) or late (after its due date). Two queries."""
    month = shift_month(month_start(today), -1)
    due = due_date(month)
    stage = LATE if today > due else DUE
    entered = set(
        PeriodValue.objects.filter(
            period_start=month, indicator__source=Source.ENTERED
        ).values_list("indicator_id", flat=True)
    )
    return [
        Reminder(indicator=indicator, month=month, stage=stage, due=due)
        for indicator in Indicator.objects.filter(source=Source.ENTERED).order_by("code")
        if indicator.pk not in entered
    ]


def _mail(reminder: Reminder) -> outbox.Mail:
    indicator, month = reminder.indicator, reminder.month
    link = f"{settings.SITE_URL}{reverse('indicators:indicator_detail', args=[indicator.slug])}"
    if reminder.stage == DUE:
        subject = f"{indicator.code}: the {month:%B %Y} value is due by {reminder.due:%-d %B}"
        opening = (
            f"The {month:%B %Y} value of {indicator.title} ({indicator.code}) is due by "
            f"{reminder.due:%A %-d %B %Y}."
        )
    else:
        subject = f"{indicator.code}: the {month:%B %Y} value is late"
        opening = (
            f"The {month:%B %Y} value of {indicator.title} ({indicator.code}) was due by "
            f"{reminder.due:%A %-d %B %Y} and has not been entered."
        )
    body = (
        f"{opening}\n\nEnter it, with its commentary, on the indicator's page:\n{link}\n\n"
        f"You are sent this as the indicator's owner ({indicator.owner}). ICT performance"
    )
    return outbox.Mail(
        dedupe_key=outbox.stable_key(KIND, indicator.code, f"{month:%Y-%m}", reminder.stage),
        kind=KIND,
        subject=subject,
        body=body,
        to=(indicator.owner_email,) if indicator.owner_email else (),
        resolver=RESOLVER,
        resolver_args={"code": indicator.code},
        no_recipient_reason=NO_ADDRESS.format(code=indicator.code, title=indicator.title),
    )


@transaction.atomic
def reminders_send(*, today: date) -> int:
    """Queue today's data-due reminders in the outbox, each once ever; the number queued
    (or found already queued)."""
    mails = [_mail(reminder) for reminder in reminders_due(today=today)]
    return len(outbox.enqueue(mails))


def owner_email(*, code: str) -> str:
    """The outbox's resolver: the indicator owner's address, "" while there is none."""
    return Indicator.objects.filter(code=code).values_list("owner_email", flat=True).first() or ""
