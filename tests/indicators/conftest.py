import pytest

from indicators.services import definitions_sync


@pytest.fixture
def definitions(db):
    """The indicator definitions the data migration makes (a flushed database has lost them)."""
    return {indicator.code: indicator for indicator in definitions_sync()}


class FakeServicedesk:
    """Stands in for ``servicedesk.metrics`` (through ``indicators.sources``)."""

    def __init__(self):
        self.snapshot_rows: list = []
        self.period_rows: list = []
        self.calls: list[tuple[str, dict]] = []
        self.fr_ict_17_ratio = None
        self.logged_counts = {"incident": 0, "request": 0}
        self.behind = None

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

    def tickets_behind(self, **kwargs):
        self.calls.append(("tickets_behind", kwargs))
        return self.behind


class FakeInfogov:
    """Stands in for ``infogov.metrics`` (through ``indicators.sources``)."""

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
        self.behind = None

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

    def cases_behind(self, **kwargs):
        self.calls.append(("cases_behind", kwargs))
        return self.behind


@pytest.fixture
def fake_sources(monkeypatch):
    """Both sources stubbed at ``indicators.sources``: (servicedesk, infogov) fakes."""
    from indicators import sources

    servicedesk, infogov = FakeServicedesk(), FakeInfogov()
    monkeypatch.setattr(sources, "servicedesk", lambda: servicedesk)
    monkeypatch.setattr(sources, "infogov", lambda: infogov)
    return servicedesk, infogov
