"""compute_indicators: FR ICT 17–19 for a month, on stubbed sources and on real history."""

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from hackperf.metrics import Ratio
from indicators import tasks
from indicators.choices import Status, UpsertResult
from indicators.models import PeriodValue, ValueRevision
from indicators.services.compute import NO_DATA, indicators_compute
from indicators.services.values import (
    period_value_approve,
    period_value_check,
    period_value_comment,
)

MARCH = date(2026, 3, 1)


def values():
    return {
        v.indicator.code: (v.value, v.numerator, v.denominator)
        for v in PeriodValue.objects.select_related("indicator")
    }


@pytest.fixture
def stubbed(fake_sources):
    servicedesk, infogov = fake_sources
    servicedesk.fr_ict_17_ratio = Ratio(45, 60)
    servicedesk.logged_counts = {"incident": 120, "request": 80}
    infogov.foi = (Ratio(18, 20), Ratio(19, 20))
    infogov.foi_received_count = 25
    infogov.foi_outstanding_counts = (9, 2)
    infogov.sar = Ratio(0, 0)  # none answered this month: no value, never 0%
    infogov.sar_received_count = 4
    infogov.sar_outstanding_count = 3
    return servicedesk, infogov


@pytest.mark.django_db
class ComputeIndicatorsTests:
    def test_it_computes_each_indicator_through_the_sources(self, definitions, stubbed):
        indicators_compute(period_start=MARCH)
        assert values() == {
            "FR ICT 17": (Decimal("75.0000"), Decimal(45), Decimal(60)),
            "FR ICT 17a": (Decimal(120), None, None),
            "FR ICT 17b": (Decimal(80), None, None),
            "FR ICT 18a": (Decimal("90.0000"), Decimal(18), Decimal(20)),
            "FR ICT 18b": (Decimal(25), None, None),
            "FR ICT 18c": (Decimal(9), None, None),
            "FR ICT 19b": (Decimal(4), None, None),
            "FR ICT 19c": (Decimal(3), None, None),
        }
        assert not PeriodValue.objects.filter(indicator__code="FR ICT 19a").exists()

    def test_it_uses_london_month_boundaries_and_inclusive_dates(self, definitions, stubbed):
        servicedesk, infogov = stubbed
        indicators_compute(period_start=MARCH)
        # March 2026 starts in GMT and ends in BST (clocks change on 29 March).
        assert (
            "fr_ict_17",
            {
                "start": datetime(2026, 3, 1, tzinfo=UTC),
                "end": datetime(2026, 3, 31, 23, tzinfo=UTC),
            },
        ) in servicedesk.calls
        assert ("foi_timeliness", {"start": MARCH, "end": date(2026, 3, 31)}) in infogov.calls
        assert ("foi_outstanding", {"at": date(2026, 3, 31)}) in infogov.calls

    def test_it_is_idempotent(self, definitions, stubbed):
        first = indicators_compute(period_start=MARCH)
        second = indicators_compute(period_start=MARCH)
        assert {f.result for f in first} == {UpsertResult.CREATED.value, NO_DATA}
        assert {f.result for f in second} == {UpsertResult.UNCHANGED.value, NO_DATA}
        assert PeriodValue.objects.count() == 8

    def test_it_revises_an_approved_value_when_the_history_changed(
        self, definitions, stubbed, make_user
    ):
        servicedesk, _ = stubbed
        indicators_compute(period_start=MARCH)
        value = PeriodValue.objects.get(indicator__code="FR ICT 17")
        owner = make_user()
        value = period_value_comment(period_value=value, commentary="On target.", by=owner)
        value = period_value_check(period_value=value, by=make_user())
        period_value_approve(period_value=value, by=make_user())
        servicedesk.fr_ict_17_ratio = Ratio(46, 60)
        indicators_compute(period_start=MARCH)
        value.refresh_from_db()
        assert value.status == Status.ENTERED
        assert value.value == Decimal("76.7000")
        assert ValueRevision.objects.get(period_value=value).old_value == Decimal("75.0000")

    def test_the_command_prints_json_with_the_working(self, definitions, stubbed):
        out = io.StringIO()
        call_command("compute_indicators", "--period", "2026-03", "--json", stdout=out)
        printed = json.loads(out.getvalue())
        by_code = {item["code"]: item for item in printed["indicators"]}
        assert printed["period"] == "2026-03"
        assert by_code["FR ICT 17"] | {} == {
            "code": "FR ICT 17",
            "value": "75.0",
            "numerator": 45,
            "denominator": 60,
            "result": "created",
        }
        assert by_code["FR ICT 18a"]["in_time_percent"] == "95.0"
        assert by_code["FR ICT 18c"]["overdue"] == 2
        assert by_code["FR ICT 19a"]["value"] is None
        assert by_code["FR ICT 19a"]["result"] == "no data"

    def test_the_command_prints_text_by_default(self, definitions, stubbed):
        out = io.StringIO()
        call_command("compute_indicators", "--period", "2026-03", stdout=out)
        assert "FR ICT 17: 75.0 (45/60) [created]" in out.getvalue()

    @pytest.mark.parametrize("period", ["2026-13", "March", "2999-01"])
    def test_the_command_refuses_a_bad_or_future_period(self, definitions, stubbed, period):
        with pytest.raises(CommandError):
            call_command("compute_indicators", "--period", period, stdout=io.StringIO())

    def test_the_monthly_task_computes_the_month_just_ended_twice_safely(
        self, definitions, stubbed
    ):
        tasks.compute_last_month.apply()  # through Celery, in this process
        before = list(PeriodValue.objects.values_list("pk", "value", "entered_at"))
        tasks.compute_last_month()
        assert list(PeriodValue.objects.values_list("pk", "value", "entered_at")) == before
        assert len(before) == 8


