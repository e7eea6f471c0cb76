"""Writes of the indicators app: definitions, targets, the value approval flow, API tokens,
computed monthly values, trend snapshots, review packs and the risk register.

The approval flow, entered → checked → approved:

- Anyone with ``Perm.ENTER_INDICATOR_VALUES`` enters a value for an *entered* (hand-kept)
  indicator; entering again for the same month replaces the figures of a value that is not
  yet approved and sends it back to *entered*.
- Nobody checks or approves a value they entered themselves (two pairs of eyes). The checker
  may also be the approver. A computed value has no enterer, so anyone may check it.
- An approved value changes only by ``period_value_revise``, with a reason; the old figures
  are kept in a :class:`~indicators.models.ValueRevision` and the value goes back to
  *entered*, to be checked and approved again before the briefing shows it.
- ``period_value_upsert_computed`` (the monthly job) is idempotent: the same figures change
  nothing. New figures replace an unapproved value's; an approved value is revised (old
  figures kept, reason ``RECOMPUTED_REASON``) and goes back to *entered*, never silently.

Errors are ``ValidationError``\\s with the texts below, which the tests reuse.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackperf import registry, windows
from hackperf.metrics import MetricRow, Ratio
from indicators import periods
from indicators.choices import (
    Granularity,
    RevisionKind,
    Source,
    Status,
    ToleranceKind,
    UpsertResult,
)
from indicators.definitions import definitions
from indicators.models import (
    ApiToken,
    BriefingPack,
    Indicator,
    PeriodValue,
    ReviewPack,
    Risk,
    RiskRevision,
    Snapshot,
    Target,
    ValueRevision,
)

PERIOD_NOT_MONTH_START: Final = "A period starts on the first day of a month, not {period}."
PERIOD_IN_FUTURE: Final = "{period:%B %Y} has not started yet."
ENTER_COMPUTED: Final = "{code} is computed from {source}: its values are not entered by hand."
ENTER_APPROVED: Final = (
    "The value for {period:%B %Y} is approved: to change it, revise it and give a reason."
)
CHECK_NOT_ENTERED: Final = "Only an entered value can be checked; this one is {status}."
CHECK_OWN_ENTRY: Final = "You entered this value, so someone else must check it."
CHECK_NO_COMMENTARY: Final = (
    "Write the commentary before the value is checked: readers of the briefing need to know "
    "what explains the figure."
)
APPROVE_NOT_CHECKED: Final = "Only a checked value can be approved; this one is {status}."
APPROVE_OWN_ENTRY: Final = "You entered this value, so someone else must approve it."
APPROVE_OWN_CHECK: Final = "You checked this value, so someone else must approve it."
COMMENT_NO_CHANGE: Final = "The commentary and data quality note are unchanged."
COMMENT_DEFAULT_REASON: Final = "Commentary added or corrected."
REVISE_NOT_APPROVED: Final = (
    "Only an approved value is revised; this one is {status}, so enter it again instead."
)
REVISE_NO_REASON: Final = "Say why the approved value is changing."
REVISE_NO_CHANGE: Final = "The figures are the same as the approved ones: nothing to revise."
UPSERT_NOT_COMPUTED: Final = "{code} is entered by hand: it has no computed values."
RECOMPUTED_REASON: Final = "Recomputed from the source data, which changed after approval."

FOUR_PLACES = Decimal("0.0001")


def _quantize(number: Decimal | int | None) -> Decimal | None:
    """To the four places the database keeps, so a comparison with a stored value is exact."""
    return None if number is None else Decimal(number).quantize(FOUR_PLACES)


def _check_period(period_start: date, *, now: datetime) -> None:
    if period_start.day != 1:
        raise ValidationError({"period_start": PERIOD_NOT_MONTH_START.format(period=period_start)})
    today = timezone.localdate(now)
    if period_start > today.replace(day=1):
        raise ValidationError({"period_start": PERIOD_IN_FUTURE.format(period=period_start)})


@transaction.atomic
def definitions_sync() -> list[Indicator]:
    """Create the indicators of ``definitions.definitions()`` that do not exist yet.

    Existing indicators are left as they are (an owner or wording changed in the admin
    stays changed). Idempotent; the data migration does the same with its frozen copy.
    """
    indicators = []
    for position, definition in enumerate(definitions(), start=1):
        fields = dict(definition)
        code = fields.pop("code")
        indicator, created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                **fields,
                "is_computed": fields["source"] != Source.ENTERED,
                "display_order": position * 10,
            },
        )
        if created:
            indicator.full_clean()
        indicators.append(indicator)
    return indicators


@transaction.atomic
def target_set(
    *,
    indicator: Indicator,
    effective_from: date,
    value: Decimal | int,
    tolerance_kind: str = ToleranceKind.ABSOLUTE,
    tolerance_amount: Decimal | int = 0,
    note: str = "",
) -> Target:
    """Set the indicator's target from ``effective_from`` on (an upsert on that date)."""
    target = Target.objects.filter(indicator=indicator, effective_from=effective_from).first()
    if target is None:
        target = Target(indicator=indicator, effective_from=effective_from)
    target.value = Decimal(value)
    target.tolerance_kind = tolerance_kind
    target.tolerance_amount = Decimal(tolerance_amount)
    target.note = note
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def period_value_enter(
    *,
    indicator: Indicator,
    period_start: date,
    value: Decimal,
    by: AbstractBaseUser,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    commentary: str = "",
    data_quality_note: str = "",
    now: datetime | None = None,
) -> PeriodValue:
    """Enter a hand-kept indicator's value for a month (or replace an unapproved one)."""
    now = now or timezone.now()
    if indicator.is_computed:
        raise ValidationError(
            ENTER_COMPUTED.format(code=indicator.code, source=indicator.get_source_display())
        )
    _check_period(period_start, now=now)
    period_value = (
        PeriodValue.objects.select_for_update()
        .filter(indicator=indicator, period_start=period_start)
        .first()
    )
    if period_value is None:
        period_value = PeriodValue(indicator=indicator, period_start=period_start)
    elif period_value.status == Status.APPROVED:
        raise ValidationError(ENTER_APPROVED.format(period=period_start))
    period_value.value = _quantize(value)
    period_value.numerator = _quantize(numerator)
    period_value.denominator = _quantize(denominator)
    period_value.commentary = commentary
    period_value.data_quality_note = data_quality_note
    _reset_trail(period_value, entered_by=by, now=now)
    period_value.full_clean()
    period_value.save()
    return period_value


