"""The outbox: enqueue once, claim, send, mark sent; retries with backoff; stale claims taken
over; no-recipient messages wait; a poison address fails alone. Real workers are killed in
``test_outbox_worker.py``."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.checks import Error
from django.db import transaction
from django.urls import reverse

from hackperf import outbox
from hackperf.checks import ERR_SITE_URL_MISSING, site_url_check
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from hackperf.roles import Role
from hackperf.tasks import send_outbox
from tests.concurrency import run_at_once
from tests.hackperf import mail_backends
from tests.hackperf.mail_backends import refused

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def mail_to(address: str, key: str | None = None, **kwargs) -> outbox.Mail:
    return outbox.Mail(
        dedupe_key=key or f"test:{address}",
        kind="test.mail",
        subject=f"Hello {address}",
        body="Body",
        to=(address,) if address else (),
        **kwargs,
    )


def enqueue(*mails, now=NOW):
    with transaction.atomic():
        return outbox.enqueue(mails, now=now)


@pytest.fixture
def scripted(settings):
    settings.EMAIL_BACKEND = "tests.hackperf.mail_backends.ScriptedBackend"
    mail_backends.SCRIPT.clear()
    yield mail_backends.SCRIPT
    mail_backends.SCRIPT.clear()


@pytest.mark.django_db
class EnqueueTests:
    def test_enqueueing_twice_enqueues_once(self):
        first = enqueue(mail_to("a@hackney.example"))
        again = enqueue(mail_to("a@hackney.example"))
        assert first["test:a@hackney.example"].pk == again["test:a@hackney.example"].pk
        assert OutboxMessage.objects.count() == 1

    def test_a_rolled_back_transaction_leaves_no_message(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue([mail_to("a@hackney.example")], now=NOW)
            raise RuntimeError("the business record failed")
        assert not OutboxMessage.objects.exists()

    def test_a_long_natural_key_is_shortened_stably(self):
        key = outbox.stable_key("kind", "x" * 400)
        assert len(key) <= 255
        assert key == outbox.stable_key("kind", "x" * 400)
        assert key != outbox.stable_key("kind", "x" * 399)


@pytest.mark.django_db
class SendTests:
    def test_it_sends_and_marks_sent_after_the_server_accepted(self):
        message = enqueue(mail_to("a@hackney.example"))["test:a@hackney.example"]
        run = outbox.outbox_send(now=NOW)
        assert run.sent == 1
        message.refresh_from_db()
        assert message.status == OutboxStatus.SENT
        assert NOW <= message.sent_at < NOW + MINUTE
        assert (message.attempts, message.claimed_at, message.claim_token) == (1, None, "")
        sent = mail.outbox[0]
        assert sent.to == ["a@hackney.example"]
        assert sent.extra_headers["Message-ID"] == outbox.message_id(message)
        assert outbox.outbox_send(now=NOW + MINUTE).sent == 0
        assert len(mail.outbox) == 1

    def test_it_does_not_send_before_the_messages_turn(self):
        enqueue(mail_to("a@hackney.example"), now=NOW)
        assert outbox.outbox_send(now=NOW - MINUTE).sent == 0

    def test_a_live_claim_is_left_alone_and_a_stale_one_taken_over(self, settings):
        settings.OUTBOX_CLAIM_TIMEOUT = 600
        enqueue(mail_to("live@hackney.example"), mail_to("dead@hackney.example"))
        OutboxMessage.objects.filter(dedupe_key="test:live@hackney.example").update(
            claimed_at=NOW - 9 * MINUTE, claim_token="other-sender"
        )
        OutboxMessage.objects.filter(dedupe_key="test:dead@hackney.example").update(
            claimed_at=NOW - 11 * MINUTE, claim_token="killed-sender"
        )
        run = outbox.outbox_send(now=NOW)
        assert (run.sent, run.taken_over) == (1, 1)
        assert [m.to for m in mail.outbox] == [["dead@hackney.example"]]
        live = OutboxMessage.objects.get(dedupe_key="test:live@hackney.example")
        assert (live.status, live.claim_token) == (OutboxStatus.QUEUED, "other-sender")

    def test_the_task_drains_the_outbox_and_is_safe_to_redeliver(self):
        enqueue(mail_to("a@hackney.example"), mail_to("b@hackney.example"))
        assert send_outbox.acks_late is True
        assert send_outbox() == 2
        assert send_outbox() == 0
        assert len(mail.outbox) == 2


@pytest.mark.django_db
class RetryTests:
    def test_a_transient_refusal_is_retried_with_doubling_waits(self, scripted, settings):
        settings.OUTBOX_RETRY_BASE, settings.OUTBOX_RETRY_MAX = 60, 3600
        scripted["a@hackney.example"] = [refused(451), refused(451)]
        enqueue(mail_to("a@hackney.example"), mail_to("b@hackney.example"))
        run = outbox.outbox_send(now=NOW)
        assert (run.sent, run.retried) == (1, 1)  # b went; a waits
        message = OutboxMessage.objects.get(dedupe_key="test:a@hackney.example")
        assert message.status == OutboxStatus.QUEUED
        assert message.attempts == 1
        assert message.last_error == "the mail server answered 451 try later"
        assert NOW + MINUTE <= message.next_attempt_at < NOW + 2 * MINUTE
        assert outbox.outbox_send(now=NOW + MINUTE / 2).sent == 0  # not yet its turn
        outbox.outbox_send(now=NOW + 2 * MINUTE)  # fails again: waits two minutes
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at >= NOW + 4 * MINUTE
        assert outbox.outbox_send(now=NOW + 5 * MINUTE).sent == 1
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")

    def test_it_gives_up_after_the_last_attempt_and_says_so(self, scripted, settings):
        settings.OUTBOX_MAX_ATTEMPTS = 3
        scripted["a@hackney.example"] = [refused(421, "busy")] * 5
        enqueue(mail_to("a@hackney.example"))
        at = NOW
        for _ in range(3):
            outbox.outbox_send(now=at)
            at += timedelta(hours=2)
        message = OutboxMessage.objects.get()
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
        assert message.last_error == outbox.ERR_GAVE_UP.format(
            attempts=3, error="the mail server answered 421 busy"
        )
        assert outbox.outbox_send(now=at).sent == 0  # failed for good: shown, not retried
        assert outbox.undeliverable().failed == 1

    def test_a_permanent_refusal_fails_at_once(self, scripted):
        scripted["gone@hackney.example"] = [
            smtplib.SMTPRecipientsRefused({"gone@hackney.example": (550, b"no such user")})
        ]
        enqueue(mail_to("gone@hackney.example"), mail_to("b@hackney.example"))
        run = outbox.outbox_send(now=NOW)
        assert (run.sent, run.failed) == (1, 1)
        failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
        assert failed.attempts == 1
        assert "550 no such user" in failed.last_error

    def test_a_lost_connection_stops_the_run_without_using_up_the_others(self, scripted):
        scripted["a@hackney.example"] = [ConnectionRefusedError(111, "Connection refused")]
        enqueue(*(mail_to(f"{c}@hackney.example") for c in "abc"))
        run = outbox.outbox_send(now=NOW)
        assert (run.sent, run.retried) == (0, 1)
        assert "Connection refused" in run.stopped_on
        attempts = dict(OutboxMessage.objects.values_list("dedupe_key", "attempts"))
        assert sorted(attempts.values()) == [0, 0, 1]
        assert outbox.outbox_send(now=NOW).sent == 2  # the others go on the next run


@pytest.mark.django_db
class PoisonTests:
    def test_one_bad_address_among_forty_fails_alone_with_its_reason(self):
        poison = "boss@hackney.example\nBcc: everyone@hackney.example"
        addresses = [f"person{i:02d}@hackney.example" for i in range(39)]
        addresses.insert(17, poison)
        enqueue(*(mail_to(a, key=f"test:{i}") for i, a in enumerate(addresses)))
        run = outbox.outbox_send(now=NOW)
        assert (run.sent, run.failed) == (39, 1)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(addresses[:17] + addresses[18:])
        failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
        assert failed.last_error == outbox.ERR_BAD_ADDRESS.format(address=poison)
        assert failed.attempts == 1
        assert outbox.undeliverable().reasons == [failed.last_error]

    @pytest.mark.parametrize("address", ["no-at-sign", "a@b.example\r\nSubject: x", "a@@b"])
    def test_an_address_that_is_not_one_is_never_sent(self, address):
        enqueue(mail_to(address))
        assert outbox.outbox_send(now=NOW).failed == 1
        assert mail.outbox == []


@pytest.mark.django_db
class NoRecipientTests:
    def test_a_message_with_no_address_waits_and_goes_once_its_resolver_finds_one(self):
        found = {"address": ""}
        outbox.register_resolver("test.resolver", lambda *, who: found["address"])
        enqueue(
            mail_to(
                "",
                key="test:nobody",
                resolver="test.resolver",
                resolver_args={"who": 7},
                no_recipient_reason="add the group director's address for Chief Executive's",
            )
        )
        message = OutboxMessage.objects.get()
        assert message.status == OutboxStatus.NO_RECIPIENT
        assert outbox.outbox_send(now=NOW).sent == 0
        message.refresh_from_db()
        assert (message.status, message.sent_at, message.attempts) == ("no_recipient", None, 0)
        assert outbox.undeliverable().reasons == [
            "no recipient: add the group director's address for Chief Executive's"
        ]
        found["address"] = "group@hackney.example"
        run = outbox.outbox_send(now=NOW + MINUTE)
        assert (run.resolved, run.sent) == (1, 1)
        assert mail.outbox[0].to == ["group@hackney.example"]
        assert outbox.undeliverable().total == 0


@pytest.mark.django_db
class HomePageTests:
    def test_the_dmt_sees_what_cannot_go_out(self, client_as):
        enqueue(
            mail_to("", key="test:nobody", no_recipient_reason="add the director's address for X"),
            mail_to("bad\nBcc: x@y.example"),
        )
        outbox.outbox_send(now=NOW)
        content = client_as(Role.DMT).get(reverse("home")).content.decode()
        assert "2 e-mails cannot go out" in content
        assert "1 with no recipient, 1 failed" in content
        assert "no recipient: add the director&#x27;s address for X" in content

    def test_others_do_not(self, client_as):
        enqueue(mail_to("", key="test:nobody", no_recipient_reason="add it"))
        content = client_as(Role.QUEUE_OWNER).get(reverse("home")).content.decode()
        assert "cannot go out" not in content


class SiteUrlCheckTests:
    def test_production_settings_need_it(self, settings):
        settings.DEBUG, settings.SITE_URL = False, ""
        assert [e.msg for e in site_url_check()] == [ERR_SITE_URL_MISSING]
        assert isinstance(site_url_check()[0], Error)

    def test_development_does_not(self, settings):
        settings.DEBUG, settings.SITE_URL = True, ""
        assert site_url_check() == []

    @pytest.mark.parametrize(
        ("value", "ok"),
        [("https://ict.hackney.example", True), ("ict.hackney.example", False), ("/x", False)],
    )
    def test_it_must_be_absolute(self, settings, value, ok):
        settings.DEBUG, settings.SITE_URL = False, value
        assert (site_url_check() == []) is ok


@pytest.mark.django_db
class TriggerTests:
    def test_a_broker_that_is_down_does_not_lose_the_message(self, monkeypatch, caplog):
        from kombu.exceptions import OperationalError

        def down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:8201")

        monkeypatch.setattr(send_outbox, "delay", down)
        outbox.trigger_send()  # logs, does not raise: beat's run sends within a minute
        assert "could not queue send_outbox" in caplog.text


@pytest.mark.django_db(transaction=True)
class ConcurrentSendTests:
    def test_two_senders_at_once_send_each_message_once(self, settings):
        settings.EMAIL_BACKEND = "tests.hackperf.mail_backends.SlowBackend"
        enqueue(*(mail_to(f"p{i:02d}@hackney.example") for i in range(30)))
        runs, errors = run_at_once(outbox.outbox_send, timeout=60)
        assert errors == []
        ids = [m.extra_headers["X-Hackperf-Outbox"] for m in mail.outbox]
        assert len(ids) == len(set(ids)) == 30
        assert sum(r.sent for r in runs) == 30
