"""Reads of the infogov app that span models or feed a page, a job or another app."""

import calendar as calendar_module
import operator
import re
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case as Conditional
from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from hackperf import bank_holidays
from hackperf.choices import OutboxStatus
from hackperf.dates import check_in_range
from hackperf.models import OutboxMessage
from hackperf.roles import Role
from hackperf.workdays import (
    Division,
    HolidayCalendar,
    working_days_between,
)
from infogov import choices, privacy
from infogov.deadlines import (
    DEFAULT_SETTINGS,
    FLAG_EIR_BEYOND_40,
    FLAG_EXTENSION_BEYOND_20,
    FLAG_SECOND_EXTENSION,
    DeadlineSettings,
)
from infogov.models import Case, CaseNote, ClockEvent, Directorate, DueDateChange, Escalation

# The council works England and Wales days: escalation offsets and "working days left" are
# counted on them (the statutory FOI count itself, in infogov.deadlines, uses all UK divisions).
STAFF_DIVISIONS = (Division.ENGLAND_AND_WALES,)


# ---------------------------------------------------------------------------------------------
# Calendar and settings
# ---------------------------------------------------------------------------------------------


def bundled_calendar() -> HolidayCalendar:
    """The bundled GOV.UK copy with the ``holidays`` package around it (tests, demo)."""
    return bank_holidays.bundled_calendar_with_fallback()


def holiday_calendar() -> HolidayCalendar:
    """The bank holidays deadlines count: the database's, through hackperf's one cached loader
    (``hackperf.bank_holidays.holiday_calendar``).

    The one place infogov reads the calendar, so tests patch this function.
    """
    return bank_holidays.holiday_calendar()


def deadline_settings() -> DeadlineSettings:
    """The council's readings of the law (``settings.INFOGOV_DEADLINE_SETTINGS``, a dict)."""
    overrides: dict[str, Any] = getattr(settings, "INFOGOV_DEADLINE_SETTINGS", {}) or {}
    return DeadlineSettings(**overrides) if overrides else DEFAULT_SETTINGS


@dataclass(frozen=True)
class EscalationRule:
    level: choices.EscalationLevel
    working_days_before: int | None  # None: once the due date has passed
    recipients: tuple[str, ...]  # case_officer, service_lead, director, group_director


DEFAULT_ESCALATION_LEVELS: dict[str, dict[str, Any]] = {
    "t_minus_5": {"working_days_before": 5, "recipients": ["case_officer", "service_lead"]},
    "t_minus_2": {"working_days_before": 2, "recipients": ["director"]},
    "overdue": {"working_days_before": None, "recipients": ["group_director"]},
}
RECIPIENT_KINDS = ("case_officer", "service_lead", "director", "group_director")


def escalation_rules() -> list[EscalationRule]:
    """The escalation levels: the defaults, overridden by ``settings.INFOGOV_ESCALATION_LEVELS``."""
    configured = {**DEFAULT_ESCALATION_LEVELS, **getattr(settings, "INFOGOV_ESCALATION_LEVELS", {})}
    rules = []
    for level in choices.EscalationLevel:
        conf = configured.get(level.value)
        if conf is None:  # a council may switch a level off by setting it to None
            continue
        unknown = set(conf["recipients"]) - set(RECIPIENT_KINDS)
        if unknown:
            raise ValueError(f"INFOGOV_ESCALATION_LEVELS[{level.value!r}]: unknown {unknown}")
        rules.append(EscalationRule(level, conf["working_days_before"], tuple(conf["recipients"])))
    return rules


def working_days_left(today: date, due: date, *, calendar: HolidayCalendar) -> int:
    """Working days after today up to and including the due date; negative once overdue."""
    return working_days_between(today, due, calendar=calendar, divisions=STAFF_DIVISIONS)


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def case_officers() -> QuerySet:
    """People who may be given cases: the IG officers."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.IG_OFFICER.value)
        .order_by("first_name", "last_name", "pk")
        .distinct()
    )


def directors_with_directorates() -> QuerySet:
    """Active people in the director role, each with the directorates they see (two queries)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.DIRECTOR.value)
        .prefetch_related(
            Prefetch("infogov_directorates", queryset=Directorate.objects.order_by("name", "pk"))
        )
        .order_by("first_name", "last_name", "pk")
        .distinct()
    )


def cases_for_overview(user, *, with_requester: bool) -> QuerySet:
    """Open cases ``user`` may see, for the IG overview; the requester is joined only for
    those who may see it."""
    related = ["directorate", "service", "officer"]
    if with_requester:
        related.append("requester")
    return (
        Case.objects.visible_to(user)
        .open()
        .select_related(*related)
        .defer("request_text")
        .order_by("due", "pk")
    )


def extension_flagged(flags: tuple[str, ...], *, prefix: str = "") -> Q:
    """Cases whose stored working carries any of the engine's ``flags``.

    The engine writes each flag into the working as "Flag: <text>"; the flag texts are its
    constants, so a reworded flag cannot silently stop being counted.
    """
    conditions = [Q(**{f"{prefix}due_working__icontains": flag}) for flag in flags]
    return reduce(operator.or_, conditions)


# A second extension (FOIA s.10(3) or EIR reg 7), and one beyond 20 further working days (the
# ICO's normal maximum for a public-interest extension; EIR reg 7(1): 40 working days in all).
# Allowed, but flagged by the engine and counted (issue 4).
SECOND_EXTENSION_FLAGS = (FLAG_SECOND_EXTENSION,)
BEYOND_20_FLAGS = (FLAG_EXTENSION_BEYOND_20, FLAG_EIR_BEYOND_40)


@dataclass(frozen=True)
class OverviewSummary:
    open: int
    overdue: int
    due_this_week: int
    clock_stopped: int
    second_extensions: int = 0
    extensions_beyond_20: int = 0


def overview_summary(queryset: QuerySet, *, today: date, week_end: date) -> OverviewSummary:
    """Counts over the (filtered) open cases, in one query."""
    counts = queryset.order_by().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due__lt=today)),
        due_this_week=Count("pk", filter=Q(due__gte=today, due__lte=week_end)),
        clock_stopped=Count("pk", filter=Q(clock_stopped=True)),
        second_extensions=Count("pk", filter=extension_flagged(SECOND_EXTENSION_FLAGS)),
        extensions_beyond_20=Count("pk", filter=extension_flagged(BEYOND_20_FLAGS)),
    )
    return OverviewSummary(**counts)


def case_for_page(pk: int, user, *, with_requester: bool) -> Case:
    """One case ``user`` may see, with everything its page shows, in a fixed number of
    queries; ``Case.DoesNotExist`` for a case outside their directorates."""
    related = ["directorate", "service", "officer", "parent", "acknowledgement__by"]
    personal = []
    if with_requester:
        related.append("requester")
        # Correspondence notes are personal data: fetched only for those who may read them.
        notes = CaseNote.objects.select_related("author").order_by("at", "pk")
        personal.append(Prefetch("notes", queryset=notes))
    cases = Case.objects.visible_to(user)
    if not with_requester:
        cases = cases.defer("request_text")
    return (
        cases.select_related(*related)
        .prefetch_related(
            *personal,
            Prefetch(
                "events", queryset=ClockEvent.objects.select_related("actor").order_by("date", "pk")
            ),
            Prefetch("due_changes", queryset=DueDateChange.objects.order_by("at", "pk")),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.order_by("escalated_at", "pk").prefetch_related(
                    "messages"
                ),
            ),
            Prefetch("linked_cases", queryset=Case.objects.order_by("received", "pk")),
        )
        .get(pk=pk)
    )


def escalations_for(user) -> QuerySet:
    """Escalations the user may see: a director's own directorates, or all for IG and DMT
    (``Escalation.objects.visible_to``).

    Unacknowledged cases first; each row with its case's acknowledgement and its e-mails
    (outbox messages: sent, queued, failed or waiting for an address).
    """
    return (
        Escalation.objects.visible_to(user)
        .select_related("case", "case__directorate", "case__service", "case__acknowledgement__by")
        .prefetch_related(Prefetch("messages", queryset=OutboxMessage.objects.order_by("pk")))
        .order_by(F("case__acknowledgement__at").asc(nulls_first=True), "-escalated_at", "pk")
    )


def cases_to_acknowledge(user) -> QuerySet:
    """Cases whose escalations ``user`` may acknowledge: those they may see (a director's
    own directorates, ``Case.objects.visible_to``)."""
    return Case.objects.visible_to(user).select_related("directorate")


