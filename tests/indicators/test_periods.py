import datetime as dt

import pytest

from indicators.periods import financial_year, financial_year_start, month_start, shift_month


class PeriodTests:
    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (dt.date(2017, 3, 1), 1, dt.date(2017, 4, 1)),
            (dt.date(2017, 1, 1), -1, dt.date(2016, 12, 1)),
            (dt.date(2017, 3, 1), -12, dt.date(2016, 3, 1)),
            (dt.date(2016, 12, 1), 13, dt.date(2018, 1, 1)),
        ],
    )
    def test_it_adds_months(self, start, months, expected):
        assert shift_month(start, months) == expected

    @pytest.mark.parametrize(
        ("day", "year", "start"),
        [
            (dt.date(2017, 3, 31), "2016/17", dt.date(2016, 4, 1)),
            (dt.date(2017, 4, 1), "2017/18", dt.date(2017, 4, 1)),
            (dt.date(1999, 12, 1), "1999/00", dt.date(1999, 4, 1)),
        ],
    )
    def test_it_names_the_uk_financial_year(self, day, year, start):
        assert financial_year(day) == year
        assert financial_year_start(day) == start

    def test_it_finds_the_month_start(self):
        assert month_start(dt.date(2017, 3, 31)) == dt.date(2017, 3, 1)
