"""infogov's metrics, declared once each into ``hackperf.registry`` (ADR 0003).

Registered from ``InfogovConfig.ready``. The counting is ``infogov.metrics``'; this module
says what each figure is called and means, its window (the law counts these deadlines in
dates, so the monthly figures read the month's first and last days) and parameters, and gives
the cases behind each as the drill-downs show them: the dates that made each count (received,
due in force then, responded) and how many working days early or late.

Who may open a case is ``Case.objects.visible_to`` (a director their own directorates'); a
SAR's subject is shown as ``infogov.privacy`` allows; the requester is never joined. The
records' permission is ``Perm.VIEW_INFOGOV``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db.models import F, QuerySet

from hackperf import rag_rules, registry
from hackperf.metrics import ALL, Ratio
from hackperf.registry import (
    Behind,
    Column,
    Figure,
    Kind,
    Metric,
    Parameter,
    Polarity,
    Record,
    Window,
    apply_sort,
)
from hackperf.roles import Perm
from hackperf.workdays import working_days_between
from infogov import metrics, privacy, selectors
from infogov.choices import Kind as CaseKind
from infogov.models import Case, Directorate
from infogov.querysets import sees_any_case, sees_every_directorate

SOURCE = "infogov"
HIDDEN = "and {n} more in directorates you cannot open"
IG_MANAGER = "Information Governance Manager"

INCLUDE_EIR = Parameter(
    name="include_eir",
    default=True,
    setting="FR_ICT_18_INCLUDE_EIR",
    label="Whether EIR requests count with FOI requests in FR ICT 18a, 18b and 18c",
)

# Which cases a figure counts, as (kinds, how): "open" as of an instant, "outstanding" at a
# day's end, "received" or "responded" in the days of a period.
OPEN, OUTSTANDING, RECEIVED, RESPONDED = "open", "outstanding", "received", "responded"


def _day(value: date | None) -> str:
    return "" if value is None else value.strftime("%-d %b %Y")


def _late(days: int) -> str:
    if days > 0:
        return f"{days} working day{'s' if days != 1 else ''} late"
    return "On time"


def _left(days: int) -> str:
    if days < 0:
        return f"Overdue by {-days} working day{'s' if days != -1 else ''}"
    return f"{days} working day{'s' if days != 1 else ''} left"


COMMON = (
    Column("reference", "Reference"),
    Column("kind", "Kind"),
    Column("subject", "Subject"),
    Column("directorate", "Directorate"),
    Column("received", "Received"),
)
COLUMNS = {
    OPEN: (*COMMON, Column("due", "Due then"), Column("left", "Working days to due, then")),
    OUTSTANDING: (
        *COMMON,
        Column("due", "Due then"),
        Column("left", "At the month's end"),
    ),
    RECEIVED: (*COMMON, Column("due", "Due"), Column("responded", "Responded")),
    RESPONDED: (
        *COMMON,
        Column("due", "Due"),
        Column("responded", "Responded"),
        Column("late", "Working days late"),
        Column("extended", "Extended"),
    ),
}
ORDER = {
    "reference": ("reference",),
    "kind": ("kind",),
    "subject": ("subject",),
    "directorate": ("directorate__name",),
    "received": ("received",),
    "due": ("due_then",),
    "left": ("due_then",),
    "responded": ("responded",),
    "late": ("late_order",),
    "extended": ("is_extended",),
}


def _cases(
    how: str,
    kinds: tuple[str, ...],
    *,
    as_of: datetime | None,
    start: date | None,
    end: date | None,
    snapshot_metric: str = "",
) -> tuple[QuerySet, date]:
    """The cases a figure counted, with ``due_then`` (the due date in force at the figure's
    instant) and the day the figure is read at."""
    if how == OPEN:
        assert as_of is not None
        day = metrics._local_date(as_of)
        filters = metrics._snapshot_filters(day, metrics._soon_threshold(day))
        cases = metrics._with_due_at(Case.objects.filter(metrics._open_on(day)), as_of)
        return cases.filter(filters[snapshot_metric]).annotate(due_then=F("due_at")), day
    assert end is not None
    if how == OUTSTANDING:
        cases = metrics._with_due_at(
            metrics._requests(kinds).filter(metrics._open_on(end)), metrics._end_of_day(end)
        )
        return cases.annotate(due_then=F("due_at")), end
    assert start is not None
    if how == RECEIVED:
        cases = metrics._requests(kinds).filter(received__range=(start, end))
    else:
        cases = metrics._requests(kinds).filter(metrics._responded_between(start, end))
    return cases.annotate(due_then=F("due")), end


def case_behind(
    *,
    how: str,
    kinds: tuple[str, ...] = (),
    snapshot_metric: str = "",
    user,
    as_of: datetime | None = None,
    start: date | None = None,
    end: date | None = None,
    at: date | None = None,
    breakdown: str = ALL,
    key: str = "",
    sort: str = "",
    include_eir: bool | None = None,
    only_overdue: bool = False,
) -> Behind:
    """The cases behind one figure, narrowed to those ``user`` may open."""
    if include_eir is not None and kinds and CaseKind.SAR not in kinds:
        kinds = metrics._foi_kinds(include_eir)
    cases, day = _cases(
        how, kinds, as_of=as_of, start=start, end=at or end, snapshot_metric=snapshot_metric
    )
    if only_overdue:
        cases = cases.filter(due_at__lt=day)
    counted = cases.filter(metrics._breakdown_filter(breakdown, key))
    extended = metrics._extended()
    visible = (
        metrics.visible_to(user, counted)
        .select_related("directorate")
        .annotate(is_extended=extended, late_order=F("responded") - F("due_then"))
    )
    visible, applied = apply_sort(visible, sort, ORDER, ("due_then",))
    personal = privacy.sees_personal_data(user)

    def shape(rows: Iterable[Any]) -> list[Record]:  # cases, annotated with due_then, is_extended
        rows = list(rows)
        if not rows:
            return []
        calendar = selectors.holiday_calendar()
        records = []
        for case in rows:
            cells = [
                case.get_kind_display(),
                privacy.subject(case, personal=personal),
                case.directorate.name,
                _day(case.received),
                _day(case.due_then),
            ]
            if how in (OPEN, OUTSTANDING):
                cells.append(
                    _left(selectors.working_days_left(day, case.due_then, calendar=calendar))
                )
            else:
                cells.append(_day(case.responded))
            if how == RESPONDED:
                late = working_days_between(
                    case.due_then,
                    case.responded,
                    calendar=calendar,
                    divisions=selectors.STAFF_DIVISIONS,
                )
                cells.append(_late(late))
                cells.append("Yes" if case.is_extended else "No")
            records.append(
                Record(reference=case.reference, url=case.get_absolute_url(), cells=tuple(cells))
            )
        return records

    return Behind(
        noun="case",
        plural="cases",
        columns=COLUMNS[how],
        counted=counted,
        visible=visible,
        shape=shape,
        hidden_text=HIDDEN,
        sort=applied,
    )


# -- counts in the shape the registry takes -----------------------------------------------------


def _foi_timeliness(*, start: date, end: date, include_eir: bool) -> Figure:
    without_extension, in_time = metrics.foi_timeliness(
        start=start, end=end, include_eir=include_eir
    )
    return Figure(
        without_extension,
        {
            "in_time_percent": None if in_time.percent is None else str(in_time.percent),
            "in_time_numerator": in_time.numerator,
            "in_time_denominator": in_time.denominator,
        },
    )


def _foi_outstanding(*, at: date, include_eir: bool) -> Figure:
    outstanding, overdue = metrics.foi_outstanding(at=at, include_eir=include_eir)
    return Figure(outstanding, {"overdue": overdue})


def _sar_timeliness(*, start: date, end: date) -> Ratio:
    return metrics.sar_timeliness(start=start, end=end)


FOI = (CaseKind.FOI, CaseKind.EIR)
SAR = (CaseKind.SAR,)
VIEW = Perm.VIEW_INFOGOV.value

# What every monthly indicator here shares.
_monthly = partial(Metric, kind=Kind.MONTHLY, source=SOURCE, permission=VIEW, owner=IG_MANAGER)


def _snapshot_many(arguments: list[dict[str, Any]]) -> list[list[Any]]:
    """``metrics.snapshot_metrics`` for many instants (the registry's ``count_many``)."""
    return metrics.snapshot_metrics_many(instants=[a["as_of"] for a in arguments])


def _open(code: str, label: str, definition: str, **kw: Any) -> Metric:
    """A figure of the cases open at T, counted by the grouped query of the open cases."""
    return Metric(
        code=code,
        label=label,
        definition=definition,
        kind=Kind.INSTANT,
        window=Window.AS_OF,
        source=SOURCE,
        count=metrics.snapshot_metrics,
        count_many=_snapshot_many,
        polarity=Polarity.LOWER,
        breakdowns=metrics.BREAKDOWNS,
        behind=partial(case_behind, how=OPEN, snapshot_metric=code),
        permission=VIEW,
        review=("information-governance",),
        **kw,
    )


OPEN_AT_T = (
    "received on or before T's date and neither responded to nor withdrawn by then (every "
    "stage: requests, internal reviews, ICO complaints)"
)

DMT_METRICS = (
    _open(
        metrics.OPEN_CASES,
        "Open FOI, EIR and SAR cases",
        f"Cases {OPEN_AT_T}.",
        headline="FOI, EIR and SAR cases open",
        briefing="Open",
    ),
    _open(
        metrics.DUE_WITHIN_5,
        "Due within 5 working days",
        f"Cases {OPEN_AT_T}, whose due date in force at T is within the next 5 working days.",
        briefing="Due within 5 working days",
    ),
    _open(
        metrics.OVERDUE,
        "Overdue",
        f"Cases {OPEN_AT_T}, whose due date in force at T is before T's date.",
        headline="FOI, EIR and SAR cases overdue",
        briefing="Overdue",
    ),
)


# What each monthly case figure is: FR ICT 18 (FOI) and 19 (SAR) each have a figure of the
# cases responded to (in time), received and outstanding; the cases behind one are those.
_MONTHLY_CASE_FIGURES: dict[str, dict[str, Any]] = {
    RESPONDED: {
        "window": Window.DAYS,
        "unit": "percent",
        "polarity": Polarity.HIGHER,
        "rag_rule": rag_rules.at_least_target("5 percentage points"),
    },
    RECEIVED: {"window": Window.DAYS, "rag_rule": rag_rules.VOLUME},
    OUTSTANDING: {"window": Window.AT_LAST_DAY, "polarity": Polarity.LOWER},
}


def _monthly_cases(
    code: str, label: str, definition: str, *, how: str, kinds: tuple[str, ...], **kw: Any
) -> Metric:
    """A monthly figure of the cases of ``kinds`` that ``how`` picks, with what
    ``_MONTHLY_CASE_FIGURES`` says every such figure is; behind it, those cases."""
    return _monthly(
        code=code,
        label=label,
        definition=definition,
        behind=partial(case_behind, how=how, kinds=kinds),
        **_MONTHLY_CASE_FIGURES[how],
        **kw,
    )


MONTHLY_METRICS = (
    _monthly_cases(
        "FR ICT 18a",
        "FOI requests answered within the statutory time limit",
        (
            "Of Freedom of Information (and, where configured, Environmental Information) "
            "requests responded to in the month, the percentage responded to on or before the "
            "statutory due date (FOIA s.10: the 20th working day following receipt) without a "
            "public-interest extension. The share answered 'in time', counting permitted "
            "extensions, is shown beside it."
        ),
        how=RESPONDED,
        kinds=FOI,
        count=_foi_timeliness,
        parameters=(INCLUDE_EIR,),
    ),
    _monthly_cases(
        "FR ICT 18b",
        "FOI requests received",
        "The number of FOI requests received in the month.",
        how=RECEIVED,
        kinds=FOI,
        count=metrics.foi_received,
        parameters=(INCLUDE_EIR,),
    ),
    _monthly_cases(
        "FR ICT 18c",
        "FOI requests outstanding at the month's end",
        (
            "The number of FOI requests not responded to, withdrawn or closed at the end of "
            "the month, with how many of those are overdue."
        ),
        how=OUTSTANDING,
        kinds=FOI,
        count=_foi_outstanding,
        parameters=(INCLUDE_EIR,),
        rag_rule=rag_rules.at_most_target("10 requests"),
    ),
    _monthly_cases(
        "FR ICT 19a",
        "Subject access requests answered within the statutory time limit",
        (
            "Of subject access requests responded to in the month, the percentage responded "
            "to on or before the statutory due date of their regime (UK GDPR Art 12(3): one "
            "month, or three when extended; DPA 1998: 40 days)."
        ),
        how=RESPONDED,
        kinds=SAR,
        count=_sar_timeliness,
    ),
    _monthly_cases(
        "FR ICT 19b",
        "Subject access requests received",
        "The number of subject access requests received in the month.",
        how=RECEIVED,
        kinds=SAR,
        count=metrics.sar_received,
    ),
    _monthly_cases(
        "FR ICT 19c",
        "Subject access requests outstanding at the month's end",
        (
            "The number of subject access requests not responded to, withdrawn or closed at "
            "the end of the month."
        ),
        how=OUTSTANDING,
        kinds=SAR,
        count=metrics.sar_outstanding,
        rag_rule=rag_rules.at_most_target("5 requests"),
    ),
)


def case_scope(user) -> str:
    """Which cases ``user`` may see, as text for a cache key (indicators' review keys its
    cache on it): "none", "all", or their directorates' ids ("directorates:2,5")."""
    if not sees_any_case(user):
        return "none"
    if sees_every_directorate(user):
        return "all"
    own = Directorate.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)
    return "directorates:" + ",".join(str(pk) for pk in own)


def register() -> None:
    """Called once, from ``InfogovConfig.ready``: the metrics, and the figures indicators
    shows that are not metrics (the Cabinet Office columns, the FOI peer comparison)."""
    registry.register(*DMT_METRICS, *MONTHLY_METRICS)
    registry.register_provider("infogov.foi_publication_figures", metrics.foi_publication_figures)
    registry.register_provider("infogov.publication_columns", lambda: metrics.PUBLICATION_COLUMNS)
    registry.register_provider("infogov.foi_peer_comparison", metrics.foi_peer_comparison)
    registry.register_provider("infogov.case_scope", case_scope)
