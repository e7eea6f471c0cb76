"""Bank holidays changed: recompute open cases' due dates (signal from ``hackperf.signals``,
connected in ``InfogovConfig.ready``)."""

import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from hackperf.workdays import HolidayCalendar
from infogov import selectors
from infogov.deadlines import DeadlineInputError
from infogov.models import (
    Case,
    DueDateChange,
)
from infogov.services.cases import (
    case_apply_deadline,
    case_deadline,
)

logger = logging.getLogger(__name__)


def bank_holidays_change_reason(changed_dates: Iterable[date], calendar: HolidayCalendar) -> str:
    """E.g. "Bank holidays changed: added 2022-09-19 State Funeral of Queen Elizabeth II"."""
    parts = []
    for day in sorted(set(changed_dates)):
        holidays = calendar.on(day)
        if holidays:
            labels = sorted({h.label for h in holidays})
            where = ", ".join(h.division for h in holidays)
            parts.append(f"added {day.isoformat()} {' / '.join(labels)} [{where}]")
        else:
            parts.append(f"removed {day.isoformat()}")
    return "Bank holidays changed: " + "; ".join(parts) + "."


@transaction.atomic
def cases_recompute_due(
    *, reason: str, calendar: HolidayCalendar, now: datetime | None = None
) -> list[DueDateChange]:
    """Recompute every open case's due date; record the ones that moved (in bulk)."""
    now = now or timezone.now()
    changed: list[Case] = []
    changes: list[DueDateChange] = []
    cases = Case.objects.open().prefetch_related("events").select_for_update(of=("self",))
    for case in cases:
        try:
            deadline = case_deadline(case=case, events=case.events.all(), calendar=calendar)
        except DeadlineInputError:  # stored events the engine now refuses: leave, log
            logger.exception("infogov: cannot recompute the due date of %s", case.reference)
            continue
        old = case.due
        case_apply_deadline(case, deadline)
        changed.append(case)
        if case.due != old:
            changes.append(DueDateChange(case=case, old=old, new=case.due, reason=reason, at=now))
    Case.objects.bulk_update(
        changed, ["due", "due_working", "regime", "clock_stopped", "status"], batch_size=500
    )
    return DueDateChange.objects.bulk_create(changes, batch_size=500)


def on_bank_holidays_changed(
    sender, *, changed_dates: list[date], reason: str | None = None, **kwargs
) -> None:
    """Receiver of ``hackperf.signals.bank_holidays_changed`` (sent after commit).

    Uses the sender's ``reason`` when it gives one, else describes ``changed_dates`` itself.
    """
    calendar = selectors.holiday_calendar()
    reason = reason or bank_holidays_change_reason(changed_dates, calendar)
    changes = cases_recompute_due(reason=reason, calendar=calendar)
    logger.info("infogov: %s %d open case due dates moved.", reason, len(changes))
