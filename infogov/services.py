"""All writes of the infogov app: cases, their clock events and due dates, escalations.

Each service is keyword-only, validates with ``full_clean()`` and runs in one transaction.
The due date is never typed in: ``case_recompute_due`` asks the pure engine
(``infogov.deadlines.compute_deadline``) with the case's clock events and stores the result
with its working, recording every move in ``DueDateChange``.
"""

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hackperf import outbox
from hackperf.workdays import HolidayCalendar, add_working_days, format_date
from infogov import exemptions as exemption_list
from infogov import selectors
from infogov.choices import EscalationLevel, EventKind, Kind, Outcome, Stage, Status
from infogov.deadlines import Deadline, DeadlineInputError, compute_deadline
from infogov.importers import CaseRecord, RowError
from infogov.models import (
    Case,
    CaseNote,
    ClockEvent,
    Directorate,
    DueDateChange,
    Escalation,
    EscalationAcknowledgement,
    Requester,
    Service,
)

logger = logging.getLogger(__name__)

# Error texts (STYLE.md §4): tests reuse them.
ERR_CASE_NOT_OPEN = "This case is {status}: its clock can no longer change."
ERR_BEFORE_RECEIVED = "The date cannot be before the request was received ({received})."
ERR_IN_FUTURE = "The date cannot be in the future."
ERR_REFERENCE_TAKEN = "A case with reference {reference} already exists: use another reference"
ERR_SERVICE_DIRECTORATE = "{service} is a service of {its}, not of {directorate}."
ERR_EXEMPTIONS_REQUIRED = "Enter the exemptions cited when refusing a request."
ERR_EXEMPTIONS_CHOOSE = "Choose the exemptions cited when refusing a request."
ERR_EXEMPTION_NOT_OF_KIND = "{items} cannot be cited on an {kind} request: choose from its list."
ERR_NOTE_BLANK = "Enter the note."
ERR_RESPOND_WITHDRAWN = "To record a withdrawal, use Record a clock event: Withdrawn."
ERR_CLOSE_OPEN = "Only a case that has been responded to or withdrawn can be closed."
ERR_EXTENSION_REASON = "Choose the reason for the extension."
ERR_EXTENSION_DAYS = "Enter the extension in working days (1 to 60)."
ERR_EXTENSION_REASON_KIND = "That reason does not apply to {kind} requests."
ERR_RESPONDED_EVENT = "Record a response with Respond, which also records the outcome."
ERR_PARENT_REQUIRED = "A review or complaint must be linked to the original request."
ERR_NOT_A_DIRECTOR = "{name} is not in the director role: give them the role first."
ERR_BEFORE_IN_FORCE = (
    "{kind} requests can only have been received from {start:%-d %B %Y}, when {law} came "
    "into force; check the date received."
)
# When each right of access began: FOIA s.1 and the EIR 2004 on 1 January 2005, the
# DPA 1998's subject access on 1 March 2000. Nothing earlier is a case this law covers.
IN_FORCE: dict[str, tuple[date, str]] = {
    Kind.FOI: (date(2005, 1, 1), "the Freedom of Information Act 2000"),
    Kind.EIR: (date(2005, 1, 1), "the Environmental Information Regulations 2004"),
    Kind.SAR: (date(2000, 3, 1), "the Data Protection Act 1998"),
}

EXTENSION_REASONS_BY_KIND = {
    Kind.FOI: {"public_interest"},
    Kind.EIR: {"eir_complexity", "public_interest"},
    Kind.SAR: {"sar_complexity"},
}

STAGE_NOTES = {
    Stage.INTERNAL_REVIEW: (
        "Internal review: no statutory limit for FOI (the s.45 Code of Practice expects 20 "
        "working days; EIR reg 11(4) allows 40); tracked against the request rule below."
    ),
    Stage.ICO_COMPLAINT: (
        "ICO complaint: the ICO sets its own deadlines; tracked against the request rule below."
    ),
}


# ---------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------


def _last(events: Sequence[ClockEvent], kind: EventKind) -> date | None:
    dates = [e.date for e in events if e.kind == kind]
    return max(dates) if dates else None


def case_deadline(
    *, case: Case, events: Iterable[ClockEvent], calendar: HolidayCalendar
) -> Deadline:
    """The engine's deadline for ``case`` with ``events`` (raises ``DeadlineInputError``)."""
    events = list(events)
    extensions = [e for e in events if e.kind == EventKind.EXTENSION]
    is_sar = case.kind == Kind.SAR
    return compute_deadline(
        case.kind,
        case.received,
        calendar=calendar,
        settings=selectors.deadline_settings(),
        clarification_requested=_last(events, EventKind.CLARIFICATION_REQUESTED),
        clarified=_last(events, EventKind.CLARIFICATION_RECEIVED),
        fee_notice=_last(events, EventKind.FEE_NOTICE),
        fee_paid=_last(events, EventKind.FEE_PAID),
        id_requested=_last(events, EventKind.ID_REQUESTED),
        id_received=_last(events, EventKind.ID_RECEIVED),
        extended=is_sar and bool(extensions),
        extensions=() if is_sar else [e.extension_days or 20 for e in extensions],
    )


def _apply_deadline(case: Case, deadline: Deadline) -> None:
    lines = deadline.explain()
    if case.stage != Stage.REQUEST:
        lines = [STAGE_NOTES[Stage(case.stage)], *lines]
    case.due = deadline.due
    case.due_working = lines
    case.regime = deadline.regime
    case.clock_stopped = deadline.clock_stopped
    if case.status in (Status.RECEIVED, Status.ALLOCATED, Status.AWAITING_REQUESTER):
        if deadline.clock_stopped:
            case.status = Status.AWAITING_REQUESTER
        else:
            case.status = Status.ALLOCATED if case.officer_id else Status.RECEIVED


