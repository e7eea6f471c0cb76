"""The IG Group's quarterly report and the flagged extensions on the overview."""

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hackperf.roles import Role
from infogov import selectors, services
from infogov.choices import EventKind, Outcome
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

REPORT = reverse("infogov:ig_group_report")
TODAY = date(2026, 11, 25)

ROOT = Path(__file__).resolve().parents[2]


def extend(case, day, days):
    services.case_record_clock_event(
        case=case,
        kind=EventKind.EXTENSION,
        date=day,
        extension_reason="public_interest",
        extension_days=days,
        today=TODAY,
    )


@pytest.fixture
def cases(db):
    housing = ServiceFactory(directorate=DirectorateFactory(name="Housing"))
    finance = ServiceFactory(directorate=DirectorateFactory(name="Finance"))
    on_time = CaseFactory(service=housing, received=date(2025, 1, 6))
    services.case_respond(
        case=on_time, responded=date(2025, 1, 20), outcome=Outcome.NOT_HELD, today=TODAY
    )
    twice = CaseFactory(service=housing, received=date(2025, 1, 6))
    extend(twice, date(2025, 1, 27), 10)
    extend(twice, date(2025, 2, 10), 10)
    long = CaseFactory(service=finance, received=date(2025, 2, 3))
    extend(long, date(2025, 2, 20), 30)
    sar = CaseFactory(service=finance, kind="sar", received=date(2025, 3, 3))
    services.case_respond(
        case=sar, responded=date(2025, 4, 10), outcome=Outcome.SUPPLIED_IN_FULL, today=TODAY
    )
    return housing.directorate, finance.directorate


@pytest.mark.django_db
class IgGroupReportSelectorTests:
    def test_it_reports_each_directorate_for_the_quarter_and_counts_flags(self, cases):
        housing, finance = cases
        sections, trend = selectors.ig_group_report(
            period=selectors.parse_period("2025-Q1"), today=TODAY
        )
        foi, sar = sections
        rows = {r.directorate: r for r in foi.rows}
        assert (rows["Housing"].received, rows["Housing"].responded) == (2, 1)
        assert rows["Housing"].percent_in_time == 100
        assert rows["Housing"].outstanding == 1
        assert (rows["Housing"].second_extensions, rows["Housing"].extensions_beyond_20) == (1, 0)
        assert (rows["Finance"].second_extensions, rows["Finance"].extensions_beyond_20) == (0, 1)
        assert foi.total.received == 3 and foi.total.outstanding == 2
        assert {r.directorate: r.received for r in sar.rows} == {"Finance": 1, "Housing": 0}
        assert sar.total.outstanding == 1  # answered in April, after the quarter's end
        assert [q.period.key for q in trend] == ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]
        assert trend[-1].sar.received == 1

    def test_it_runs_a_fixed_number_of_queries(self, cases):
        with CaptureQueriesContext(connection) as queries:
            selectors.ig_group_report(period=selectors.parse_period("2025-Q1"), today=TODAY)
        assert len(queries) == 8  # FOI/EIR and SAR by directorate, for each of four quarters

    def test_the_default_is_the_last_full_quarter(self):
        assert selectors.default_quarter(date(2026, 2, 1)).key == "2025-Q4"
        assert selectors.default_quarter(date(2026, 11, 25)).key == "2026-Q3"


@pytest.mark.django_db
class IgGroupReportPageTests:
    @pytest.mark.parametrize("role", [*Role, None])
    def test_it_serves_dmt_ig_officers_and_directors_only(self, client_as, role):
        client = client_as(role) if role else client_as()
        allowed = {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR}
        assert client.get(REPORT).status_code == (200 if role in allowed else 403)

    def test_it_shows_the_quarter_by_directorate(self, client_as, cases):
        response = client_as(Role.DIRECTOR).get(REPORT, {"quarter": "2025-q1"})
        html = response.content.decode()
        assert "Q1 2025 (January to March)" in html
        assert 'id="report-foi-eir"' in html and 'id="report-sar"' in html
        assert "Second extensions" in html and "Zebedee" not in html
        # Its print rules are a stylesheet of its own (the CSP allows no inline <style>).
        assert "/static/css/ig-group-report.css" in html
        assert "@media print" in (ROOT / "static/css/ig-group-report.css").read_text()

    def test_it_explains_a_bad_quarter(self, client_as):
        response = client_as(Role.DMT).get(REPORT, {"quarter": "2025-03"})
        assert response.status_code == 200
        assert "Enter a quarter as YYYY-Qn" in response.content.decode()


@pytest.mark.django_db
class OverviewFlagsTests:
    def test_the_overview_counts_flagged_extensions(self, client_as, cases):
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"))
        summary = response.context["summary"]
        assert (summary.second_extensions, summary.extensions_beyond_20) == (1, 1)
        assert 'id="summary-second-extensions">1<' in response.content.decode()
