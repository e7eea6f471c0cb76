"""Case import (``import_cases``): all or nothing, idempotent by reference."""

import copy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hackperf.importing.rows import RowError
from hackperf.workdays import HolidayCalendar
from infogov import exemptions as exemption_list
from infogov import selectors
from infogov.choices import EventKind, Status
from infogov.deadlines import DeadlineInputError
from infogov.importers import CaseRecord
from infogov.models import (
    Case,
    Directorate,
    Requester,
    Service,
)
from infogov.services.cases import (
    ERR_EXEMPTIONS_CHOOSE,
    ERR_EXEMPTIONS_REQUIRED,
    ERR_IN_FUTURE,
    case_apply_deadline,
    case_close,
    case_deadline,
    case_log,
    case_recompute_due,
    case_record_clock_event,
    case_respond,
    case_respond_errors,
    clock_event_date_errors,
)

logger = logging.getLogger(__name__)

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
    working. Each bad row is appended to ``errors`` (a ``hackperf.importing.rows.RowError``).

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
            errors.append(RowError(record.line, None, None, "; ".join(messages)))
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
                            **_case_fields(record),
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
                errors.append(RowError(record.line, None, None, "; ".join(_messages(error))))
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
                "directorate",
                record.directorate,
                ERR_UNKNOWN_DIRECTORATE.format(name=record.directorate),
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
                "service",
                record.service,
                ERR_UNKNOWN_SERVICE.format(directorate=directorate.name, name=record.service),
            )
        )
        return None
    return directorate, service


def _import_check_close(received: date, record: CaseRecord, today: date) -> dict[str, str]:
    """``_import_close``'s services would refuse this response or withdrawal: why."""
    if record.responded is not None:
        errors = case_respond_errors(
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
        return clock_event_date_errors(received=received, date=record.withdrawn, today=today)
    return {}


def _case_fields(record: CaseRecord) -> dict:
    """What a new case takes from its record, as ``case_log`` and ``Case`` are given it."""
    return {
        "reference": record.reference,
        "kind": record.kind,
        "received": record.received,
        "channel": record.channel,
        "subject": record.subject,
    }


def _import_check_new(
    record: CaseRecord, directorate: Directorate, service: Service | None, *, today, calendar
) -> list[str]:
    """What ``case_log`` (and ``_import_close``) would refuse in a new case; nothing saved."""
    if record.received > today:
        return _messages(ValidationError({"received": ERR_IN_FUTURE}))
    case = Case(
        **_case_fields(record),
        directorate=directorate,
        service=service,
        status=Status.RECEIVED,
    )
    messages: list[str] = []
    try:
        case_apply_deadline(case, case_deadline(case=case, events=(), calendar=calendar))
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
