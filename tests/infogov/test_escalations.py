import smtplib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from hackperf import outbox
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from hackperf.roles import Role
from infogov import tasks
from infogov.choices import EventKind, Kind, Status
from infogov.models import ClockEvent, Escalation, EscalationAcknowledgement
from infogov.services.cases import case_allocate
from infogov.services.escalations import (
    case_acknowledge,
    directorate_update_addresses,
    escalations_send,
)
from tests.concurrency import run_at_once
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

# Wed 25 Nov 2026. 5 working days on: Wed 2 Dec; 2 working days on: Fri 27 Nov.
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def case_due(due: date, **kwargs):
    case = CaseFactory(received=date(2026, 11, 2), **kwargs)
    case.due = due
    case.save(update_fields=["due"])
    return case


def send(**kwargs):
    return escalations_send(today=TODAY, now=NOW, **kwargs)


def levels(run):
    return sorted((e.case_id, e.level) for e in run.escalated)


@pytest.mark.django_db
class EscalationsSendTests:
    def test_it_escalates_at_t_minus_5_to_the_officer_and_service_lead(self, make_user):
        officer = make_user(Role.IG_OFFICER, email="officer@hackney.example")
        case = case_due(date(2026, 12, 2), officer=officer)
        run = send()
        assert levels(run) == [(case.pk, "t_minus_5")]
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            ["officer@hackney.example", case.service.lead_email]
        )
        assert {m.subject for m in mail.outbox} == {
            f"[FOI] {case.reference} due Wed 2 Dec 2026: 5 working days left"
        }
        assert case.requester.name not in mail.outbox[0].body
        assert case.subject not in mail.outbox[0].body

    def test_it_does_not_escalate_six_working_days_out(self):
        case_due(date(2026, 12, 3))
        assert send().escalated == []
        assert mail.outbox == []

    def test_at_t_minus_2_it_tells_the_director_only_and_records_t_minus_5_as_skipped(self):
        case = case_due(date(2026, 11, 27))
        run = send()
        assert levels(run) == [(case.pk, "t_minus_2")]
        assert [m.to for m in mail.outbox] == [[case.directorate.director_email]]
        skipped = Escalation.objects.get(case=case, level="t_minus_5")
        assert skipped.is_skipped
        assert "only the highest level due is sent" in skipped.skipped_reason
        assert skipped.messages.count() == 0

    def test_a_case_first_seen_overdue_goes_to_the_group_director_once(self):
        case = case_due(date(2026, 11, 24))
        run = send()
        assert levels(run) == [(case.pk, "overdue")]
        assert sorted(level for _, level, _ in run.skipped) == ["t_minus_2", "t_minus_5"]
        assert len(mail.outbox) == 1
        overdue = mail.outbox[0]
        assert overdue.to == [case.directorate.group_director_email]
        assert "overdue since Tue 24 Nov 2026" in overdue.subject
        assert Escalation.objects.filter(case=case).count() == 3

    def test_the_ladder_climbs_one_level_per_later_scan(self):
        case = case_due(date(2026, 11, 30))  # Mon: 3 working days after Wed 25 Nov
        assert levels(send()) == [(case.pk, "t_minus_5")]
        later = escalations_send(today=date(2026, 11, 26), now=NOW + timedelta(days=1))
        assert levels(later) == [(case.pk, "t_minus_2")]
        assert later.skipped == []
        last = escalations_send(today=date(2026, 12, 1), now=NOW + timedelta(days=6))
        assert levels(last) == [(case.pk, "overdue")]
        # Service lead (the unallocated officer's e-mail waits); director; group director.
        assert [m.to for m in mail.outbox] == [
            [case.service.lead_email],
            [case.directorate.director_email],
            [case.directorate.group_director_email],
        ]

    def test_it_skips_cases_whose_clock_is_stopped_and_closed_cases(self):
        stopped = case_due(date(2026, 11, 24))
        ClockEvent.objects.create(
            case=stopped, kind=EventKind.CLARIFICATION_REQUESTED, date=date(2026, 11, 3)
        )
        stopped.clock_stopped = True
        stopped.status = Status.AWAITING_REQUESTER
        stopped.save()
        case_due(date(2026, 11, 24), status=Status.RESPONDED, responded=date(2026, 11, 20))
        assert send().escalated == []

    def test_running_twice_records_and_sends_nothing_the_second_time(self):
        case_due(date(2026, 11, 24))
        case_due(date(2026, 11, 30))
        first = send()
        assert len(first.escalated) == 2
        sent = len(mail.outbox)
        again = send()
        assert (again.escalated, again.skipped, again.messages) == ([], [], 0)
        assert len(mail.outbox) == sent
        assert Escalation.objects.count() == 3 + 1
        assert OutboxMessage.objects.count() == first.messages

    @override_settings(
        INFOGOV_ESCALATION_LEVELS={
            "t_minus_5": None,
            "t_minus_2": {"working_days_before": 3, "recipients": ["director", "case_officer"]},
        }
    )
    def test_levels_and_recipients_are_configurable(self, make_user):
        officer = make_user(Role.IG_OFFICER, email="officer@hackney.example")
        case = case_due(date(2026, 11, 30), officer=officer)
        run = send()
        assert [e.level for e in run.escalated] == ["t_minus_2"]
        assert run.escalated[0].recipients == (
            case.directorate.director_email,
            "officer@hackney.example",
        )


