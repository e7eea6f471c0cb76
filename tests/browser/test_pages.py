"""Every page, as each role sees it, in a real browser: accessible and self-contained."""

import pytest
from django.urls import reverse

from hackperf.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.hackperf.test_views import PAGES

PASSWORD = "a-good-password-1"


def pages_for(role: Role) -> list[str]:
    return [name for name, roles in PAGES.items() if role in roles]


@pytest.mark.django_db(transaction=True)
class PagesInTheBrowserTests:
    def test_the_sign_in_page_is_accessible_and_self_contained(self, recording_page):
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("home"))
        assert page.url.startswith(recording_page.base_url + reverse("login"))
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []

    def test_a_wrong_password_shows_the_error_summary(self, recording_page, make_user):
        make_user(Role.DMT, username="dana")
        recording_page.sign_in("dana", "not-the-password")
        page = recording_page.page
        assert page.get_by_role("alert").inner_text().startswith("There is a problem")
        assert recording_page.axe_violations() == []

    def test_the_header_search_box_has_its_label(self, recording_page, make_user):
        """GOV.UK's header search: the box has a <label> of its own, visually hidden (the
        Search button beside it says what it is to sighted people), read by screen readers;
        axe finds nothing wrong with it at any impact."""
        make_user(Role.DMT, username="dana")
        recording_page.sign_in("dana", PASSWORD)
        page = recording_page.page
        box = page.get_by_role("search").get_by_role(
            "searchbox", name="Find a ticket or case by its reference"
        )
        assert box.count() == 1
        assert box.evaluate("box => [...box.labels].map(label => label.textContent)") == [
            "Find a ticket or case by its reference"
        ]
        everything = ("minor", "moderate", "serious", "critical")
        assert [
            v
            for v in recording_page.axe_violations(impacts=everything)
            if any("hp-header-search" in str(target) for target in v["targets"])
        ] == []
        box.fill("no-such-reference")
        box.press("Enter")
        page.wait_for_load_state()
        assert page.url.startswith(recording_page.base_url + reverse("search") + "?q=no-such")

    @pytest.mark.parametrize("role", list(Role))
    def test_each_role_signs_in_and_opens_every_page_it_may(self, recording_page, make_user, role):
        make_user(role, username=f"user-{role.value}", first_name="Test", last_name="Person")
        recording_page.sign_in(f"user-{role.value}", PASSWORD)
        page = recording_page.page
        assert page.url == recording_page.base_url + reverse("home")

        failures = {}
        for url_name in pages_for(role):
            response = page.goto(recording_page.base_url + reverse(url_name))
            assert response.status == 200, url_name
            # Hackney's design system is loaded: the header and its font are styled.
            assert page.locator(".lbh-header").count() == 1
            assert "Open Sans" in page.evaluate(
                "getComputedStyle(document.querySelector('h1')).fontFamily"
            )
            assert page.get_by_role("link", name="Skip to main content").count() == 1
            violations = recording_page.axe_violations()
            if violations:
                failures[url_name] = violations
        assert failures == {}
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

    def test_the_home_page_as_a_person_sees_it(self, recording_page, make_user):
        """Sign in as the DMT, look at home, and keep a screenshot for people to check."""
        make_user(Role.DMT, username="dana", first_name="Dana", last_name="Mensah")
        recording_page.sign_in("dana", PASSWORD)
        page = recording_page.page
        assert page.get_by_role("heading", level=1).inner_text() == "Your work"
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == [
            "Review",
            "Queues",
            "Indicators",
            "Information governance",
            "Briefing",
        ]
        assert "Dana Mensah" in page.locator(".lbh-header").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
        # Fonts really came from static/, not another host.
        assert page.evaluate("document.fonts.check('16px \"Open Sans\"')")
        assert any("/static/fonts/" in url for url in recording_page.requests)
        assert recording_page.foreign_requests() == []

    def test_sort_links_and_the_chart_work_on_the_people_page(self, recording_page, make_user):
        make_user(Role.DMT, username="dana")
        for n in range(30):
            make_user(Role.QUEUE_OWNER, username=f"owner-{n:02d}")
        recording_page.sign_in("dana", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("person_list"))
        header = page.locator("th", has_text="User name")
        assert header.get_attribute("aria-sort") == "ascending"
        header.get_by_role("link").click()
        page.wait_for_load_state()
        assert page.locator("th", has_text="User name").get_attribute("aria-sort") == "descending"
        # The chart drew (plotly.js from static/) and its data table is there too.
        assert page.locator("#people-per-role .main-svg").count() >= 1
        assert page.locator("figure details table").count() == 1
        page.get_by_role("link", name="Page 2").click()
        page.wait_for_load_state()
        assert "sort=-username" in page.url
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []
