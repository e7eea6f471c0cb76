"""The 95% confidence interval of a satisfaction share: the Wilson score interval."""

import pytest

from servicedesk.surveys.stats import wilson_interval


class WilsonIntervalTests:
    @pytest.mark.parametrize(
        ("successes", "n", "low", "high"),
        [
            # Checked against R's prop.test(x, n, correct=FALSE) and Newcombe (1998) table I.
            (8, 10, 0.4902, 0.9433),
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 10, 0.0, 0.2775),
            (10, 10, 0.7225, 1.0),
            (1, 1, 0.2065, 1.0),
        ],
    )
    def test_it_matches_published_values(self, successes, n, low, high):
        interval = wilson_interval(successes, n)
        assert interval.low == pytest.approx(low, abs=5e-5)
        assert interval.high == pytest.approx(high, abs=5e-5)

    def test_it_has_no_interval_without_answers(self):
        assert wilson_interval(0, 0) is None

    def test_it_stays_within_0_and_1_and_around_the_share(self):
        for n in range(1, 60):
            for successes in range(n + 1):
                interval = wilson_interval(successes, n)
                assert 0 <= interval.low <= successes / n <= interval.high <= 1

    @pytest.mark.parametrize(("successes", "n"), [(-1, 5), (6, 5), (0, -1)])
    def test_it_refuses_what_is_not_a_proportion(self, successes, n):
        with pytest.raises(ValueError):
            wilson_interval(successes, n)