def case_recompute_due(
    *,
    case: Case,
    reason: str,
    calendar: HolidayCalendar | None = None,
    now: datetime | None = None,
) -> DueDateChange | None:
    """Recompute ``case``'s due date from its clock events; record the move, if it moved."""
    calendar = calendar or selectors.holiday_calendar()
    deadline = case_deadline(case=case, events=case.events.all(), calendar=calendar)
    old = case.due
    _apply_deadline(case, deadline)
    case.full_clean()
    case.save(update_fields=["due", "due_working", "regime", "clock_stopped", "status"])
    if old == case.due:
        return None
    return DueDateChange.objects.create(
        case=case, old=old, new=case.due, reason=reason, at=now or timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# Case work
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_log(
    *,
    reference: str,
    kind: str,
    received: date,
    channel: str,
    subject: str,
    directorate: Directorate,
    requester_name: str,
    service: Service | None = None,
    officer=None,
    stage: str = Stage.REQUEST,
    parent: Case | None = None,
    requester_email: str = "",
    requester_address: str = "",
    requester_phone: str = "",
    request_text: str = "",
    actor=None,
    today: date | None = None,
    calendar: HolidayCalendar | None = None,
    now: datetime | None = None,
) -> Case:
    """Log a new case with its requester and request, and compute its due date."""
    today = today or timezone.localdate()
    if received > today:
        raise ValidationError({"received": ERR_IN_FUTURE})
    if kind in IN_FORCE and received < IN_FORCE[kind][0]:
        start, law = IN_FORCE[kind]
        raise ValidationError(
            {"received": ERR_BEFORE_IN_FORCE.format(kind=Kind(kind).label, start=start, law=law)}
        )
    if service is not None and service.directorate_id != directorate.pk:
        raise ValidationError(
            {
                "service": ERR_SERVICE_DIRECTORATE.format(
                    service=service.name, its=service.directorate.name, directorate=directorate.name
                )
            }
        )
    if stage != Stage.REQUEST and parent is None:
        raise ValidationError({"parent": ERR_PARENT_REQUIRED})
    if Case.objects.filter(reference=reference).exists():
        # Said before Django's "Case with this Reference already exists.", which says nothing
        # of what to do; the form links to the case where the person may open it.
        raise ValidationError({"reference": ERR_REFERENCE_TAKEN.format(reference=reference)})
    case = Case(
        reference=reference,
        kind=kind,
        stage=stage,
        parent=parent,
        received=received,
        channel=channel,
        subject=subject,
        request_text=request_text.strip(),
        directorate=directorate,
        service=service,
        officer=officer,
        status=Status.ALLOCATED if officer else Status.RECEIVED,
    )
    calendar = calendar or selectors.holiday_calendar()
    try:
        _apply_deadline(case, case_deadline(case=case, events=(), calendar=calendar))
    except DeadlineInputError as exc:
        raise ValidationError({"received": str(exc)}) from exc
    case.full_clean()
    case.save()
    requester = Requester(
        case=case,
        name=requester_name,
        email=requester_email,
        address=requester_address,
        phone=requester_phone,
    )
    requester.full_clean()
    requester.save()
    DueDateChange.objects.create(
        case=case, old=None, new=case.due, reason="Case logged.", at=now or timezone.now()
    )
    return case


@transaction.atomic
def case_allocate(*, case: Case, officer, actor=None) -> Case:
    """Give the case to a case officer (or take it back with ``officer=None``)."""
    if not case.is_open:
        raise ValidationError(ERR_CASE_NOT_OPEN.format(status=case.get_status_display().lower()))
    case.officer = officer
    if case.status in (Status.RECEIVED, Status.ALLOCATED):
        case.status = Status.ALLOCATED if officer else Status.RECEIVED
    case.full_clean()
    case.save(update_fields=["officer", "status"])
    return case


@transaction.atomic
def case_record_clock_event(
    *,
    case: Case,
    kind: str,
    date: date,
    note: str = "",
    extension_reason: str = "",
    extension_days: int | None = None,
    actor=None,
    today: date | None = None,
    calendar: HolidayCalendar | None = None,
    now: datetime | None = None,
) -> ClockEvent:
    """Record a clock event and recompute the due date.

    The engine checks the sequence (a fee paid before its notice, clarification received
    before it was asked for, ID on an FOI request…); its message becomes the ``date`` error,
    and nothing is saved.
    """
    today = today or timezone.localdate()
    if not case.is_open:
        raise ValidationError(ERR_CASE_NOT_OPEN.format(status=case.get_status_display().lower()))
    if kind == EventKind.RESPONDED:
        raise ValidationError({"kind": ERR_RESPONDED_EVENT})
    date_errors = _event_date_errors(received=case.received, date=date, today=today)
    if date_errors:
        raise ValidationError(date_errors)
    if kind == EventKind.EXTENSION:
        errors = {}
        if not extension_reason:
            errors["extension_reason"] = ERR_EXTENSION_REASON
        elif extension_reason not in EXTENSION_REASONS_BY_KIND[Kind(case.kind)]:
            errors["extension_reason"] = ERR_EXTENSION_REASON_KIND.format(
                kind=case.get_kind_display()
            )
        if case.kind != Kind.SAR and not (extension_days and 1 <= extension_days <= 60):
            errors["extension_days"] = ERR_EXTENSION_DAYS
        if errors:
            raise ValidationError(errors)
        if case.kind == Kind.SAR:
            extension_days = None
    else:
        extension_reason, extension_days = "", None

    event = ClockEvent(
        case=case,
        kind=kind,
        date=date,
        note=note,
        extension_reason=extension_reason,
        extension_days=extension_days,
        actor=actor,
    )
    event.full_clean()
    if kind == EventKind.WITHDRAWN:
        event.save()
        case.status = Status.WITHDRAWN
        case.outcome = Outcome.WITHDRAWN
        case.withdrawn = date
        case.full_clean()
        case.save(update_fields=["status", "outcome", "withdrawn"])
        return event

    calendar = calendar or selectors.holiday_calendar()
    try:
        case_deadline(case=case, events=[*case.events.all(), event], calendar=calendar)
    except DeadlineInputError as exc:
        raise ValidationError({"date": str(exc)}) from exc
    event.save()
    case_recompute_due(
        case=case,
        reason=f"Clock event: {event.get_kind_display().lower()} on {format_date(date)}.",
        calendar=calendar,
        now=now,
    )
    return event


def _respond_errors(
    *,
    received: date,
    responded: date,
    outcome: str,
    exemptions: str,
    today: date,
    kind: str = "",
    exemption_codes: Sequence[str] = (),
) -> dict[str, str]:
    """What is wrong with a response (``case_respond``, and the import's check before it).

    An FOI or EIR refusal cites exemptions of its own law's list (``infogov.exemptions``);
    typed text counts too, for what an import or older data carried that the list lacks.
    """
    errors = {}
    offered = {e.code for e in exemption_list.for_kind(kind)}
    foreign = [code for code in exemption_codes if code not in offered]
    if foreign:
        errors["exemption_codes"] = ERR_EXEMPTION_NOT_OF_KIND.format(
            items=", ".join(exemption_list.labels(foreign)), kind=Kind(kind).label
        )
    if responded < received:
        errors["responded"] = ERR_BEFORE_RECEIVED.format(received=format_date(received))
    elif responded > today:
        errors["responded"] = ERR_IN_FUTURE
    if outcome == Outcome.WITHDRAWN:
        errors["outcome"] = ERR_RESPOND_WITHDRAWN
    if outcome == Outcome.REFUSED and not exemptions.strip() and not exemption_codes:
        if offered:
            errors.setdefault("exemption_codes", ERR_EXEMPTIONS_CHOOSE)
        else:
            errors["exemptions"] = ERR_EXEMPTIONS_REQUIRED
    return errors


def _event_date_errors(*, received: date, date: date, today: date) -> dict[str, str]:
    """What is wrong with a clock event's date (``case_record_clock_event``, the import)."""
    if date < received:
        return {"date": ERR_BEFORE_RECEIVED.format(received=format_date(received))}
    if date > today:
        return {"date": ERR_IN_FUTURE}
    return {}


@transaction.atomic
def case_respond(
    *,
    case: Case,
    responded: date,
    outcome: str,
    exemptions: str = "",
    exemption_codes: Sequence[str] = (),
    note: str = "",
    actor=None,
    today: date | None = None,
) -> Case:
    """Record the response to the requester, with its outcome and the exemptions cited."""
    today = today or timezone.localdate()
    if not case.is_open:
        raise ValidationError(ERR_CASE_NOT_OPEN.format(status=case.get_status_display().lower()))
    errors = _respond_errors(
        received=case.received,
        responded=responded,
        outcome=outcome,
        exemptions=exemptions,
        today=today,
        kind=case.kind,
        exemption_codes=exemption_codes,
    )
    if errors:
        raise ValidationError(errors)
    case.responded = responded
    case.outcome = outcome
    case.exemption_codes = list(dict.fromkeys(exemption_codes))
    case.exemptions = exemptions.strip()
    case.status = Status.RESPONDED
    case.full_clean()
    case.save(update_fields=["responded", "outcome", "exemption_codes", "exemptions", "status"])
    ClockEvent.objects.create(
        case=case, kind=EventKind.RESPONDED, date=responded, note=note, actor=actor
    )
    return case


@transaction.atomic
def case_request_text_set(*, case: Case, request_text: str) -> Case:
    """Record (or correct) the request as received, on a case logged or imported without it.

    Open or closed: the request's words belong on its record whatever its state."""
    case.request_text = request_text.strip()
    case.full_clean()
    case.save(update_fields=["request_text"])
    return case


@transaction.atomic
def case_note_add(*, case: Case, author, text: str, now: datetime | None = None) -> CaseNote:
    """Append an internal correspondence note (who, when, what) to a case, open or not:
    what was said about a request stays on its record after the response."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": ERR_NOTE_BLANK})
    note = CaseNote(case=case, author=author, at=now or timezone.now(), text=text)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def case_close(*, case: Case, actor=None) -> Case:
    """Close a case that has been responded to or withdrawn."""
    if case.status not in (Status.RESPONDED, Status.WITHDRAWN):
        raise ValidationError(ERR_CLOSE_OPEN)
    case.status = Status.CLOSED
    case.full_clean()
    case.save(update_fields=["status"])
    return case


# ---------------------------------------------------------------------------------------------
# Corrections made in the Django admin: the same rules as the case pages
# ---------------------------------------------------------------------------------------------

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
    offered = {e.code for e in exemption_list.for_kind(case.kind)}
    foreign = [code for code in case.exemption_codes or [] if code not in offered]
    if foreign:
        errors["exemption_codes"] = ERR_EXEMPTION_NOT_OF_KIND.format(
            items=", ".join(exemption_list.labels(foreign)), kind=Kind(case.kind).label
        )
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
    _apply_deadline(case, deadline)
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


# ---------------------------------------------------------------------------------------------
# Bank holidays changed (signal from hackperf.signals, connected in InfogovConfig.ready)
# ---------------------------------------------------------------------------------------------


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
        _apply_deadline(case, deadline)
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


# ---------------------------------------------------------------------------------------------
# Escalations
# ---------------------------------------------------------------------------------------------

# The outbox kind of the escalation digests (``hackperf.outbox``).
OUTBOX_KIND = "infogov.escalation_digest"

ERR_ACKNOWLEDGE_NOTHING = "This case has not been escalated: there is nothing to acknowledge."
ERR_COMMENT_TOO_LONG = "Keep the comment to 2,000 characters."

RECIPIENT_LABELS = {
    "case_officer": "case officer",
    "service_lead": "service lead",
    "director": "director",
    "group_director": "group director",
}
# What a reader is told a case is, never its subject: a SAR's subject can name a person.
KIND_LABELS: dict[str, str] = {
    Kind.FOI: "FOI request",
    Kind.EIR: "EIR request",
    Kind.SAR: "Subject access request",
}


@dataclass(frozen=True)
class Recipient:
    """Who a rule's recipient kind is for one case: an address, or what is missing."""

    kind: str
    address: str
    resolver: str  # the outbox resolver that finds the address at send time
    resolver_args: dict[str, int]
    missing: str  # shown while there is no address


def escalation_slots(case: Case, kinds: Iterable[str]) -> list[Recipient]:
    """The recipients of a rule for ``case``, one per kind, with or without an address."""
    slots: list[Recipient] = []
    for kind in kinds:
        if kind == "case_officer":
            address = case.officer.email if case.officer else ""
            if case.officer is None:
                missing = f"allocate a case officer to {case.reference}"
            else:
                name = case.officer.get_full_name() or case.officer.username
                missing = f"add an e-mail address for {name}, the officer of {case.reference}"
            slots.append(
                Recipient(kind, address, "infogov.case_officer", {"case": case.pk}, missing)
            )
        elif kind == "service_lead":
            address = case.service.lead_email if case.service else ""
            where = case.service.name if case.service else f"the service of {case.reference}"
            missing = f"add the service lead's address for {where}"
            slots.append(
                Recipient(kind, address, "infogov.service_lead", {"case": case.pk}, missing)
            )
        else:
            field = "director_email" if kind == "director" else "group_director_email"
            address = getattr(case.directorate, field)
            missing = f"add the {RECIPIENT_LABELS[kind]}'s address for {case.directorate}"
            slots.append(
                Recipient(
                    kind,
                    address,
                    f"infogov.{kind}",
                    {"directorate": case.directorate_id},
                    missing,
                )
            )
    return slots


def escalation_recipients(case: Case, kinds: Iterable[str]) -> list[str]:
    """The e-mail addresses for a rule's recipient kinds; blanks dropped, order kept."""
    found: list[str] = []
    for slot in escalation_slots(case, kinds):
        if slot.address and slot.address not in found:
            found.append(slot.address)
    return found


# Resolvers the outbox asks, at send time, for the address of a message that had none.
def resolve_case_officer(*, case: int) -> str:
    found = Case.objects.filter(pk=case).values_list("officer__email", flat=True).first()
    return found or ""


def resolve_service_lead(*, case: int) -> str:
    found = Case.objects.filter(pk=case).values_list("service__lead_email", flat=True).first()
    return found or ""


def resolve_director(*, directorate: int) -> str:
    found = Directorate.objects.filter(pk=directorate).values_list("director_email", flat=True)
    return found.first() or ""


def resolve_group_director(*, directorate: int) -> str:
    found = Directorate.objects.filter(pk=directorate).values_list(
        "group_director_email", flat=True
    )
    return found.first() or ""


OUTBOX_RESOLVERS: dict[str, Callable[..., str]] = {
    "infogov.case_officer": resolve_case_officer,
    "infogov.service_lead": resolve_service_lead,
    "infogov.director": resolve_director,
    "infogov.group_director": resolve_group_director,
}


def _claim(rows: list[tuple[int, str, datetime, list[str], str]]) -> dict[tuple[int, str], int]:
    """Insert escalation rows, skipping those that exist; the (case, level) inserted → pk.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the ``(case, level)`` unique constraint:
    a concurrent scan blocks on the other's uncommitted row, then skips it, so exactly one
    run owns (and e-mails) each escalation. Not a check-then-insert.
    """
    if not rows:
        return {}
    table = Escalation._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    values = ", ".join([f"(%s, %s, %s, %s{cast}, %s)"] * len(rows))
    params: list[Any] = []
    for case_id, level, at, recipients, skipped in rows:
        params.extend([case_id, level, at, json.dumps(recipients), skipped])
    sql = (
        f"INSERT INTO {table} (case_id, level, escalated_at, recipients, skipped_reason) "
        f"VALUES {values} ON CONFLICT (case_id, level) DO NOTHING RETURNING id, case_id, level"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(case_id, level): pk for pk, case_id, level in cursor.fetchall()}


@transaction.atomic
def director_directorates_set(*, director, directorates: Iterable[Directorate], actor) -> None:
    """Say which directorates' cases ``director`` sees (``Directorate.directors``).

    Only people in the director role are scoped this way (``querysets.sees_every_directorate``);
    linking anyone else would do nothing, so it is refused rather than silently kept.
    """
    from hackperf.roles import Role

    if not director.groups.filter(name=Role.DIRECTOR.value).exists():
        name = director.get_full_name() or director.username
        raise ValidationError({"directorates": ERR_NOT_A_DIRECTOR.format(name=name)})
    director.infogov_directorates.set(list(directorates))
    logger.info(
        "directorates of %s set to %s by %s",
        director.username,
        sorted(d.pk for d in directorates),
        getattr(actor, "username", actor),
    )


def case_url(case: Case) -> str:
    """The case page's address; absolute with ``SITE_URL`` (required in production)."""
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "infogov:case_detail", args=[case.pk]
    )


