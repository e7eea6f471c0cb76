from datetime import date

import pytest

from infogov import selectors


class ParsePeriodTests:
    @pytest.mark.parametrize(
        ("key", "start", "end"),
        [
            ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
            ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
            ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
            ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ],
    )
    def test_it_reads_months_and_quarters(self, key, start, end):
        period = selectors.parse_period(key)
        assert (period.start, period.end) == (start, end)

    @pytest.mark.parametrize("key", ["2026-13", "2026-Q5", "March", "2026-3", ""])
    def test_it_refuses_anything_else(self, key):
        with pytest.raises(ValueError, match="YYYY-MM"):
            selectors.parse_period(key)

    def test_the_default_is_last_month(self):
        assert selectors.default_period(date(2026, 1, 15)).key == "2025-12"

    def test_recent_periods_are_newest_first(self):
        keys = [p.key for p in selectors.recent_periods(date(2026, 2, 1), months=2, quarters=2)]
        assert keys == ["2026-02", "2026-01", "2026-Q1", "2025-Q4"]


class WorkingDaysLeftTests:
    def test_it_counts_england_and_wales_working_days(self, bundled_calendar):
        # Fri 13 Mar 2026 to Wed 18 Mar: 16, 17 (St Patrick's Day is not an E&W holiday), 18.
        assert (
            selectors.working_days_left(
                date(2026, 3, 13), date(2026, 3, 18), calendar=bundled_calendar
            )
            == 3
        )
        assert (
            selectors.working_days_left(
                date(2026, 3, 18), date(2026, 3, 16), calendar=bundled_calendar
            )
            == -2
        )


class EscalationRulesTests:
    def test_the_defaults(self):
        rules = selectors.escalation_rules()
        assert [(r.level, r.working_days_before, r.recipients) for r in rules] == [
            ("t_minus_5", 5, ("case_officer", "service_lead")),
            ("t_minus_2", 2, ("director",)),
            ("overdue", None, ("group_director",)),
        ]

    def test_it_refuses_an_unknown_recipient(self, settings):
        settings.INFOGOV_ESCALATION_LEVELS = {
            "overdue": {"working_days_before": None, "recipients": ["mayor"]}
        }
        with pytest.raises(ValueError, match="mayor"):
            selectors.escalation_rules()
