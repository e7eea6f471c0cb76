"""infogov's figures for indicators: the one module ``indicators`` imports from this app.

Every figure is computed from the case history, never from the current status, so that a
figure for a past instant or period says what it said then (DESIGN.md "History is the source
of truth"):

- a case is *open at T* when it was received on or before T's local date and neither
  responded to nor withdrawn on or before that date (a closed case was responded to or
  withdrawn first, so "closed" needs no date of its own);
- its *due date at T* is the one in force then: the latest ``DueDateChange`` recorded at or
  before T, else the one the case was logged with, else the stored ``due`` (cases loaded in
  bulk without a change row);
- timeliness compares the response with the stored due date, which no longer moves once the
  case is responded to (only open cases are recomputed).

FR ICT 18 and 19 count requests (``stage=request``), not internal reviews or ICO complaints;
the open-case snapshot counts every open case, as the IG overview does.

Each function runs a fixed number of queries (ORM aggregates), whatever the number of cases.
``cases_behind`` returns the cases behind any figure, consistent with the counts, and never
joins the requester (personal data).
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from hackperf.metrics import ALL, MetricRow, Ratio
from hackperf.workdays import HolidayCalendar, add_working_days
from infogov import privacy, selectors
from infogov.choices import EventKind, Kind, Outcome, Stage
from infogov.models import Case, ClockEvent, Directorate, DueDateChange

__all__ = [
    "FOI_METRICS",
    "METRICS",
    "SAR_METRICS",
    "SNAPSHOT_METRICS",
    "cases_behind",
    "foi_peer_comparison",
    "foi_publication_figures",
    "foi_outstanding",
    "foi_received",
    "foi_timeliness",
    "sar_outstanding",
    "sar_received",
    "sar_timeliness",
    "snapshot_metrics",
    "snapshot_metrics_recounted",
]

# Snapshot metrics (as of an instant), as ``snapshot_metrics`` names them.
OPEN_CASES = "infogov.open_cases"
DUE_WITHIN_5 = "infogov.due_within_5_working_days"
OVERDUE = "infogov.overdue"
SNAPSHOT_METRICS = (OPEN_CASES, DUE_WITHIN_5, OVERDUE)
DUE_SOON_WORKING_DAYS = 5

# Period metrics (FR ICT 18a/b/c, 19a/b/c), for ``cases_behind``. The FOI ones include EIR
# (``foi_timeliness``'s default); ``breakdown="kind", key="foi"`` gives the FOI cases alone.
FOI_RESPONDED = "infogov.foi_responded"  # 18a denominator
FOI_WITHIN_STATUTORY = "infogov.foi_responded_within_statutory"  # 18a
FOI_IN_TIME = "infogov.foi_responded_in_time"  # 18a "in time"
FOI_RECEIVED = "infogov.foi_received"  # 18b
FOI_OUTSTANDING = "infogov.foi_outstanding"  # 18c
FOI_OUTSTANDING_OVERDUE = "infogov.foi_outstanding_overdue"  # 18c, of which overdue
SAR_RESPONDED = "infogov.sar_responded"  # 19a denominator
SAR_IN_TIME = "infogov.sar_responded_in_time"  # 19a
SAR_RECEIVED = "infogov.sar_received"  # 19b
SAR_OUTSTANDING = "infogov.sar_outstanding"  # 19c
FOI_METRICS = (
    FOI_RESPONDED,
    FOI_WITHIN_STATUTORY,
    FOI_IN_TIME,
    FOI_RECEIVED,
    FOI_OUTSTANDING,
    FOI_OUTSTANDING_OVERDUE,
)
SAR_METRICS = (SAR_RESPONDED, SAR_IN_TIME, SAR_RECEIVED, SAR_OUTSTANDING)
PERIOD_METRICS = FOI_METRICS + SAR_METRICS
METRICS = SNAPSHOT_METRICS + PERIOD_METRICS

BREAKDOWNS = (ALL, "kind", "directorate")

ERR_METRIC = "unknown infogov metric {metric!r}; known: {known}"
ERR_BREAKDOWN = "unknown breakdown {breakdown!r}; known: all, kind, directorate"
ERR_AS_OF = "{metric} is a snapshot metric: pass as_of (an aware datetime)"
ERR_PERIOD = "{metric} needs start and end (dates)"
ERR_AT = "{metric} is counted at the period's end: pass end (a date)"


# ---------------------------------------------------------------------------------------------
# Building blocks (Q objects and annotations shared by the counts and ``cases_behind``)
# ---------------------------------------------------------------------------------------------


def _end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Europe/London (aware), for "as at the end of ``day``"."""
    next_midnight = datetime.combine(day + timedelta(days=1), time.min)
    return timezone.make_aware(next_midnight) - timedelta(microseconds=1)


