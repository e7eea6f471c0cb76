"""Pages and exports carrying personal data are never kept by a browser or proxy cache."""

import pytest
from django.urls import reverse

from hackperf.roles import Role
from tests.indicators.factories import IndicatorFactory
from tests.infogov.factories import CaseFactory


def assert_no_store(response):
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
class NoStoreTests:
    @pytest.mark.parametrize(
        "url_name",
        ["home", "person_list", "infogov:case_list", "servicedesk:queue_list", "indicators:review"],
    )
    def test_every_page_is_no_store(self, client_as, url_name):
        assert_no_store(client_as(Role.DMT).get(reverse(url_name)))

    def test_a_case_page_is_no_store(self, client_as):
        case = CaseFactory()
        url = reverse("infogov:case_detail", args=[case.pk])
        assert_no_store(client_as(Role.IG_OFFICER).get(url))

    @pytest.mark.parametrize("kind", ["csv", "xlsx"])
    def test_exports_are_no_store(self, client_as, kind):
        indicator = IndicatorFactory()
        url = reverse("indicators:indicator_export", kwargs={"code": indicator.slug})
        assert_no_store(client_as(Role.DMT).get(url, {"format": kind}))

    def test_the_api_is_no_store(self, client_as):
        assert_no_store(client_as(Role.DMT).get(reverse("indicators:api_snapshot_list")))

    def test_the_sign_in_page_is_no_store_too(self, client):
        assert_no_store(client.get(reverse("login")))