@pytest.mark.django_db
class ComputeOnRealHistoryTests:
    """The real servicedesk.metrics and infogov.metrics behind the registered metrics."""

    def test_it_computes_fr_ict_17_on_hand_made_tickets(self, definitions):
        from servicedesk import services as sd
        from servicedesk.choices import Kind
        from tests.servicedesk.factories import QueueFactory, log_ticket

        desk = QueueFactory(slug="desk", name="Desk")
        tuesday = datetime(2026, 3, 3, 9, tzinfo=UTC)
        quick = log_ticket(queue=desk, at=tuesday)  # 2 business hours: within 8
        slow = log_ticket(queue=desk, at=tuesday)  # three working days: over 8
        log_ticket(queue=desk, at=tuesday, kind=Kind.REQUEST)
        log_ticket(queue=desk, at=datetime(2026, 2, 27, 9, tzinfo=UTC))  # February
        for ticket in (quick, slow):
            sd.ticket_assign(ticket=ticket, actor=None, at=tuesday + timedelta(minutes=5))
        sd.ticket_resolve(ticket=quick, actor=None, at=tuesday + timedelta(hours=2))
        sd.ticket_resolve(ticket=slow, actor=None, at=tuesday + timedelta(days=3))

        figures = {f.code: f for f in indicators_compute(period_start=MARCH)}
        assert (figures["FR ICT 17"].numerator, figures["FR ICT 17"].denominator) == (1, 2)
        assert figures["FR ICT 17"].value == Decimal("50.0")
        assert figures["FR ICT 17a"].value == 3 - 1  # the February incident is not March's
        assert figures["FR ICT 17b"].value == 1

    def test_it_computes_fr_ict_18_and_19_on_hand_made_cases(self, definitions):
        from tests.infogov.test_metrics import Scenario

        Scenario()  # see its docstring: A–H and R, January–February 2025
        january = {f.code: f for f in indicators_compute(period_start=date(2025, 1, 1))}
        february = {f.code: f for f in indicators_compute(period_start=date(2025, 2, 1))}
        assert (january["FR ICT 18a"].numerator, january["FR ICT 18a"].denominator) == (1, 1)
        assert (february["FR ICT 18a"].numerator, february["FR ICT 18a"].denominator) == (0, 2)
        assert february["FR ICT 18a"].extra["in_time_numerator"] == 1  # C, extended
        assert january["FR ICT 18b"].value == 5  # A, B, C, D (FOI) and E (EIR); not review R
        assert january["FR ICT 19b"].value == 2  # F and G
        assert (february["FR ICT 19a"].numerator, february["FR ICT 19a"].denominator) == (1, 2)
        assert february["FR ICT 19c"].value == 1  # H