def _open_on(day: date) -> Q:
    """Received on or before ``day`` and neither responded to nor withdrawn by then."""
    return (
        Q(received__lte=day)
        & (Q(responded__isnull=True) | Q(responded__gt=day))
        & (Q(withdrawn__isnull=True) | Q(withdrawn__gt=day))
    )


def _with_due_at(queryset: QuerySet, instant: datetime) -> QuerySet:
    """Alias ``due_at``: the due date in force at ``instant`` (see the module docstring)."""
    changes = DueDateChange.objects.filter(case=OuterRef("pk"))
    latest = changes.filter(at__lte=instant).order_by("-at", "-pk").values("new")[:1]
    first = changes.order_by("at", "pk").values("new")[:1]
    return queryset.alias(due_at=Coalesce(Subquery(latest), Subquery(first), F("due")))


def _extended() -> Exists:
    return Exists(ClockEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.EXTENSION))


def _foi_kinds(include_eir: bool) -> tuple[str, ...]:
    return (Kind.FOI, Kind.EIR) if include_eir else (Kind.FOI,)


def _requests(kinds: Iterable[str]) -> QuerySet:
    return Case.objects.filter(stage=Stage.REQUEST, kind__in=list(kinds))


def _responded_between(start: date, end: date) -> Q:
    return Q(responded__range=(start, end))


def _soon_threshold(day: date, calendar: HolidayCalendar | None = None) -> date:
    return add_working_days(
        day,
        DUE_SOON_WORKING_DAYS,
        calendar=selectors.holiday_calendar() if calendar is None else calendar,
        divisions=selectors.STAFF_DIVISIONS,
    )


def _count(queryset: QuerySet, **filters: Q) -> dict[str, int]:
    """One aggregate query: ``name=Count("pk", filter=q)`` for each of ``filters``."""
    return queryset.order_by().aggregate(
        **{name: Count("pk", filter=q) for name, q in filters.items()}
    )


def _local_date(instant: datetime) -> date:
    if timezone.is_naive(instant):
        raise ValueError("as_of must be an aware datetime")
    return timezone.localdate(instant)


# ---------------------------------------------------------------------------------------------
# Snapshot (open cases as of an instant)
# ---------------------------------------------------------------------------------------------


def _snapshot_filters(day: date, soon: date) -> dict[str, Q]:
    return {
        OPEN_CASES: Q(),
        DUE_WITHIN_5: Q(due_at__gte=day, due_at__lte=soon),
        OVERDUE: Q(due_at__lt=day),
    }