def _reset_trail(
    period_value: PeriodValue, *, entered_by: AbstractBaseUser | None, now: datetime
) -> None:
    period_value.status = Status.ENTERED
    period_value.entered_by = entered_by
    period_value.entered_at = now
    period_value.checked_by = period_value.checked_at = None
    period_value.approved_by = period_value.approved_at = None


def _locked(period_value: PeriodValue) -> PeriodValue:
    """The value re-read under a row lock, so two people acting at once cannot both pass."""
    return (
        PeriodValue.objects.select_for_update().select_related("indicator").get(pk=period_value.pk)
    )


@transaction.atomic
def period_value_check(
    *, period_value: PeriodValue, by: AbstractBaseUser, now: datetime | None = None
) -> PeriodValue:
    """Mark an entered or computed value checked, with its commentary written, by someone
    other than the person who entered it: the check is of the figures and of what they say."""
    period_value = _locked(period_value)
    if period_value.status != Status.ENTERED:
        raise ValidationError(
            CHECK_NOT_ENTERED.format(status=period_value.get_status_display().lower())
        )
    if period_value.entered_by_id is not None and period_value.entered_by_id == by.pk:
        raise ValidationError(CHECK_OWN_ENTRY)
    if not period_value.commentary.strip():
        raise ValidationError(CHECK_NO_COMMENTARY)
    period_value.status = Status.CHECKED
    period_value.checked_by = by
    period_value.checked_at = now or timezone.now()
    period_value.full_clean()
    period_value.save()
    return period_value


@transaction.atomic
def period_value_approve(
    *, period_value: PeriodValue, by: AbstractBaseUser, now: datetime | None = None
) -> PeriodValue:
    """Approve a checked value: four eyes at least, so neither who entered it nor who
    checked it may approve it."""
    period_value = _locked(period_value)
    if period_value.status != Status.CHECKED:
        raise ValidationError(
            APPROVE_NOT_CHECKED.format(status=period_value.get_status_display().lower())
        )
    if period_value.entered_by_id is not None and period_value.entered_by_id == by.pk:
        raise ValidationError(APPROVE_OWN_ENTRY)
    if period_value.checked_by_id == by.pk:
        raise ValidationError(APPROVE_OWN_CHECK)
    period_value.status = Status.APPROVED
    period_value.approved_by = by
    period_value.approved_at = now or timezone.now()
    period_value.full_clean()
    period_value.save()
    return period_value


