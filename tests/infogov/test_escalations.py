import smtplib
import threading
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings

from hackperf.roles import Role
from infogov import services, tasks
from infogov.choices import EventKind, Status
from infogov.models import ClockEvent, Escalation
from tests.infogov.factories import CaseFactory

# Wed 25 Nov 2026. 5 working days on: Wed 2 Dec; 2 working days on: Fri 27 Nov.
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def case_due(due: date, **kwargs):
    case = CaseFactory(received=date(2026, 11, 2), **kwargs)
    case.due = due
    case.save(update_fields=["due"])
    return case


def send():
    return services.escalations_send(today=TODAY, now=NOW)


@pytest.mark.django_db
class EscalationsSendTests:
    def test_it_escalates_at_t_minus_5_to_the_officer_and_service_lead(self, make_user):
        officer = make_user(Role.IG_OFFICER, email="officer@hackney.example")
        case = case_due(date(2026, 12, 2), officer=officer)
        sent = send()
        assert [(s.case_id, s.level) for s in sent] == [(case.pk, "t_minus_5")]
        assert mail.outbox[0].to == ["officer@hackney.example", case.service.lead_email]
        assert mail.outbox[0].subject == (
            f"[FOI] {case.reference} due Wed 2 Dec 2026: 5 working days left"
        )
        assert case.requester.name not in mail.outbox[0].body

    def test_it_does_not_escalate_six_working_days_out(self):
        case_due(date(2026, 12, 3))
        assert send() == []
        assert mail.outbox == []

    def test_it_escalates_at_t_minus_2_to_the_director_as_well(self):
        case = case_due(date(2026, 11, 27))
        levels = sorted(s.level for s in send())
        assert levels == ["t_minus_2", "t_minus_5"]
        to = {m.extra_headers["X-Hackperf-Level"]: m.to for m in mail.outbox}
        assert to["t_minus_2"] == [case.directorate.director_email]

    def test_it_escalates_overdue_cases_to_the_group_director(self):
        case = case_due(date(2026, 11, 24))
        levels = sorted(s.level for s in send())
        assert levels == ["overdue", "t_minus_2", "t_minus_5"]
        overdue = next(m for m in mail.outbox if m.extra_headers["X-Hackperf-Level"] == "overdue")
        assert overdue.to == [case.directorate.group_director_email]
        assert "overdue since Tue 24 Nov 2026" in overdue.subject

    def test_it_skips_cases_whose_clock_is_stopped_and_closed_cases(self):
        stopped = case_due(date(2026, 11, 24))
        ClockEvent.objects.create(
            case=stopped, kind=EventKind.CLARIFICATION_REQUESTED, date=date(2026, 11, 3)
        )
        stopped.clock_stopped = True
        stopped.status = Status.AWAITING_REQUESTER
        stopped.save()
        case_due(date(2026, 11, 24), status=Status.RESPONDED, responded=date(2026, 11, 20))
        assert send() == []

    def test_running_twice_sends_nothing_the_second_time(self):
        case_due(date(2026, 11, 24))
        case_due(date(2026, 11, 30))
        first = send()
        assert len(first) == 4
        assert len(mail.outbox) == 4
        assert send() == []
        assert len(mail.outbox) == 4
        assert Escalation.objects.count() == 4

    @override_settings(
        INFOGOV_ESCALATION_LEVELS={
            "t_minus_5": None,
            "t_minus_2": {"working_days_before": 3, "recipients": ["director", "case_officer"]},
        }
    )
    def test_levels_and_recipients_are_configurable(self):
        case = case_due(date(2026, 11, 30))
        sent = send()
        assert [s.level for s in sent] == ["t_minus_2"]
        assert sent[0].recipients == (case.directorate.director_email,)

    def test_it_records_an_escalation_with_no_one_to_tell(self):
        case = case_due(date(2026, 11, 24))
        case.directorate.group_director_email = ""
        case.directorate.save()
        send()
        overdue = Escalation.objects.get(case=case, level="overdue")
        assert overdue.recipients == []
        assert len(mail.outbox) == 2

    def test_a_failed_send_releases_the_unsent_claims(self, monkeypatch):
        case_due(date(2026, 11, 30))

        def fail(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("gone")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", fail)
        with pytest.raises(smtplib.SMTPException):
            send()
        assert Escalation.objects.count() == 0
        monkeypatch.undo()
        assert len(send()) == 1


@pytest.mark.django_db
class EscalationAcknowledgeTests:
    def test_the_first_acknowledgement_wins(self, make_user):
        case = case_due(date(2026, 11, 24))
        send()
        escalation = Escalation.objects.get(case=case, level="overdue")
        first, second = make_user(Role.DIRECTOR), make_user(Role.DIRECTOR)
        assert services.escalation_acknowledge(escalation=escalation, user=first, now=NOW)
        assert not services.escalation_acknowledge(escalation=escalation, user=second)
        assert escalation.acknowledged_by == first


@pytest.mark.django_db(transaction=True)
class EscalationConcurrencyTests:
    def test_two_concurrent_runs_send_each_escalation_once(self):
        cases = [case_due(date(2026, 11, 24)) for _ in range(5)]
        barrier = threading.Barrier(2)
        results, errors = [], []

        def run():
            try:
                barrier.wait(timeout=10)
                results.append(send())
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connection.close()  # each thread had its own connection

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        sent = [(s.case_id, s.level) for run_sent in results for s in run_sent]
        assert len(sent) == len(set(sent)) == 3 * len(cases)
        assert len(mail.outbox) == 3 * len(cases)
        assert Escalation.objects.count() == 3 * len(cases)


@pytest.mark.django_db
class EscalateDueCasesTaskTests:
    def test_it_is_configured_for_safe_retries(self):
        task = tasks.escalate_due_cases
        assert task.acks_late is True
        assert set(task.autoretry_for) == {smtplib.SMTPException, ConnectionError}
        assert task.max_retries == 5
        assert (task.soft_time_limit, task.time_limit) == (120, 180)

    def test_it_sends_on_working_days_and_twice_sends_nothing(self, time_machine):
        time_machine.move_to(datetime(2026, 11, 25, 7, 0, tzinfo=UTC))
        case_due(date(2026, 11, 24))
        assert tasks.escalate_due_cases() == 3
        assert tasks.escalate_due_cases() == 0
        assert len(mail.outbox) == 3

    def test_it_does_nothing_at_weekends(self, time_machine):
        time_machine.move_to(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
        case_due(date(2026, 11, 24))
        assert tasks.escalate_due_cases() == 0
