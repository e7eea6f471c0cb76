"""hackperf.indicator_status: how infogov reads targets, RAG and commentary without importing
indicators."""

from datetime import date
from decimal import Decimal

import pytest

from hackperf import indicator_status


class IndicatorStatusTests:
    def test_indicators_registers_its_provider(self):
        from indicators.status_provider import IndicatorStatusProvider

        assert isinstance(indicator_status._provider, IndicatorStatusProvider)

    def test_without_a_provider_a_figure_is_not_assessed(self, monkeypatch):
        monkeypatch.setattr(indicator_status, "_provider", None)
        (assessment,) = indicator_status.assess([("FR ICT 18a", date(2026, 7, 1), Decimal(90))])
        assert (assessment.rag, assessment.target, assessment.colour) == (
            "not_assessed",
            None,
            "none",
        )
        assert (
            indicator_status.commentary(["FR ICT 18a"], date(2026, 7, 1), date(2026, 9, 30)) == []
        )

    @pytest.mark.django_db
    def test_an_unknown_code_is_not_assessed(self):
        (assessment,) = indicator_status.assess([("NOPE 1", date(2026, 7, 1), Decimal(1))])
        assert assessment.rag == "not_assessed" and assessment.url == ""
