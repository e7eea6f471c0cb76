"""Bad input is a clear answer, never a 500: the requests that used to fail, one by one.

(The fuzz test, tests/hackperf/test_fuzz.py, sweeps every URL; these pin what each answer
says.)
"""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hackperf import dates
from hackperf.middleware import NUL_IN_ADDRESS
from hackperf.roles import Role
from indicators.models import PeriodValue
from infogov.models import Case
from tests.indicators.factories import IndicatorFactory
from tests.infogov.factories import DirectorateFactory, ServiceFactory


def signed_in(make_user, role) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user(role))
    return client


@pytest.mark.django_db
class NulTests:
    def test_the_api_says_so_in_json(self, make_user):
        response = signed_in(make_user, Role.DMT).get("/api/snapshots/?metric=%00")
        assert response.status_code == 400
        assert response.json() == {"detail": NUL_IN_ADDRESS}

    @pytest.mark.parametrize(
        "url",
        [
            "/queues/tickets/%00/",
            "/queues/?queue=%00",
            "/queues/surveys/comments/?queue=%00",
            "/information-governance/?q=a%00b",
            "/?x%00=1",
        ],
    )
    def test_a_nul_in_the_address_is_a_400_that_says_so(self, make_user, url):
        response = signed_in(make_user, Role.DMT).get(url)
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem with the address" in page
        assert "NUL character" in page and NUL_IN_ADDRESS.split(" (")[0] in page


