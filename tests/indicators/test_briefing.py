"""The Mayor's briefing and the risk register: access, approved values only, the FOI/SAR
summary, risks (score, movement), editing by the DMT only, fixed queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from indicators.choices import Status
from indicators.models import Risk
from indicators.services.briefings import BRIEFING_NO_MEETING
from indicators.services.risks import risk_register_mark_briefed, risk_save
from tests.indicators.factories import (
    IndicatorFactory,
    PeriodValueFactory,
    SnapshotFactory,
    TargetFactory,
    make_risk,
)

RISK = {
    "title": "Legacy file servers fail",
    "owner": "Head of Infrastructure",
    "likelihood": "4",
    "impact": "5",
    "mitigations": "Migrate to SharePoint by March.",
    "review_date": "2026-12-31",
}


@pytest.mark.django_db
class BriefingPageTests:
    def test_it_shows_approved_values_only_with_rag_direction_and_commentary(self, client_as):
        indicator = IndicatorFactory(code="DIG TEST", slug="dig-test")
        TargetFactory(indicator=indicator, value=90, tolerance_amount=5)
        PeriodValueFactory(
            indicator=indicator,
            period_start=dt.date(2026, 8, 1),
            value=Decimal(80),
            status=Status.APPROVED,
        )
        PeriodValueFactory(
            indicator=indicator,
            period_start=dt.date(2026, 9, 1),
            value=Decimal(86),
            status=Status.APPROVED,
            commentary="Recovering after the summer.",
        )
        PeriodValueFactory(
            indicator=indicator, period_start=dt.date(2026, 10, 1), value=Decimal(99)
        )  # entered, not approved
        html = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing")).content.decode()
        assert "86.0%" in html and "99.0%" not in html
        assert "Amber – within tolerance" in html and "hp-rag--amber" in html
        assert "Improving on the month before (80.0%)" in html
        assert "Recovering after the summer." in html

    def test_it_summarises_open_ig_cases_from_the_latest_snapshot(self, client_as):
        for metric, value in (("infogov.open_cases", 12), ("infogov.overdue", 3)):
            SnapshotFactory(metric=metric, value=value, label="All cases")
            SnapshotFactory(metric=metric, value=value, breakdown="kind", key="sar", label="SAR")
        response = client_as(Role.DMT).get(reverse("indicators:briefing"))
        columns = response.context["ig_columns"]
        assert columns[0] == {"label": "All cases", "values": [12, None, 3]}
        assert columns[1]["label"] == "SAR"

    def test_it_lists_risks_by_score_with_movement_in_words(self, client_as):
        low = make_risk(title="Printer contract lapses", likelihood=2, impact=2)
        high = make_risk(title="Cyber attack", likelihood=3, impact=5)
        risk_register_mark_briefed()
        high = risk_save(risk=high, likelihood=4)
        new = make_risk(title="Supplier insolvency", likelihood=1, impact=3)
        assert [r.title for r in Risk.objects.all()] == [
            "Cyber attack",
            "Printer contract lapses",
            "Supplier insolvency",
        ]
        assert (high.score, high.movement, high.severity) == (20, "Up from 15", "red")
        low.refresh_from_db()
        assert (low.movement, low.severity) == ("No change", "green")
        assert new.movement == "New since the last briefing"
        html = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing")).content.decode()
        assert "Up from 15" in html and "20 Red" in html

    def test_it_runs_the_same_queries_for_2_and_20_risks(self, client_as, definitions):
        client = client_as(Role.BRIEFING_VIEWER)
        url = reverse("indicators:briefing")
        indicator = next(iter(definitions.values()))
        for n in range(2):
            make_risk(title=f"Risk {n}").linked_indicators.add(indicator)
        with CaptureQueriesContext(connection) as two:
            assert client.get(url).status_code == 200
        for n in range(2, 20):
            make_risk(title=f"Risk {n}").linked_indicators.add(indicator)
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(url).status_code == 200
        # session, user, savepoint, user and group permissions, the EDIT_RISKS check
        # (cached), indicators, targets, values; the IG snapshot instant (and nothing more
        # when there is none); risks, their linked indicators; release savepoint.
        assert len(two) == len(twenty)

    def test_it_offers_editing_to_the_dmt_only(self, client_as):
        risk = make_risk()
        dmt_html = client_as(Role.DMT).get(reverse("indicators:briefing")).content.decode()
        assert reverse("indicators:risk_update", kwargs={"pk": risk.pk}) in dmt_html
        assert "Add a risk" in dmt_html


@pytest.mark.django_db
class RiskFormTests:
    def test_the_dmt_adds_a_risk_with_linked_indicators(self, client_as, definitions):
        client = client_as(Role.DMT)
        linked = definitions["FR ICT 17"]
        response = client.post(
            reverse("indicators:risk_create"), RISK | {"linked_indicators": [linked.pk]}
        )
        assert response.status_code == 302
        risk = Risk.objects.get()
        assert (risk.score, list(risk.linked_indicators.all())) == (20, [linked])

    def test_the_dmt_changes_a_risk(self, client_as):
        risk = make_risk()
        client = client_as(Role.DMT)
        url = reverse("indicators:risk_update", kwargs={"pk": risk.pk})
        form = client.get(url)
        assert form.context["form"].initial["likelihood"] == 3
        assert client.post(url, RISK | {"likelihood": "1"}).status_code == 302
        risk.refresh_from_db()
        assert (risk.title, risk.score) == ("Legacy file servers fail", 5)

    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            ("likelihood", "", "Choose how likely the risk is, from 1 to 5."),
            ("impact", "6", "Choose impact from the list"),
            ("mitigations", "", "Say what is being done to reduce the risk."),
            ("review_date", "next week", "Enter a date as YYYY-MM-DD"),
            ("review_date-month", "", "Review date must include a month"),
            ("review_date-day", "31", "Review date must be a real date"),
        ],
    )
    def test_it_re_renders_with_govuk_errors(self, client_as, field, value, error):
        data = RISK | {field: value}
        if field.startswith("review_date-"):
            # The GOV.UK date input's boxes: 1 February 2027, then one box changed.
            del data["review_date"]
            parts = {"review_date-day": "1", "review_date-month": "2", "review_date-year": "2027"}
            data |= parts | {field: value}
        response = client_as(Role.DMT).post(reverse("indicators:risk_create"), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html and error in html
        assert "govuk-form-group--error" in html
        assert Risk.objects.count() == 0

    @pytest.mark.parametrize("role", [Role.BRIEFING_VIEWER, Role.IG_OFFICER, Role.QUEUE_OWNER])
    def test_it_refuses_everyone_else(self, client_as, role):
        risk = make_risk()
        client = client_as(role)
        assert client.get(reverse("indicators:risk_create")).status_code == 403
        assert client.post(reverse("indicators:risk_create"), RISK).status_code == 403
        url = reverse("indicators:risk_update", kwargs={"pk": risk.pk})
        assert client.post(url, RISK).status_code == 403
        mark = reverse("indicators:risk_register_mark_briefed")
        assert client.post(mark).status_code == 403
        assert Risk.objects.get().title == "Cyber attack"

    def test_a_briefing_viewer_sees_no_edit_controls(self, client_as):
        make_risk()
        html = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing")).content.decode()
        assert "Add a risk" not in html
        assert "/briefing/risks/" not in html

    def test_marking_the_briefing_records_scores(self, client_as):
        risk = make_risk()
        response = client_as(Role.DMT).post(reverse("indicators:risk_register_mark_briefed"))
        assert response.status_code == 302
        risk.refresh_from_db()
        assert risk.previous_score == 15


class RiskModelTests:
    def test_it_refuses_scores_outside_one_to_five(self, db):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            make_risk(likelihood=6)

    def test_its_database_refuses_them_too(self, db):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):
            Risk.objects.create(
                title="x",
                owner="y",
                likelihood=0,
                impact=3,
                mitigations="z",
                review_date=timezone.localdate(),
            )


@pytest.mark.django_db
class RiskFormRenderingTests:
    def test_it_fills_the_date_input_boxes(self, client_as):
        risk = make_risk()
        html = (
            client_as(Role.DMT)
            .get(reverse("indicators:risk_update", kwargs={"pk": risk.pk}))
            .content.decode()
        )
        assert risk.review_date == dt.date(2026, 12, 1)
        for name, value in (("day", "1"), ("month", "12"), ("year", "2026")):
            assert (
                f'name="review_date-{name}" type="text" inputmode="numeric" value="{value}"' in html
            )
        assert 'type="date"' not in html


def approved(indicator, month, value, **fields):
    return PeriodValueFactory(
        indicator=indicator,
        period_start=month,
        value=Decimal(value),
        status=Status.APPROVED,
        **fields,
    )


SEP, AUG, OCT = dt.date(2026, 9, 1), dt.date(2026, 8, 1), dt.date(2026, 10, 1)


@pytest.mark.django_db
class ReportingMonthTests:
    def test_every_indicator_reports_the_latest_month_all_have_and_laggards_say_so(self, client_as):
        ahead, lagging = IndicatorFactory(code="AHEAD 1"), IndicatorFactory(code="LAG 1")
        for month, value in ((AUG, 70), (SEP, 75), (OCT, 81)):
            approved(ahead, month, value)
        approved(lagging, AUG, 60)
        other = IndicatorFactory(code="OTHER 1")
        approved(other, SEP, 50)
        approved(other, OCT, 55)
        # AHEAD and OTHER have October, LAG only August: no month is common to all three,
        # so the briefing reports the latest, October, and LAG says where it stands.
        response = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing"))
        assert response.context["month"] == OCT
        html = response.content.decode()
        assert "Reporting month: <strong>October 2026</strong>" in html
        row = html[html.index(f'data-indicator="{lagging.slug}"') :]
        assert "latest available: August 2026" in row[: row.index("</tr>")]
        row = html[html.index(f'data-indicator="{ahead.slug}"') :]
        assert "81.0%" in row[: row.index("</tr>")]
        assert "latest available" not in row[: row.index("</tr>")]

    def test_the_month_is_the_latest_all_have_when_there_is_one(self, client_as):
        first, second = IndicatorFactory(code="ONE 1"), IndicatorFactory(code="TWO 1")
        approved(first, SEP, 70)
        approved(first, OCT, 90)  # October is not yet approved for the second
        approved(second, SEP, 50)
        PeriodValueFactory(indicator=second, period_start=OCT, value=Decimal(99))
        response = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing"))
        assert response.context["month"] == SEP
        html = response.content.decode()
        assert "70.0%" in html and "90.0%" not in html and "latest available" not in html


@pytest.mark.django_db
class OpeningSummaryTests:
    def test_it_counts_rag_names_what_moved_most_and_the_risks_that_rose(self, client_as):
        red = IndicatorFactory(code="RED 1", title="Reds")
        TargetFactory(indicator=red, value=90, tolerance_amount=5)
        approved(red, AUG, 88)
        approved(red, SEP, 60)  # 28 points worse: the biggest move
        green = IndicatorFactory(code="GREEN 1", title="Greens")
        TargetFactory(indicator=green, value=90, tolerance_amount=5)
        approved(green, AUG, 91)
        approved(green, SEP, 92)
        rising = make_risk(title="Rising risk", likelihood=2, impact=3)
        make_risk(title="Steady risk", likelihood=2, impact=2)
        risk_register_mark_briefed()
        risk_save(risk=rising, likelihood=4)
        response = client_as(Role.BRIEFING_VIEWER).get(reverse("indicators:briefing"))
        context = response.context
        assert [(status.value, n) for status, n in context["rag_counts"]] == [
            ("red", 1),
            ("amber", 0),
            ("green", 1),
        ]
        assert context["movements"][0].words == (
            "RED 1 Reds: worsening, 88.0% in August 2026 to 60.0%"
        )
        assert [risk.title for risk in context["risks_rose"]] == ["Rising risk"]
        html = response.content.decode()
        summary = html[html.index('id="summary"') : html.index('id="strategic-indicators"')]
        assert (
            "1 Red" in summary
            and "1 Green" in summary
            and "Rising risk</strong> (6 to 12)" in summary
        )


@pytest.mark.django_db
class RiskLifecycleTests:
    def test_a_closed_risk_leaves_the_briefing_and_keeps_its_history(self, client_as):
        risk = make_risk(title="Old risk")
        risk_save(risk=risk, impact=4)
        client = client_as(Role.DMT)
        close = reverse("indicators:risk_close", kwargs={"pk": risk.pk})
        assert client.post(close, {"note": ""}).status_code == 302
        risk.refresh_from_db()
        assert risk.closed_at is None
        assert client.post(close, {"note": "Servers replaced."}).status_code == 302
        briefing = client.get(reverse("indicators:briefing")).content.decode()
        assert "Old risk" not in briefing[briefing.index('id="risks"') :]
        page = client.get(risk.get_absolute_url()).content.decode()
        history = page[page.index('id="history"') :]
        assert "Closed: Servers replaced." in history
        assert "Changed: impact 5 → 4" in history
        assert "Added, scored 3 × 5 = 15" in history
        with pytest.raises(ValidationError):
            risk_save(risk=risk, impact=1)

    def test_risks_and_indicators_link_both_ways_chosen_with_checkboxes(
        self, client_as, definitions
    ):
        client = client_as(Role.DMT)
        form = client.get(reverse("indicators:risk_create")).content.decode()
        assert 'type="checkbox"' in form and "Hold Ctrl" not in form
        linked = definitions["FR ICT 18a"]
        client.post(reverse("indicators:risk_create"), RISK | {"linked_indicators": [linked.pk]})
        page = client.get(linked.get_absolute_url()).content.decode()
        assert "Legacy file servers fail" in page[page.index('id="risks"') :]
        briefing = client.get(reverse("indicators:briefing")).content.decode()
        assert f'href="{linked.get_absolute_url()}">FR ICT 18a</a>' in briefing

    @pytest.mark.parametrize("role", [Role.BRIEFING_VIEWER, Role.IG_OFFICER])
    def test_only_the_dmt_closes_a_risk(self, client_as, role):
        risk = make_risk()
        close = reverse("indicators:risk_close", kwargs={"pk": risk.pk})
        assert client_as(role).post(close, {"note": "x"}).status_code == 403
        risk.refresh_from_db()
        assert risk.closed_at is None


@pytest.mark.django_db
class FrozenBriefingTests:
    def test_the_dmt_freezes_it_and_later_changes_leave_the_copy_alone(self, client_as):
        indicator = IndicatorFactory(code="FROZE 1")
        value = approved(indicator, SEP, 70)
        risk = make_risk(title="Frozen risk")
        client = client_as(Role.DMT)
        refused = client.post(reverse("indicators:briefing_freeze"), {"meeting": ""}, follow=True)
        assert BRIEFING_NO_MEETING in refused.content.decode()
        response = client.post(
            reverse("indicators:briefing_freeze"), {"meeting": "2-to-1, 8 December"}, follow=True
        )
        pack = response.context["pack"]
        assert (pack.meeting, pack.reporting_month) == ("2-to-1, 8 December", SEP)
        risk_save(risk=risk, title="Renamed risk")
        value.value = Decimal(10)
        value.save()
        frozen = client_as(Role.BRIEFING_VIEWER).get(pack.get_absolute_url()).content.decode()
        assert "Frozen risk" in frozen and "70.0%" in frozen
        assert "Renamed risk" not in frozen and "10.0%" not in frozen
        risk.refresh_from_db()
        assert risk.previous_score == 15  # the frozen briefing's scores are the last briefing's

    def test_a_briefing_viewer_reads_frozen_copies_but_cannot_freeze(self, client_as):
        client = client_as(Role.BRIEFING_VIEWER)
        assert (
            client.post(reverse("indicators:briefing_freeze"), {"meeting": "x"}).status_code == 403
        )
        assert (
            "Freeze the briefing" not in client.get(reverse("indicators:briefing")).content.decode()
        )
