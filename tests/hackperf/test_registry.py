"""The metric registry and its windows: spans at London midnights, what each window passes
to a count, parameters from settings, one declaration per code, and what the apps declared."""

from datetime import UTC, date, datetime

import pytest

from hackperf import registry, windows
from hackperf.metrics import ALL, MetricRow
from hackperf.registry import Kind, Metric, Parameter, Window

MARCH = date(2026, 3, 1)  # starts in GMT, ends in BST (clocks change on 29 March 2026)


def throwaway(code="test.throwaway", **fields) -> Metric:
    defaults = {
        "label": "Throwaway",
        "definition": "Counts nothing much.",
        "kind": Kind.INSTANT,
        "window": Window.AS_OF,
        "source": "test",
        "count": lambda *, as_of: [MetricRow(code, ALL, "", 1)],
    }
    return Metric(code=code, **{**defaults, **fields})


class WindowTests:
    def test_a_month_runs_from_london_midnight_to_london_midnight(self):
        span = windows.month(MARCH)
        assert (span.start, span.end) == (
            datetime(2026, 3, 1, tzinfo=UTC),
            datetime(2026, 3, 31, 23, tzinfo=UTC),
        )
        assert (span.first_day, span.last_day) == (MARCH, date(2026, 3, 31))

    def test_a_fortnight_is_14_local_days_across_the_clocks_changing(self):
        span = windows.fortnight(datetime(2026, 4, 5, 23, tzinfo=UTC))  # Mon 6 Apr 00:00 BST
        assert span.start == datetime(2026, 3, 23, tzinfo=UTC)
        assert span.last_day == date(2026, 4, 5)

    def test_an_instant_is_its_own_day(self):
        span = windows.instant(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 BST, 1 July
        assert span.is_instant and span.first_day == span.last_day == date(2026, 7, 1)

    def test_it_refuses_a_naive_instant(self):
        with pytest.raises(ValueError, match="naive"):
            windows.instant(datetime(2026, 3, 9))  # noqa: DTZ001

    @pytest.mark.parametrize(
        ("window", "expected"),
        [
            (Window.AS_OF, {"as_of": datetime(2026, 3, 31, 23, tzinfo=UTC)}),
            (
                Window.EVENTS,
                {
                    "start": datetime(2026, 3, 1, tzinfo=UTC),
                    "end": datetime(2026, 3, 31, 23, tzinfo=UTC),
                },
            ),
            (Window.DAYS, {"start": MARCH, "end": date(2026, 3, 31)}),
            (Window.AT_LAST_DAY, {"at": date(2026, 3, 31)}),
        ],
    )
    def test_each_window_reads_the_span_its_way(self, window, expected):
        assert window.arguments(windows.month(MARCH)) == expected

    def test_a_period_window_needs_a_period(self):
        with pytest.raises(ValueError, match="needs a period"):
            Window.EVENTS.arguments(windows.instant(datetime(2026, 3, 9, tzinfo=UTC)))


class ParameterTests:
    def test_it_takes_the_default_unless_a_setting_says_otherwise(self, settings):
        n = Parameter("reassignments", 2, "TEST_REASSIGNMENTS", "N")
        assert n.value() == 2
        settings.TEST_REASSIGNMENTS = "3"
        assert n.value() == 3

    def test_a_metric_passes_its_parameters_with_the_window(self, settings):
        settings.TEST_N = 5
        metric = throwaway(parameters=(Parameter("n", 2, "TEST_N", "N"),))
        instant = datetime(2026, 3, 9, tzinfo=UTC)
        assert metric.arguments(windows.instant(instant)) == {"as_of": instant, "n": 5}


class RegistryTests:
    def test_it_registers_a_code_once(self):
        with registry.registered(throwaway()):
            assert registry.get("test.throwaway").label == "Throwaway"
            with pytest.raises(ValueError, match="already registered"):
                registry.register(throwaway())
        assert registry.find("test.throwaway") is None
        with pytest.raises(LookupError):
            registry.get("test.throwaway")

    def test_a_declaration_counts_or_derives_and_guards_its_records(self):
        with pytest.raises(ValueError, match="count function or share_of"):
            throwaway(count=None)
        with pytest.raises(ValueError, match="permission"):
            throwaway(behind=lambda **kwargs: None)

    def test_the_apps_declared_the_dmt_set_and_the_monthly_indicators(self):
        snapshot = [m.code for m in registry.snapshot_metrics()]
        assert len(snapshot) == len(set(snapshot)) == 20
        assert [m.code for m in registry.monthly_metrics()] == [
            "FR ICT 17",
            "FR ICT 17a",
            "FR ICT 17b",
            "FR ICT 18a",
            "FR ICT 18b",
            "FR ICT 18c",
            "FR ICT 19a",
            "FR ICT 19b",
            "FR ICT 19c",
            "ICT SAT",
        ]
        for metric in registry.all_metrics():
            assert metric.definition and metric.label
            assert (metric.behind is None) == (metric.permission is None)

    def test_the_apps_declared_the_headline_and_briefing_labels(self):
        headline = {m.code: m.headline for m in registry.all_metrics() if m.headline}
        assert len(headline) == 14
        assert headline["servicedesk.closures"] == "Closures per week"
        assert [m.code for m in registry.all_metrics() if m.headline_per_week] == [
            "servicedesk.closures"
        ]
        assert {m.code: m.briefing for m in registry.all_metrics() if m.briefing} == {
            "infogov.open_cases": "Open",
            "infogov.due_within_5_working_days": "Due within 5 working days",
            "infogov.overdue": "Overdue",
        }
        for metric in registry.all_metrics():
            if metric.headline or metric.briefing:
                assert metric.is_snapshot or metric.share_of is not None

    def test_it_sorts_by_a_known_column_with_the_primary_key_last(self):
        class Recorder:
            def order_by(self, *fields):
                return fields

        orderings = {"logged": ("logged_at",), "age": ("-logged_at",)}
        assert registry.apply_sort(Recorder(), "-logged", orderings, ("due",)) == (
            ("-logged_at", "-pk"),
            "-logged",
        )
        assert registry.apply_sort(Recorder(), "-age", orderings, ("due",)) == (
            ("logged_at", "-pk"),
            "-age",
        )
        assert registry.apply_sort(Recorder(), "nonsense", orderings, ("due",)) == (
            ("due", "pk"),
            "",
        )