def _when(case: Case, today: date, left: int) -> str:
    if case.due < today:
        return f"overdue since {format_date(case.due)}"
    return f"due {format_date(case.due)}: {left} working day{'s' if left != 1 else ''} left"


@dataclass(frozen=True)
class DigestItem:
    case: Case
    level: str
    left: int  # working days left; negative once overdue


def escalation_digest(items: Sequence[DigestItem], *, today: date) -> tuple[str, str]:
    """The subject and body of one recipient's digest: each case with its level, due date,
    working days left and an absolute link. No requester data and no subject line.
    """
    items = sorted(items, key=lambda i: (i.case.due, i.case.reference, i.level))
    if len(items) == 1:
        only = items[0]
        subject = (
            f"[{only.case.get_kind_display()}] {only.case.reference} "
            f"{_when(only.case, today, only.left)}"
        )
    else:
        overdue = sum(1 for i in items if i.case.due < today)
        subject = f"{len(items)} FOI/EIR/SAR cases need action ({overdue} overdue)"
    lines = [
        f"Information governance escalations, {format_date(today)}.",
        "",
        "These cases are near or past their statutory due date:",
        "",
    ]
    for number, item in enumerate(items, start=1):
        case = item.case
        late = abs(item.left)
        left = (
            f"none: {late} working day{'s' if late != 1 else ''} overdue"
            if case.due < today
            else str(max(item.left, 0))
        )
        where = f"{case.directorate}{', ' + case.service.name if case.service else ''}"
        officer = (case.officer.get_full_name() or case.officer.username) if case.officer else None
        lines += [
            f"{number}. {KIND_LABELS.get(case.kind, case.get_kind_display())} {case.reference}"
            f" ({where})",
            f"   Level: {EscalationLevel(item.level).label}",
            f"   Due: {format_date(case.due)} ({case.regime})",
            f"   Working days left: {left}",
            f"   Case officer: {officer or 'not allocated'}",
            f"   Open the case: {case_url(case)}",
            "",
        ]
    lines.append("Directors: acknowledge each case once on its page; one acknowledgement covers")
    lines.append("all its levels.")
    return subject, "\n".join(lines) + "\n"