def _keep_old_figures(
    period_value: PeriodValue,
    *,
    reason: str,
    by: AbstractBaseUser | None,
    now: datetime,
    kind: str = RevisionKind.FIGURES,
) -> ValueRevision:
    revision = ValueRevision(
        period_value=period_value,
        kind=kind,
        old_value=period_value.value,
        old_numerator=period_value.numerator,
        old_denominator=period_value.denominator,
        old_commentary=period_value.commentary,
        old_data_quality_note=period_value.data_quality_note,
        old_approved_by_id=period_value.approved_by_id,
        old_approved_at=period_value.approved_at,
        reason=reason,
        revised_by=by,
        revised_at=now,
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def period_value_revise(
    *,
    period_value: PeriodValue,
    value: Decimal,
    reason: str,
    by: AbstractBaseUser,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    commentary: str | None = None,
    data_quality_note: str | None = None,
    now: datetime | None = None,
) -> PeriodValue:
    """Change an approved value, keeping its old figures and the reason.

    The value goes back to *entered* (by ``by``), to be checked and approved again.
    ``commentary`` and ``data_quality_note`` stay as they were when not given.
    """
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REVISE_NO_REASON})
    period_value = _locked(period_value)
    if period_value.status != Status.APPROVED:
        raise ValidationError(
            REVISE_NOT_APPROVED.format(status=period_value.get_status_display().lower())
        )
    new = {
        "value": _quantize(value),
        "numerator": _quantize(numerator),
        "denominator": _quantize(denominator),
        "commentary": period_value.commentary if commentary is None else commentary,
        "data_quality_note": (
            period_value.data_quality_note if data_quality_note is None else data_quality_note
        ),
    }
    if all(getattr(period_value, field) == figure for field, figure in new.items()):
        raise ValidationError(REVISE_NO_CHANGE)
    _keep_old_figures(period_value, reason=reason, by=by, now=now)
    for field, figure in new.items():
        setattr(period_value, field, figure)
    _reset_trail(period_value, entered_by=by, now=now)
    period_value.full_clean()
    period_value.save()
    return period_value


@transaction.atomic
def period_value_comment(
    *,
    period_value: PeriodValue,
    commentary: str,
    by: AbstractBaseUser,
    data_quality_note: str | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> PeriodValue:
    """Write or correct a value's commentary (and data quality note), leaving its figures and
    their approval as they are.

    The indicator owner writes it before the value is checked. Once the value is checked or
    approved, the words it had are kept as a ``commentary`` revision with the reason (a
    default one when none is given), so what the briefing said stays on record.
    """
    now = now or timezone.now()
    period_value = _locked(period_value)
    new = {
        "commentary": commentary.strip(),
        "data_quality_note": (
            period_value.data_quality_note
            if data_quality_note is None
            else data_quality_note.strip()
        ),
    }
    if all(getattr(period_value, field) == text for field, text in new.items()):
        raise ValidationError(COMMENT_NO_CHANGE)
    if period_value.status != Status.ENTERED:
        _keep_old_figures(
            period_value,
            reason=reason.strip() or COMMENT_DEFAULT_REASON,
            by=by,
            now=now,
            kind=RevisionKind.COMMENTARY,
        )
    for field, text in new.items():
        setattr(period_value, field, text)
    period_value.full_clean()
    period_value.save(update_fields=list(new))
    return period_value


@transaction.atomic
def period_value_upsert_computed(
    *,
    indicator: Indicator,
    period_start: date,
    value: Decimal,
    numerator: Decimal | int | None,
    denominator: Decimal | int | None,
    now: datetime | None = None,
) -> tuple[PeriodValue, UpsertResult]:
    """Store a computed indicator's value for a month; safe to run again and at once.

    Upsert on (indicator, period_start). The same figures change nothing. Different figures
    replace an unapproved value's and send it back to *entered*; an approved value's old
    figures are kept as a revision (``RECOMPUTED_REASON``) first. Commentary is kept.
    """
    now = now or timezone.now()
    if not indicator.is_computed:
        raise ValidationError(UPSERT_NOT_COMPUTED.format(code=indicator.code))
    _check_period(period_start, now=now)
    figures = {
        "value": _quantize(value),
        "numerator": _quantize(numerator),
        "denominator": _quantize(denominator),
    }
    rows = PeriodValue.objects.select_for_update().filter(
        indicator=indicator, period_start=period_start
    )
    period_value = rows.first()
    if period_value is None:
        period_value = PeriodValue(indicator=indicator, period_start=period_start, **figures)
        _reset_trail(period_value, entered_by=None, now=now)
        period_value.full_clean(validate_constraints=False)
        try:
            # A savepoint: another worker may insert the same row between our read and here.
            with transaction.atomic():
                period_value.save()
        except IntegrityError:
            period_value = rows.get()
        else:
            return period_value, UpsertResult.CREATED
    if all(getattr(period_value, field) == figure for field, figure in figures.items()):
        return period_value, UpsertResult.UNCHANGED
    result = UpsertResult.UPDATED
    if period_value.status == Status.APPROVED:
        _keep_old_figures(period_value, reason=RECOMPUTED_REASON, by=None, now=now)
        result = UpsertResult.REVISED
    for field, figure in figures.items():
        setattr(period_value, field, figure)
    _reset_trail(period_value, entered_by=None, now=now)
    period_value.full_clean(validate_constraints=False)
    period_value.save()
    return period_value, result


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make an API token for ``user``; returns it and the raw token, which is not stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        created_at=now or timezone.now(),
    )
    token.full_clean()
    token.save()
    return token, raw


