"""Who may open each indicators page: one table of pages and the roles each serves, tried
with every role, so that a page's audience is stated once and read at a glance."""

import pytest
from django.urls import reverse

from hackperf.roles import Role

PAGES = {
    "indicators:scorecard": {Role.DMT, Role.QUEUE_OWNER, Role.IG_OFFICER, Role.BRIEFING_VIEWER},
    "indicators:briefing": {Role.DMT, Role.BRIEFING_VIEWER},
    "indicators:review": {Role.DMT},
}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_it_serves_each_page_only_to_its_roles(client_as, url_name, role):
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == (200 if role in PAGES[url_name] else 403)
