r"""Monthly indicator values and their sign-off trail.

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

Errors are ``ValidationError``\s with the texts below, which the tests reuse.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Final, overload

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackperf.saving import validated_save
from indicators.choices import RevisionKind, Status, UpsertResult
from indicators.models import Indicator, PeriodValue, ValueRevision

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


@overload
def _quantize(number: Decimal | int) -> Decimal: ...
@overload
def _quantize(number: None) -> None: ...
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
def period_value_enter(
    *,
    indicator: Indicator,
    period_start: date,
    value: Decimal,
    by: User,
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


def _reset_trail(period_value: PeriodValue, *, entered_by: User | None, now: datetime) -> None:
    period_value.status = Status.ENTERED
    period_value.entered_by = entered_by
    period_value.entered_at = now
    period_value.checked_by = period_value.checked_at = None
    period_value.approved_by = period_value.approved_at = None


def _require_status(period_value: PeriodValue, status: Status, refusal: str) -> None:
    """Refuse a step the value is not ready for, naming the status it is at."""
    if period_value.status != status:
        raise ValidationError(refusal.format(status=period_value.get_status_display().lower()))


def _entered_by(period_value: PeriodValue, user: User) -> bool:
    """Whether ``user`` entered the value (a computed value was entered by nobody)."""
    return period_value.entered_by_id is not None and period_value.entered_by_id == user.pk


def _locked(period_value: PeriodValue) -> PeriodValue:
    """The value re-read under a row lock, so two people acting at once cannot both pass."""
    return (
        PeriodValue.objects.select_for_update().select_related("indicator").get(pk=period_value.pk)
    )


@transaction.atomic
def period_value_check(
    *, period_value: PeriodValue, by: User, now: datetime | None = None
) -> PeriodValue:
    """Mark an entered or computed value checked, with its commentary written, by someone
    other than the person who entered it: the check is of the figures and of what they say."""
    period_value = _locked(period_value)
    _require_status(period_value, Status.ENTERED, CHECK_NOT_ENTERED)
    if _entered_by(period_value, by):
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
    *, period_value: PeriodValue, by: User, now: datetime | None = None
) -> PeriodValue:
    """Approve a checked value: four eyes at least, so neither who entered it nor who
    checked it may approve it."""
    period_value = _locked(period_value)
    _require_status(period_value, Status.CHECKED, APPROVE_NOT_CHECKED)
    if _entered_by(period_value, by):
        raise ValidationError(APPROVE_OWN_ENTRY)
    if period_value.checked_by_id == by.pk:
        raise ValidationError(APPROVE_OWN_CHECK)
    period_value.status = Status.APPROVED
    period_value.approved_by = by
    period_value.approved_at = now or timezone.now()
    period_value.full_clean()
    period_value.save()
    return period_value


_OLD_FIGURES: Final = tuple(
    f.attname for f in ValueRevision._meta.concrete_fields if f.attname.startswith("old_")
)
"""A revision's copies of the figures it replaces: ``old_<name>`` keeps the value's ``<name>``."""


def _keep_old_figures(
    period_value: PeriodValue,
    *,
    reason: str,
    by: User | None,
    now: datetime,
    kind: str = RevisionKind.FIGURES,
) -> ValueRevision:
    return validated_save(
        ValueRevision(
            period_value=period_value,
            kind=kind,
            **{old: getattr(period_value, old.removeprefix("old_")) for old in _OLD_FIGURES},
            reason=reason,
            revised_by=by,
            revised_at=now,
        )
    )


@transaction.atomic
def period_value_revise(
    *,
    period_value: PeriodValue,
    value: Decimal,
    reason: str,
    by: User,
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
    _require_status(period_value, Status.APPROVED, REVISE_NOT_APPROVED)
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
    by: User,
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