def snapshot_metrics(*, as_of: datetime) -> list[MetricRow]:
    """Open cases, due within 5 working days and overdue as of ``as_of``.

    Breakdowns: "all" (key ""), "kind" (foi/eir/sar, every kind listed) and "directorate"
    (key the directorate's pk as a string, label its name; every directorate listed). Three
    queries: the holiday calendar, the counts grouped by kind and directorate, the directorates.

    On PostgreSQL the counts are :func:`snapshot_metrics_many`'s one query, which reads the
    due date in force from the changes as ranges, once per case; the ORM's form of the same
    rule (:func:`snapshot_metrics_recounted`) runs six correlated subqueries per open case
    (the alias is inlined in each count): 67 ms against 30 ms with 100,000 cases, 10,000 open
    (issue 15's snapshot, ``make bench``).
    """
    if connection.vendor == "postgresql":
        return snapshot_metrics_many(instants=[as_of])[0]
    return snapshot_metrics_recounted(as_of=as_of)


def snapshot_metrics_recounted(*, as_of: datetime) -> list[MetricRow]:
    """:func:`snapshot_metrics` by the ORM (``_with_due_at``, as the drill-down reads the
    cases): SQLite's way (``make run``), and the reference the SQL is tested against."""
    day = _local_date(as_of)
    soon = _soon_threshold(day)
    return _snapshot_rows(as_of, day, soon, directorates=None)


def snapshot_metrics_many(*, instants: list[datetime]) -> list[list[MetricRow]]:
    """``snapshot_metrics`` at each of ``instants`` (a backfill): the holiday calendar and
    the directorates read once, then one grouped query for all the instants (on PostgreSQL;
    elsewhere one each)."""
    calendar = selectors.holiday_calendar()
    directorates = list(Directorate.objects.order_by("name", "pk").values_list("pk", "name"))
    days = [_local_date(as_of) for as_of in instants]
    soons = [_soon_threshold(day, calendar) for day in days]
    if connection.vendor != "postgresql":
        return [
            _snapshot_rows(as_of, day, soon, directorates=directorates)
            for as_of, day, soon in zip(instants, days, soons, strict=True)
        ]
    groups: list[list[tuple[str, int, list[int]]]] = [[] for _ in instants]
    first, last = (min(days), max(days)) if days else (None, None)
    with connection.cursor() as cursor:
        cursor.execute(
            _OPEN_AT_SQL.format(
                case=Case._meta.db_table,
                change=DueDateChange._meta.db_table,
                runs=_ONE_INSTANT if len(instants) == 1 else _MANY_INSTANTS,
            ),
            (list(range(len(instants))), list(instants), days, soons)
            + (last, first, last, first, first, last),
        )
        for k, kind, directorate, *values in cursor.fetchall():
            groups[k].append((kind, directorate, values))
    return [_snapshot_totals(group, directorates=directorates) for group in groups]


