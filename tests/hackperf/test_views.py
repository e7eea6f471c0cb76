"""Who may open which page: every page, every role, and people with no role or no login."""

import pytest
from django.urls import reverse

from hackperf.roles import Role

# Every page that exists, with the roles that may open it. Later issues add rows.
PAGES: dict[str, set[Role]] = {
    "home": set(Role),
    "person_list": {Role.DMT},
    "indicators:review": {Role.DMT},
    "servicedesk:queue_list": {Role.DMT, Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT},
    "indicators:scorecard": {Role.DMT, Role.QUEUE_OWNER, Role.IG_OFFICER, Role.BRIEFING_VIEWER},
    "infogov:case_list": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:escalation_list": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:directorate_performance": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:case_create": {Role.IG_OFFICER},
    "bank_holiday_list": {Role.IG_OFFICER},
    "indicators:briefing": {Role.DMT, Role.BRIEFING_VIEWER},
    "indicators:risk_create": {Role.DMT},
}


@pytest.mark.django_db
class AccessTests:
    @pytest.mark.parametrize("url_name", PAGES)
    @pytest.mark.parametrize("role", list(Role))
    def test_it_serves_each_page_only_to_its_roles(self, client_as, url_name, role):
        response = client_as(role).get(reverse(url_name))
        if role in PAGES[url_name]:
            assert response.status_code == 200
        else:
            # Refused outright: not a crash, not a redirect, not the data.
            assert response.status_code == 403
            assert b"You do not have access to this page" in response.content

    @pytest.mark.parametrize("url_name", PAGES)
    def test_it_sends_the_signed_out_to_sign_in(self, client, url_name):
        url = reverse(url_name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"

    def test_the_outsider_with_no_role_sees_only_home(self, client_as):
        client = client_as()
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert b"hold no role yet" in response.content
        assert response.context["nav_items"] == []
        for url_name in PAGES.keys() - {"home"}:
            assert client.get(reverse(url_name)).status_code == 403

    def test_the_navigation_shows_only_what_the_role_may_open(self, client_as):
        response = client_as(Role.DIRECTOR).get(reverse("home"))
        assert [item.label for item in response.context["nav_items"]] == ["Information governance"]

    def test_the_dmt_sees_every_section(self, client_as):
        response = client_as(Role.DMT).get(reverse("indicators:review"))
        items = response.context["nav_items"]
        assert [item.label for item in items] == [
            "Review",
            "Queues",
            "Indicators",
            "Information governance",
            "Briefing",
        ]
        assert [item.active for item in items] == [True, False, False, False, False]
        assert b'aria-current="page"' in response.content


@pytest.mark.django_db
class SignInTests:
    def test_it_signs_in_with_the_right_password(self, client, make_user):
        make_user(Role.DMT, username="dana")
        response = client.post(
            reverse("login"), {"username": "dana", "password": "a-good-password-1"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_it_re_renders_with_an_error_on_a_wrong_password(self, client, make_user):
        make_user(Role.DMT, username="dana")
        response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
        assert response.status_code == 200
        assert b"There is a problem" in response.content

    def test_it_signs_out_by_post_only(self, client_as):
        client = client_as(Role.DMT)
        assert client.get(reverse("logout")).status_code == 405
        assert client.post(reverse("logout")).status_code == 302
        assert client.get(reverse("home")).status_code == 302

    def test_the_sign_in_page_says_the_last_person_signed_out(self, client_as):
        client = client_as(Role.DMT)
        page = client.post(reverse("logout"), follow=True)
        assert page.request["PATH_INFO"] == reverse("login")
        assert "You have signed out." in page.content.decode()
        # Said once: not on the next visit, and not to someone who was not signed in.
        assert "signed out" not in client.get(reverse("login")).content.decode()
        assert "signed out" not in client.post(reverse("logout"), follow=True).content.decode()

    def test_forms_need_a_csrf_token(self, make_user):
        from django.test import Client

        make_user(Role.DMT, username="dana")
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            reverse("login"), {"username": "dana", "password": "a-good-password-1"}
        )
        assert response.status_code == 403


@pytest.mark.django_db
class HealthTests:
    def test_it_answers_without_a_login(self, client):
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.content == b"ok\n"


def every_url_name(patterns=None, namespace: str = "") -> list[str]:
    """Every named URL without arguments in the project, walking included namespaces."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += every_url_name(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
            names.append(namespace + entry.name)
    return names


# Pages open to people who are not signed in.
PUBLIC = {"login", "healthz"}
# The JSON API answers 401 with JSON instead of redirecting to sign in (indicators.api).
API = {
    "indicators:api_indicator_list",
    "indicators:api_metric_list",
    "indicators:api_snapshot_list",
}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", every_url_name())
def test_every_page_but_sign_in_needs_a_login(client, url_name):
    response = client.get(reverse(url_name))
    if url_name in PUBLIC:
        assert response.status_code == 200
    elif url_name in API:
        assert response.status_code == 401
    else:
        assert response.status_code in (302, 405), url_name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))


def test_table_cell_signatures_are_read_once_and_stay_right():
    """hackperf.tables.cache_cell_signatures: the same arguments as django-tables2's own
    signature(), for a bound render method, a plain function and a lambda."""
    import django_tables2.utils as utils

    class Table:
        def render_x(self, value, record):
            return value

    def plain(value, *, record=None, **extra):
        return value

    assert getattr(utils.signature, "hackperf_cached", False)
    first, second = Table(), Table()
    assert utils.signature(first.render_x) == (("value", "record"), None)
    assert utils.signature(second.render_x) == (("value", "record"), None)
    assert utils.signature(plain) == (("value", "record"), "extra")
    assert utils.signature(lambda record: record) == (("record",), None)
    assert utils.call_with_appropriate(first.render_x, {"value": 1, "record": 2, "x": 3}) == 1