@pytest.mark.django_db
class CalendarEdgeTests:
    @pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "9999-12-31T23:59:59"])
    def test_the_snapshot_api_refuses_edge_dates_with_a_reason(self, make_user, value):
        response = signed_in(make_user, Role.DMT).get("/api/snapshots/", {"to": value})
        assert response.status_code == 400
        assert "1 January 1970 to 31 December 2100" in response.json()["detail"]

    @pytest.mark.parametrize("period", ["9999-12", "0001-01", "0000-01"])
    def test_a_month_outside_the_calendar_is_not_a_page(self, make_user, period):
        # The period converter refuses the month before any view or lookup runs.
        url = f"/indicators/fr-ict-17/values/{period}/behind/"
        assert signed_in(make_user, Role.DMT).get(url).status_code == 404

    @pytest.mark.parametrize("quarter", ["0001-Q1", "9999-Q4", "1969-Q4"])
    def test_the_ig_report_explains_a_quarter_out_of_range(self, make_user, quarter):
        response = signed_in(make_user, Role.DMT).get(
            reverse("infogov:ig_group_report"), {"quarter": quarter}
        )
        assert response.status_code == 200
        assert "Enter a date from 1 January 1970 to 31 December 2100" in response.content.decode()

    def test_the_earliest_quarter_shows_without_earlier_ones(self, make_user):
        response = signed_in(make_user, Role.DMT).get(
            reverse("infogov:ig_group_report"), {"quarter": "1970-Q1"}
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+00:00", "9999-12-31T00:00:00+00:00"])
    def test_review_figures_at_the_calendar_edges_are_not_found(self, make_user, instant):
        response = signed_in(make_user, Role.DMT).get(
            reverse("indicators:review_drilldown"),
            {"metric": "servicedesk.open_incidents", "instant": instant},
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("end", ["0001-01-01T00:00:00+00:00", "9999-12-31T00:00:00+00:00"])
    def test_a_review_pack_for_year_1_or_9999_is_a_form_error(self, make_user, end):
        response = signed_in(make_user, Role.DMT).post(
            reverse("indicators:review_pack_create"), {"fortnight_end": end}
        )
        assert response.status_code == 200
        assert "Enter a date from 1 January 1970" in response.content.decode()


@pytest.mark.django_db
class ImplausibleValueTests:
    def post_value(self, make_user, **fields):
        indicator = IndicatorFactory()
        url = reverse("indicators:period_value_create", kwargs={"code": indicator.slug})
        data = {"period_start": "2026-03", "value": "50", **fields}
        return signed_in(make_user, Role.DMT).post(url, data)

    def test_a_negative_satisfaction_is_refused(self, make_user):
        response = self.post_value(make_user, value="-5")
        assert response.status_code == 200
        assert "A percentage is from 0 to 100; -5 cannot be right." in response.content.decode()
        assert not PeriodValue.objects.exists()

    def test_a_percentage_over_100_is_refused(self, make_user):
        response = self.post_value(make_user, value="100.5")
        assert "A percentage is from 0 to 100" in response.content.decode()

    def test_a_numerator_above_its_denominator_is_refused(self, make_user):
        response = self.post_value(make_user, numerator="12", denominator="10")
        page = response.content.decode()
        assert "The numerator (12) cannot be more than the denominator (10)" in page
        assert not PeriodValue.objects.exists()

    def test_a_month_in_year_1_is_refused(self, make_user):
        response = self.post_value(make_user, period_start="0001-01")
        assert "Enter a date from 1 January 1970" in response.content.decode()

    def case(self, make_user, kind, received):
        service = ServiceFactory()
        return signed_in(make_user, Role.IG_OFFICER).post(
            reverse("infogov:case_create"),
            {
                "reference": "REF-1",
                "kind": kind,
                "stage": "request",
                "received": received.isoformat(),
                "channel": "email",
                "subject": "Tree felling",
                "directorate": service.directorate_id,
                "service": service.pk,
                "requester_name": "Ada Lovelace",
            },
        )

    def test_an_foi_received_before_foia_came_into_force_is_refused(self, make_user):
        response = self.case(make_user, "foi", date(2004, 12, 31))
        assert response.status_code == 200
        page = response.content.decode()
        assert "FOI requests can only have been received from 1 January 2005" in page
        assert "Freedom of Information Act 2000 came into force" in page
        assert not Case.objects.exists()

    def test_an_foi_received_on_1_january_2005_is_logged(self, make_user):
        assert self.case(make_user, "foi", date(2005, 1, 1)).status_code == 302

    def test_an_foi_received_after_today_is_refused(self, make_user):
        response = self.case(make_user, "foi", timezone.localdate() + timedelta(days=1))
        # The form's GOV.UK message, before the service's own refusal is reached.
        assert "Date received must be today or in the past" in response.content.decode()
        assert not Case.objects.exists()


class DateParsingTests:
    @pytest.mark.parametrize("text", ["", "x", "2026-02-30", "20260331", "\x00", "9" * 10_000])
    def test_it_refuses_what_is_not_a_date(self, text):
        with pytest.raises(dates.DateInputError, match="Enter a date as YYYY-MM-DD"):
            dates.parse_date(text)

    @pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1969-12-31", "2101-01-01"])
    def test_it_refuses_dates_outside_the_bounds(self, text):
        with pytest.raises(dates.DateInputError, match="1 January 1970 to 31 December 2100"):
            dates.parse_date(text)

    def test_it_takes_the_bounds_themselves(self):
        assert dates.parse_date("1970-01-01") == dates.EARLIEST
        assert dates.parse_month("2100-12") == date(2100, 12, 1)
        assert dates.parse_instant("2100-12-31", end_of_day=True).year == 2101

    def test_an_instant_without_offset_is_london_time(self):
        assert dates.parse_instant("2026-07-01T12:00").hour == 11  # BST

    def test_a_london_time_shown_twice_is_refused_with_both_offsets(self):
        with pytest.raises(
            dates.DateInputError, match=r"happens twice in London.*\+01:00.*\+00:00"
        ):
            dates.parse_instant("2026-10-25T01:15")
        assert dates.parse_instant("2026-10-25T01:15+00:00").hour == 1

    def test_a_london_time_the_clocks_skip_is_refused(self):
        with pytest.raises(dates.DateInputError, match="does not exist in London"):
            dates.parse_instant("2026-03-29T01:59")
        assert dates.parse_instant("2026-03-29T02:00").hour == 1  # BST from 01:00 GMT


DATA = Path(__file__).parent / "data"


@pytest.mark.django_db
class CommandCalendarEdgeTests:
    """Years 1 and 9999 end a command with one line saying what was wrong."""

    @pytest.mark.parametrize(
        "args",
        [
            ["snapshot", "--as-of", "0001-01-01T00:00"],
            ["snapshot", "--as-of", "9999-12-31T23:59"],
            ["snapshot", "--from", "0001-01-01", "--to", "0001-01-31"],
            ["snapshot", "--from", "9999-12-01", "--to", "9999-12-31", "--daily"],
            ["compute_indicators", "--period", "0001-01"],
            ["compute_indicators", "--period", "9999-12"],
            ["deadline", "foi", "9999-12-31"],
            ["deadline", "sar", "0001-01-01"],
            ["deadline", "foi", "2024-01-01", "--fee-notice", "9999-12-31"],
            ["survey_sample", "--month", "9999-12", "--dry-run"],
            ["survey_sample", "--month", "0001-01", "--dry-run"],
        ],
    )
    def test_a_command_given_year_1_or_9999_says_so_in_one_line(self, args):
        with pytest.raises(CommandError) as error:
            call_command(*args, stdout=io.StringIO())
        message = str(error.value)
        assert "\n" not in message
        assert "1 January 1970 to 31 December 2100" in message

    def test_a_ticket_export_with_year_1_and_9999_lists_the_bad_rows(self):
        said = refused_import(
            "import_tickets",
            "tickets_calendar_edges.csv",
            "ivanti_landesk",
            r"bad row\(s\): nothing was imported",
        )
        # Each bad date is named with its line and column, and the years it must lie in.
        assert "'01/01/0001 00:00:00'" in said and "2100" in said

    def test_a_case_export_with_year_1_and_9999_lists_the_bad_rows(self):
        directorate = DirectorateFactory(name="Housing")
        ServiceFactory(directorate=directorate, name="Housing Needs")
        said = refused_import(
            "import_cases", "cases_calendar_edges.csv", "generic_case_export", "2 bad rows"
        )
        assert "1 January 1970 to 31 December 2100" in said


def refused_import(command: str, export: str, mapping: str, match: str) -> str:
    """Run an import ``command`` on ``export`` (in DATA), which it must refuse with a message
    matching ``match``; what it wrote to stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError, match=match):
        call_command(
            command, str(DATA / export), "--mapping", mapping, stdout=io.StringIO(), stderr=err
        )
    return err.getvalue()


@pytest.mark.django_db
class NulInPostTests:
    @pytest.mark.parametrize("url_name", ["login", "admin:login"])
    def test_a_nul_in_a_sign_in_is_a_form_error(self, url_name):
        client = Client(raise_request_exception=False)
        for data in (
            {"username": "a\x00b", "password": "x"},
            {"username": "alice", "password": "a\x00b"},
            {"username": "x" * 10_000, "password": "x" * 10_000},
        ):
            response = client.post(reverse(url_name), data)
            assert response.status_code == 200, data
            assert "There is a problem" in response.content.decode() or (
                "errornote" in response.content.decode()
            )

    def test_a_nul_in_a_survey_answer_is_a_form_error_or_a_bad_link(self):
        client = Client(raise_request_exception=False)
        response = client.post("/survey/a%00b/", {"comment": "a\x00b", "rating": "4"})
        assert response.status_code == 400