@dataclass(frozen=True)
class MissingAddress:
    """An address escalation e-mails are waiting for, and where to add it."""

    text: str  # "no recipient: add the group director's address for Chief Executive's"
    messages: int
    directorate_id: int | None  # the directorate to edit, when it is a directorate's address


def escalation_outbox_problems() -> tuple[list[MissingAddress], list[OutboxMessage]]:
    """What stops escalation e-mails: the addresses missing, and the messages failed.

    Two queries whatever the number of messages (grouped in the database).
    """
    from infogov.services.escalations import OUTBOX_KIND

    missing = [
        MissingAddress(
            text=f"no recipient: {row['no_recipient_reason']}",
            messages=row["n"],
            directorate_id=(row["resolver_args"] or {}).get("directorate"),
        )
        for row in OutboxMessage.objects.filter(kind=OUTBOX_KIND, status=OutboxStatus.NO_RECIPIENT)
        .values("no_recipient_reason", "resolver_args")
        .annotate(n=Count("pk"))
        .order_by("no_recipient_reason")
    ]
    failed = list(
        OutboxMessage.objects.filter(kind=OUTBOX_KIND, status=OutboxStatus.FAILED).order_by(
            "-next_attempt_at", "pk"
        )[:20]
    )
    return missing, failed


# ---------------------------------------------------------------------------------------------
# Performance by directorate (IG Group, FR ICT 18/19 by directorate)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str  # "2026-03" or "2026-Q1"
    label: str
    start: date
    end: date


PERIOD_PATTERN = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
PERIOD_FORMATS = "a month as YYYY-MM or a quarter as YYYY-Qn, for example 2026-03 or 2026-Q1"
"""What ``parse_period`` reads, in the words of the form's hint and of its error."""
ERR_PERIOD = f"Enter {PERIOD_FORMATS}"


def parse_period(key: str) -> Period:
    """A month (``2026-03``) or a quarter (``2026-Q1``, calendar quarters) as a date range."""
    match = PERIOD_PATTERN.match(key.strip())
    if not match:
        raise ValueError(ERR_PERIOD)
    year = int(match.group(1))
    # The first day of the year and the last, so a quarter's neighbours stay in range too.
    check_in_range(date(year, 1, 1), shown=key.strip())
    check_in_range(date(year, 12, 31), shown=key.strip())
    if match.group(2):
        month = int(match.group(2))
        last = calendar_module.monthrange(year, month)[1]
        start = date(year, month, 1)
        return Period(key, start.strftime("%B %Y"), start, date(year, month, last))
    quarter = int(match.group(3))
    first_month = 3 * quarter - 2
    last = calendar_module.monthrange(year, first_month + 2)[1]
    return Period(
        key,
        f"Q{quarter} {year} ({date(year, first_month, 1):%B} to "
        f"{date(year, first_month + 2, 1):%B})",
        date(year, first_month, 1),
        date(year, first_month + 2, last),
    )


