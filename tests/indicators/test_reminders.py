"""Data-due reminders of hand-entered indicators: due from the 1st, late after the due day,
none once the value is in; through the outbox, once each whatever the reruns."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hackperf import outbox
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from indicators import reminders, tasks
from indicators.choices import Source
from indicators.models import Indicator
from indicators.services.values import period_value_enter

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def entered(definitions):
    """The hand-entered indicators, each with an owner's address."""
    indicators = list(Indicator.objects.filter(source=Source.ENTERED).order_by("code"))
    assert indicators  # resident satisfaction, adoption of mobile and collaboration tools
    for n, indicator in enumerate(indicators):
        indicator.owner_email = f"owner{n}@hackney.example"
        indicator.save(update_fields=["owner_email"])
    return indicators


@pytest.mark.django_db
class ReminderTests:
    def test_it_reminds_each_owner_when_last_month_is_due(self, entered):
        assert reminders.reminders_send(today=date(2026, 12, 1)) == len(entered)
        message = OutboxMessage.objects.get(to=[entered[0].owner_email])
        assert (
            message.subject == f"{entered[0].code}: the November 2026 value is due by 10 December"
        )
        assert "is due by Thursday 10 December 2026" in message.body
        assert f"/indicators/{entered[0].slug}/" in message.body

    @pytest.mark.parametrize(
        ("today", "stage"),
        [(date(2026, 12, 10), reminders.DUE), (date(2026, 12, 11), reminders.LATE)],
    )
    def test_it_is_late_after_the_due_day(self, entered, today, stage):
        due = reminders.reminders_due(today=today)
        assert {r.stage for r in due} == {stage} and {r.month for r in due} == {NOVEMBER}

    def test_a_rerun_queues_nothing_more_and_late_is_a_second_message(self, entered):
        for _ in range(2):
            reminders.reminders_send(today=date(2026, 12, 2))
        assert OutboxMessage.objects.count() == len(entered)
        for _ in range(2):
            reminders.reminders_send(today=date(2026, 12, 14))
        assert OutboxMessage.objects.count() == 2 * len(entered)
        assert OutboxMessage.objects.filter(subject__endswith="value is late").count() == len(
            entered
        )

    def test_no_reminder_once_the_value_is_entered(self, entered, make_user):
        period_value_enter(
            indicator=entered[0],
            period_start=NOVEMBER,
            value=Decimal("71.5"),
            by=make_user(),
            now=datetime(2026, 12, 3, tzinfo=UTC),
        )
        due = reminders.reminders_due(today=date(2026, 12, 14))
        assert entered[0] not in [r.indicator for r in due]
        assert len(due) == len(entered) - 1

    def test_computed_indicators_are_never_reminded(self, entered):
        codes = {r.indicator.code for r in reminders.reminders_due(today=date(2026, 12, 1))}
        assert "FR ICT 17" not in codes

    def test_without_an_address_it_waits_then_goes_once_the_address_is_saved(self, entered):
        indicator = entered[0]
        indicator.owner_email = ""
        indicator.save(update_fields=["owner_email"])
        reminders.reminders_send(today=date(2026, 12, 1))
        waiting = OutboxMessage.objects.get(status=OutboxStatus.NO_RECIPIENT)
        assert indicator.code in waiting.no_recipient_reason
        indicator.owner_email = "late.owner@hackney.example"
        indicator.save(update_fields=["owner_email"])
        assert outbox.resolve_waiting(now=datetime(2026, 12, 1, 9, tzinfo=UTC)) == 1
        waiting.refresh_from_db()
        assert (waiting.status, waiting.to) == (OutboxStatus.QUEUED, ["late.owner@hackney.example"])

    def test_the_daily_task_is_idempotent(self, entered, monkeypatch):
        from django.utils import timezone

        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 12))
        assert tasks.remind_data_due() == len(entered)
        assert tasks.remind_data_due() == len(entered)  # found, not queued again
        assert OutboxMessage.objects.count() == len(entered)
