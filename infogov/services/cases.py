"""Cases and their clock: logging, allocating, clock events, responses, notes, closing,
and the due date each of them moves.

The due date is never typed in: ``case_recompute_due`` asks the pure engine
(``infogov.deadlines.compute_deadline``) with the case's clock events and stores the result
with its working, recording every move in ``DueDateChange``.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hackperf.saving import validated_save
from hackperf.workdays import HolidayCalendar, format_date
from infogov import exemptions as exemption_list
from infogov import selectors
from infogov.choices import EventKind, Kind, Outcome, Stage, Status
from infogov.deadlines import Deadline, DeadlineInputError, compute_deadline
from infogov.models import (
    Case,
    CaseNote,
    ClockEvent,
    Directorate,
    DueDateChange,
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


def case_apply_deadline(case: Case, deadline: Deadline) -> None:
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
    case_apply_deadline(case, deadline)
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
        case_apply_deadline(case, case_deadline(case=case, events=(), calendar=calendar))
    except DeadlineInputError as exc:
        raise ValidationError({"received": str(exc)}) from exc
    validated_save(case)
    validated_save(
        Requester(
            case=case,
            name=requester_name,
            email=requester_email,
            address=requester_address,
            phone=requester_phone,
        )
    )
    DueDateChange.objects.create(
        case=case, old=None, new=case.due, reason="Case logged.", at=now or timezone.now()
    )
    return case


@transaction.atomic
def case_allocate(*, case: Case, officer, actor=None) -> Case:
    """Give the case to a case officer (or take it back with ``officer=None``)."""
    _require_open(case)
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
    _require_open(case)
    if kind == EventKind.RESPONDED:
        raise ValidationError({"kind": ERR_RESPONDED_EVENT})
    date_errors = clock_event_date_errors(received=case.received, date=date, today=today)
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


def _require_open(case: Case) -> None:
    """Refuse a change to the clock of a case that is no longer open."""
    if not case.is_open:
        raise ValidationError(ERR_CASE_NOT_OPEN.format(status=case.get_status_display().lower()))


def exemptions_not_of_kind(kind: str, codes: Sequence[str]) -> str:
    """The error for exemption codes that are not on ``kind``'s list; "" when all are."""
    offered = {e.code for e in exemption_list.for_kind(kind)}
    foreign = [code for code in codes if code not in offered]
    if not foreign:
        return ""
    return ERR_EXEMPTION_NOT_OF_KIND.format(
        items=", ".join(exemption_list.labels(foreign)), kind=Kind(kind).label
    )


def case_respond_errors(
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
    foreign = exemptions_not_of_kind(kind, exemption_codes)
    if foreign:
        errors["exemption_codes"] = foreign
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


def clock_event_date_errors(*, received: date, date: date, today: date) -> dict[str, str]:
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
    _require_open(case)
    errors = case_respond_errors(
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
    return validated_save(CaseNote(case=case, author=author, at=now or timezone.now(), text=text))


@transaction.atomic
def case_close(*, case: Case, actor=None) -> Case:
    """Close a case that has been responded to or withdrawn."""
    if case.status not in (Status.RESPONDED, Status.WITHDRAWN):
        raise ValidationError(ERR_CLOSE_OPEN)
    case.status = Status.CLOSED
    case.full_clean()
    case.save(update_fields=["status"])
    return case