@dataclass(frozen=True)
class EscalationSent:
    """A level recorded as escalated by a run, with the addresses known at the time."""

    case_id: int
    level: str
    recipients: tuple[str, ...]


@dataclass
class EscalationRun:
    escalated: list[EscalationSent]
    skipped: list[tuple[int, str, str]]  # case, level, why
    messages: int  # digests queued in the outbox by this run
    sent: int  # e-mails the outbox sent at once (the rest go on its next runs)


def _due_levels(case: Case, rules, thresholds: dict[str, date | None], today: date):
    due = []
    for rule in rules:
        threshold = thresholds[rule.level.value]
        if (threshold is None and case.due < today) or (
            threshold is not None and case.due <= threshold
        ):
            due.append(rule)
    return due


def escalations_send(
    *,
    today: date,
    now: datetime | None = None,
    calendar: HolidayCalendar | None = None,
    send: bool = True,
) -> EscalationRun:
    """Escalate open cases near or past their due date, through the outbox.

    The ladder: of the levels a case has reached and that are not yet recorded, only the
    highest is escalated; the lower ones are recorded as skipped, with why (a case first
    seen overdue tells the group director, not three people at once). Each (case, level) is
    recorded once, ever (``_claim``); the recorded levels and one digest e-mail per recipient
    (all that recipient's cases of this run) are written in one transaction, so a worker
    that dies afterwards loses nothing: the outbox sends what is left. A recipient with no
    address gets a "no recipient" message that goes out once the address is added.

    Levels and recipients come from ``selectors.escalation_rules()`` (settings
    ``INFOGOV_ESCALATION_LEVELS``). Cases whose clock is stopped (awaiting clarification, fee
    or ID) are skipped: their due date is provisional. With ``send``, the queued digests are
    sent at once (``hackperf.outbox.outbox_send``), this run's and any a dead run left; a
    failure stays on its message, retried there.
    """
    now = now or timezone.now()
    calendar = calendar or selectors.holiday_calendar()
    rules = selectors.escalation_rules()
    if not rules:
        return EscalationRun([], [], 0, 0)
    order = {level.value: index for index, level in enumerate(EscalationLevel)}
    thresholds: dict[str, date | None] = {
        rule.level.value: None
        if rule.working_days_before is None
        else add_working_days(
            today, rule.working_days_before, calendar=calendar, divisions=selectors.STAFF_DIVISIONS
        )
        for rule in rules
    }
    latest = max((t for t in thresholds.values() if t is not None), default=today)
    cases = (
        Case.objects.open()
        .filter(clock_stopped=False, due__lte=max(latest, today))
        .select_related("directorate", "service", "officer")
        .prefetch_related("escalations")
        .order_by("due", "pk")
    )
    rows: list[tuple[int, str, datetime, list[str], str]] = []
    plan: dict[tuple[int, str], tuple[Case, selectors.EscalationRule, str]] = {}
    for case in cases:
        recorded = {e.level for e in case.escalations.all()}
        pending = [
            r for r in _due_levels(case, rules, thresholds, today) if r.level not in recorded
        ]
        if not pending:
            continue
        top = max(pending, key=lambda r: order[r.level.value])
        higher_recorded = [level for level in recorded if order[level] > order[top.level.value]]
        for rule in pending:
            if higher_recorded:
                why = "not e-mailed: a higher level had already been escalated"
            elif rule is top:
                why = ""
            else:
                why = (
                    f"not e-mailed: “{top.level.label}” was due at the same scan "
                    f"({format_date(today)}), and only the highest level due is sent"
                )
            recipients = escalation_recipients(case, rule.recipients) if not why else []
            rows.append((case.pk, rule.level.value, now, recipients, why))
            plan[(case.pk, rule.level.value)] = (case, rule, why)

    with transaction.atomic():
        claimed = _claim(rows)
        escalated, skipped = [], []
        groups: dict[tuple, tuple[Recipient, list[DigestItem], list[int]]] = {}
        for (case_id, level), pk in sorted(claimed.items(), key=lambda kv: kv[1]):
            case, rule, why = plan[(case_id, level)]
            if why:
                skipped.append((case_id, level, why))
                continue
            escalated.append(
                EscalationSent(case_id, level, tuple(escalation_recipients(case, rule.recipients)))
            )
            left = selectors.working_days_left(today, case.due, calendar=calendar)
            for slot in escalation_slots(case, rule.recipients):
                if slot.address:
                    key: tuple = ("to", slot.address.lower())
                else:
                    key = ("none", slot.resolver, tuple(sorted(slot.resolver_args.items())))
                group = groups.setdefault(key, (slot, [], []))
                group[1].append(DigestItem(case, level, left))
                group[2].append(pk)
        mails, links = [], []
        for key, (slot, items, pks) in groups.items():
            subject, body = escalation_digest(items, today=today)
            ids = ",".join(str(pk) for pk in sorted(set(pks)))
            dedupe = outbox.stable_key(
                OUTBOX_KIND, today.isoformat(), *key[1:], hashlib.sha256(ids.encode()).hexdigest()
            )
            mails.append(
                outbox.Mail(
                    dedupe_key=dedupe,
                    kind=OUTBOX_KIND,
                    subject=subject,
                    body=body,
                    to=(slot.address,) if slot.address else (),
                    headers={
                        "X-Hackperf-Levels": ",".join(sorted({i.level for i in items})),
                        "X-Hackperf-Cases": str(len({i.case.pk for i in items})),
                    },
                    resolver=slot.resolver,
                    resolver_args=slot.resolver_args,
                    no_recipient_reason="" if slot.address else slot.missing,
                )
            )
            links.append((dedupe, sorted(set(pks))))
        messages = outbox.enqueue(mails, now=now)
        through = Escalation.messages.through
        through.objects.bulk_create(
            [
                through(escalation_id=pk, outboxmessage_id=messages[dedupe].pk)
                for dedupe, pks in links
                for pk in pks
            ],
            ignore_conflicts=True,
        )
    # Also when this run queued nothing: a rerun after a lost worker sends what it left.
    sent = outbox.outbox_send(now=now, kinds=[OUTBOX_KIND]).sent if send else 0
    return EscalationRun(escalated, skipped, len(mails), sent)