# The batch form of ``_with_due_at`` over ``_open_on``: each instant joined to the cases open
# on its date, the due date in force read from the changes as ranges [at, next change's at)
# (ordered by at, then pk, so of changes made at the same instant the last pk holds, as in
# ``_with_due_at``'s "-at", "-pk"), else the first change, else the stored due date. The
# counts are ``_snapshot_filters``' in their order.
#
# Which instants a case is open at is worked out per case, not per (instant, case) pair: the
# instants are numbered in date order (``p``) and each case is open at a run of them, from
# the first date on or after it was received to the last date before it was responded to or
# withdrawn. ``width_bucket(x, dates)`` counts the sorted dates <= x, and dates are whole days,
# so "date < received" is "date <= received - 1". Joining every instant to every case and
# testing the three conditions took 2.6 s of a 52-fortnight backfill at 100,000 cases.
_OPEN_AT_SQL = """
    WITH instants AS (
        SELECT i.*, row_number() OVER (ORDER BY i.day, i.k) AS p
        FROM unnest(%s::int[], %s::timestamptz[], %s::date[], %s::date[])
            AS i(k, instant, day, soon)
    ),
    dates AS (
        SELECT array_agg(day ORDER BY day, k) AS d, count(*) AS n FROM instants
    ),
    changes AS (
        SELECT case_id, new, at, lead(at) OVER w AS next_at, row_number() OVER w AS n
        FROM {change}
        WINDOW w AS (PARTITION BY case_id ORDER BY at, id)
    ),
    spans AS (
        SELECT c.id, c.kind, c.directorate_id, c.due,
            width_bucket(c.received - 1, dates.d) + 1 AS first_p,
            least(
                coalesce(width_bucket(c.responded - 1, dates.d), dates.n),
                coalesce(width_bucket(c.withdrawn - 1, dates.d), dates.n)
            ) AS last_p
        -- Received by the last date and not closed by the first: the rest are never open.
        -- Three ranges, one index each (``Case``'s "unclosed", "responded" and "withdrawn"):
        -- never closed; responded to after the first date; withdrawn after it, never
        -- responded to. (Those dates as parameters, not read from the array, so that the
        -- planner sees how many cases each leaves.)
        FROM (
            SELECT id, kind, directorate_id, due, received,
                NULL::date AS responded, NULL::date AS withdrawn
            FROM {case}
            WHERE responded IS NULL AND withdrawn IS NULL AND received <= %s::date
            UNION ALL
            SELECT id, kind, directorate_id, due, received, responded, withdrawn
            FROM {case}
            WHERE responded > %s::date AND received <= %s::date
                AND (withdrawn IS NULL OR withdrawn > %s::date)
            UNION ALL
            SELECT id, kind, directorate_id, due, received, NULL::date, withdrawn
            FROM {case}
            WHERE responded IS NULL AND withdrawn > %s::date AND received <= %s::date
        ) AS c, dates
    ),
    open_cases AS (
        SELECT i.k, i.day, i.soon, s.kind, s.directorate_id,
            coalesce(latest.new, first.new, s.due) AS due_at
        FROM (SELECT * FROM spans WHERE first_p <= last_p) AS s
        {runs}
        LEFT JOIN changes latest ON latest.case_id = s.id AND latest.at <= i.instant
            AND (latest.next_at IS NULL OR latest.next_at > i.instant)
        LEFT JOIN changes first ON first.case_id = s.id AND first.n = 1
    )
    SELECT k, kind, directorate_id,
        count(*),
        count(*) FILTER (WHERE due_at >= day AND due_at <= soon),
        count(*) FILTER (WHERE due_at < day)
    FROM open_cases
    GROUP BY k, kind, directorate_id
"""


# How the cases meet the instants they are open at (``{runs}`` above): for one instant (a
# snapshot) a join on each case's run of instant numbers; for many (a backfill) each case's
# run generated and joined by number. At 100,000 cases, 10,000 open: one instant 10 ms
# against 23, 52 fortnights 403 ms against 113.
_ONE_INSTANT = "JOIN instants i ON i.p BETWEEN s.first_p AND s.last_p"
_MANY_INSTANTS = (
    "CROSS JOIN LATERAL generate_series(s.first_p, s.last_p) AS g(p) JOIN instants i ON i.p = g.p"
)


def _snapshot_rows(
    as_of: datetime, day: date, soon: date, *, directorates: list[tuple[int, str]] | None
) -> list[MetricRow]:
    filters = _snapshot_filters(day, soon)
    open_cases = _with_due_at(Case.objects.filter(_open_on(day)), as_of)
    # Count in the grouped query (aliases in the aggregate filter); sum in Python for the rest.
    grouped = (
        open_cases.order_by()
        .values("kind", "directorate_id")
        .annotate(**{f"n{i}": Count("pk", filter=q) for i, q in enumerate(filters.values())})
    )
    groups = [
        (row["kind"], row["directorate_id"], [row[f"n{i}"] for i in range(len(filters))])
        for row in grouped
    ]
    if directorates is None:
        directorates = list(Directorate.objects.order_by("name", "pk").values_list("pk", "name"))
    return _snapshot_totals(groups, directorates=directorates)


