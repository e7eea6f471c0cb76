import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hackperf.roles import Role
from indicators.choices import Polarity, Status
from indicators.models import PeriodValue, ValueRevision
from indicators.services.api_tokens import api_token_create
from indicators.services.values import (
    APPROVE_NOT_CHECKED,
    APPROVE_OWN_CHECK,
    CHECK_NO_COMMENTARY,
    REVISE_NO_REASON,
)
from indicators.tables import PeriodValueTable
from tests.indicators.factories import IndicatorFactory, PeriodValueFactory, TargetFactory
from tests.tables import sortable_columns

MARCH_2017 = dt.date(2017, 3, 1)
# Every column but RAG (derived from value and target) and the actions.
SORTABLE = sortable_columns(PeriodValueTable)


def detail(indicator):
    return reverse("indicators:indicator_detail", kwargs={"code": indicator.slug})


def value_url(name, value):
    return reverse(
        f"indicators:{name}", kwargs={"code": value.indicator.slug, "period": value.period_start}
    )


def with_march_value(indicator, value: str, **fields):
    """``indicator``, given a target of 90 and ``value`` for March 2017 (with ``fields``)."""
    TargetFactory(indicator=indicator, value=90)
    PeriodValueFactory(indicator=indicator, period_start=MARCH_2017, value=Decimal(value), **fields)
    return indicator


