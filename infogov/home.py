"""Information governance's part of the home page and of the header search.

Registered with ``hackperf.workspace`` in ``apps.py``. An IG officer sees what is due this
week, overdue and has its clock stopped; a director their directorates' cases near the
deadline and the escalations awaiting their acknowledgement. Who sees which case is
``Case.objects.visible_to`` and what of it ``infogov.privacy``, as everywhere else. A fixed
number of queries each, whatever the number of cases.
"""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Perm, perm_name
from hackperf.workspace import HomeSection, SearchHit
from infogov import privacy, selectors
from infogov.models import Case

NEAR_DAYS = 14
"""A director's "near the deadline": due within this many calendar days (or overdue)."""


def _rows(cases, *, today, personal: bool):
    calendar = selectors.holiday_calendar()
    return [
        (
            case,
            privacy.subject(case, personal=personal),
            selectors.working_days_left(today, case.due, calendar=calendar),
        )
        for case in cases
    ]


def ig_officer_section(user, *, now: datetime) -> HomeSection | None:
    """IG officers: counts of due this week, overdue, clock stopped, and the first cases."""
    if not user.has_perm(perm_name(Perm.WORK_CASES)):
        return None
    today = timezone.localdate(now)
    week_end = selectors.week_end_of(today)
    open_cases = Case.objects.visible_to(user).open()
    summary = selectors.overview_summary(open_cases, today=today, week_end=week_end)
    cases = selectors.cases_needing_attention(user, today=today, until=week_end)
    return HomeSection(
        template="infogov/includes/_home_ig_officer.html",
        context={
            "summary": summary,
            "rows": _rows(cases, today=today, personal=privacy.sees_personal_data(user)),
            "today": today,
        },
    )


def director_section(user, *, now: datetime) -> HomeSection | None:
    """Directors: their directorates' cases near the deadline, escalations to acknowledge."""
    if not user.has_perm(perm_name(Perm.ACKNOWLEDGE_ESCALATIONS)):
        return None
    today = timezone.localdate(now)
    personal = privacy.sees_personal_data(user)
    near = selectors.cases_needing_attention(
        user, today=today, until=today + timedelta(days=NEAR_DAYS), clock_stopped=False
    )
    waiting = selectors.unacknowledged_escalated_cases(user)
    to_acknowledge = list(waiting[: selectors.HOME_TOP])
    waiting_total = waiting.count()
    return HomeSection(
        template="infogov/includes/_home_director.html",
        context={
            "near": _rows(near, today=today, personal=personal),
            "to_acknowledge": _rows(to_acknowledge, today=today, personal=personal),
            "waiting_total": waiting_total,
            "near_days": NEAR_DAYS,
            "today": today,
        },
    )


def search(user, text: str, *, limit: int) -> list[SearchHit]:
    """Cases by reference, open or closed, in the directorates ``user`` may see; a SAR's
    subject is shown (and searched) for IG officers only."""
    if not user.has_perm(perm_name(Perm.VIEW_INFOGOV)):
        return []
    personal = privacy.sees_personal_data(user)
    return [
        SearchHit(
            reference=case.reference,
            kind=case.get_kind_display(),
            title=privacy.subject(case, personal=personal),
            where=case.directorate.name,
            status=case.get_status_display(),
            url=reverse("infogov:case_detail", args=[case.pk]),
            exact=case.exact == 0,  # type: ignore[attr-defined]  # the query annotates it
        )
        for case in selectors.cases_by_reference(user, text=text, personal=personal, limit=limit)
    ]
