"""Indicator targets, each effective from a date."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from indicators.choices import ToleranceKind
from indicators.models import Indicator, Target


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
