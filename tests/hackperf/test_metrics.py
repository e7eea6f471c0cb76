from decimal import Decimal

from hackperf.metrics import Ratio


class RatioTests:
    def test_it_gives_a_percentage_to_one_place(self):
        assert Ratio(2, 3).percent == Decimal("66.7")

    def test_it_rounds_a_half_up_as_published_figures_do(self):
        # 26 of 32 is 81.25%: half to even (Decimal's own rounding) gave 81.2.
        assert Ratio(26, 32).percent == Decimal("81.3")
        assert Ratio(1, 8).percent == Decimal("12.5")
        assert Ratio(1, 16).percent == Decimal("6.3")  # 6.25

    def test_it_has_no_percentage_without_a_denominator(self):
        assert Ratio(0, 0).percent is None