def recent_periods(today: date, *, months: int = 12, quarters: int = 8) -> list[Period]:
    """The last ``months`` months and ``quarters`` quarters, newest first (for the picker)."""
    periods = []
    year, month = today.year, today.month
    for _ in range(months):
        periods.append(parse_period(f"{year}-{month:02d}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(quarters):
        periods.append(parse_period(f"{year}-Q{quarter}"))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return periods


def default_period(today: date) -> Period:
    """The last full month."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return parse_period(f"{year}-{month:02d}")


@dataclass(frozen=True)
class DirectoratePerformance:
    directorate: str
    received: int
    responded: int
    responded_in_time: int
    outstanding: int
    overdue: int
    second_extensions: int = 0
    extensions_beyond_20: int = 0

    @property
    def percent_in_time(self) -> float | None:
        return 100 * self.responded_in_time / self.responded if self.responded else None


def directorate_performance(
    *,
    start: date,
    end: date,
    today: date,
    kinds: tuple[str, ...] = (),
    directorates: QuerySet | None = None,
) -> list[DirectoratePerformance]:
    """Per directorate: received and responded in the period, % in time, outstanding at its end.

    "In time" is responded on or before the stored statutory due date, which includes any
    permitted extension (DESIGN.md, FR ICT 18a "in time"). Outstanding and overdue are as of
    the period's end, or today for a period not yet over. Second extensions and extensions
    beyond 20 working days count the requests received in the period whose working carries
    the engine's flag. ``directorates`` (``Directorate.objects.visible_to(user)``) limits
    the rows to those a director may see; all of them by default. One query, whatever the
    number of directorates.
    """
    as_of = min(end, today)
    # Requests only, not internal reviews or ICO complaints: FR ICT 18/19 and the IG Group
    # report (infogov.report) count them so, and the page says "count requests".
    cases = Q(cases__stage=choices.Stage.REQUEST)
    if kinds:
        cases &= Q(cases__kind__in=kinds)
    received = cases & Q(cases__received__range=(start, end))
    responded = cases & Q(cases__responded__range=(start, end))
    outstanding = (
        cases
        & Q(cases__received__lte=as_of)
        & (Q(cases__responded__isnull=True) | Q(cases__responded__gt=as_of))
        & (Q(cases__withdrawn__isnull=True) | Q(cases__withdrawn__gt=as_of))
    )
    rows = (
        (Directorate.objects.all() if directorates is None else directorates)
        .annotate(
            n_received=Count("cases", filter=received),
            n_responded=Count("cases", filter=responded),
            n_in_time=Count("cases", filter=responded & Q(cases__responded__lte=F("cases__due"))),
            n_outstanding=Count("cases", filter=outstanding),
            n_overdue=Count("cases", filter=outstanding & Q(cases__due__lt=as_of)),
            n_second=Count(
                "cases",
                filter=received & extension_flagged(SECOND_EXTENSION_FLAGS, prefix="cases__"),
            ),
            n_beyond=Count(
                "cases", filter=received & extension_flagged(BEYOND_20_FLAGS, prefix="cases__")
            ),
        )
        .order_by("name")
        .values_list(
            "name",
            "n_received",
            "n_responded",
            "n_in_time",
            "n_outstanding",
            "n_overdue",
            "n_second",
            "n_beyond",
        )
    )
    return [DirectoratePerformance(*row) for row in rows]


# The IG Group's quarterly report is infogov.report; it labels its totals with these.
ALL_DIRECTORATES = "All directorates"
YOUR_DIRECTORATES = "All your directorates"


# ---------------------------------------------------------------------------------------------
# The home page and the header search (registered in apps.py)
# ---------------------------------------------------------------------------------------------

HOME_TOP = 8
"""How many cases a home-page section lists."""


def week_end_of(today: date) -> date:
    """The Sunday ending ``today``'s week: "due this week" runs from today to it."""
    from datetime import timedelta

    return today + timedelta(days=6 - today.weekday())


def cases_needing_attention(
    user, *, today: date, until: date, clock_stopped: bool = True
) -> list[Case]:
    """Open cases ``user`` may see that are overdue, due by ``until`` or (with
    ``clock_stopped``) have their clock stopped, soonest due first (one query)."""
    condition = Q(due__lte=until)
    if clock_stopped:
        condition |= Q(clock_stopped=True)
    return list(
        Case.objects.visible_to(user)
        .open()
        .filter(condition)
        .select_related("directorate")
        .order_by("due", "pk")[:HOME_TOP]
    )


def unacknowledged_escalated_cases(user) -> QuerySet:
    """Cases ``user`` may see with an escalation e-mailed (not skipped) and no
    acknowledgement yet: what a director has to acknowledge."""
    escalated = Escalation.objects.filter(skipped_reason="").values("case_id")
    return (
        Case.objects.visible_to(user)
        .filter(pk__in=escalated, acknowledgement__isnull=True)
        .select_related("directorate")
        .order_by("due", "pk")
    )


def cases_by_reference(user, *, text: str, personal: bool, limit: int) -> list[Case]:
    """Cases, open or closed, ``user`` may open: the one whose reference is ``text`` (as
    typed or in capitals, from the unique index), else those matching as the redaction rule
    allows (``privacy.search``: the reference for everyone, subject and notes for IG
    officers); each with ``exact`` 0 for an exact reference. One or two queries."""

    def annotated(cases):
        return cases.select_related("directorate").annotate(
            exact=Conditional(
                When(reference__iexact=text, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )

    visible = Case.objects.visible_to(user)
    exact = list(annotated(visible.filter(reference__in={text, text.upper()}))[:1])
    if exact:
        return exact
    matches = visible.filter(privacy.search(text, personal=personal))
    return list(annotated(matches).order_by("exact", "-received", "pk")[:limit])
