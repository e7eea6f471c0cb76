"""The Content-Security-Policy in a real browser: no page, for any role, breaks it.

Chromium reports each refusal twice over: a "Refused to ..." console message and a
``securitypolicyviolation`` event, which a script added before the page's own (through the
DevTools protocol, so outside the policy) records. Both are checked, on every page each role
opens, on the pages with charts (which must still draw) and on the sign-in pages.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_review import history_and_snapshots
from tests.hackperf.test_views import PAGES

PASSWORD = "a-good-password-1"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
    " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

# Pages with charts, and what each chart is called.
CHART_PAGES = {
    "person_list": "#people-per-role .main-svg",
    "indicators:review": "#trend-open-work .main-svg",
}


def violations(recording_page) -> list[str]:
    events = recording_page.page.evaluate("window.__cspViolations || []")
    return events + recording_page.csp_violations


@pytest.fixture
def csp_page(recording_page):
    recording_page.page.context.add_init_script(RECORD_VIOLATIONS)
    return recording_page


@pytest.mark.django_db(transaction=True)
class ContentSecurityPolicyTests:
    def test_every_page_sends_the_policy(self, csp_page):
        response = csp_page.page.goto(csp_page.base_url + reverse("login"))
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "unsafe-eval" not in policy

    def test_the_sign_in_pages_break_no_rule(self, csp_page):
        page = csp_page.page
        for url in (reverse("login"), reverse("admin:login")):
            assert page.goto(csp_page.base_url + url).status == 200
            page.wait_for_load_state("networkidle")
            assert violations(csp_page) == [], url
        # js-enabled, once an inline script, now comes from hackperf.js.
        page.goto(csp_page.base_url + reverse("login"))
        assert "js-enabled" in page.evaluate("document.body.className")

    @pytest.mark.parametrize("role", list(Role))
    def test_no_page_of_any_role_breaks_the_policy(self, csp_page, make_user, role):
        history_and_snapshots()
        from indicators import demo

        demo.seed(now=timezone.now())
        make_user(role, username=f"user-{role.value}")
        csp_page.sign_in(f"user-{role.value}", PASSWORD)
        page = csp_page.page
        names = [name for name, roles in PAGES.items() if role in roles]
        urls = [reverse(name) for name in names]
        if role in (Role.DMT, Role.QUEUE_OWNER, Role.IG_OFFICER, Role.BRIEFING_VIEWER):
            urls.append(reverse("indicators:indicator_detail", args=["dig-res-sat"]))
        if role in (Role.DMT, Role.IG_OFFICER, Role.DIRECTOR):
            urls.append(reverse("infogov:ig_group_report"))
        found = {}
        for url in urls:
            assert page.goto(csp_page.base_url + url).status == 200, url
            page.wait_for_load_state("networkidle")
            for name, chart in CHART_PAGES.items():
                if url == reverse(name):
                    assert page.locator(chart).count() >= 1, f"{url}: the chart did not draw"
            if "/indicators/dig-res-sat/" in url:
                assert page.locator("#history-dig-res-sat .main-svg").count() >= 1
            if violations(csp_page):
                found[url] = violations(csp_page)
                csp_page.csp_violations.clear()
        assert found == {}
        assert csp_page.console_errors == []

    def test_the_charts_still_draw(self, csp_page, make_user):
        history_and_snapshots()
        from indicators import demo

        demo.seed(now=timezone.now())
        make_user(Role.DMT, username="dana")
        csp_page.sign_in("dana", PASSWORD)
        page = csp_page.page
        ARTIFACTS.mkdir(exist_ok=True)
        for url, shot in (
            (reverse("indicators:review"), "csp-review.png"),
            (reverse("indicators:indicator_detail", args=["dig-res-sat"]), "csp-indicator.png"),
            (reverse("person_list"), "csp-people.png"),
        ):
            page.goto(csp_page.base_url + url)
            page.wait_for_load_state("networkidle")
            assert page.locator(".hp-chart .main-svg").count() >= 1, url
            # Bars or lines, not an empty frame.
            assert page.locator(".hp-chart g.trace").count() >= 1, url
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            figure = page.locator(".hp-figure").filter(has=page.locator(".main-svg")).first
            figure.screenshot(path=str(ARTIFACTS / shot.replace(".png", "-chart.png")))
        assert violations(csp_page) == []
        assert csp_page.console_errors == []


@pytest.mark.django_db(transaction=True)
class ContentSecurityPolicyElsewhereTests:
    def test_the_admin_breaks_no_rule(self, csp_page, make_user):
        admin = make_user(username="root", is_staff=True, is_superuser=True)
        assert admin.is_superuser
        csp_page.sign_in("root", PASSWORD)
        page = csp_page.page
        found = {}
        for url in (
            reverse("admin:index"),
            reverse("admin:auth_user_changelist"),
            reverse("admin:auth_user_change", args=[admin.pk]),
            reverse("admin:infogov_case_changelist"),
            reverse("admin:axes_accessattempt_changelist"),
        ):
            assert page.goto(csp_page.base_url + url).status == 200, url
            page.wait_for_load_state("networkidle")
            if violations(csp_page):
                found[url] = violations(csp_page)
                csp_page.csp_violations.clear()
        assert found == {}

    def test_the_survey_page_breaks_no_rule(self, csp_page):
        from servicedesk.surveys import services as survey_services
        from tests.servicedesk.factories import QueueFactory
        from tests.servicedesk.survey_helpers import SURVEY_DAY, close_ticket, invite

        desk = QueueFactory(name="Service desk", slug="service-desk")
        ticket = close_ticket(email="sam@hackney.example", queue=desk)
        invitation = invite(ticket, at=timezone.now())
        assert SURVEY_DAY
        url = reverse("survey", args=[survey_services.invitation_token(invitation)])
        page = csp_page.page
        assert page.goto(csp_page.base_url + url).status == 200
        page.wait_for_load_state("networkidle")
        assert violations(csp_page) == []
