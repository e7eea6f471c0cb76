import pytest

from indicators import review_cache
from indicators.services.definitions import definitions_sync


@pytest.fixture(autouse=True)
def fresh_review_cache():
    """No test sees a review cached by another: a recreated test database gives the same
    snapshot ids, instants and values to a later run, hence the same cache key."""
    review_cache.invalidate()


@pytest.fixture
def definitions(db):
    """The indicator definitions the data migration makes (a flushed database has lost them)."""
    return {indicator.code: indicator for indicator in definitions_sync()}


class FakeServicedesk:
    """Stands in for ``servicedesk.metrics`` behind the registered metrics' count functions."""

    def __init__(self):
        self.snapshot_rows: list = []
        self.period_rows: list = []
        self.calls: list[tuple[str, dict]] = []
        self.fr_ict_17_ratio = None
        self.logged_counts = {"incident": 0, "request": 0}

    def snapshot_metrics(self, *, as_of):
        self.calls.append(("snapshot_metrics", {"as_of": as_of}))
        return list(self.snapshot_rows)

    def period_metrics(self, *, start, end):
        self.calls.append(("period_metrics", {"start": start, "end": end}))
        return list(self.period_rows)

    def fr_ict_17(self, *, start, end, threshold_seconds=8 * 3600):
        self.calls.append(("fr_ict_17", {"start": start, "end": end}))
        return self.fr_ict_17_ratio

    def logged(self, *, kind, start, end):
        self.calls.append(("logged", {"kind": kind, "start": start, "end": end}))
        return self.logged_counts[kind]


class FakeInfogov:
    """Stands in for ``infogov.metrics`` behind the registered metrics' count functions."""

    def __init__(self):
        from hackperf.metrics import Ratio

        self.snapshot_rows: list = []
        self.calls: list[tuple[str, dict]] = []
        self.foi = (Ratio(0, 0), Ratio(0, 0))
        self.foi_received_count = 0
        self.foi_outstanding_counts = (0, 0)
        self.sar = Ratio(0, 0)
        self.sar_received_count = 0
        self.sar_outstanding_count = 0

    def snapshot_metrics(self, *, as_of):
        self.calls.append(("snapshot_metrics", {"as_of": as_of}))
        return list(self.snapshot_rows)

    def foi_timeliness(self, *, start, end, include_eir=True):
        self.calls.append(("foi_timeliness", {"start": start, "end": end}))
        return self.foi

    def foi_received(self, *, start, end):
        self.calls.append(("foi_received", {"start": start, "end": end}))
        return self.foi_received_count

    def foi_outstanding(self, *, at):
        self.calls.append(("foi_outstanding", {"at": at}))
        return self.foi_outstanding_counts

    def sar_timeliness(self, *, start, end):
        return self.sar

    def sar_received(self, *, start, end):
        return self.sar_received_count

    def sar_outstanding(self, *, at):
        return self.sar_outstanding_count


@pytest.fixture
def fake_sources(monkeypatch):
    """The registered metrics of servicedesk and infogov, each counted by a fake instead:
    (servicedesk, infogov) fakes. Declarations, windows and parameters stay the real ones, so
    what indicators asks of the registry is what the tests see."""
    from dataclasses import replace

    from hackperf import registry
    from hackperf.registry import Figure, Kind

    servicedesk, infogov = FakeServicedesk(), FakeInfogov()

    def sd_snapshot(*, as_of, **parameters):
        return servicedesk.snapshot_metrics(as_of=as_of)

    def sd_period(*, start, end):
        return servicedesk.period_metrics(start=start, end=end)

    def ig_snapshot(*, as_of):
        return infogov.snapshot_metrics(as_of=as_of)

    def foi_timeliness(*, start, end, include_eir):
        without_extension, in_time = infogov.foi_timeliness(start=start, end=end)
        return Figure(
            without_extension,
            {
                "in_time_percent": None if in_time.percent is None else str(in_time.percent),
                "in_time_numerator": in_time.numerator,
                "in_time_denominator": in_time.denominator,
            },
        )

    def foi_outstanding(*, at, include_eir):
        outstanding, overdue = infogov.foi_outstanding(at=at)
        return Figure(outstanding, {"overdue": overdue})

    monthly = {
        "FR ICT 17": lambda *, start, end, threshold_seconds: servicedesk.fr_ict_17(
            start=start, end=end
        ),
        "FR ICT 17a": lambda *, start, end: servicedesk.logged(
            kind="incident", start=start, end=end
        ),
        "FR ICT 17b": lambda *, start, end: servicedesk.logged(
            kind="request", start=start, end=end
        ),
        "FR ICT 18a": foi_timeliness,
        "FR ICT 18b": lambda *, start, end, include_eir: infogov.foi_received(start=start, end=end),
        "FR ICT 18c": foi_outstanding,
        "FR ICT 19a": lambda *, start, end: infogov.sar_timeliness(start=start, end=end),
        "FR ICT 19b": lambda *, start, end: infogov.sar_received(start=start, end=end),
        "FR ICT 19c": lambda *, at: infogov.sar_outstanding(at=at),
    }
    faked = {}
    for metric in registry.all_metrics():
        count = metric.count
        if metric.code in monthly:
            count = monthly[metric.code]
        elif metric.count is not None and metric.source == "servicedesk":
            count = sd_snapshot if metric.kind == Kind.INSTANT else sd_period
        elif metric.count is not None and metric.source == "infogov":
            count = ig_snapshot
        faked[metric.code] = replace(metric, count=count, count_many=None)  # one at a time
    monkeypatch.setattr(registry, "_metrics", faked)
    return servicedesk, infogov
