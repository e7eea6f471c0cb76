"""All writes of the infogov app: cases, their clock events and due dates, escalations.

Each service is keyword-only, validates with ``full_clean()`` and runs in one transaction.
The due date is never typed in: ``case_recompute_due`` asks the pure engine
(``infogov.deadlines.compute_deadline``) with the case's clock events and stores the result
with its working, recording every move in ``DueDateChange``.
"""

import json
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hackperf.workdays import HolidayCalendar, add_working_days, format_date
from infogov import selectors
from infogov.choices import EventKind, Kind, Outcome, Stage, Status
from infogov.deadlines import Deadline, DeadlineInputError, compute_deadline
from infogov.importers import CaseRecord, RowError
from infogov.models import (
    Case,
    ClockEvent,
    Directorate,
    DueDateChange,
    Escalation,
    Requester,
    Service,
)

logger = logging.getLogger(__name__)

# Error texts (STYLE.md §4): tests reuse them.
ERR_CASE_NOT_OPEN = "This case is {status}: its clock can no longer change."
ERR_BEFORE_RECEIVED = "The date cannot be before the request was received ({received})."
ERR_IN_FUTURE = "The date cannot be in the future."
ERR_SERVICE_DIRECTORATE = "The service {service} is not in the {directorate} directorate."
ERR_EXEMPTIONS_REQUIRED = "Enter the exemptions cited when refusing a request."
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
IN_FORCE = {
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
    actor=None,
    today: date | None = None,
    calendar: HolidayCalendar | None = None,
    now: datetime | None = None,
) -> Case:
    """Log a new case with its requester, and compute its due date."""
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
                    service=service.name, directorate=directorate.name
                )
            }
        )
    if stage != Stage.REQUEST and parent is None:
        raise ValidationError({"parent": ERR_PARENT_REQUIRED})
    case = Case(
        reference=reference,
        kind=kind,
        stage=stage,
        parent=parent,
        received=received,
        channel=channel,
        subject=subject,
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
    if date < case.received:
        raise ValidationError(
            {"date": ERR_BEFORE_RECEIVED.format(received=format_date(case.received))}
        )
    if date > today:
        raise ValidationError({"date": ERR_IN_FUTURE})
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


@transaction.atomic
def case_respond(
    *,
    case: Case,
    responded: date,
    outcome: str,
    exemptions: str = "",
    note: str = "",
    actor=None,
    today: date | None = None,
) -> Case:
    """Record the response to the requester, with its outcome."""
    today = today or timezone.localdate()
    if not case.is_open:
        raise ValidationError(ERR_CASE_NOT_OPEN.format(status=case.get_status_display().lower()))
    errors = {}
    if responded < case.received:
        errors["responded"] = ERR_BEFORE_RECEIVED.format(received=format_date(case.received))
    elif responded > today:
        errors["responded"] = ERR_IN_FUTURE
    if outcome == Outcome.WITHDRAWN:
        errors["outcome"] = ERR_RESPOND_WITHDRAWN
    if outcome == Outcome.REFUSED and not exemptions.strip():
        errors["exemptions"] = ERR_EXEMPTIONS_REQUIRED
    if errors:
        raise ValidationError(errors)
    case.responded = responded
    case.outcome = outcome
    case.exemptions = exemptions.strip()
    case.status = Status.RESPONDED
    case.full_clean()
    case.save(update_fields=["responded", "outcome", "exemptions", "status"])
    ClockEvent.objects.create(
        case=case, kind=EventKind.RESPONDED, date=responded, note=note, actor=actor
    )
    return case


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

# Transient failures the task retries; the claims of unsent e-mails are released first.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError)


def escalation_recipients(case: Case, kinds: Iterable[str]) -> list[str]:
    """The e-mail addresses for a rule's recipient kinds; blanks dropped, order kept."""
    addresses = {
        "case_officer": case.officer.email if case.officer else "",
        "service_lead": case.service.lead_email if case.service else "",
        "director": case.directorate.director_email,
        "group_director": case.directorate.group_director_email,
    }
    found: list[str] = []
    for kind in kinds:
        if addresses[kind] and addresses[kind] not in found:
            found.append(addresses[kind])
    return found


def _claim(rows: list[tuple[int, str, datetime, list[str]]]) -> set[tuple[int, str]]:
    """Insert escalation rows, skipping those that exist; return the (case, level) inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the ``(case, level)`` unique constraint:
    a concurrent scan blocks on the other's uncommitted row, then skips it, so exactly one
    run owns (and e-mails) each escalation. Not a check-then-insert.
    """
    if not rows:
        return set()
    table = Escalation._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    values = ", ".join([f"(%s, %s, %s, %s{cast})"] * len(rows))
    params: list[object] = []
    for case_id, level, sent_at, recipients in rows:
        params.extend([case_id, level, sent_at, json.dumps(recipients)])
    sql = (
        f"INSERT INTO {table} (case_id, level, sent_at, recipients) VALUES {values} "
        "ON CONFLICT (case_id, level) DO NOTHING RETURNING case_id, level"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(case_id, level) for case_id, level in cursor.fetchall()}


def _escalation_email(case: Case, level: str, *, today: date, left: int) -> EmailMessage:
    # No requester data and no subject line (a SAR's subject can name a person): the
    # reference and a link are enough for the reader to open the case if they may.
    url = getattr(settings, "SITE_URL", "").rstrip("/") + reverse(
        "infogov:case_detail", args=[case.pk]
    )
    if left < 0 or case.due < today:
        when = f"overdue since {format_date(case.due)}"
    else:
        when = f"due {format_date(case.due)}: {left} working day{'s' if left != 1 else ''} left"
    subject = f"[{case.get_kind_display()}] {case.reference} {when}"
    body = (
        f"{case.get_kind_display()} case {case.reference} ({case.directorate}"
        f"{', ' + case.service.name if case.service else ''}) is {when}.\n"
        f"Statutory regime: {case.regime}.\n"
        f"Case officer: {case.officer.get_full_name() if case.officer else 'not allocated'}.\n\n"
        f"Open the case: {url}\n"
    )
    return EmailMessage(subject=subject, body=body, to=[], headers={"X-Hackperf-Level": level})


@dataclass(frozen=True)
class EscalationSent:
    case_id: int
    level: str
    recipients: tuple[str, ...]


def escalations_send(
    *, today: date, now: datetime | None = None, calendar: HolidayCalendar | None = None
) -> list[EscalationSent]:
    """Escalate open cases near or past their due date: claim each (case, level), then e-mail.

    Levels and recipients come from ``selectors.escalation_rules()`` (settings
    ``INFOGOV_ESCALATION_LEVELS``). Cases whose clock is stopped (awaiting clarification, fee
    or ID) are skipped: their due date is provisional. Only rows this run inserted are
    e-mailed, so a second or concurrent run sends nothing twice. If sending fails with a
    transient error, the claims not yet e-mailed are released before re-raising, so the
    task's retry sends them.
    """
    now = now or timezone.now()
    calendar = calendar or selectors.holiday_calendar()
    candidates: dict[tuple[int, str], tuple[Case, list[str]]] = {}
    for rule in selectors.escalation_rules():
        queryset = (
            Case.objects.open()
            .filter(clock_stopped=False)
            .exclude(escalations__level=rule.level)
            .select_related("directorate", "service", "officer")
        )
        if rule.working_days_before is None:
            queryset = queryset.filter(due__lt=today)
        else:
            threshold = add_working_days(
                today,
                rule.working_days_before,
                calendar=calendar,
                divisions=selectors.STAFF_DIVISIONS,
            )
            queryset = queryset.filter(due__lte=threshold)
        for case in queryset.order_by("due", "pk"):
            candidates[(case.pk, rule.level.value)] = (
                case,
                escalation_recipients(case, rule.recipients),
            )

    with transaction.atomic():
        claimed = _claim(
            [(case_id, level, now, recips) for (case_id, level), (_, recips) in candidates.items()]
        )

    to_send = [key for key in candidates if key in claimed]
    sent: list[EscalationSent] = []
    with get_connection() as mail:
        for index, (case_id, level) in enumerate(to_send):
            case, recipients = candidates[(case_id, level)]
            if recipients:
                left = selectors.working_days_left(today, case.due, calendar=calendar)
                message = _escalation_email(case, level, today=today, left=left)
                message.to = recipients
                message.connection = mail
                try:
                    message.send()
                except TRANSIENT_EMAIL_ERRORS:
                    unsent = to_send[index:]
                    for unsent_case, unsent_level in unsent:
                        Escalation.objects.filter(case_id=unsent_case, level=unsent_level).delete()
                    raise
            sent.append(EscalationSent(case_id, level, tuple(recipients)))
    return sent


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, user, now: datetime | None = None) -> bool:
    """Mark an escalation as seen by ``user``; False if someone already had (first one wins)."""
    updated = Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=now or timezone.now()
    )
    escalation.refresh_from_db()
    return bool(updated)


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
            exemptions=record.exemptions,
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
    if not case.is_open:
        if record.is_open:
            raise ValidationError(
                ERR_IMPORT_REOPEN.format(status=case.get_status_display().lower())
            )
        for name in ("responded", "withdrawn"):
            old, new = getattr(case, name), getattr(record, name)
            if old != new:
                raise ValidationError(
                    ERR_IMPORT_REWRITE.format(field=name, new=new or "none", old=old or "none")
                )
    fields = {
        "channel": record.channel,
        "subject": record.subject,
        "directorate": directorate,
        "service": service,
    }
    if not case.is_open and case.responded is not None:
        fields.update(outcome=record.outcome, exemptions=record.exemptions)
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
) -> ImportResult:
    """Create or update the cases of an export, through the case services; all or nothing.

    Cases are matched by reference: a re-import changes nothing, a newer export moves cases
    on (responded, withdrawn, closed; corrected subject, channel, directorate, service). It
    never reopens a case nor rewrites a recorded response. Directorates and services are
    matched by name (case-insensitive) and never created: they need a director and a lead
    with e-mail addresses for the escalations. Due dates come from the engine, with their
    working. Each bad row is appended to ``errors`` (an ``infogov.importers.RowError``) and,
    if there are any (including the reader's, in the same list), nothing is written.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    calendar = calendar or selectors.holiday_calendar()
    result = ImportResult()
    with transaction.atomic():
        directorates = {d.name.casefold(): d for d in Directorate.objects.all()}
        services = {(s.directorate_id, s.name.casefold()): s for s in Service.objects.all()}
        for record in records:
            directorate = directorates.get(record.directorate.casefold())
            if directorate is None:
                errors.append(
                    RowError(record.line, ERR_UNKNOWN_DIRECTORATE.format(name=record.directorate))
                )
                continue
            service = None
            if record.service:
                service = services.get((directorate.pk, record.service.casefold()))
                if service is None:
                    errors.append(
                        RowError(
                            record.line,
                            ERR_UNKNOWN_SERVICE.format(
                                directorate=directorate.name, name=record.service
                            ),
                        )
                    )
                    continue
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
        if errors or dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    return result


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
    return list(error.messages)