def indicators_with_values(count: int, months: int = 1):
    """``count`` indicators, each with a target and ``months`` approved values."""
    indicators = []
    for _ in range(count):
        indicator = IndicatorFactory()
        TargetFactory(indicator=indicator, effective_from=dt.date(2015, 1, 1))
        for n in range(months):
            PeriodValueFactory(
                indicator=indicator,
                period_start=dt.date(2015 + n // 12, n % 12 + 1, 1),
                status=Status.APPROVED,
            )
        indicators.append(indicator)
    return indicators


@pytest.mark.django_db
class ScorecardPageTests:
    @pytest.mark.parametrize(
        ("polarity", "value", "rag_class", "words"),
        [
            (Polarity.HIGHER_IS_BETTER, "92", "green", "Green – on target"),
            (Polarity.HIGHER_IS_BETTER, "86", "amber", "Amber – within tolerance"),
            (Polarity.HIGHER_IS_BETTER, "84.9", "red", "Red – off target"),
            (Polarity.LOWER_IS_BETTER, "88", "green", "Green – on target"),
            (Polarity.LOWER_IS_BETTER, "95", "amber", "Amber – within tolerance"),
            (Polarity.LOWER_IS_BETTER, "95.1", "red", "Red – off target"),
        ],
    )
    def test_it_shows_rag_in_words_and_colour_for_both_polarities(
        self, client_as, polarity, value, rag_class, words
    ):
        indicator = IndicatorFactory(polarity=polarity)
        TargetFactory(indicator=indicator, value=90, tolerance_amount=5)
        PeriodValueFactory(
            indicator=indicator, period_start=MARCH_2017, value=Decimal(value), status="approved"
        )
        PeriodValueFactory(
            indicator=indicator,
            period_start=dt.date(2017, 2, 1),
            value=Decimal(90),
            status="approved",
        )
        response = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:scorecard"))
        html = response.content.decode()
        row = html[html.index(f'data-indicator="{indicator.slug}"') :]
        row = row[: row.index("</tr>")]
        assert f'<strong class="lbh-tag hp-rag hp-rag--{rag_class}">{words}</strong>' in row
        better = (Decimal(value) > 90) == (polarity == Polarity.HIGHER_IS_BETTER)
        assert ("Improving" if better else "Worsening") + " on the month before (90.0%)" in row
        assert 'role="img" aria-label="' in row

    def test_a_briefing_viewer_sees_approved_values_only_and_the_dmt_sees_the_status(
        self, client_as
    ):
        indicator = IndicatorFactory()
        PeriodValueFactory(
            indicator=indicator, period_start=dt.date(2017, 2, 1), value=70, status="approved"
        )
        PeriodValueFactory(indicator=indicator, period_start=MARCH_2017, value=80)
        viewer = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:scorecard"))
        assert "70.0%" in viewer.content.decode()
        assert "Entered, not approved" not in viewer.content.decode()
        dmt = client_as(Role.DMT).get(reverse("indicators:scorecard"))
        assert "Entered, not approved" in dmt.content.decode()

    @pytest.mark.parametrize("count", [2, 20])
    def test_its_query_count_does_not_grow_with_the_indicators(
        self, client_as, django_assert_num_queries, count
    ):
        indicators_with_values(count, months=14)
        client = client_as(Role.DMT)
        # session, user, savepoint (ATOMIC_REQUESTS), user permissions, group permissions,
        # indicators, targets, values, release savepoint.
        with django_assert_num_queries(9):
            response = client.get(reverse("indicators:scorecard"))
        assert len(response.context["cards"]) >= count


@pytest.mark.django_db
class IndicatorPageTests:
    def test_it_shows_the_definition_chart_commentary_and_values(self, client_as):
        indicator = with_march_value(
            IndicatorFactory(title="Incidents fixed fast"),
            "91.2",
            commentary="Best month this year.",
            data_quality_note="Two days of tickets imported late.",
        )
        response = client_as(Role.QUEUE_OWNER).get(detail(indicator))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Incidents fixed fast" in html
        assert "Best month this year." in html
        assert "Two days of tickets imported late." in html
        assert 'id="history-' in html and "data as a table" in html
        assert [trace.name for trace in response.context["chart"].figure.data] == [
            "Value",
            "Target",
        ]
        # Someone who only reads sees no actions.
        assert "Actions" not in html and "Enter a value" not in html

    def test_an_unknown_code_is_404(self, client_as):
        assert client_as(Role.DMT).get("/indicators/no-such-thing/").status_code == 404

    @pytest.mark.parametrize("count", [2, 20])
    def test_its_query_count_does_not_grow_with_the_values(
        self, client_as, django_assert_num_queries, count
    ):
        (indicator,) = indicators_with_values(1, months=count)
        client = client_as(Role.DMT)
        # session, user, savepoint, user permissions, group permissions, indicator,
        # history values (with approvers), targets, release savepoint; then, while the
        # template renders, the table's count and its page (targets annotated, people joined);
        # the values' revisions; the risks it bears on.
        with django_assert_num_queries(13):
            response = client.get(detail(indicator))
        assert len(response.context["table"].rows) == count

    @pytest.mark.parametrize("column", SORTABLE)
    def test_every_table_column_sorts(self, client_as, column):
        (indicator,) = indicators_with_values(1, months=3)
        client = client_as(Role.DMT)
        for order in (column, f"-{column}"):
            response = client.get(detail(indicator), {"sort": order})
            assert response.status_code == 200
            assert len(response.context["table"].rows) == 3


@pytest.mark.django_db
def test_values_approved_on_one_day_sort_by_month_newest_first(client_as):
    (indicator,) = indicators_with_values(1, months=3)
    indicator.values.update(approved_at=timezone.now())
    for order in ("approved_at", "-approved_at"):
        response = client_as(Role.DMT).get(detail(indicator), {"sort": order})
        months = [row.record.period_start for row in response.context["table"].rows]
        assert months == sorted(months, reverse=True)


@pytest.mark.django_db
class EnterFormTests:
    def test_it_enters_a_value_for_a_hand_kept_indicator(self, client_as):
        indicator = IndicatorFactory()
        client = client_as(Role.DMT)
        url = reverse("indicators:period_value_create", kwargs={"code": indicator.slug})
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "period_start": "2017-03",
                "value": "91.5",
                "numerator": "183",
                "denominator": "200",
                "commentary": "Good month.",
            },
        )
        assert response.status_code == 302
        value = PeriodValue.objects.get(indicator=indicator)
        assert (value.period_start, value.value, value.status) == (
            MARCH_2017,
            Decimal("91.5"),
            Status.ENTERED,
        )

    def test_it_shows_the_services_error_on_the_form(self, client_as):
        indicator = IndicatorFactory(computed=True)
        url = reverse("indicators:period_value_create", kwargs={"code": indicator.slug})
        response = client_as(Role.DMT).post(url, {"period_start": "2017-03", "value": "1"})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert "is computed from" in response.content.decode()
        assert not PeriodValue.objects.exists()

    def test_it_prefills_an_unapproved_month_to_change_it(self, client_as):
        value = PeriodValueFactory(value=Decimal("77.5"), commentary="First go.")
        url = reverse("indicators:period_value_create", kwargs={"code": value.indicator.slug})
        response = client_as(Role.DMT).get(url, {"period": "2017-03"})
        assert response.context["form"].initial["value"] == Decimal("77.5")
        assert response.context["form"].initial["commentary"] == "First go."

    @pytest.mark.parametrize("role", [Role.BRIEFING_VIEWER, Role.QUEUE_OWNER, Role.IG_OFFICER])
    def test_readers_are_refused(self, client_as, role):
        indicator = IndicatorFactory()
        url = reverse("indicators:period_value_create", kwargs={"code": indicator.slug})
        client = client_as(role)
        assert client.get(url).status_code == 403
        assert client.post(url, {"period_start": "2017-03", "value": "1"}).status_code == 403
        assert not PeriodValue.objects.exists()


