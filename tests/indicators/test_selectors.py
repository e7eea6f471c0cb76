import datetime as dt
from decimal import Decimal

import pytest

from indicators.choices import Polarity, Status
from indicators.rag import Direction, Rag
from indicators.selectors import indicator_history, scorecard
from tests.indicators.factories import IndicatorFactory, PeriodValueFactory, TargetFactory

TODAY = dt.date(2017, 5, 10)


def row_of(rows, indicator):
    return next(row for row in rows if row.indicator == indicator)


@pytest.mark.django_db
class ScorecardTests:
    def test_it_reads_the_latest_value_against_its_years_target(self):
        indicator = IndicatorFactory()
        TargetFactory(indicator=indicator, effective_from=dt.date(2016, 4, 1), value=85)
        TargetFactory(indicator=indicator, effective_from=dt.date(2017, 4, 1), value=95)
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 2, 1), value=80)
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 3, 1), value=86)
        row = row_of(scorecard(today=TODAY, approved_only=False), indicator)
        assert row.latest.value == 86
        # March 2017 is read against 2016/17's 85, not 2017/18's 95.
        assert row.target.value == 85
        assert row.rag == Rag.GREEN
        assert row.direction_previous == Direction.IMPROVING
        assert row.direction_year == Direction.NO_COMPARISON
        assert len(row.sparkline) == 13
        assert row.sparkline[-2:] == [(dt.date(2017, 2, 1), 80), (dt.date(2017, 3, 1), 86)]
        assert row.sparkline[0] == (dt.date(2016, 3, 1), None)

    def test_direction_compares_with_the_month_before_and_the_same_month_a_year_before(self):
        indicator = IndicatorFactory(polarity=Polarity.LOWER_IS_BETTER, unit="count")
        for period, value in (
            (dt.date(2016, 3, 1), 30),
            (dt.date(2017, 2, 1), 12),
            (dt.date(2017, 3, 1), 20),
        ):
            PeriodValueFactory(indicator=indicator, period_start=period, value=value)
        row = row_of(scorecard(today=TODAY, approved_only=False), indicator)
        # Lower is better: up from 12 is worse; down from 30 a year before is better.
        assert row.direction_previous == Direction.WORSENING
        assert row.direction_year == Direction.IMPROVING
        assert row.year_before.value == 30

    def test_a_change_too_small_to_show_is_unchanged(self):
        indicator = IndicatorFactory()
        PeriodValueFactory(
            indicator=indicator, period_start=dt.date(2017, 2, 1), value=Decimal("90.01")
        )
        PeriodValueFactory(
            indicator=indicator, period_start=dt.date(2017, 3, 1), value=Decimal("90.04")
        )
        row = row_of(scorecard(today=TODAY, approved_only=False), indicator)
        assert row.direction_previous == Direction.UNCHANGED

    def test_approved_only_skips_values_awaiting_approval(self):
        indicator = IndicatorFactory()
        PeriodValueFactory(
            indicator=indicator, period_start=dt.date(2017, 2, 1), value=70, status=Status.APPROVED
        )
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 3, 1), value=90)
        assert row_of(scorecard(today=TODAY, approved_only=True), indicator).latest.value == 70
        assert row_of(scorecard(today=TODAY, approved_only=False), indicator).latest.value == 90

    def test_an_indicator_without_values_shows_todays_target_and_no_comparison(self):
        indicator = IndicatorFactory()
        TargetFactory(indicator=indicator, effective_from=dt.date(2017, 4, 1), value=95)
        row = row_of(scorecard(today=TODAY, approved_only=False), indicator)
        assert (row.latest, row.target.value, row.rag) == (None, 95, Rag.NOT_ASSESSED)
        assert row.direction_previous == Direction.NO_COMPARISON


@pytest.mark.django_db
class HistoryTests:
    def test_it_lists_values_oldest_first_with_the_target_and_rag_of_their_period(self):
        indicator = IndicatorFactory(polarity=Polarity.LOWER_IS_BETTER)
        TargetFactory(indicator=indicator, effective_from=dt.date(2016, 4, 1), value=20)
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2017, 3, 1), value=24)
        PeriodValueFactory(indicator=indicator, period_start=dt.date(2016, 3, 1), value=10)
        points = indicator_history(indicator)
        assert [(p.period_start, p.target, p.rag) for p in points] == [
            (dt.date(2016, 3, 1), None, Rag.NOT_ASSESSED),
            (dt.date(2017, 3, 1), 20, Rag.AMBER),
        ]
