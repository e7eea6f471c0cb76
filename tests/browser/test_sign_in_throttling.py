"""Sign-in throttling as people meet it: the lockout message, and the DMT unlocking."""

import pytest
from django.urls import reverse

from hackperf.roles import Role
from tests.browser.conftest import ARTIFACTS

PASSWORD = "a-good-password-1"


@pytest.mark.django_db(transaction=True)
class SignInThrottlingInTheBrowserTests:
    def test_a_locked_account_is_told_why_and_the_dmt_unlocks_it(
        self, recording_page, make_user, settings
    ):
        make_user(Role.QUEUE_OWNER, username="olu")
        make_user(Role.DMT, username="dana")
        # As behind the council's proxy: each person's address arrives in X-Forwarded-For.
        settings.TRUSTED_PROXY_COUNT = 1
        page = recording_page.page
        page.set_extra_http_headers({"X-Forwarded-For": "10.0.0.1"})
        for _ in range(settings.AXES_FAILURE_LIMIT):
            recording_page.sign_in("olu", "not-the-password")
        recording_page.sign_in("olu", PASSWORD)
        alert = page.get_by_role("alert").inner_text()
        assert alert.startswith("There is a problem")
        assert "Too many failed sign-ins for this account or from this address" in alert
        assert page.url.startswith(recording_page.base_url + reverse("login"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sign-in-locked.png"), full_page=True)
        assert recording_page.axe_violations() == []

        # The DMT, at another desk, sees the account and its address locked, and unlocks olu.
        page.set_extra_http_headers({"X-Forwarded-For": "10.0.0.2"})
        recording_page.sign_in("dana", PASSWORD)
        page.goto(recording_page.base_url + reverse("person_list"))
        section = page.locator("#locked-sign-ins")
        assert section.count() == 1
        row = page.locator("tr", has=page.locator("code", has_text="olu"))
        assert row.count() == 1
        page.screenshot(path=str(ARTIFACTS / "people-locked.png"), full_page=True)
        assert recording_page.axe_violations() == []
        row.get_by_role("button", name="Unlock account olu").click()
        page.wait_for_load_state()
        assert "Unlocked the account olu" in page.get_by_role("alert").inner_text()
        assert page.locator("code", has_text="olu").count() == 0
        # Chromium logs the refused sign-ins' 429 status; nothing else went wrong.
        assert [e for e in recording_page.console_errors if "(Too Many Requests)" not in e] == []
