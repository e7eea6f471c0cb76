"""Escalations of cases near or past their due date, e-mailed through the outbox, their
acknowledgement by directors, and who the directors and their addresses are."""

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
from infogov import selectors
from infogov.choices import EscalationLevel, Kind
from infogov.models import (
    Case,
    Directorate,
    Escalation,
    EscalationAcknowledgement,
)

logger = logging.getLogger(__name__)

ERR_NOT_A_DIRECTOR = "{name} is not in the director role: give them the role first."
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