@pytest.mark.django_db
class ActionTests:
    def test_the_dmt_checks_and_another_approves_someone_elses_entry(self, client, make_user):
        value = PeriodValueFactory(entered_by=make_user())
        checker, approver = make_user(Role.DMT), make_user(Role.DMT)
        client.force_login(checker)
        assert client.post(value_url("period_value_check", value)).status_code == 302
        refused = client.post(value_url("period_value_approve", value), follow=True)
        assert APPROVE_OWN_CHECK in refused.content.decode()
        client.force_login(approver)
        assert client.post(value_url("period_value_approve", value)).status_code == 302
        value.refresh_from_db()
        assert (value.status, value.checked_by, value.approved_by) == (
            Status.APPROVED,
            checker,
            approver,
        )

    def test_a_value_without_commentary_offers_the_commentary_not_the_check(self, client_as):
        value = PeriodValueFactory(commentary="")
        client = client_as(Role.DMT)
        page = client.get(detail(value.indicator)).content.decode()
        assert value_url("period_value_commentary", value) in page
        assert value_url("period_value_check", value) not in page
        refused = client.post(value_url("period_value_check", value), follow=True)
        assert CHECK_NO_COMMENTARY in refused.content.decode()

    def test_an_illegal_step_is_reported_not_taken(self, client_as):
        value = PeriodValueFactory()
        client = client_as(Role.DMT)
        response = client.post(value_url("period_value_approve", value), follow=True)
        assert APPROVE_NOT_CHECKED.format(status="entered") in response.content.decode()
        value.refresh_from_db()
        assert value.status == Status.ENTERED

    def test_actions_are_post_only(self, client_as):
        value = PeriodValueFactory()
        assert client_as(Role.DMT).get(value_url("period_value_check", value)).status_code == 405

    @pytest.mark.parametrize("action", ["period_value_check", "period_value_approve"])
    def test_a_briefing_viewer_can_read_but_not_act(self, client_as, action):
        value = PeriodValueFactory(status=Status.CHECKED if "approve" in action else Status.ENTERED)
        client = client_as(Role.BRIEFING_VIEWER)
        assert client.get(detail(value.indicator)).status_code == 200
        assert client.post(value_url(action, value)).status_code == 403
        before = value.status
        value.refresh_from_db()
        assert value.status == before


@pytest.mark.django_db
class ReviseFormTests:
    def test_it_revises_with_a_reason_and_keeps_the_old_figures(self, client_as):
        value = PeriodValueFactory(value=Decimal(90), status=Status.APPROVED)
        client = client_as(Role.DMT)
        url = value_url("period_value_revise", value)
        assert client.get(url).context["form"].initial["value"] == Decimal(90)
        missing = client.post(url, {"value": "88"})
        assert missing.status_code == 200
        assert REVISE_NO_REASON in missing.content.decode()
        response = client.post(url, {"value": "88", "reason": "Late tickets found."})
        assert response.status_code == 302
        value.refresh_from_db()
        assert (value.value, value.status) == (88, Status.ENTERED)
        assert ValueRevision.objects.get().old_value == 90

    def test_a_briefing_viewer_is_refused(self, client_as):
        value = PeriodValueFactory(status=Status.APPROVED)
        client = client_as(Role.BRIEFING_VIEWER)
        url = value_url("period_value_revise", value)
        assert client.get(url).status_code == 403
        assert client.post(url, {"value": "1", "reason": "x"}).status_code == 403


