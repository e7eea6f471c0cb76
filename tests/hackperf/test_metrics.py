from decimal import Decimal

from hackperf.metrics import Ratio


class RatioTests:
    def test_it_gives_a_percentage_to_one_place(self):
        assert Ratio(2, 3).percent == Decimal("66.7")

    def test_it_has_no_percentage_without_a_denominator(self):
        assert Ratio(0, 0).percent is None