@transaction.atomic
def case_acknowledge(*, case: Case, user, comment: str = "", now: datetime | None = None) -> bool:
    """A director acknowledges a case's escalations, all its levels at once, with an
    optional comment; False if someone already had (the first acknowledgement wins)."""
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": ERR_COMMENT_TOO_LONG})
    if not Escalation.objects.filter(case=case, skipped_reason="").exists():
        raise ValidationError(ERR_ACKNOWLEDGE_NOTHING)
    _, created = EscalationAcknowledgement.objects.get_or_create(
        case=case, defaults={"by": user, "at": now or timezone.now(), "comment": comment}
    )
    return created


@transaction.atomic
def directorate_update_addresses(
    *, directorate: Directorate, director_name: str, director_email: str, group_director_email: str
) -> Directorate:
    """Change a directorate's director and addresses; e-mails waiting for one of them go out.

    The outbox resolves a waiting message's address when it sends, so this only asks for a
    send run once the change is committed.
    """
    directorate.director_name = director_name
    directorate.director_email = director_email
    directorate.group_director_email = group_director_email
    directorate.full_clean()
    directorate.save()
    transaction.on_commit(outbox.trigger_send)
    return directorate


# ---------------------------------------------------------------------------------------------
# Import (``import_cases``): all or nothing, idempotent by reference
# ---------------------------------------------------------------------------------------------

