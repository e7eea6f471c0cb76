"""The public survey page: signed single-use links, no one else's data, CSRF, rate limits."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.surveys import services, views
from servicedesk.surveys.models import SurveyInvitation, SurveyOptOut, SurveyResponse
from tests.servicedesk.factories import QueueFactory
from tests.servicedesk.survey_helpers import FEBRUARY, SURVEY_DAY, close_ticket, invite

ANSWER = {"rating": "4", "resolved": "yes", "comment": "Quick and friendly."}


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters in a cache of the test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "survey-page-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def survey_morning():
    """An hour after the e-mails went: links are fresh."""
    with time_machine.travel(SURVEY_DAY + timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def invitation(db):
    desk = QueueFactory(name="Service desk", slug="service-desk")
    mine = close_ticket(email="sam.taylor@hackney.example", queue=desk, summary="VPN drops hourly")
    # Someone else's ticket, closed the same month: must never show on Sam's page.
    close_ticket(
        email="alex.okafor@hackney.example",
        queue=desk,
        summary="Payroll spreadsheet locked",
        customer_name="Alex Okafor",
    )
    other = SurveyInvitation.objects.create(
        email="alex.okafor@hackney.example",
        month=FEBRUARY,
        queue=desk,
        ticket=None,
        ticket_reference="INC-OTHER",
        created_at=SURVEY_DAY,
    )
    assert other.pk
    return invite(mine)


def link(invitation):
    with time_machine.travel(SURVEY_DAY, tick=False):
        return reverse("survey", args=[services.invitation_token(invitation)])


@pytest.mark.django_db
class SurveyPageTests:
    def test_it_needs_no_sign_in_and_shows_only_the_ticket_asked_about(self, client, invitation):
        response = client.get(link(invitation))
        assert response.status_code == 200
        page = response.content.decode()
        assert invitation.ticket_reference in page
        assert "VPN drops hourly" in page
        for secret in (
            "sam.taylor",  # not even the person's own address
            "Sam Taylor",
            "alex",
            "Alex Okafor",
            "Payroll spreadsheet",
            "INC-OTHER",
            "Finance",  # the directorate
        ):
            assert secret not in page

    def test_it_records_the_answer_and_thanks(self, client, invitation):
        response = client.post(link(invitation), ANSWER)
        assert response.status_code == 200
        assert "Thank you for your answers" in response.content.decode()
        answer = SurveyResponse.objects.get()
        assert (answer.invitation, answer.rating, answer.resolved) == (invitation, 4, True)
        assert answer.comment == "Quick and friendly."
        assert answer.ticket_shared  # the page told them the team sees it with the ticket
        assert not SurveyOptOut.objects.exists()

    def test_it_refuses_a_replayed_link_with_a_clear_page(self, client, invitation):
        url = link(invitation)
        client.post(url, ANSWER)
        for response in (client.get(url), client.post(url, ANSWER)):
            assert response.status_code == 410
            assert "This survey has already been answered" in response.content.decode()
        assert SurveyResponse.objects.count() == 1

    def test_it_refuses_an_expired_link_with_a_clear_page(self, client, invitation):
        url = link(invitation)
        with time_machine.travel(SURVEY_DAY + timedelta(days=13, hours=23), tick=False):
            assert client.get(url).status_code == 200
        with time_machine.travel(SURVEY_DAY + timedelta(days=14, seconds=1), tick=False):
            for response in (client.get(url), client.post(url, ANSWER)):
                assert response.status_code == 410
                page = response.content.decode()
                assert "This survey link has expired" in page
                assert invitation.ticket_reference not in page
        assert not SurveyResponse.objects.exists()

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
            lambda token: signing.dumps(999999, salt="another-salt"),  # another salt
            lambda token: "not-a-token",
            lambda token: signing.dumps("1", salt=services.TOKEN_SALT),  # not a pk
        ],
    )
    def test_it_refuses_a_tampered_link_with_a_clear_page(self, client, invitation, tamper):
        with time_machine.travel(SURVEY_DAY, tick=False):
            token = tamper(services.invitation_token(invitation))
            response = client.get(reverse("survey", args=[token]))
        assert response.status_code == 404
        page = response.content.decode()
        assert "This survey link does not work" in page
        assert invitation.ticket_reference not in page

    def test_a_link_to_another_invitation_cannot_be_forged(self, client, invitation):
        with time_machine.travel(SURVEY_DAY, tick=False):
            value, _, signature = services.invitation_token(invitation).partition(":")
            forged = signing.b64_encode(str(invitation.pk - 1).encode()).decode()
            response = client.get(reverse("survey", args=[f"{forged}:{signature}"]))
        assert response.status_code == 404

    def test_it_shows_an_error_summary_and_keeps_what_was_typed(self, client, invitation):
        response = client.post(link(invitation), {"comment": "Half typed"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in page
        assert 'href="#id_rating_0"' in page
        assert 'href="#id_resolved_0"' in page
        assert "Half typed" in page
        assert not SurveyResponse.objects.exists()
        assert SurveyInvitation.objects.get(pk=invitation.pk).used_at is None

    def test_it_lets_someone_only_opt_out(self, client, invitation):
        response = client.post(link(invitation), {"opt_out": "on"})
        assert "You will not get these surveys again" in response.content.decode()
        assert SurveyOptOut.objects.filter(email="sam.taylor@hackney.example").exists()
        assert not SurveyResponse.objects.exists()

    def test_it_records_an_answer_and_an_opt_out_together(self, client, invitation):
        client.post(link(invitation), {**ANSWER, "opt_out": "on"})
        assert SurveyResponse.objects.count() == 1
        assert SurveyOptOut.objects.count() == 1

    def test_it_refuses_a_post_without_the_csrf_token(self, invitation):
        client = Client(enforce_csrf_checks=True)
        assert client.post(link(invitation), ANSWER).status_code == 403
        assert not SurveyResponse.objects.exists()

    def test_it_accepts_a_post_with_the_csrf_token(self, invitation):
        client = Client(enforce_csrf_checks=True)
        url = link(invitation)
        page = client.get(url)
        token = page.cookies["csrftoken"].value
        response = client.post(url, {**ANSWER, "csrfmiddlewaretoken": token})
        assert response.status_code == 200
        assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db
class SurveyRateLimitTests:
    def test_it_limits_posts_per_link(self, client, invitation):
        url = link(invitation)
        for _ in range(views.RATE_LIMIT_POSTS):
            assert client.post(url, {}).status_code == 200  # form errors
        response = client.post(url, ANSWER)
        assert response.status_code == 429
        assert response["Retry-After"] == "600"
        assert "Too many attempts" in response.content.decode()
        assert not SurveyResponse.objects.exists()

    def test_bad_links_lock_out_only_the_address_that_sent_them(self, client, invitation):
        for i in range(views.RATE_LIMIT_POSTS):
            client.post(reverse("survey", args=[f"bogus-{i}"]), {}, REMOTE_ADDR="10.0.0.9")
        response = client.post(reverse("survey", args=["bogus-x"]), {}, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 429
        # Guessing never counts against a real link, even from the guesser's address.
        assert client.post(link(invitation), ANSWER, REMOTE_ADDR="10.0.0.9").status_code == 200
        assert SurveyResponse.objects.count() == 1

    def test_junk_through_the_shared_proxy_blocks_no_real_answer(
        self, client, invitation, settings
    ):
        # Behind the council's TLS proxy every request comes from its address; the client is
        # the last X-Forwarded-For entry, the one the proxy wrote.
        settings.TRUSTED_PROXY_COUNT = 1
        proxy = {"REMOTE_ADDR": "10.1.1.1"}
        for i in range(views.RATE_LIMIT_POSTS + 1):
            client.post(
                reverse("survey", args=[f"junk-{i}"]),
                {},
                HTTP_X_FORWARDED_FOR="10.9.9.9",
                **proxy,
            )
        blocked = client.post(
            reverse("survey", args=["junk-x"]), {}, HTTP_X_FORWARDED_FOR="10.9.9.9", **proxy
        )
        assert blocked.status_code == 429
        # The junk sender cannot dodge it by writing their own X-Forwarded-For entry.
        spoofed = client.post(
            reverse("survey", args=["junk-y"]),
            {},
            HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9",
            **proxy,
        )
        assert spoofed.status_code == 429
        # Another colleague behind the same proxy answers their real link at once.
        answered = client.post(link(invitation), ANSWER, HTTP_X_FORWARDED_FOR="10.2.2.2", **proxy)
        assert answered.status_code == 200
        assert SurveyResponse.objects.count() == 1

    def test_the_limit_lifts_after_ten_minutes(self, client, invitation):
        url = link(invitation)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(views.RATE_LIMIT_POSTS + 1):
                client.post(url, {})
        with time_machine.travel(start + timedelta(minutes=10, seconds=1), tick=False):
            assert client.post(url, ANSWER).status_code == 200
