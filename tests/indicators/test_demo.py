import datetime as dt

import pytest

from indicators import demo
from indicators.choices import Source, Status
from indicators.models import Indicator, PeriodValue, Target

NOW = dt.datetime(2026, 5, 14, 9, 30, tzinfo=dt.UTC)


def snapshot():
    return (
        list(PeriodValue.objects.order_by("pk").values()),
        list(Target.objects.order_by("pk").values()),
    )


@pytest.mark.django_db
class DemoTests:
    def test_every_entered_indicator_gets_two_years_with_targets_and_last_month_to_approve(self):
        demo.seed(now=NOW)
        for indicator in Indicator.objects.filter(source=Source.ENTERED):
            values = list(indicator.values.order_by("period_start"))
            assert len(values) == 24
            assert (values[0].period_start, values[-1].period_start) == (
                dt.date(2024, 5, 1),
                dt.date(2026, 4, 1),
            )
            assert values[-1].status == Status.ENTERED
            assert {v.status for v in values[:-1]} == {Status.APPROVED}
            assert all(v.commentary for v in values)
        # One target per financial year the 24 months touch: 2024/25, 2025/26 and 2026/27.
        assert list(
            Target.objects.filter(indicator__code="FR ICT 17").values_list(
                "effective_from", "value"
            )
        ) == [(dt.date(2026, 4, 1), 90), (dt.date(2025, 4, 1), 85), (dt.date(2024, 4, 1), 85)]

    def test_a_second_run_changes_nothing_and_the_same_seed_gives_the_same_data(self):
        demo.seed(now=NOW)
        first = snapshot()
        demo.seed(now=NOW)
        assert snapshot() == first
        values = [v["value"] for v in first[0]]
        PeriodValue.objects.all().delete()
        demo.seed(now=NOW)
        assert [v["value"] for v in snapshot()[0]] == values