ERR_UNKNOWN_DIRECTORATE = "unknown directorate {name!r}: add it (with its director) first"
ERR_UNKNOWN_SERVICE = "the {directorate} directorate has no service {name!r}: add it first"
ERR_IMPORT_REOPEN = "the export has the case open, but it is {status} here"
ERR_IMPORT_REWRITE = "the export says {field} {new}, but {old} is recorded: fix it by hand"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False


def _import_close(case: Case, record: CaseRecord, today: date, now: datetime) -> None:
    """Bring an open case to the export's closed state: responded or withdrawn, then closed."""
    if record.responded is not None:
        case_respond(
            case=case,
            responded=record.responded,
            outcome=record.outcome,
            **_import_exemptions(record),
            note="Imported.",
            today=today,
        )
    elif record.withdrawn is not None:
        case_record_clock_event(
            case=case,
            kind=EventKind.WITHDRAWN,
            date=record.withdrawn,
            note="Imported.",
            today=today,
            now=now,
        )
    if record.status == Status.CLOSED:
        case_close(case=case)


def _import_update(
    case: Case, record: CaseRecord, *, directorate, service, today, now, calendar
) -> bool:
    """Apply a newer export's view of ``case``; True if anything changed."""
    changed = False
    _import_check_history(case, record)
    fields = _import_fields(case, record, directorate, service)
    dirty = [name for name, value in fields.items() if getattr(case, name) != value]
    moved = case.kind != record.kind or case.received != record.received
    if dirty or moved:
        for name in dirty:
            setattr(case, name, fields[name])
        case.kind, case.received = record.kind, record.received
        case.full_clean()
        case.save(update_fields=[*dirty, "kind", "received"])
        changed = True
    if moved:
        case_recompute_due(
            case=case, reason="Import: kind or date received corrected.", calendar=calendar, now=now
        )
    if case.is_open and not record.is_open:
        _import_close(case, record, today, now)
        changed = True
    elif case.status == Status.RESPONDED or case.status == Status.WITHDRAWN:
        if record.status == Status.CLOSED:
            case_close(case=case)
            changed = True
    return changed