@pytest.mark.django_db
class EscalationDigestTests:
    def test_each_recipient_gets_one_digest_per_run(self, settings):
        settings.SITE_URL = "https://ict-performance.hackney.example/"
        directorate = DirectorateFactory(name="Children and Education")
        service = ServiceFactory(directorate=directorate)
        cases = [case_due(date(2026, 11, d), service=service) for d in (20, 23, 24)]
        run = send()
        assert len(run.escalated) == 3
        assert len(mail.outbox) == 1
        digest = mail.outbox[0]
        assert digest.to == [directorate.group_director_email]
        assert digest.subject == "3 FOI/EIR/SAR cases need action (3 overdue)"
        for case in cases:
            assert case.reference in digest.body
            assert (
                f"https://ict-performance.hackney.example/information-governance/cases/{case.pk}/"
                in digest.body
            )
        assert digest.body.count("Level: Overdue") == 3
        assert "Due: Fri 20 Nov 2026" in digest.body
        # Due Mon 23 Nov; on Wed 25 Nov it is 2 working days overdue (Tue, Wed).
        assert "Working days left: none: 2 working days overdue" in digest.body
        assert digest.extra_headers["X-Hackperf-Cases"] == "3"

    def test_a_digest_lists_working_days_left(self, settings):
        settings.SITE_URL = "https://ict-performance.hackney.example"
        service = ServiceFactory()
        case_due(date(2026, 11, 27), service=service)
        case_due(date(2026, 11, 26), service=service)
        send()
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert "Working days left: 2" in body and "Working days left: 1" in body
        assert "Level: 2 working days before the due date" in body

    def test_a_subject_access_request_never_shows_its_subject_or_requester(self):
        case = case_due(date(2026, 11, 24), kind=Kind.SAR, subject="Records about Jane Doe")
        send()
        message = mail.outbox[0]
        assert f"Subject access request {case.reference}" in message.body
        for secret in ("Jane Doe", case.requester.name, case.requester.email):
            assert secret not in message.body
            assert secret not in message.subject


@pytest.mark.django_db
class NoRecipientTests:
    def test_an_escalation_with_no_address_waits_and_goes_out_once_it_is_added(self):
        directorate = DirectorateFactory(name="Chief Executive's", group_director_email="")
        case = case_due(date(2026, 11, 24), service=ServiceFactory(directorate=directorate))
        run = send()
        assert run.sent == 0
        assert mail.outbox == []
        message = Escalation.objects.get(case=case, level="overdue").messages.get()
        assert message.status == OutboxStatus.NO_RECIPIENT
        assert message.sent_at is None
        problems = outbox.undeliverable()
        assert problems.no_recipient == 1
        assert problems.reasons == [
            "no recipient: add the group director's address for Chief Executive's"
        ]
        assert outbox.outbox_send(now=NOW).sent == 0  # still nobody to send to

        directorate_update_addresses(
            directorate=directorate,
            director_name=directorate.director_name,
            director_email=directorate.director_email,
            group_director_email="group.ce@hackney.example",
        )
        assert outbox.outbox_send(now=NOW + timedelta(minutes=1)).sent == 1
        assert mail.outbox[0].to == ["group.ce@hackney.example"]
        message.refresh_from_db()
        assert message.status == OutboxStatus.SENT
        assert outbox.undeliverable().total == 0

    def test_an_unallocated_case_waits_for_its_officer(self, make_user):
        case = case_due(date(2026, 12, 2))
        send()
        assert [m.to for m in mail.outbox] == [[case.service.lead_email]]
        waiting = OutboxMessage.objects.get(status=OutboxStatus.NO_RECIPIENT)
        assert waiting.no_recipient_reason == f"allocate a case officer to {case.reference}"
        case_allocate(case=case, officer=make_user(Role.IG_OFFICER, email="o@h.example"))
        assert outbox.outbox_send(now=NOW).sent == 1
        assert mail.outbox[-1].to == ["o@h.example"]


