"""The IG Group's quarterly report and the flagged extensions on the overview."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf.indicator_status import Commentary
from hackperf.roles import Role
from indicators.models import Indicator, Target
from indicators.services.definitions import definitions_sync
from infogov import forms, metrics, report, selectors
from infogov.choices import EventKind, Outcome, Stage
from infogov.services.cases import case_record_clock_event, case_respond
from tests.indicators.factories import PeriodValueFactory
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

REPORT = reverse("infogov:ig_group_report")
TODAY = date(2026, 11, 25)

ROOT = Path(__file__).resolve().parents[2]


def extend(case, day, days):
    case_record_clock_event(
        case=case,
        kind=EventKind.EXTENSION,
        date=day,
        extension_reason="public_interest",
        extension_days=days,
        today=TODAY,
    )


@pytest.fixture
def cases(db):
    definitions_sync()  # FR ICT 18a and 19a (a transactional test elsewhere may flush them)
    housing = ServiceFactory(directorate=DirectorateFactory(name="Housing"))
    finance = ServiceFactory(directorate=DirectorateFactory(name="Finance"))
    on_time = CaseFactory(service=housing, received=date(2025, 1, 6))
    case_respond(case=on_time, responded=date(2025, 1, 20), outcome=Outcome.NOT_HELD, today=TODAY)
    twice = CaseFactory(service=housing, received=date(2025, 1, 6))
    extend(twice, date(2025, 1, 27), 10)
    extend(twice, date(2025, 2, 10), 10)
    long = CaseFactory(service=finance, received=date(2025, 2, 3))
    extend(long, date(2025, 2, 20), 30)
    sar = CaseFactory(service=finance, kind="sar", received=date(2025, 3, 3))
    case_respond(
        case=sar, responded=date(2025, 4, 10), outcome=Outcome.SUPPLIED_IN_FULL, today=TODAY
    )
    return housing.directorate, finance.directorate


def q1_2025():
    return selectors.parse_period("2025-Q1")


@pytest.mark.django_db
class IgGroupReportSelectorTests:
    def test_it_reports_each_directorate_for_the_quarter_and_counts_flags(self, cases):
        built = report.build(period=q1_2025(), today=TODAY)
        foi, sar = built.sections
        rows = {r.directorate: r for r in foi.rows}
        assert (rows["Housing"].received, rows["Housing"].responded) == (2, 1)
        assert rows["Housing"].percent_in_time == 100
        assert rows["Housing"].outstanding == 1
        assert (rows["Housing"].second_extensions, rows["Housing"].extensions_beyond_20) == (1, 0)
        assert (rows["Finance"].second_extensions, rows["Finance"].extensions_beyond_20) == (0, 1)
        assert foi.total.received == 3 and foi.total.outstanding == 2
        assert {r.directorate: r.received for r in sar.rows} == {"Finance": 1, "Housing": 0}
        assert sar.total.outstanding == 1  # answered in April, after the quarter's end
        assert [q.period.key for q in built.trend] == [
            "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"
        ]  # fmt: skip
        assert built.trend[-1].totals["sar"].received == 1
        assert built.ended and built.as_of == date(2025, 3, 31)

    def test_within_the_statutory_time_leaves_out_extended_requests_in_time_keeps_them(self, cases):
        housing, _ = cases
        extended = CaseFactory(service__directorate=housing, received=date(2025, 1, 6))
        extend(extended, date(2025, 1, 27), 10)
        case_respond(
            case=extended, responded=date(2025, 2, 12), outcome=Outcome.NOT_HELD, today=TODAY
        )
        late = CaseFactory(service__directorate=housing, received=date(2024, 11, 4))
        case_respond(case=late, responded=date(2025, 1, 8), outcome=Outcome.NOT_HELD, today=TODAY)
        total = report.build(period=q1_2025(), today=TODAY).sections[0].total
        assert (total.responded, total.within, total.in_time) == (3, 1, 2)
        assert (total.percent_within, total.percent_in_time) == (Decimal("33.3"), Decimal("66.7"))
        # The same figures as FR ICT 18a computes for the indicator (one rule, two readers).
        within, in_time = metrics.foi_timeliness(start=date(2025, 1, 1), end=date(2025, 3, 31))
        assert (within.numerator, in_time.numerator, in_time.denominator) == (1, 2, 3)

    def test_it_counts_requests_only_not_reviews(self, cases):
        housing, _ = cases
        parent = CaseFactory(service__directorate=housing, received=date(2025, 1, 6))
        CaseFactory(
            service__directorate=housing,
            received=date(2025, 2, 6),
            stage=Stage.INTERNAL_REVIEW,
            parent=parent,
        )
        assert report.build(period=q1_2025(), today=TODAY).sections[0].total.received == 4
        # The directorate performance page counts the same way.
        rows = selectors.directorate_performance(
            start=date(2025, 1, 1), end=date(2025, 3, 31), today=TODAY, kinds=("foi", "eir")
        )
        assert sum(r.received for r in rows) == 4

    def test_a_quarter_not_yet_over_is_counted_to_date(self, cases):
        built = report.build(period=selectors.parse_period("2026-Q4"), today=TODAY)
        assert not built.ended and built.as_of == TODAY
        assert [q.ended for q in built.trend][-2:] == [True, False]

    def test_it_rates_18a_and_19a_against_the_target_in_force(self, cases):
        Target.objects.create(
            indicator=Indicator.objects.get(code="FR ICT 18a"),
            effective_from=date(2025, 1, 1),
            value=Decimal(90),
            tolerance_amount=Decimal(5),
        )
        built = report.build(period=q1_2025(), today=TODAY)
        foi, sar = built.sections
        assert foi.assessment.code == "FR ICT 18a" and foi.assessment.target_text == "90.0%"
        assert foi.assessment.value == Decimal(100) and foi.assessment.rag == "green"
        # The quarter before the target took effect has none.
        assert built.trend[-2].assessments["foi_eir"].rag == "not_assessed"
        assert sar.assessment.code == "FR ICT 19a"

    def test_it_shows_the_commentary_of_the_quarters_months(self, cases):
        indicator = Indicator.objects.get(code="FR ICT 18a")
        for month, text in ((date(2025, 2, 1), "Two late in Housing."), (date(2025, 4, 1), "x")):
            PeriodValueFactory(indicator=indicator, period_start=month, commentary=text)
        foi, sar = report.build(period=q1_2025(), today=TODAY).sections
        assert [(c.months, c.text) for c in foi.commentary] == [
            ("February 2025", "Two late in Housing.")
        ]
        assert sar.commentary == []

    def test_the_same_words_on_consecutive_months_are_shown_once(self):
        notes = [
            Commentary("FR ICT 18a", date(2025, m, 1), text, True)
            for m, text in ((1, "Same."), (2, "Same."), (3, "Other."))
        ]
        assert [(line.months, line.text) for line in report.commentary_lines(notes)] == [
            ("January to February 2025", "Same."),
            ("March 2025", "Other."),
        ]

    def test_it_runs_a_fixed_number_of_queries(self, cases):
        with CaptureQueriesContext(connection) as queries:
            report.build(period=q1_2025(), today=TODAY)
        # The counts of eight quarters (one aggregate), the directorates, the indicators and
        # their targets, the commentary.
        assert len(queries) == 5

    def test_the_drill_down_lists_exactly_the_counted_requests(self, cases):
        housing, _ = cases
        built = report.build(period=q1_2025(), today=TODAY)
        for section in built.sections:
            for figure in report.FIGURES:
                for row in [*section.rows, section.total]:
                    listed = report.cases_behind(
                        period=q1_2025(),
                        today=TODAY,
                        group=section.group,
                        figure=figure,
                        directorate_id=row.directorate_id,
                    )
                    assert listed.count() == row.counts[figure], (section.title, figure, row)

    def test_the_trend_chart_draws_three_lines_over_eight_quarters(self, cases):
        chart = report.trend_chart(report.build(period=q1_2025(), today=TODAY).trend)
        assert [line.name for line in chart.lines] == [
            "FOI and EIR within the statutory time",
            "FOI and EIR in time, extensions counted",
            "Subject access in time",
        ]
        # Only Q1 2025 has FOI responses; SARs were answered in April, after it.
        assert [len(line.dots) for line in chart.lines] == [1, 1, 0]
        assert [label for _, label in chart.x_labels][-1] == "Q1 2025"
        assert chart.summary.startswith("8 quarters, 2023-Q2 to 2025-Q1: ")
        assert "Subject access in time from no responses to no responses" in chart.summary

    def test_the_default_is_the_last_full_quarter(self):
        assert report.default_quarter(date(2026, 2, 1)).key == "2025-Q4"
        assert report.default_quarter(date(2026, 11, 25)).key == "2026-Q3"
        assert report.shift_quarter(q1_2025(), -1).key == "2024-Q4"
        assert report.shift_quarter(selectors.parse_period("2024-Q4"), 1).key == "2025-Q1"


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
        assert "Extended twice" in html and "Zebedee" not in html
        # Its print rules are a file, not an inline <style> (a strict CSP refuses those).
        assert "<style" not in html and "css/ig-group-report.css" in html
        css = (settings.BASE_DIR / "static" / "css" / "ig-group-report.css").read_text()
        assert "@media print" in css and "a::after { content: none !important; }" in css

    def test_it_explains_a_bad_quarter(self, client_as):
        response = client_as(Role.DMT).get(REPORT, {"quarter": "2025-03"})
        assert response.status_code == 200
        html = response.content.decode()
        assert forms.ERR_QUARTER in html
        # The picker shows the quarter shown (the last full one), not the first in its list.
        default = report.default_quarter(timezone.localdate())
        assert f'<option value="{default.key}" selected>' in html

    def test_the_quarter_is_picked_from_a_list_with_previous_and_next(self, client_as, cases):
        response = client_as(Role.DMT).get(REPORT, {"quarter": "2025-Q1"})
        html = response.content.decode()
        assert '<select name="quarter"' in html
        assert '<option value="2025-Q1" selected>Q1 2025 (January to March)</option>' in html
        assert 'href="?quarter=2024-Q4" rel="prev"' in html
        assert 'href="?quarter=2025-Q2" rel="next"' in html

    def test_a_quarter_not_yet_ended_is_flagged_and_has_no_next(self, client_as, cases):
        today = timezone.localdate()
        current = report.quarter_of(today)
        html = client_as(Role.DMT).get(REPORT, {"quarter": current.key}).content.decode()
        assert "This quarter has not ended: figures to date, as at " in html
        assert 'rel="next"' not in html
        assert f'<option value="{current.key}" selected>{current.label}, to date</option>' in html
        ended = client_as(Role.DMT).get(REPORT, {"quarter": "2025-Q1"}).content.decode()
        assert "This quarter has not ended" not in ended
        assert "as at the end of Monday 31 March 2025" in ended

    def test_both_foi_timeliness_figures_are_shown_with_their_definitions(self, client_as, cases):
        html = client_as(Role.DMT).get(REPORT, {"quarter": "2025-Q1"}).content.decode()
        assert "within the statutory time, without extension</strong> (FR ICT 18a)" in html
        assert "in time, permitted extensions counted</strong>" in html
        assert "never extended" in html and "extensions the law allows" in html

    def test_every_count_links_to_its_requests(self, client_as, cases):
        housing, _ = cases
        html = client_as(Role.DMT).get(REPORT, {"quarter": "2025-Q1"}).content.decode()
        cases_url = reverse("infogov:ig_group_report_cases")
        assert (
            f'href="{cases_url}?quarter=2025-Q1&amp;group=foi_eir&amp;figure=received'
            f'&amp;directorate={housing.pk}">2</a>'
        ) in html

    def test_the_page_runs_a_fixed_number_of_queries(
        self, client_as, cases, django_assert_num_queries
    ):
        client = client_as(Role.DMT)
        client.get(REPORT, {"quarter": "2025-Q1"})
        # The request's savepoint and its release (ATOMIC_REQUESTS), the session, the user, the
        # user's and the group's permissions; the report's five (see the selector test); the
        # peer comparison's four (infogov.peers.comparison).
        with django_assert_num_queries(15):
            client.get(REPORT, {"quarter": "2025-Q1"})
        for n in range(10):
            CaseFactory(service__directorate=cases[0], received=date(2025, 2, n + 1))
        with django_assert_num_queries(15):
            client.get(REPORT, {"quarter": "2025-Q1"})

    @pytest.mark.parametrize("quarter", ["0001-Q1", "9999-Q4", "0000-Q1", "2025-Q5", "\x00"])
    def test_the_first_and_last_quarters_a_date_can_hold_are_no_500(self, client_as, quarter):
        # A NUL is refused before the view (hackperf.middleware.RejectNulMiddleware): a 400.
        expected = 400 if "\x00" in quarter else 200
        response = client_as(Role.DMT).get(REPORT, {"quarter": quarter})
        assert response.status_code == expected
        assert (
            client_as(Role.DMT).get(REPORT, {"quarter": quarter, "format": "csv"}).status_code
            == expected
        )

    def test_the_csv_holds_the_tables_and_the_trend(self, client_as, cases):
        response = client_as(Role.DMT).get(REPORT, {"quarter": "2025-Q1", "format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        assert 'filename="ig-group-report-2025-Q1.csv"' in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:4] == ["Quarter", "Requests", "Directorate", "Received"]
        housing = next(r for r in rows if r[0] == "2025-Q1" and r[2] == "Housing" and "FOI" in r[1])
        assert housing[3:5] == ["2", "1"]
        assert {r[0] for r in rows[1:]} == {q.key for q in report.previous_quarters(q1_2025(), 8)}


@pytest.mark.django_db
class IgGroupReportCasesPageTests:
    def url(self, **query):
        base = {"quarter": "2025-Q1", "group": "foi_eir", "figure": "received"}
        return f"{reverse('infogov:ig_group_report_cases')}?{urlencode(base | query)}"

    def test_it_lists_the_requests_with_why_they_count(self, client_as, cases):
        response = client_as(Role.IG_OFFICER).get(self.url(figure="responded"))
        html = response.content.decode()
        assert "1 request," in html
        assert "On time" in html and "20 Jan 2025" in html

    def test_a_director_sees_their_directorates_only(self, client_as, cases, director_of):
        housing, finance = cases
        client = director_of(housing)
        html = client.get(self.url()).content.decode()
        assert "2 requests," in html
        assert client.get(self.url(directorate=finance.pk)).status_code == 404

    @pytest.mark.parametrize(
        "query",
        [
            {"quarter": "2025-03"},
            {"quarter": "nonsense"},
            {"group": "x"},
            {"figure": "x"},
            {"directorate": "abc"},
            {"directorate": "99999999999999999999"},
            {"directorate": "\x00"},
            {"quarter": "0000-Q1"},
            {"quarter": "9999-Q4"},
        ],
    )
    def test_bad_input_is_a_404_never_a_500(self, client_as, cases, query):
        status = client_as(Role.DMT).get(self.url(**query)).status_code
        assert status in (200, 400, 404)

    def test_the_csv_has_every_row(self, client_as, cases):
        response = client_as(Role.DMT).get(self.url(format="csv"))
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][0] == "Reference" and len(rows) == 4  # header and three FOIs


@pytest.mark.django_db
class OverviewFlagsTests:
    def test_the_overview_counts_flagged_extensions(self, client_as, cases):
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"))
        summary = response.context["summary"]
        assert (summary.second_extensions, summary.extensions_beyond_20) == (1, 1)
        html = response.content.decode()
        assert (
            'id="summary-second-extensions" href="?flag=second_extension">'
            '<span class="hp-glance__count">1</span>'
        ) in html
        # Each count lists its cases: the link filters to the one flagged case.
        listed = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"), {"flag": "beyond_20"})
        assert len(listed.context["table"].rows) == 1
