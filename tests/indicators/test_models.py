import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from indicators.choices import Status
from tests.indicators.factories import IndicatorFactory, PeriodValueFactory, TargetFactory


@pytest.mark.django_db
class IndicatorTests:
    def test_it_formats_values_by_unit(self):
        assert IndicatorFactory.build(unit="percent").format_value(Decimal("91.25")) == "91.2%"
        assert IndicatorFactory.build(unit="count").format_value(Decimal("1204")) == "1,204"
        assert IndicatorFactory.build().format_value(None) == "—"

    def test_a_computed_indicator_needs_a_computing_source(self):
        with pytest.raises(IntegrityError, match="computed_matches_source"):
            IndicatorFactory(is_computed=True, source="entered")


@pytest.mark.django_db
class PeriodValueTests:
    def test_a_period_starts_on_the_first(self):
        with pytest.raises(IntegrityError, match="period_starts_on_the_first"):
            PeriodValueFactory(period_start=dt.date(2017, 3, 2))

    def test_one_value_per_indicator_and_month(self):
        value = PeriodValueFactory()
        with pytest.raises(IntegrityError, match="one_per_indicator_and_period"):
            PeriodValueFactory(indicator=value.indicator)

    def test_an_approved_value_has_its_trail(self):
        with pytest.raises(IntegrityError, match="status_matches_trail"):
            PeriodValueFactory(status=Status.APPROVED, approved_at=None)

    def test_str(self):
        value = PeriodValueFactory.build(indicator=IndicatorFactory.build(code="FR ICT 17"))
        assert str(value) == "FR ICT 17 Mar 2017: 90"
        target = TargetFactory.build(indicator=value.indicator)
        assert str(target) == "FR ICT 17 target 90 from 1 Apr 2016"
