"""Corrections made in the Django admin: the same rules as the case pages."""

import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hackperf.workdays import HolidayCalendar
from infogov import selectors
from infogov.choices import Status
from infogov.deadlines import Deadline, DeadlineInputError
from infogov.models import (
    Case,
    DueDateChange,
)
from infogov.services.cases import (
    ERR_IN_FUTURE,
    case_apply_deadline,
    case_deadline,
    exemptions_not_of_kind,
)

logger = logging.getLogger(__name__)

ERR_OPEN_WITH_RESPONSE = "An open case has no {field} date: clear it to reopen the case."
ERR_RESPONDED_NEEDS_DATE = "A responded case needs the date it was responded to."
ERR_WITHDRAWN_NEEDS_DATE = "A withdrawn case needs the date it was withdrawn."
ERR_CLOSED_NEEDS_DATE = "A closed case needs the date it was responded to or withdrawn."
# The DPA 1998 came into force on 1 March 2000, FOIA and the EIR on 1 January 2005.
EARLIEST_RECEIVED = date(2000, 3, 1)
ERR_BEFORE_ANY_REGIME = "No FOI, EIR or subject-access law applied before 1 March 2000."
# Fields whose change moves the due date (or, for the status, can reopen its clock).
DUE_DATE_FIELDS = ("received", "kind", "status", "stage")


def case_check(
    *, case: Case, today: date | None = None, calendar: HolidayCalendar | None = None
) -> Deadline:
    """Check a case edited as a whole (the admin) against the rules the case pages enforce,
    and return its deadline. Raises ``ValidationError`` keyed by field; saves nothing."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if case.status in (Status.RECEIVED, Status.ALLOCATED, Status.AWAITING_REQUESTER):
        if case.responded:
            errors["responded"] = ERR_OPEN_WITH_RESPONSE.format(field="responded")
        if case.withdrawn:
            errors["withdrawn"] = ERR_OPEN_WITH_RESPONSE.format(field="withdrawn")
    elif case.status == Status.RESPONDED and case.responded is None:
        errors["responded"] = ERR_RESPONDED_NEEDS_DATE
    elif case.status == Status.WITHDRAWN and case.withdrawn is None:
        errors["withdrawn"] = ERR_WITHDRAWN_NEEDS_DATE
    elif case.status == Status.CLOSED and case.responded is None and case.withdrawn is None:
        errors["status"] = ERR_CLOSED_NEEDS_DATE
    foreign = exemptions_not_of_kind(case.kind, case.exemption_codes or [])
    if foreign:
        errors["exemption_codes"] = foreign
    if case.received and case.received > today:
        errors["received"] = ERR_IN_FUTURE
    elif case.received and case.received < EARLIEST_RECEIVED:
        errors["received"] = ERR_BEFORE_ANY_REGIME
    if errors:
        raise ValidationError(errors)
    events = list(case.events.all()) if case.pk else []
    try:
        return case_deadline(
            case=case, events=events, calendar=calendar or selectors.holiday_calendar()
        )
    except DeadlineInputError as exc:
        raise ValidationError({"received": str(exc)}) from exc


@transaction.atomic
def case_save_edited(
    *,
    case: Case,
    changed: Iterable[str],
    actor=None,
    today: date | None = None,
    calendar: HolidayCalendar | None = None,
    now: datetime | None = None,
) -> DueDateChange | None:
    """Save a case edited in the Django admin, recomputing its due date through the engine.

    The admin edits the row as a whole, so the due date, its working and the open status
    (received / allocated / clock stopped) are derived here exactly as ``case_recompute_due``
    derives them, and a move is recorded with who made the edit. A new case is logged.
    """
    calendar = calendar or selectors.holiday_calendar()
    deadline = case_check(case=case, today=today, calendar=calendar)
    changed = set(changed)
    who = actor.get_full_name() or actor.get_username() if actor else "someone"
    old = None
    if case.pk is not None:
        old = Case.objects.filter(pk=case.pk).values_list("due", flat=True).first()
    case_apply_deadline(case, deadline)
    case.full_clean()
    case.save()
    if old is None:
        reason = f"Case logged in the admin by {who}."
    else:
        if old == case.due:
            return None
        edited = [name for name in DUE_DATE_FIELDS if name in changed]
        reason = (
            f"Admin: {', '.join(edited)} changed by {who}."
            if edited
            else f"Admin: saved by {who}, recomputed with the current bank holidays."
        )
    return DueDateChange.objects.create(
        case=case, old=old, new=case.due, reason=reason, at=now or timezone.now()
    )
