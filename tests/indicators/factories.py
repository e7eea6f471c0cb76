"""Factories of the indicators app."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from hackperf.metrics import ALL
from indicators.choices import Granularity, Polarity, Source, Status, ToleranceKind, Unit
from indicators.models import Indicator, PeriodValue, Risk, Snapshot, Target
from indicators.services.risks import risk_save


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A hand-kept percentage indicator, higher is better, unless told otherwise."""

    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"TEST {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")
    title = factory.Sequence(lambda n: f"Test indicator {n}")
    description = "A test indicator."
    unit = Unit.PERCENT
    polarity = Polarity.HIGHER_IS_BETTER
    owner = "Head of Testing"
    is_computed = False
    source = Source.ENTERED
    rag_rule = "Green at or above the target; amber within 5 points; red below."
    display_order = factory.Sequence(lambda n: 1000 + n)

    class Params:
        computed = factory.Trait(is_computed=True, source=Source.SERVICEDESK)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    effective_from = dt.date(2016, 4, 1)
    value = Decimal(90)
    tolerance_kind = ToleranceKind.ABSOLUTE
    tolerance_amount = Decimal(5)


class PeriodValueFactory(factory.django.DjangoModelFactory):
    """A value as it stands after entry; ``status=Status.APPROVED`` fills the trail."""

    class Meta:
        model = PeriodValue

    indicator = factory.SubFactory(IndicatorFactory)
    period_start = dt.date(2017, 3, 1)
    value = Decimal(90)
    status = Status.ENTERED
    commentary = "On track."
    entered_at = factory.LazyFunction(timezone.now)
    checked_at = factory.LazyAttribute(
        lambda o: o.entered_at if o.status in (Status.CHECKED, Status.APPROVED) else None
    )
    approved_at = factory.LazyAttribute(
        lambda o: o.entered_at if o.status == Status.APPROVED else None
    )


class SnapshotFactory(factory.django.DjangoModelFactory):
    """One figure of a daily snapshot, taken at its instant (Mon 16 Nov 2026 00:00 UTC unless
    told); overall unless given a breakdown and key."""

    class Meta:
        model = Snapshot

    instant = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    granularity = Granularity.DAILY
    metric = "servicedesk.open_incidents"
    breakdown = ALL
    key = ""
    label = ""
    value = 0
    taken_at = factory.SelfAttribute("instant")


def make_risk(**fields) -> Risk:
    """A risk saved through the service (so its history is kept), with plausible values for
    whatever ``fields`` does not give."""
    values = {
        "title": "Cyber attack",
        "owner": "Head of Security",
        "likelihood": 3,
        "impact": 5,
        "mitigations": "Patching; backups tested monthly.",
        "review_date": dt.date(2026, 12, 1),
    } | fields
    return risk_save(**values)
