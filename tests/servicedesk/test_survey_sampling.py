"""Sampling a month: exactly ceil(10%), stratified by queue, exclusions, determinism, reruns."""

import io
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import product
from math import ceil

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from hackperf import outbox
from hackperf.choices import OutboxStatus
from hackperf.models import OutboxMessage
from servicedesk import services as ticket_services
from servicedesk import tasks
from servicedesk.models import Ticket
from servicedesk.surveys import services
from servicedesk.surveys.models import SurveyInvitation, SurveyOptOut
from servicedesk.surveys.sampling import (
    Candidate,
    apportion,
    choose,
    keyed_rank,
    normalise_email,
    parse_rate,
    sample_size,
)
from tests.servicedesk.factories import log_ticket
from tests.servicedesk.survey_helpers import (
    FEBRUARY,
    IN_FEBRUARY,
    SURVEY_DAY,
    close_ticket,
    invited,
    people,
)

TEN_PERCENT = Fraction(1, 10)
S = timedelta(seconds=1)
H = timedelta(hours=1)
D = timedelta(days=1)
KEY = b"k" * 32


class SampleSizeTests:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [(0, 0), (1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (30, 3), (99, 10), (101, 11)],
    )
    def test_it_is_exactly_the_ceiling_of_ten_percent(self, n, expected):
        assert sample_size(n, TEN_PERCENT) == expected == ceil(n / 10)

    def test_it_reads_a_rate_exactly_even_where_floating_point_does_not(self):
        assert ceil(0.07 * 100) == 8  # the trap: 0.07 * 100 is 7.000000000000001
        assert sample_size(100, parse_rate(0.07)) == 7
        assert sample_size(100, parse_rate("0.07")) == 7

    @pytest.mark.parametrize("rate", ["0", "-0.1", "1.5"])
    def test_it_refuses_a_rate_outside_zero_to_one(self, rate):
        with pytest.raises(ValueError):
            parse_rate(rate)


class ApportionTests:
    def test_it_keeps_every_queue_within_one_person_of_its_proportional_share(self):
        sizes = [1, 2, 3, 5, 7, 11, 13, 40]
        for counts in product(sizes, repeat=3):
            strata = dict(enumerate(counts))
            n = sum(counts)
            total = sample_size(n, TEN_PERCENT)
            shares = apportion(strata, total, tie_break=str)
            assert sum(shares.values()) == total
            for stratum, count in strata.items():
                quota = Fraction(total * count, n)
                assert abs(shares[stratum] - quota) < 1
                assert 0 <= shares[stratum] <= count

    def test_it_gives_the_seats_left_to_the_largest_remainders(self):
        # 3 of 20 over queues of 12, 5 and 3: quotas 1.8, 0.75, 0.45.
        assert apportion({1: 12, 2: 5, 3: 3}, 3, tie_break=str) == {1: 2, 2: 1, 3: 0}


class ChooseTests:
    def candidates(self, n, queues=3):
        return [Candidate(f"p{i}@x.example", queue_id=i % queues, ticket_id=i) for i in range(n)]

    def test_it_is_the_same_for_the_same_month_and_key(self):
        first = choose(self.candidates(50), rate=TEN_PERCENT, month=FEBRUARY, key=KEY)
        again = choose(
            list(reversed(self.candidates(50))), rate=TEN_PERCENT, month=FEBRUARY, key=KEY
        )
        assert {c.email for c in first.chosen} == {c.email for c in again.chosen}

    def test_it_orders_people_by_a_keyed_hash_of_month_and_email(self):
        emails = {c.email for c in self.candidates(200)}
        months = {
            frozenset(
                c.email
                for c in choose(self.candidates(200), rate=TEN_PERCENT, month=m, key=k).chosen
            )
            for m, k in [(FEBRUARY, KEY), (date(2026, 3, 1), KEY), (FEBRUARY, b"other")]
        }
        assert len(months) == 3  # another month or key, another sample
        assert all(chosen <= emails for chosen in months)
        assert keyed_rank(KEY, FEBRUARY, "a@x") == keyed_rank(KEY, FEBRUARY, "a@x")

    def test_it_normalises_emails(self):
        assert normalise_email("  Sam.Taylor@Hackney.Example ") == "sam.taylor@hackney.example"