# --- Computed monthly values (FR ICT 17–19) ---------------------------------------------------

NO_DATA: Final = "no data"  # a percentage with nothing to divide by is not stored as 0%


@dataclass(frozen=True)
class ComputedFigure:
    """One indicator's figures for a month, as computed from a source, and what was stored."""

    code: str
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    extra: dict[str, object] | None = None
    result: str = NO_DATA


def _figure(code: str, counted: object) -> ComputedFigure:
    """A registered monthly metric's count (an int, a Ratio or a ``registry.Figure``) as the
    figure stored and printed."""
    extra: dict[str, object] | None = None
    if isinstance(counted, registry.Figure):
        extra = dict(counted.extra) or None
        counted = counted.value
    if isinstance(counted, Ratio):
        return ComputedFigure(
            code=code,
            value=counted.percent,
            numerator=counted.numerator,
            denominator=counted.denominator,
            extra=extra,
        )
    if isinstance(counted, int):
        return ComputedFigure(code=code, value=Decimal(counted), extra=extra)
    raise TypeError(f"{code}: a monthly count gives an int, a Ratio or a Figure, not {counted!r}")


def indicators_figures(*, period_start: date) -> list[ComputedFigure]:
    """Every monthly metric of the registry (FR ICT 17–19, ICT SAT) for a month (not stored).

    One span, ``windows.month``, which each metric reads by its window: London midnights for
    tickets, the month's first and last days for cases, the last day's end for outstanding
    counts.
    """
    span = windows.month(period_start)
    return [
        _figure(metric.code, metric.count(**metric.arguments(span)))
        for metric in registry.monthly_metrics()
        if metric.count is not None
    ]


def indicators_compute(*, period_start: date, now: datetime | None = None) -> list[ComputedFigure]:
    """Compute FR ICT 17–19 for a month and store each with ``period_value_upsert_computed``.

    Idempotent: a second run with the same source data changes nothing. A percentage with
    no denominator is not stored (``NO_DATA``). Each value is its own transaction, so one
    failure does not undo the others' upserts (the next run retries them).
    """
    indicators = {i.code: i for i in Indicator.objects.filter(is_computed=True)}
    stored = []
    for figure in indicators_figures(period_start=period_start):
        indicator = indicators.get(figure.code)
        if indicator is None or figure.value is None:
            stored.append(figure)
            continue
        denominator = figure.denominator if figure.denominator else None
        _, result = period_value_upsert_computed(
            indicator=indicator,
            period_start=period_start,
            value=figure.value,
            numerator=figure.numerator,
            denominator=denominator,
            now=now,
        )
        stored.append(
            ComputedFigure(
                code=figure.code,
                value=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                extra=figure.extra,
                result=result.value,
            )
        )
    return stored


# --- Trend snapshots --------------------------------------------------------------------------

SNAPSHOT_KEY: Final = ("granularity", "instant", "metric", "breakdown", "key")


SNAPSHOT_SPANS: Final = {Granularity.FORTNIGHTLY: windows.fortnight, Granularity.DAILY: windows.day}


def snapshot_span(*, as_of: datetime, granularity: str) -> windows.Span:
    """The span a snapshot's period metrics count: the fortnight or day ending at ``as_of``
    (in London calendar days, so a span across the clocks changing is 14 local days)."""
    return SNAPSHOT_SPANS[Granularity(granularity)](as_of)


def snapshot_window(*, as_of: datetime, granularity: str) -> tuple[datetime, datetime]:
    """``snapshot_span`` as (start, end) instants."""
    span = snapshot_span(as_of=as_of, granularity=granularity)
    assert span.start is not None
    return span.start, span.end


def _snapshot_batches(span: windows.Span) -> dict[object, tuple[dict[str, object], object]]:
    """The distinct count functions of the registry's snapshot metrics, each with its
    metrics' window arguments and parameters for ``span`` and its ``count_many``, if any."""
    batches: dict[object, tuple[dict[str, object], object]] = {}
    for metric in registry.snapshot_metrics():
        arguments, _ = batches.setdefault(metric.count, ({}, metric.count_many))
        for name, value in metric.arguments(span).items():
            if arguments.get(name, value) != value:
                raise ValueError(f"{metric.code}: {name} differs within one count function")
            arguments[name] = value
    return batches


def snapshot_rows(*, as_of: datetime, granularity: str) -> list[MetricRow]:
    """Every figure of the registry's snapshot metrics as of ``as_of`` (not stored).

    Metrics counted by one grouped query share a count function: each distinct function is
    called once, with its metrics' window arguments and parameters, and the rows of
    registered metrics are kept, in the order the functions return them.
    """
    span = snapshot_span(as_of=as_of, granularity=granularity)
    codes = {metric.code for metric in registry.snapshot_metrics()}
    rows: list[MetricRow] = []
    for count, (arguments, _) in _snapshot_batches(span).items():
        rows.extend(row for row in count(**arguments) if row.metric in codes)  # type: ignore[operator]
    return rows


def snapshot_rows_many(
    *, instants: list[datetime], granularity: str
) -> dict[datetime, list[MetricRow]]:
    """``snapshot_rows`` for each of ``instants``: a count function with a ``count_many`` is
    called once for all of them (a fixed number of queries however many), the others once
    per instant. The rows of each instant are those ``snapshot_rows`` gives, in its order."""
    codes = {metric.code for metric in registry.snapshot_metrics()}
    batches = [
        _snapshot_batches(snapshot_span(as_of=instant, granularity=granularity))
        for instant in instants
    ]
    rows: dict[datetime, list[MetricRow]] = {instant: [] for instant in instants}
    if not batches:
        return rows
    for count, (_, many) in batches[0].items():
        arguments = [batch[count][0] for batch in batches]
        if many is not None:
            results = many(arguments)  # type: ignore[operator]
        else:
            results = [count(**a) for a in arguments]  # type: ignore[operator]
        for instant, result in zip(instants, results, strict=True):
            rows[instant].extend(row for row in result if row.metric in codes)
    return rows


@transaction.atomic
def snapshot_take(
    *, as_of: datetime, granularity: str = Granularity.FORTNIGHTLY, now: datetime | None = None
) -> list[Snapshot]:
    """Snapshot the DMT metric set as of ``as_of``: one upsert of every row, then the removal
    of rows the figures no longer have. Safe to rerun, redeliver and run twice at once.

    The history is the source of truth, so a past ``as_of`` gives what a snapshot taken at
    that instant would have said (backfill). Returns the stored rows.
    """
    if timezone.is_naive(as_of):
        raise ValidationError("A snapshot instant must be an aware datetime.")
    granularity = Granularity(granularity)
    return _snapshot_store(
        as_of=as_of,
        granularity=granularity,
        rows=snapshot_rows(as_of=as_of, granularity=granularity),
        taken_at=now or timezone.now(),
    )


def _snapshot_store(
    *, as_of: datetime, granularity: str, rows: list[MetricRow], taken_at: datetime
) -> list[Snapshot]:
    """Store one instant's rows (``snapshot_take``'s writes)."""
    return _snapshots_store(granularity=granularity, rows={as_of: rows}, taken_at=taken_at)


def _snapshots_store(
    *, granularity: str, rows: dict[datetime, list[MetricRow]], taken_at: datetime
) -> list[Snapshot]:
    """Store the rows of one or more instants: one upsert of every row, then one removal of
    the rows of those instants that the figures no longer have."""
    keyed: dict[tuple[datetime, str, str, str], MetricRow] = {}
    for instant, instant_rows in rows.items():
        for row in instant_rows:  # a source repeating a key: last wins
            keyed[(instant, row.metric, row.breakdown, row.key)] = row
    snapshots = [
        Snapshot(
            instant=instant,
            granularity=granularity,
            metric=row.metric,
            breakdown=row.breakdown,
            key=row.key,
            label=row.label,
            value=row.value,
            taken_at=taken_at,
        )
        for (instant, *_), row in keyed.items()
    ]
    # INSERT … ON CONFLICT (natural key) DO UPDATE: concurrent writers serialise on the
    # conflicting rows instead of failing, and every row ends with one writer's figures.
    Snapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=list(SNAPSHOT_KEY),
        update_fields=["label", "value", "taken_at"],
    )
    Snapshot.objects.filter(instant__in=list(rows), granularity=granularity).exclude(
        pk__in=[snapshot.pk for snapshot in snapshots]
    ).delete()
    return snapshots


BACKFILL_BATCH: Final = 100
"""Instants computed and stored together by a backfill (a few fortnightly years, a quarter of
days), so that the rows held in memory and written at once stay bounded."""


def snapshot_instants(*, start: date, end: date, granularity: str) -> list[datetime]:
    """The instants a backfill from ``start`` to ``end`` (London dates, inclusive) takes."""
    if granularity == Granularity.FORTNIGHTLY:
        return periods.fortnight_ends(start, end)
    return periods.day_ends(start, end)


def snapshot_backfill(
    *, start: date, end: date, granularity: str = Granularity.FORTNIGHTLY
) -> list[datetime]:
    """Snapshot every fortnight end (or day end) from ``start`` to ``end``: the figures of
    up to ``BACKFILL_BATCH`` instants computed together (``snapshot_rows_many``) and stored
    together, in one transaction (one upsert, one removal). Returns the instants taken."""
    granularity = Granularity(granularity)
    instants = snapshot_instants(start=start, end=end, granularity=granularity)
    taken_at = timezone.now()
    for first in range(0, len(instants), BACKFILL_BATCH):
        batch = instants[first : first + BACKFILL_BATCH]
        rows = snapshot_rows_many(instants=batch, granularity=granularity)
        with transaction.atomic():
            _snapshots_store(granularity=granularity, rows=rows, taken_at=taken_at)
    return instants


# --- Review packs -----------------------------------------------------------------------------

PACK_EXISTS: Final = "The review of the fortnight ending {end:%-d %B %Y} is already frozen."
PACK_NO_FIGURES: Final = "There are no snapshot figures for the fortnight ending {end:%-d %B %Y}."


@transaction.atomic
def review_pack_freeze(
    *,
    fortnight_end: datetime,
    by: AbstractBaseUser,
    commentary: str = "",
    actions_agreed: str = "",
    now: datetime | None = None,
) -> ReviewPack:
    """Freeze the DMT review of a fortnight: copy its figures into a pack, with commentary
    and the actions agreed. Once frozen, the pack never changes with the data."""
    from indicators import selectors  # selectors import models only; no cycle at import

    figures = selectors.review_figures(end=fortnight_end)
    if figures is None or figures["instants"][-1] != fortnight_end.isoformat():
        raise ValidationError(PACK_NO_FIGURES.format(end=periods.local_date(fortnight_end)))
    pack = ReviewPack(
        fortnight_end=fortnight_end,
        frozen_at=now or timezone.now(),
        frozen_by=by,
        figures=figures,
        commentary=commentary.strip(),
        actions_agreed=actions_agreed.strip(),
    )
    try:
        with transaction.atomic():
            pack.save()
    except IntegrityError as error:
        raise ValidationError(PACK_EXISTS.format(end=periods.local_date(fortnight_end))) from error
    return pack


# --- Risk register ----------------------------------------------------------------------------

RISK_FIELDS: Final = ("title", "owner", "likelihood", "impact", "mitigations", "review_date")


RISK_CLOSED: Final = "This risk is closed: it is kept with its history, and can no longer change."
RISK_CLOSE_NO_NOTE: Final = "Say why the risk is being closed."
_RISK_WORDS: Final = {
    "title": "title",
    "owner": "owner",
    "likelihood": "likelihood",
    "impact": "impact",
    "mitigations": "mitigations",
    "review_date": "review date",
}


def _risk_change(before: dict[str, object] | None, risk: Risk) -> str:
    """What a save changed, in words, for the register's history."""
    if before is None:
        return f"Added, scored {risk.likelihood} × {risk.impact} = {risk.likelihood * risk.impact}"
    changed = []
    for name, words in _RISK_WORDS.items():
        old, new = before[name], getattr(risk, name)
        if old == new:
            continue
        if name in ("likelihood", "impact"):
            changed.append(f"{words} {old} → {new}")
        else:
            changed.append(f"{words} changed")
    return ("Changed: " + ", ".join(changed)) if changed else "Saved without change"


@transaction.atomic
def risk_save(
    *,
    risk: Risk | None = None,
    linked_indicators: list[Indicator] | None = None,
    by: AbstractBaseUser | None = None,
    now: datetime | None = None,
    **fields: object,
) -> Risk:
    """Create a risk, or change one; ``fields`` are among ``RISK_FIELDS``.

    Every save adds a ``RiskRevision`` (what it says now, and what changed), so the
    register's history can be read on the risk's page. A closed risk does not change.
    """
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown risk fields: {', '.join(sorted(unknown))}")
    # Re-read under a lock and write only the given fields: a stale copy (say, from before
    # risk_register_mark_briefed) must not put back an old previous_score.
    risk = Risk() if risk is None else Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.closed_at is not None:
        raise ValidationError(RISK_CLOSED)
    before = None if risk.pk is None else {name: getattr(risk, name) for name in RISK_FIELDS}
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.full_clean(exclude=["score"])
    if risk.pk is None:
        risk.save()
    elif fields:
        risk.save(update_fields=list(fields))
    risk.refresh_from_db(fields=["score"])
    if linked_indicators is not None:
        risk.linked_indicators.set(linked_indicators)
    _risk_revision(risk, change=_risk_change(before, risk), by=by, now=now)
    return risk


def _risk_revision(
    risk: Risk, *, change: str, by: AbstractBaseUser | None, now: datetime | None, note: str = ""
) -> RiskRevision:
    revision = RiskRevision(
        risk=risk,
        changed_at=now or timezone.now(),
        changed_by=by,
        change=change[:200],
        likelihood=risk.likelihood,
        impact=risk.impact,
        mitigations=risk.mitigations,
        note=note,
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def risk_close(*, risk: Risk, note: str, by: AbstractBaseUser, now: datetime | None = None) -> Risk:
    """Take a risk off the register, with why; it stays, with its history, for the record."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": RISK_CLOSE_NO_NOTE})
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.closed_at is not None:
        raise ValidationError(RISK_CLOSED)
    now = now or timezone.now()
    risk.closed_at = now
    risk.closure_note = note
    risk.save(update_fields=["closed_at", "closure_note"])
    _risk_revision(risk, change="Closed", by=by, now=now, note=note)
    return risk


BRIEFING_NO_MEETING: Final = "Name the meeting the briefing is frozen for."


@transaction.atomic
def briefing_freeze(
    *,
    meeting: str,
    body: str,
    reporting_month: date | None,
    by: AbstractBaseUser,
    now: datetime | None = None,
) -> BriefingPack:
    """Keep the briefing as rendered now (``body``), for a meeting, to be printed from.

    The scores of the open risks are recorded as this briefing's at the same moment, so the
    next briefing's "movement since the last briefing" starts from what this one said.
    """
    meeting = meeting.strip()
    if not meeting:
        raise ValidationError({"meeting": BRIEFING_NO_MEETING})
    pack = BriefingPack(
        meeting=meeting,
        body=body,
        reporting_month=reporting_month,
        frozen_by=by,
        frozen_at=now or timezone.now(),
    )
    pack.full_clean()
    pack.save()
    risk_register_mark_briefed()
    return pack


@transaction.atomic
def risk_register_mark_briefed() -> int:
    """Record every risk's current score as the last briefing's (for the next "movement")."""
    from django.db.models import F

    return Risk.objects.open().update(previous_score=F("score"))
