"""Open data: the council's FOI/EIR statistics, approved quarters only, small cells out,
read without signing in."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import publication
from indicators.choices import Status
from infogov import metrics
from infogov.choices import Kind, Outcome, Stage
from tests.indicators.factories import PeriodValueFactory
from tests.infogov.factories import CaseFactory

CSV_Q = reverse("indicators:foi_open_data", args=["quarterly", "csv"])
JSON_Q = reverse("indicators:foi_open_data", args=["quarterly", "json"])
CSV_Y = reverse("indicators:foi_open_data", args=["annual", "csv"])


def approve(definitions, months, codes=publication.APPROVING_CODES):
    for code in codes:
        for month in months:
            PeriodValueFactory(
                indicator=definitions[code], period_start=month, status=Status.APPROVED
            )


def case(
    received, *, kind=Kind.FOI, stage=Stage.REQUEST, outcome=Outcome.SUPPLIED_IN_FULL, parent=None
):
    made = CaseFactory(received=received, kind=kind, stage=stage, outcome=outcome, parent=parent)
    made.responded = received  # answered the day it came: within the deadline
    made.save()
    return made


@pytest.fixture
def planted(definitions):
    """Q1 2026: 12 FOI and 3 EIR requests (a small cell), 2 internal reviews (another); its
    three months approved. Q2 2026: 20 requests, April and May approved, June not."""
    first = [case(date(2026, 1, day)) for day in range(1, 13)][0]
    for day in range(1, 4):
        case(date(2026, 2, day), kind=Kind.EIR, outcome=Outcome.NOT_HELD)
    for day in range(1, 3):
        case(date(2026, 3, day), stage=Stage.INTERNAL_REVIEW, parent=first)
    for day in range(1, 21):
        case(date(2026, 4, day))
    approve(definitions, [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)])
    approve(definitions, [date(2026, 4, 1), date(2026, 5, 1)])
    approve(definitions, [date(2026, 6, 1)], codes=("FR ICT 18a",))  # 18b not approved


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


@pytest.mark.django_db
class OpenDataTests:
    def test_anyone_reads_the_csv_of_approved_quarters_only(self, client, planted):
        response = client.get(CSV_Q)  # not signed in
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = read_csv(response.content)
        assert [row["Quarter"] for row in rows] == ["Q1 2026"]  # Q2's June is not approved
        row = rows[0]
        expected = metrics.foi_publication_figures(start=date(2026, 1, 1), end=date(2026, 3, 31))
        assert expected["Total requests received"] == 15
        assert row["Total requests received"] == "15"
        assert row["20-day deadline met"] == "15"
        assert row["Initial Outcome Granted in full"] == "12"
        assert row["Percentage of requests meeting 20-day deadline"] == "100.00"
        assert row["Licence"].startswith("Open Government Licence v3.0")
        assert row["Last updated"] == timezone.localdate().isoformat()

    def test_small_cells_are_suppressed(self, client, planted):
        row = read_csv(client.get(CSV_Q).content)[0]
        assert row["Requests handled under EIRs"] == publication.SUPPRESSED  # 3
        assert row["Requests where information not held"] == publication.SUPPRESSED  # 3
        assert row["Total Internal Reviews"] == publication.SUPPRESSED  # 2
        assert row["ICO Total Complaints"] == "0"  # zero reveals no one: shown

    def test_the_threshold_is_a_setting(self, client, planted, settings):
        settings.INFOGOV_PUBLICATION_MIN_CELL = 1
        row = read_csv(client.get(CSV_Q).content)[0]
        assert (row["Requests handled under EIRs"], row["Total Internal Reviews"]) == ("3", "2")

    def test_a_percentage_on_a_small_count_is_suppressed_too(self):
        figures = dict.fromkeys(metrics.PUBLICATION_COLUMNS, 0)
        figures.update({"Total requests received (excluding on-hold and lapsed)": 50})
        figures.update({"20-day deadline met": 48, "Permitted extension to 20-day deadline": 2})
        out = publication.suppress(figures, min_cell=5)
        assert out[publication.PERCENT_MET] == Decimal("96.00")  # 48 and 50: both shown
        assert out["Permitted extension to 20-day deadline"] == publication.SUPPRESSED
        assert out[publication.PERCENT_IN_TIME] == publication.SUPPRESSED

    def test_the_json_carries_licence_last_updated_and_the_rule(self, client, planted):
        data = client.get(JSON_Q).json()
        assert data["licence"].startswith("Open Government Licence v3.0")
        assert data["last_updated"] == timezone.localdate().isoformat()
        assert [row["Quarter"] for row in data["rows"]] == ["Q1 2026"]
        assert data["rows"][0]["Total Internal Reviews"] == publication.SUPPRESSED
        assert "approved FR ICT 18a and 18b" in data["approved_only"]

    def test_a_year_is_published_only_once_its_four_quarters_are(self, client, planted):
        assert read_csv(client.get(CSV_Y).content) == []
        assert client.get(CSV_Y).content.decode().startswith("Quarter,Public authority,")

    def test_nothing_is_published_before_anything_is_approved(self, client, db):
        assert read_csv(client.get(CSV_Q).content) == []

    @pytest.mark.parametrize(("frequency", "fmt"), [("weekly", "csv"), ("annual", "xml")])
    def test_other_urls_are_404(self, client, frequency, fmt):
        url = reverse("indicators:foi_open_data", args=[frequency, fmt])
        assert client.get(url).status_code == 404

    def test_it_answers_post_with_405(self, client):
        assert client.post(CSV_Q).status_code == 405


def publish(indicator, value: str, *, numerator: int, denominator: int) -> None:
    """Make ``indicator`` public, with an approved value for January 2026."""
    indicator.is_public = True
    indicator.save()
    PeriodValueFactory(
        indicator=indicator,
        period_start=date(2026, 1, 1),
        value=Decimal(value),
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        status=Status.APPROVED,
    )


@pytest.mark.django_db
class IndicatorOpenDataTests:
    URL = reverse("indicators:indicators_open_data", args=["csv"])

    def test_only_approved_values_of_public_indicators_appear(self, client, definitions):
        public, private = definitions["FR ICT 17"], definitions["FR ICT 18a"]
        publish(public, "75.0", numerator=30, denominator=40)
        PeriodValueFactory(indicator=public, period_start=date(2026, 2, 1))  # entered only
        PeriodValueFactory(indicator=private, period_start=date(2026, 1, 1), status=Status.APPROVED)
        rows = read_csv(client.get(self.URL).content)  # not signed in
        assert [(r["Indicator"], r["Month"], r["Value"]) for r in rows] == [
            ("FR ICT 17", "2026-01", "75")
        ]
        assert rows[0]["Licence"].startswith("Open Government Licence v3.0")

    def test_a_value_on_a_small_count_is_suppressed(self, client, definitions):
        public = definitions["FR ICT 19a"]
        publish(public, "66.7", numerator=2, denominator=3)
        row = read_csv(client.get(self.URL).content)[0]
        assert (row["Value"], row["Numerator"], row["Denominator"]) == ("[c]", "[c]", "[c]")
        data = client.get(reverse("indicators:indicators_open_data", args=["json"])).json()
        assert data["rows"][0]["Value"] == "[c]"
