"""Sign-in throttling (django-axes): per account and per client address, with a DMT unlock."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from hackperf.roles import Role
from tests.hackperf.factories import UserFactory

PASSWORD = "the-right-password-42"


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", roles=(Role.QUEUE_OWNER,))
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def fail(client, username, times, **meta):
    for _ in range(times):
        response = sign_in(client, username, "wrong", **meta)
        assert response.status_code in (200, 429)


@pytest.mark.django_db
class SignInThrottlingTests:
    def test_the_right_password_fails_after_repeated_wrong_ones(self, client, alice, settings):
        fail(client, "alice", settings.AXES_FAILURE_LIMIT)
        response = sign_in(client, "alice", PASSWORD)
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed sign-ins for this account or from this address" in page
        assert "ask the ICT Divisional Management Team to unlock" in page
        assert "_auth_user_id" not in client.session

    def test_it_locks_the_account_from_any_address(self, alice, settings):
        fail(Client(), "alice", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
        other = Client()
        assert sign_in(other, "alice", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 429

    def test_it_locks_the_address_for_every_account(self, alice, settings):
        for i in range(settings.AXES_FAILURE_LIMIT):
            sign_in(Client(), f"guess-{i}", "wrong", REMOTE_ADDR="10.0.0.7")
        assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429
        response = sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.8")
        assert response.status_code == 302

    def test_it_counts_the_client_behind_the_trusted_proxy(self, alice, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        proxy = {"REMOTE_ADDR": "10.1.1.1"}
        for i in range(settings.AXES_FAILURE_LIMIT):
            sign_in(Client(), f"guess-{i}", "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9", **proxy)
        assert AccessAttempt.objects.filter(ip_address="10.9.9.9").exists()
        # A colleague behind the same proxy is not locked out with the guesser.
        response = sign_in(Client(), "alice", PASSWORD, HTTP_X_FORWARDED_FOR="10.2.2.2", **proxy)
        assert response.status_code == 302

    def test_the_admin_sign_in_is_throttled_too(self, alice, settings):
        alice.is_staff = True
        alice.save()
        client = Client()
        url = reverse("admin:login")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(url, {"username": "alice", "password": "wrong"})
        response = client.post(url, {"username": "alice", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.content.decode()

    def test_a_success_before_the_limit_clears_the_count(self, client, alice, settings):
        fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
        assert sign_in(client, "alice", PASSWORD).status_code == 302
        client.logout()
        fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
        assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
class SignInUnlockTests:
    def test_the_dmt_sees_the_locked_account_and_unlocks_it(self, client_as, alice, settings):
        fail(Client(), "alice", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.3")
        dmt = client_as(Role.DMT)
        page = dmt.get(reverse("person_list")).content.decode()
        assert "Locked sign-ins" in page
        assert "<code>alice</code>" in page
        assert "<code>10.0.0.3</code>" in page
        response = dmt.post(reverse("person_unlock"), {"kind": "account", "value": "alice"})
        assert response.status_code == 302
        assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.4").status_code == 302
        assert "<code>alice</code>" not in dmt.get(reverse("person_list")).content.decode()

    def test_the_dmt_unlocks_an_address(self, client_as, alice, settings):
        for i in range(settings.AXES_FAILURE_LIMIT):
            sign_in(Client(), f"guess-{i}", "wrong", REMOTE_ADDR="10.0.0.7")
        dmt = client_as(Role.DMT)
        assert "<code>10.0.0.7</code>" in dmt.get(reverse("person_list")).content.decode()
        assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429
        dmt.post(reverse("person_unlock"), {"kind": "address", "value": "10.0.0.7"})
        assert sign_in(Client(), "alice", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 302

    def test_an_empty_unlock_unlocks_nobody(self, client_as, alice, settings):
        fail(Client(), "alice", settings.AXES_FAILURE_LIMIT)
        dmt = client_as(Role.DMT)
        for data in ({}, {"kind": "account", "value": ""}, {"kind": "other", "value": "x"}):
            assert dmt.post(reverse("person_unlock"), data).status_code == 302
        assert AccessAttempt.objects.exists()

    @pytest.mark.parametrize("role", [Role.QUEUE_OWNER, Role.IG_OFFICER, Role.DIRECTOR])
    def test_no_one_else_may_unlock(self, client_as, role):
        response = client_as(role).post(reverse("person_unlock"), {"kind": "account", "value": "x"})
        assert response.status_code == 403

    def test_it_is_post_only(self, client_as):
        assert client_as(Role.DMT).get(reverse("person_unlock")).status_code == 405