@pytest.mark.django_db
class CommentaryFormTests:
    def test_commentary_on_an_approved_value_keeps_it_approved_and_shows_the_revision(
        self, client_as
    ):
        value = PeriodValueFactory(commentary="Frist draft", status=Status.APPROVED)
        client = client_as(Role.DMT)
        url = value_url("period_value_commentary", value)
        assert client.get(url).context["form"].initial["commentary"] == "Frist draft"
        empty = client.post(url, {"commentary": ""})
        assert "Write the commentary" in empty.content.decode()
        response = client.post(url, {"commentary": "First draft", "reason": "Typo"}, follow=True)
        assert "the value is still approved" in response.content.decode()
        value.refresh_from_db()
        assert (value.status, value.commentary) == (Status.APPROVED, "First draft")
        page = client.get(detail(value.indicator)).content.decode()
        revisions = page[page.index('id="revisions"') :]
        assert "Commentary" in revisions and "Typo" in revisions and "Frist draft" in revisions

    def test_a_briefing_viewer_is_refused(self, client_as):
        value = PeriodValueFactory()
        client = client_as(Role.BRIEFING_VIEWER)
        url = value_url("period_value_commentary", value)
        assert client.get(url).status_code == 403
        assert client.post(url, {"commentary": "x"}).status_code == 403
        value.refresh_from_db()
        assert value.commentary == "On track."


@pytest.mark.django_db
class VolumeMeasureTests:
    def test_it_reads_up_from_and_no_target_never_improving(self, client_as):
        indicator = IndicatorFactory(polarity=Polarity.NONE, unit="count")
        TargetFactory(indicator=indicator, effective_from=dt.date(2015, 1, 1), value=100)
        for month, figure in ((2, 140), (3, 152)):
            PeriodValueFactory(
                indicator=indicator,
                period_start=dt.date(2017, month, 1),
                value=figure,
                status=Status.APPROVED,
            )
        for name in ("indicators:scorecard", "indicators:briefing"):
            page = client_as(Role.DMT).get(reverse(name)).content.decode()
            row = page[page.index(f'data-indicator="{indicator.slug}"') :]
            row = row[: row.index("</tr>")]
            assert "Up to 152 from 140 on the month before" in row
            assert "No target (volume measure)" in row
            assert "Improving" not in row and "Not assessed" not in row