def cases_import(
    *,
    records: Iterable[CaseRecord],
    errors: list[RowError],
    dry_run: bool = False,
    today: date | None = None,
    now: datetime | None = None,
    calendar: HolidayCalendar | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportResult:
    """Create or update the cases of an export, through the case services; all or nothing.

    Cases are matched by reference: a re-import changes nothing, a newer export moves cases
    on (responded, withdrawn, closed; corrected subject, channel, directorate, service). It
    never reopens a case nor rewrites a recorded response. Directorates and services are
    matched by name (case-insensitive) and never created: they need a director and a lead
    with e-mail addresses for the escalations. Due dates come from the engine, with their
    working. Each bad row is appended to ``errors`` (an ``infogov.importers.RowError``).

    Two passes. The first checks every record against the rules the services apply, and
    counts, writing nothing: a refused file or a dry run ends there (no rows written and
    rolled back, so no dead rows). Only then are the records written, in one transaction;
    should a service still refuse one (something the check cannot foresee), that row is
    reported and the transaction rolled back. ``progress(phase, rows, total)``, if given, is
    told how far each pass has gone. The records are held in memory between the passes (a
    council's cases run to thousands, not millions).
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    calendar = calendar or selectors.holiday_calendar()
    result = ImportResult()
    directorates = {d.name.casefold(): d for d in Directorate.objects.all()}
    services = {(s.directorate_id, s.name.casefold()): s for s in Service.objects.all()}

    # Pass 1: check and count.
    checked: list[tuple[CaseRecord, Directorate, Service | None]] = []
    kept: list[CaseRecord] = []
    for record in records:
        kept.append(record)
        if progress is not None and len(kept) % PROGRESS_EVERY == 0:
            progress(CHECKING, len(kept), None, items=len(kept))
    stored = _stored_cases([r.reference for r in kept])
    for record in kept:
        found = _import_lookups(record, directorates, services, errors)
        if found is None:
            continue
        directorate, service = found
        case = stored.get(record.reference)
        messages = (
            _import_check_new(record, directorate, service, today=today, calendar=calendar)
            if case is None
            else _import_check_update(case, record, directorate, service, today=today)
        )
        if messages:
            errors.append(RowError(record.line, "; ".join(messages)))
            continue
        checked.append((record, directorate, service))
        if case is None:
            result.created += 1
        elif _import_changes(case, record, directorate, service):
            result.updated += 1
        else:
            result.unchanged += 1
    if progress is not None:
        progress(CHECKING, len(kept), len(kept), items=len(kept))
    if errors or dry_run:
        return result

    # Pass 2: write.
    result = ImportResult()
    with transaction.atomic():
        for done, (record, directorate, service) in enumerate(checked, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(WRITING, done, len(checked), items=done)
            try:
                with transaction.atomic():  # a savepoint: one bad row leaves the others intact
                    case = (
                        Case.objects.select_for_update().filter(reference=record.reference).first()
                    )
                    if case is None:
                        case = case_log(
                            reference=record.reference,
                            kind=record.kind,
                            received=record.received,
                            channel=record.channel,
                            subject=record.subject,
                            directorate=directorate,
                            service=service,
                            requester_name=record.requester_name,
                            requester_email=record.requester_email,
                            today=today,
                            calendar=calendar,
                            now=now,
                        )
                        if not record.is_open:
                            _import_close(case, record, today, now)
                        result.created += 1
                    elif _import_update(
                        case,
                        record,
                        directorate=directorate,
                        service=service,
                        today=today,
                        now=now,
                        calendar=calendar,
                    ):
                        result.updated += 1
                    else:
                        result.unchanged += 1
            except ValidationError as error:
                errors.append(RowError(record.line, "; ".join(_messages(error))))
        if errors:
            transaction.set_rollback(True)
            result = ImportResult()
        else:
            result.written = True
    if progress is not None:
        progress(WRITING, len(checked), len(checked), items=len(checked))
    return result


PROGRESS_EVERY = 500
CHECKING = "checking"
WRITING = "writing"


def _stored_cases(references: list[str]) -> dict[str, Case]:
    """The stored cases of these references, in a few queries (chunks of 1,000)."""
    found: dict[str, Case] = {}
    for i in range(0, len(references), 1000):
        chunk = references[i : i + 1000]
        found.update((c.reference, c) for c in Case.objects.filter(reference__in=chunk))
    return found


def _import_lookups(
    record: CaseRecord,
    directorates: dict[str, Directorate],
    services: dict[tuple[int, str], Service],
    errors: list[RowError],
) -> tuple[Directorate, Service | None] | None:
    directorate = directorates.get(record.directorate.casefold())
    if directorate is None:
        errors.append(
            RowError(
                record.line,
                ERR_UNKNOWN_DIRECTORATE.format(name=record.directorate),
                "directorate",
                record.directorate,
            )
        )
        return None
    if not record.service:
        return directorate, None
    service = services.get((directorate.pk, record.service.casefold()))
    if service is None:
        errors.append(
            RowError(
                record.line,
                ERR_UNKNOWN_SERVICE.format(directorate=directorate.name, name=record.service),
                "service",
                record.service,
            )
        )
        return None
    return directorate, service


def _import_check_close(received: date, record: CaseRecord, today: date) -> dict[str, str]:
    """``_import_close``'s services would refuse this response or withdrawal: why."""
    if record.responded is not None:
        errors = _respond_errors(
            received=received,
            responded=record.responded,
            outcome=record.outcome,
            **_import_exemptions(record),
            today=today,
            kind=record.kind,
        )
        if errors.get("exemption_codes") == ERR_EXEMPTIONS_CHOOSE:
            # An export types its exemptions: name its column and say so.
            errors.pop("exemption_codes")
            errors["exemptions"] = ERR_EXEMPTIONS_REQUIRED
        return errors
    if record.withdrawn is not None:
        return _event_date_errors(received=received, date=record.withdrawn, today=today)
    return {}


def _import_check_new(
    record: CaseRecord, directorate: Directorate, service: Service | None, *, today, calendar
) -> list[str]:
    """What ``case_log`` (and ``_import_close``) would refuse in a new case; nothing saved."""
    if record.received > today:
        return _messages(ValidationError({"received": ERR_IN_FUTURE}))
    case = Case(
        reference=record.reference,
        kind=record.kind,
        received=record.received,
        channel=record.channel,
        subject=record.subject,
        directorate=directorate,
        service=service,
        status=Status.RECEIVED,
    )
    messages: list[str] = []
    try:
        _apply_deadline(case, case_deadline(case=case, events=(), calendar=calendar))
        case.full_clean(validate_unique=False)  # the reference is new: no other case has it
    except DeadlineInputError as exc:
        messages += _messages(ValidationError({"received": str(exc)}))
    except ValidationError as error:
        messages += _messages(error)
    try:
        Requester(name=record.requester_name, email=record.requester_email).full_clean(
            exclude=["case"]
        )
    except ValidationError as error:
        messages += _messages(error)
    close = _import_check_close(record.received, record, today)
    if close:
        messages += _messages(ValidationError(close))
    return messages


def _import_check_update(
    case: Case, record: CaseRecord, directorate: Directorate, service: Service | None, *, today
) -> list[str]:
    """What ``_import_update`` would refuse; works on a copy, saves nothing."""
    try:
        _import_check_history(case, record)
    except ValidationError as error:
        return _messages(error)
    clone = copy.copy(case)  # Model.__getstate__ copies its state: the case is untouched
    for name, value in _import_fields(case, record, directorate, service).items():
        setattr(clone, name, value)
    clone.kind, clone.received = record.kind, record.received
    try:
        clone.full_clean(validate_unique=False)
    except ValidationError as error:
        return _messages(error)
    if case.is_open and not record.is_open:
        close = _import_check_close(record.received, record, today)
        if close:
            return _messages(ValidationError(close))
    return []


def _import_check_history(case: Case, record: CaseRecord) -> None:
    """A closed case is never reopened, nor its response or withdrawal rewritten."""
    if case.is_open:
        return
    if record.is_open:
        raise ValidationError(ERR_IMPORT_REOPEN.format(status=case.get_status_display().lower()))
    for name in ("responded", "withdrawn"):
        old, new = getattr(case, name), getattr(record, name)
        if old != new:
            raise ValidationError(
                ERR_IMPORT_REWRITE.format(field=name, new=new or "none", old=old or "none")
            )


def _import_fields(case: Case, record: CaseRecord, directorate, service) -> dict:
    """The attributes an export may change on a stored case."""
    fields = {
        "channel": record.channel,
        "subject": record.subject,
        "directorate": directorate,
        "service": service,
    }
    if not case.is_open and case.responded is not None:
        fields.update(outcome=record.outcome, **_import_exemptions(record))
    return fields


def _import_exemptions(record: CaseRecord) -> dict:
    """An export's typed exemptions as the list's codes where recognised, the rest as typed
    (``infogov.exemptions.parse``); a SAR's stay as typed."""
    codes, leftover = exemption_list.parse(record.exemptions, record.kind)
    return {"exemption_codes": codes, "exemptions": leftover}


def _import_changes(case: Case, record: CaseRecord, directorate, service) -> bool:
    """Whether ``_import_update`` would change the case (the dry run's count)."""
    fields = _import_fields(case, record, directorate, service)
    if any(getattr(case, name) != value for name, value in fields.items()):
        return True
    if case.kind != record.kind or case.received != record.received:
        return True
    if case.is_open and not record.is_open:
        return True
    return case.status in (Status.RESPONDED, Status.WITHDRAWN) and record.status == Status.CLOSED


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
    return list(error.messages)