def _snapshot_totals(
    groups: list[tuple[str, int, list[int]]], *, directorates: list[tuple[int, str]]
) -> list[MetricRow]:
    """The rows of every breakdown from the counts of ``SNAPSHOT_METRICS`` by kind and
    directorate (each kind and directorate listed, with zeros where none are open)."""
    totals: dict[tuple[str, str], list[int]] = {}

    def add(breakdown: str, key: str, values: list[int]) -> None:
        current = totals.setdefault((breakdown, key), [0] * len(SNAPSHOT_METRICS))
        for i, value in enumerate(values):
            current[i] += value

    for kind in Kind:
        add("kind", kind.value, [0] * len(SNAPSHOT_METRICS))
    for pk, _ in directorates:
        add("directorate", str(pk), [0] * len(SNAPSHOT_METRICS))
    add(ALL, "", [0] * len(SNAPSHOT_METRICS))
    for kind_, directorate, values in groups:
        add(ALL, "", values)
        add("kind", kind_, values)
        add("directorate", str(directorate), values)

    labels = {("kind", k.value): k.label for k in Kind}
    labels.update({("directorate", str(pk)): name for pk, name in directorates})
    labels[(ALL, "")] = "All cases"
    return [
        MetricRow(metric, breakdown, key, values[i], labels.get((breakdown, key), key))
        for i, metric in enumerate(SNAPSHOT_METRICS)
        for (breakdown, key), values in totals.items()
    ]


# ---------------------------------------------------------------------------------------------
# FR ICT 18: FOI (and EIR)
# ---------------------------------------------------------------------------------------------


def _foi_timeliness_filters() -> dict[str, Q]:
    return {
        FOI_RESPONDED: Q(),
        # "Within the statutory due date without a public-interest extension": answered on
        # time and never extended (any extension, FOIA s.10(3) or EIR reg 7, took it out).
        FOI_WITHIN_STATUTORY: Q(responded__lte=F("due")) & ~Q(extended=True),
        # "In time": on or before the due date including permitted extensions.
        FOI_IN_TIME: Q(responded__lte=F("due")),
    }


def foi_timeliness(*, start: date, end: date, include_eir: bool = True) -> tuple[Ratio, Ratio]:
    """FR ICT 18a: of FOI (and EIR) requests responded to in [start, end], those answered
    within the statutory time without an extension, and those "in time" counting permitted
    extensions. One query.

    Returns:
        (within statutory time without extension, in time with extensions), both over the
        number responded to.
    """
    queryset = _requests(_foi_kinds(include_eir)).filter(_responded_between(start, end))
    counts = _count(queryset.alias(extended=_extended()), **_foi_timeliness_filters())
    responded = counts[FOI_RESPONDED]
    return (
        Ratio(counts[FOI_WITHIN_STATUTORY], responded),
        Ratio(counts[FOI_IN_TIME], responded),
    )


def foi_received(*, start: date, end: date, include_eir: bool = True) -> int:
    """FR ICT 18b: FOI (and EIR) requests received in [start, end]. One query."""
    return _requests(_foi_kinds(include_eir)).filter(received__range=(start, end)).count()


def foi_outstanding(*, at: date, include_eir: bool = True) -> tuple[int, int]:
    """FR ICT 18c: FOI (and EIR) requests not responded to, withdrawn or closed at the end of
    ``at``, and how many of those were overdue then (due date in force before ``at``). One query.
    """
    queryset = _with_due_at(
        _requests(_foi_kinds(include_eir)).filter(_open_on(at)), _end_of_day(at)
    )
    counts = _count(queryset, outstanding=Q(), overdue=Q(due_at__lt=at))
    return counts["outstanding"], counts["overdue"]


# ---------------------------------------------------------------------------------------------
# FR ICT 19: subject access
# ---------------------------------------------------------------------------------------------