@pytest.mark.django_db
class SurveySampleTests:
    def sample(self, **kwargs):
        return services.survey_sample(month=FEBRUARY, now=SURVEY_DAY, **kwargs)

    @pytest.mark.parametrize(("n", "expected"), [(1, 1), (10, 1), (11, 2), (25, 3)])
    def test_it_chooses_exactly_the_ceiling_of_ten_percent(self, desk, n, expected):
        people(n, queue=desk)
        run = self.sample()
        assert (run.eligible, run.chosen, len(invited())) == (n, expected, expected)
        assert len(mail.outbox) == expected

    def test_it_counts_people_not_tickets(self, desk):
        for i in range(3):
            close_ticket(email="Sam.Taylor@hackney.example", queue=desk, at=IN_FEBRUARY + i * H)
        close_ticket(email="SAM.TAYLOR@HACKNEY.example", queue=desk, at=IN_FEBRUARY + 5 * H)
        people(10, queue=desk)
        assert self.sample().eligible == 11

    def test_it_stratifies_by_queue_within_one_person_of_proportional(self, desk, networks):
        people(24, queue=desk, prefix="desk")
        people(6, queue=networks, prefix="net")
        run = self.sample()  # 3 of 30: quotas 2.4 and 0.6
        assert run.shares == {desk.pk: 2, networks.pk: 1}
        by_queue = {q: SurveyInvitation.objects.filter(queue=q).count() for q in (desk, networks)}
        assert by_queue == {desk: 2, networks: 1}

    def test_it_puts_a_person_in_the_queue_of_their_latest_closure(self, desk, networks):
        close_ticket(email="sam@hackney.example", queue=desk, at=IN_FEBRUARY)
        latest = close_ticket(email="sam@hackney.example", queue=networks, at=IN_FEBRUARY + H)
        self.sample()
        invitation = SurveyInvitation.objects.get()
        assert (invitation.queue, invitation.ticket) == (networks, latest)
        assert invitation.ticket_reference == latest.reference

    def test_it_counts_resolution_events_in_the_london_month_only(self, desk):
        # Resolved on 1 Mar 2026 00:45 GMT: March in London too (GMT in winter).
        close_ticket(
            email="march@hackney.example", queue=desk, at=datetime(2026, 2, 28, 23, 45, tzinfo=UTC)
        )
        cancelled = log_ticket(queue=desk, at=IN_FEBRUARY, customer_email="cancel@hackney.example")
        ticket_services.ticket_cancel(
            ticket=cancelled, actor=None, at=IN_FEBRUARY + H, reason="dup"
        )
        log_ticket(queue=desk, at=IN_FEBRUARY, customer_email="open@hackney.example")
        close_ticket(email="", queue=desk)  # no one to ask
        close_ticket(email="feb@hackney.example", queue=desk)
        run = self.sample()
        assert run.closed == 1
        assert invited() == {"feb@hackney.example"}

    def test_it_excludes_the_opted_out_before_counting_n(self, desk):
        emails = people(11, queue=desk)
        SurveyOptOut.objects.create(email=emails[0], created_at=SURVEY_DAY - 30 * D)
        run = self.sample()
        # 10 eligible, so ceil(10%) is 1 (it would be 2 of 11).
        assert (run.closed, run.opted_out, run.eligible, run.chosen) == (11, 1, 10, 1)
        assert emails[0] not in invited()

    def test_it_never_surveys_anyone_twice_within_90_days(self, desk):
        emails = people(10, queue=desk, at=datetime(2025, 12, 10, 10, tzinfo=UTC))
        december = services.survey_sample(
            month=date(2025, 12, 1), now=datetime(2026, 1, 2, 8, tzinfo=UTC), rate=Fraction(1)
        )
        assert december.chosen == 10
        for month, at in [
            (date(2026, 1, 1), datetime(2026, 1, 12, 10, tzinfo=UTC)),
            (FEBRUARY, IN_FEBRUARY),
            (date(2026, 3, 1), datetime(2026, 3, 10, 10, tzinfo=UTC)),
        ]:
            for email in emails:
                close_ticket(email=email, queue=desk, at=at)
            run = services.survey_sample(
                month=month, now=datetime(month.year, month.month + 1, 2, 8, tzinfo=UTC)
            )
            # The December invitations went on 2 Jan; the March survey starts on 1 Apr,
            # 89 days later: still excluded.
            assert (run.recently_surveyed, run.eligible, run.chosen) == (10, 0, 0)
        # ...and 1 May is well past: everyone is eligible again.
        for email in emails:
            close_ticket(email=email, queue=desk, at=datetime(2026, 4, 10, 10, tzinfo=UTC))
        april = services.survey_sample(
            month=date(2026, 4, 1), now=datetime(2026, 5, 1, 8, tzinfo=UTC)
        )
        assert (april.recently_surveyed, april.eligible, april.chosen) == (0, 10, 1)
        dates = {}
        for invitation in SurveyInvitation.objects.order_by("created_at"):
            if invitation.email in dates:
                assert invitation.created_at - dates[invitation.email] > timedelta(days=90)
            dates[invitation.email] = invitation.created_at

    def test_it_picks_the_same_people_on_a_rerun_and_sends_nothing_twice(self, desk, networks):
        people(40, queue=desk, prefix="desk")
        people(15, queue=networks, prefix="net")
        first = self.sample()
        chosen = invited()
        sent = len(mail.outbox)
        assert len(first.claimed) == first.chosen == sent == 6
        again = self.sample()
        assert invited() == chosen
        assert (again.chosen, again.claimed, again.sent) == (6, [], 0)
        assert len(mail.outbox) == sent

    def test_it_records_the_ticket_each_invitation_asks_about(self, desk):
        ticket = close_ticket(email="sam@hackney.example", queue=desk, summary="VPN drops")
        self.sample()
        invitation = SurveyInvitation.objects.get()
        assert invitation.ticket == ticket
        assert invitation.sent_at == invitation.message.sent_at
        assert SURVEY_DAY <= invitation.sent_at < SURVEY_DAY + 10 * S
        message = mail.outbox[0]
        assert message.to == ["sam@hackney.example"]
        assert ticket.reference in message.subject
        assert "VPN drops" in message.body

    def test_a_mail_failure_keeps_the_invitations_and_the_outbox_retries_them(
        self, desk, monkeypatch
    ):
        import smtplib

        people(11, queue=desk)

        def fail(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("gone")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", fail)
        assert self.sample().sent == 0  # the first fails; the run stops on a lost server
        assert len(invited()) == 2
        monkeypatch.undo()
        # A rerun claims nobody twice; it sends the one not yet tried, and the failed one
        # only after its backoff.
        again = self.sample()
        assert (again.claimed, again.sent) == ([], 1)
        later = services.survey_sample(month=FEBRUARY, now=SURVEY_DAY + 2 * H)
        assert (later.claimed, later.sent) == ([], 1)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(invited())

    def test_it_sends_what_a_dead_run_left_in_the_outbox_and_nobody_twice(self, desk):
        people(11, queue=desk)
        self.sample(send=False)  # as if the worker died after committing the claims
        assert mail.outbox == []
        rerun = services.survey_sample(month=FEBRUARY, now=SURVEY_DAY + 10 * 60 * S)
        assert (rerun.claimed, rerun.sent) == ([], 2)
        assert len(mail.outbox) == 2
        # A hand rerun an hour later invites nobody again.
        assert services.survey_sample(month=FEBRUARY, now=SURVEY_DAY + 2 * H).sent == 0
        assert len(mail.outbox) == 2

    def test_a_bad_customer_address_fails_alone(self, desk):
        emails = people(40, queue=desk)
        # An imported ticket whose address smuggles a header in (imports write in bulk).
        poison = "person007@hackney.example\nBcc: everyone@hackney.example"
        Ticket.objects.filter(customer_email=emails[7]).update(customer_email=poison)
        run = services.survey_sample(month=FEBRUARY, now=SURVEY_DAY, rate=Fraction(1))
        assert (run.chosen, run.sent) == (40, 39)
        assert len(mail.outbox) == 39
        assert all("\n" not in m.to[0] for m in mail.outbox)
        failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
        assert failed.last_error == outbox.ERR_BAD_ADDRESS.format(address=poison.lower())
        assert SurveyInvitation.objects.filter(sent_at__isnull=True).count() == 1
        assert services.survey_sample(month=FEBRUARY, now=SURVEY_DAY + 2 * H).sent == 0

    def test_it_refuses_a_month_that_has_not_ended(self, desk):
        with pytest.raises(ValueError):
            services.survey_sample(month=date(2026, 3, 1), now=SURVEY_DAY)


@pytest.mark.django_db
class SurveySampleCommandTests:
    def test_it_samples_the_month_and_reports_the_exclusions(self, desk):
        people(11, queue=desk)
        out = io.StringIO()
        call_command("survey_sample", "--month", "2026-02", stdout=out)
        assert "11 eligible, 2 chosen" in out.getvalue()
        assert len(mail.outbox) == 2
        out = io.StringIO()
        call_command("survey_sample", "--month", "2026-02", stdout=out)
        assert "0 newly invited, 0 e-mailed (2 already had this month's survey)" in out.getvalue()
        assert len(mail.outbox) == 2

    def test_a_dry_run_changes_nothing(self, desk):
        people(11, queue=desk)
        call_command("survey_sample", "--month", "2026-02", "--dry-run", stdout=io.StringIO())
        assert not SurveyInvitation.objects.exists()
        assert mail.outbox == []

    @pytest.mark.parametrize("month", ["2026-13", "February", "2999-01"])
    def test_it_refuses_a_bad_or_unfinished_month(self, month):
        with pytest.raises(CommandError):
            call_command("survey_sample", "--month", month, stdout=io.StringIO())


@pytest.mark.django_db
class SurveyMonthlyTaskTests:
    def test_it_samples_last_month_on_the_first_working_day(self, desk):
        people(11, queue=desk)
        with time_machine.travel(SURVEY_DAY, tick=False):  # Mon 2 Mar 2026
            assert tasks.survey_monthly_sample() == 2
            assert tasks.survey_monthly_sample() == 0  # run twice: nothing sent twice
        assert len(invited()) == 2

    @pytest.mark.parametrize(
        "day",
        [
            datetime(2026, 3, 3, 8, tzinfo=UTC),  # the second working day
            datetime(2026, 1, 1, 8, tzinfo=UTC),  # New Year's Day: a bank holiday
        ],
    )
    def test_it_does_nothing_on_other_days(self, desk, day):
        people(11, queue=desk, at=datetime(2025, 12, 10, 10, tzinfo=UTC))
        people(11, queue=desk, prefix="feb")
        with time_machine.travel(day, tick=False):
            assert tasks.survey_monthly_sample() == 0
        assert not SurveyInvitation.objects.exists()

    def test_it_waits_for_the_first_working_day_after_a_bank_holiday(self, desk):
        people(11, queue=desk, at=datetime(2025, 12, 10, 10, tzinfo=UTC))
        with time_machine.travel(datetime(2026, 1, 2, 8, tzinfo=UTC), tick=False):  # Fri
            assert tasks.survey_monthly_sample() == 2
        assert len(invited(date(2025, 12, 1))) == 2