@pytest.mark.django_db
class ExportTests:
    @pytest.fixture
    def indicator(self, make_user):
        return with_march_value(
            IndicatorFactory(code="FR ICT 99"),
            "91.5",
            numerator=Decimal(183),
            denominator=Decimal(200),
            commentary="=HYPERLINK('x') is not a formula here",
            status=Status.APPROVED,
            approved_by=make_user(first_name="Dana", last_name="Mensah"),
        )

    def export(self, client, indicator, kind):
        url = reverse("indicators:indicator_export", kwargs={"code": indicator.slug})
        return client.get(url, {"format": kind})

    def test_the_csv_reads_back(self, client_as, indicator):
        response = self.export(client_as(Role.BRIEFING_VIEWER), indicator, "csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        # The first eight columns, in order, each heading with its value.
        assert list(zip(rows[0], rows[1], strict=True))[:8] == [
            ("Indicator", "FR ICT 99"),
            ("Month", "2017-03"),
            ("Value", "91.5000"),
            ("Numerator", "183.0000"),
            ("Denominator", "200.0000"),
            ("Target", "90.0000"),
            ("RAG status", "Green – on target"),
            ("Status", "Approved"),
        ]
        # Free text cannot run as a spreadsheet formula.
        assert rows[1][8] == "'=HYPERLINK('x') is not a formula here"
        assert rows[1][10] == "Dana Mensah"

    def test_the_xlsx_reads_back(self, client_as, indicator):
        response = self.export(client_as(Role.DMT), indicator, "xlsx")
        assert response["Content-Disposition"] == 'attachment; filename="test-values.xlsx"'.replace(
            "test", indicator.slug
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "Indicator"
        # Excel has no dates without times: the month reads back as midnight on its first day.
        assert rows[1][1].date() == MARCH_2017
        assert rows[1][:1] + rows[1][2:7] == (
            "FR ICT 99",
            91.5,
            183,
            200,
            90,
            "Green – on target",
        )

    def test_an_unknown_format_is_a_bad_request(self, client_as, indicator):
        assert self.export(client_as(Role.DMT), indicator, "pdf").status_code == 400

    def test_a_role_without_indicators_is_refused(self, client_as, indicator):
        assert self.export(client_as(Role.DIRECTOR), indicator, "csv").status_code == 403


@pytest.mark.django_db
class ApiTests:
    def test_it_answers_401_json_without_a_session_or_token(self, client):
        for url in (
            reverse("indicators:api_indicator_list"),
            reverse("indicators:api_value_list", kwargs={"code": "fr-ict-17"}),
        ):
            response = client.get(url)
            assert response.status_code == 401
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert "detail" in response.json()
        bad = client.get(
            reverse("indicators:api_indicator_list"), headers={"Authorization": "Bearer nope"}
        )
        assert bad.status_code == 401

    def test_it_lists_indicators_for_a_signed_in_viewer(self, client_as, definitions):
        response = client_as(Role.IG_OFFICER).get(reverse("indicators:api_indicator_list"))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] >= 12
        first = body["results"][0]
        assert (first["code"], first["unit"], first["is_computed"]) == (
            "FR ICT 17",
            "percent",
            True,
        )
        assert first["values_url"].endswith("/api/indicators/fr-ict-17/values/")

    def test_a_token_reads_the_values_paginated(self, client, make_user):
        user = make_user(Role.BRIEFING_VIEWER)
        _, raw = api_token_create(user=user, name="Reporting")
        (indicator,) = indicators_with_values(1, months=5)
        url = reverse("indicators:api_value_list", kwargs={"code": indicator.slug})
        auth = {"Authorization": f"Bearer {raw}"}
        page1 = client.get(url, {"page_size": 2}, headers=auth).json()
        assert page1["count"] == 5
        assert [r["period"] for r in page1["results"]] == ["2015-05", "2015-04"]
        assert page1["results"][0] == {
            "period": "2015-05",
            "value": "90",
            "numerator": None,
            "denominator": None,
            "target": "90",
            "rag": "green",
            "status": "approved",
            "commentary": "On track.",
            "data_quality_note": "",
        }
        assert page1["previous"] is None
        page3 = client.get(page1["next"].replace("page=2", "page=3"), headers=auth).json()
        assert [r["period"] for r in page3["results"]] == ["2015-01"]
        assert page3["next"] is None
        past = client.get(url, {"page": 9}, headers=auth)  # issue 14: a 400 naming it, not a 404
        assert past.status_code == 400
        assert past.json()["detail"] == "'page': page 9 is past the last page, 1."

    def test_a_token_of_someone_without_indicators_is_403(self, client, make_user):
        _, raw = api_token_create(user=make_user(Role.DIRECTOR), name="x")
        response = client.get(
            reverse("indicators:api_indicator_list"), headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 403

    def test_an_unknown_indicator_is_404_json(self, client_as):
        url = reverse("indicators:api_value_list", kwargs={"code": "nope"})
        response = client_as(Role.DMT).get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "No Indicator matches the given query."}

    def test_it_is_read_only(self, client_as):
        response = client_as(Role.DMT).post(reverse("indicators:api_indicator_list"))
        assert response.status_code == 405


@pytest.mark.django_db
class RecordsBehindAValueTests:
    """A computed value links to the tickets it counted; the list equals its denominator."""

    def test_fr_ict_17_lists_the_incidents_resolved_in_the_month(self, client_as, definitions):
        from datetime import UTC, datetime, timedelta

        from indicators.services.compute import indicators_compute
        from servicedesk import services as desk
        from tests.servicedesk.factories import QueueFactory, SlaTargetFactory, log_ticket

        SlaTargetFactory()
        queue = QueueFactory(name="Service desk", slug="service-desk")
        logged = datetime(2026, 3, 3, 9, tzinfo=UTC)
        # Resolved after 2, 6 and 26 hours: 2, 6 and 10 business hours (09:00-17:00).
        for hours in (2, 6, 26):
            ticket = log_ticket(queue=queue, at=logged)
            desk.ticket_resolve(ticket=ticket, actor=None, at=logged + timedelta(hours=hours))
        indicators_compute(period_start=dt.date(2026, 3, 1))
        client = client_as(Role.DMT)
        detail = client.get(reverse("indicators:indicator_detail", args=["fr-ict-17"]))
        url = reverse("indicators:period_value_behind", args=["fr-ict-17", "2026-03"])
        assert url in detail.content.decode()
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == 3
        assert response.context["value"].numerator == 2
        assert "(2 of 3)" in response.content.decode()
        assert "for the month as at the end of Tuesday 31 March 2026." in response.content.decode()

    def test_it_refuses_someone_who_may_not_see_the_tickets(self, client_as, definitions):
        url = reverse("indicators:period_value_behind", args=["fr-ict-17", "2026-03"])
        assert client_as(Role.BRIEFING_VIEWER).get(url).status_code == 403

    def test_an_entered_indicator_has_no_records_behind_it(self, client_as, definitions):
        from indicators.models import Indicator

        entered = Indicator.objects.filter(is_computed=False).first()
        url = reverse("indicators:period_value_behind", args=[entered.slug, "2026-03"])
        assert client_as(Role.DMT).get(url).status_code == 404

    def test_a_queue_owner_sees_their_queues_tickets_and_a_count_of_the_others(
        self, client, make_user, definitions
    ):
        from datetime import UTC, datetime

        from tests.servicedesk.factories import QueueFactory, log_ticket

        owner = make_user(Role.QUEUE_OWNER)
        own, other = QueueFactory(), QueueFactory()
        own.owners.add(owner)
        logged = datetime(2026, 3, 3, 9, tzinfo=UTC)
        mine = log_ticket(queue=own, at=logged)
        theirs = [log_ticket(queue=other, at=logged) for _ in range(12)]
        client.force_login(owner)
        url = reverse("indicators:period_value_behind", args=["fr-ict-17a", "2026-03"])
        response = client.get(url)
        html = response.content.decode()
        assert [row.reference for row in response.context["rows"]] == [mine.reference]
        assert response.context["counted"] == 13
        assert "and 12 more in queues you cannot open" in html
        assert not any(ticket.reference in html for ticket in theirs)
        # The ticket page agrees: the owner may not open the others.
        ticket_url = reverse("servicedesk:ticket_detail", args=[theirs[0].reference])
        assert client.get(ticket_url).status_code == 403

    def test_a_director_given_indicators_sees_their_directorates_cases_only(
        self, client, make_user, definitions
    ):
        from django.contrib.auth.models import Permission

        from tests.infogov.factories import CaseFactory, ServiceFactory

        director = make_user(Role.DIRECTOR)
        # A council may give directors the indicators too: the case rule still holds.
        director.user_permissions.add(Permission.objects.get(codename="view_indicators"))
        mine, theirs = ServiceFactory(), ServiceFactory()
        mine.directorate.directors.add(director)
        own = CaseFactory(service=mine, received=dt.date(2026, 3, 2))
        others = [CaseFactory(service=theirs, received=dt.date(2026, 3, 2)) for _ in range(3)]
        client.force_login(director)
        url = reverse("indicators:period_value_behind", args=["fr-ict-18b", "2026-03"])
        response = client.get(url)
        html = response.content.decode()
        assert [row.reference for row in response.context["rows"]] == [own.reference]
        assert "and 3 more in directorates you cannot open" in html
        assert not any(case.reference in html for case in others)