def sar_timeliness(*, start: date, end: date) -> Ratio:
    """FR ICT 19a: of SARs responded to in [start, end], those on or before the due date of
    their regime (UK GDPR or DPA 1998, extension included). One query."""
    counts = _count(
        _requests((Kind.SAR,)).filter(_responded_between(start, end)),
        n_responded=Q(),
        n_in_time=Q(responded__lte=F("due")),
    )
    return Ratio(counts["n_in_time"], counts["n_responded"])


def sar_received(*, start: date, end: date) -> int:
    """FR ICT 19b: SARs received in [start, end]. One query."""
    return _requests((Kind.SAR,)).filter(received__range=(start, end)).count()


def sar_outstanding(*, at: date) -> int:
    """FR ICT 19c: SARs not responded to, withdrawn or closed at the end of ``at``. One query."""
    return _requests((Kind.SAR,)).filter(_open_on(at)).count()


# ---------------------------------------------------------------------------------------------
# Drill-down
# ---------------------------------------------------------------------------------------------


def visible_to(user, cases: QuerySet) -> QuerySet:
    """The cases of ``cases`` that ``user`` may open (``Case.objects.visible_to``: a director
    their own directorates'), so a drill-down lists only those and counts the others."""
    return cases.filter(pk__in=Case.objects.visible_to(user).values("pk"))


def shown_subject(case: Case, user) -> str:
    """A case's subject as ``user`` may read it (``infogov.privacy``: a SAR's only for IG)."""
    return privacy.subject(case, personal=privacy.sees_personal_data(user))


def _breakdown_filter(breakdown: str, key: str) -> Q:
    if breakdown == ALL:
        return Q()
    if breakdown == "kind":
        return Q(kind=key)
    if breakdown == "directorate":
        return Q(directorate_id=int(key)) if key.isdigit() else Q(pk__in=[])
    raise ValueError(ERR_BREAKDOWN.format(breakdown=breakdown))


def cases_behind(
    *,
    metric: str,
    as_of: datetime | None = None,
    start: date | None = None,
    end: date | None = None,
    breakdown: str = ALL,
    key: str = "",
) -> QuerySet:
    """The cases counted in ``metric`` for (``breakdown``, ``key``), by due date.

    Snapshot metrics take ``as_of``; FR ICT 18a/b and 19a/b take ``start`` and ``end``;
    outstanding (18c, 19c) is counted at the end of ``end``. The FOI metrics include EIR;
    narrow with ``breakdown="kind", key="foi"``. The queryset never joins the requester.
    """
    if metric not in METRICS:
        raise ValueError(ERR_METRIC.format(metric=metric, known=", ".join(METRICS)))
    where = _breakdown_filter(breakdown, key)
    queryset: QuerySet
    if metric in SNAPSHOT_METRICS:
        if as_of is None:
            raise ValueError(ERR_AS_OF.format(metric=metric))
        day = _local_date(as_of)
        filters = _snapshot_filters(day, _soon_threshold(day))
        queryset = _with_due_at(Case.objects.filter(_open_on(day)), as_of).filter(filters[metric])
    elif metric in (FOI_OUTSTANDING, FOI_OUTSTANDING_OVERDUE, SAR_OUTSTANDING):
        if end is None:
            raise ValueError(ERR_AT.format(metric=metric))
        kinds = (Kind.SAR,) if metric == SAR_OUTSTANDING else _foi_kinds(True)
        queryset = _with_due_at(_requests(kinds).filter(_open_on(end)), _end_of_day(end))
        if metric == FOI_OUTSTANDING_OVERDUE:
            queryset = queryset.filter(due_at__lt=end)
    else:
        if start is None or end is None:
            raise ValueError(ERR_PERIOD.format(metric=metric))
        if metric in (FOI_RECEIVED, SAR_RECEIVED):
            kinds = (Kind.SAR,) if metric == SAR_RECEIVED else _foi_kinds(True)
            queryset = _requests(kinds).filter(received__range=(start, end))
        elif metric in (SAR_RESPONDED, SAR_IN_TIME):
            queryset = _requests((Kind.SAR,)).filter(_responded_between(start, end))
            if metric == SAR_IN_TIME:
                queryset = queryset.filter(responded__lte=F("due"))
        else:
            queryset = (
                _requests(_foi_kinds(True))
                .filter(_responded_between(start, end))
                .alias(extended=_extended())
                .filter(_foi_timeliness_filters()[metric])
            )
    return queryset.filter(where).select_related("directorate", "service").order_by("due", "pk")