@pytest.mark.django_db
class EscalationMailFailureTests:
    def test_a_failed_send_keeps_the_escalation_and_the_outbox_retries_it(self, monkeypatch):
        case = case_due(date(2026, 11, 24))

        def fail(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("gone")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", fail)
        run = send()
        assert (len(run.escalated), run.sent) == (1, 0)
        message = Escalation.objects.get(case=case, level="overdue").messages.get()
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
        assert "SMTPServerDisconnected: gone" in message.last_error
        monkeypatch.undo()
        assert send().escalated == []  # the level is recorded once, ever
        assert outbox.outbox_send(now=NOW).sent == 0  # not before its backoff
        assert outbox.outbox_send(now=NOW + timedelta(minutes=2)).sent == 1
        assert len(mail.outbox) == 1


@pytest.mark.django_db
class CaseAcknowledgeTests:
    def test_the_first_acknowledgement_wins_and_covers_every_level(self, make_user):
        case = case_due(date(2026, 11, 24))
        send()
        first, second = make_user(Role.DIRECTOR), make_user(Role.DIRECTOR)
        assert case_acknowledge(case=case, user=first, comment=" Chased ", now=NOW)
        assert not case_acknowledge(case=case, user=second, comment="Me too")
        ack = EscalationAcknowledgement.objects.get(case=case)
        assert (ack.by, ack.at, ack.comment) == (first, NOW, "Chased")

    def test_a_case_never_escalated_cannot_be_acknowledged(self, make_user):
        case = case_due(date(2026, 12, 20))
        with pytest.raises(ValidationError):
            case_acknowledge(case=case, user=make_user(Role.DIRECTOR))


@pytest.mark.django_db(transaction=True)
class EscalationConcurrencyTests:
    def test_two_concurrent_runs_record_and_send_each_escalation_once(self):
        cases = [case_due(date(2026, 11, 24)) for _ in range(5)]
        results, errors = run_at_once(send, timeout=30)
        assert errors == []
        escalated = [(e.case_id, e.level) for r in results for e in r.escalated]
        assert len(escalated) == len(set(escalated)) == len(cases)
        assert Escalation.objects.count() == 3 * len(cases)
        ids = [m.extra_headers["X-Hackperf-Outbox"] for m in mail.outbox]
        assert len(ids) == len(set(ids)) == OutboxMessage.objects.count()
        assert sum(r.sent for r in results) == len(mail.outbox)


@pytest.mark.django_db
class EscalateDueCasesTaskTests:
    def test_it_is_configured_for_safe_redelivery(self):
        task = tasks.escalate_due_cases
        assert task.acks_late is True
        assert not getattr(task, "autoretry_for", ())  # the outbox retries each message
        assert (task.soft_time_limit, task.time_limit) == (120, 180)

    def test_it_sends_on_working_days_and_twice_sends_nothing(self, time_machine):
        time_machine.move_to(datetime(2026, 11, 25, 7, 0, tzinfo=UTC))
        case_due(date(2026, 11, 24))
        assert tasks.escalate_due_cases() == 1
        assert tasks.escalate_due_cases() == 0
        assert len(mail.outbox) == 1

    def test_it_does_nothing_at_weekends(self, time_machine):
        time_machine.move_to(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
        case_due(date(2026, 11, 24))
        assert tasks.escalate_due_cases() == 0
