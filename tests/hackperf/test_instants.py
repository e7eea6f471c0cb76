"""hackperf.windows (week_before): a week is 7 × 24 hours of real time, whatever the clocks do."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hackperf.windows import WEEK, before, week_before

LONDON = ZoneInfo("Europe/London")


class WeekBeforeTests:
    @pytest.mark.parametrize(
        "instant",
        [
            datetime(2016, 3, 30, 10, 0, tzinfo=LONDON),  # a week after the spring change
            datetime(2016, 3, 30, 9, 0, tzinfo=UTC),  # the same instant
            datetime(2016, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris")) + timedelta(hours=1),
        ],
        ids=["london", "utc", "paris"],
    )
    def test_one_instant_gives_one_answer(self, instant):
        assert week_before(instant) == datetime(2016, 3, 23, 9, 0, tzinfo=UTC)
        assert week_before(instant).tzinfo is UTC

    def test_it_is_168_hours_across_the_autumn_change(self):
        instant = datetime(2016, 11, 2, 9, 0, tzinfo=LONDON)  # GMT; 7 days earlier was BST
        assert instant - week_before(instant) == timedelta(hours=168)
        assert week_before(instant).astimezone(LONDON).hour == 10

    def test_a_naive_datetime_is_refused(self):
        with pytest.raises(ValueError, match="naive"):
            before(datetime(2016, 3, 30, 10, 0), WEEK)  # noqa: DTZ001