# ---------------------------------------------------------------------------------------------
# How we compare (issue 16): FR ICT 18a "in time" beside other councils' published figures
# ---------------------------------------------------------------------------------------------


def foi_peer_comparison(*, today: date, group: str | None = None):
    """``infogov.peers.comparison.foi_peer_comparison``, through the one door indicators uses."""
    from infogov.peers.comparison import foi_peer_comparison as compare

    return compare(today=today, group=group)


# ---------------------------------------------------------------------------------------------
# Published statistics (issue 16): the Cabinet Office's columns, for the requests received
# ---------------------------------------------------------------------------------------------

# The columns, in the order and wording of the Cabinet Office's published FOI statistics
# (../shared/data/real/uk-central-government-foi-stats), that our cases can fill.
PUBLICATION_COLUMNS = (
    "Total requests received",
    "Requests handled under EIRs",
    "Requests on-hold or lapsed",
    "Requests still being processed",
    "Total requests received (excluding on-hold and lapsed)",
    "20-day deadline met",
    "Permitted extension to 20-day deadline",
    "Late response (i.e. 20-day deadline missed)",
    "Requests where information not held",
    "Initial Outcome Granted in full",
    "Initial Outcome  Partially withheld",
    "Initial Outcome  Fully withheld",
    "Total Internal Reviews",
    "ICO Total Complaints",
)


def foi_publication_figures(*, start: date, end: date) -> dict[str, int]:
    """FOI and EIR requests received in [start, end], counted as the Cabinet Office counts
    them (by the quarter of receipt, "as at" today): how they were answered and how. Internal
    reviews and ICO complaints are those received in the period. One query; aggregate counts
    only, never a case."""
    requests = Q(stage=Stage.REQUEST, kind__in=(Kind.FOI, Kind.EIR))
    received = Q(received__range=(start, end))
    lapsed = Q(withdrawn__isnull=False, responded__isnull=True)
    answered = Q(responded__isnull=False)
    counts = _count(
        Case.objects.filter(received).alias(extended=_extended()),
        total=requests,
        eir=requests & Q(kind=Kind.EIR),
        lapsed=requests & lapsed,
        still=requests & Q(responded__isnull=True, withdrawn__isnull=True),
        met=requests & answered & Q(responded__lte=F("due")) & ~Q(extended=True),
        extension=requests & answered & Q(responded__lte=F("due"), extended=True),
        late=requests & answered & Q(responded__gt=F("due")),
        not_held=requests & Q(outcome=Outcome.NOT_HELD),
        full=requests & Q(outcome=Outcome.SUPPLIED_IN_FULL),
        part=requests & Q(outcome=Outcome.SUPPLIED_IN_PART),
        withheld=requests & Q(outcome=Outcome.REFUSED),
        reviews=Q(stage=Stage.INTERNAL_REVIEW, kind__in=(Kind.FOI, Kind.EIR)),
        complaints=Q(stage=Stage.ICO_COMPLAINT, kind__in=(Kind.FOI, Kind.EIR)),
    )
    values = (
        counts["total"],
        counts["eir"],
        counts["lapsed"],
        counts["still"],
        counts["total"] - counts["lapsed"],
        counts["met"],
        counts["extension"],
        counts["late"],
        counts["not_held"],
        counts["full"],
        counts["part"],
        counts["withheld"],
        counts["reviews"],
        counts["complaints"],
    )
    return dict(zip(PUBLICATION_COLUMNS, values, strict=True))
