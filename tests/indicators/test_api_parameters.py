"""indicators.api: every refused query-string parameter is a JSON 400 that names it and says
why, never an empty list, the first page or a 404; good parameters still filter and page."""

import pytest
from django.urls import reverse

from hackperf.roles import Role
from indicators import api
from indicators.services.api_tokens import api_token_create

LISTS = [
    ("indicators:api_indicator_list", {}),
    ("indicators:api_value_list", {"code": "fr-ict-17"}),
    ("indicators:api_metric_list", {}),
    ("indicators:api_snapshot_list", {}),
]


def get(dmt, name, kwargs, params):
    return dmt.get(reverse(name, kwargs=kwargs), params)


def refused_errors(response, named: str, why: str) -> dict:
    """The ``errors`` of a refusal, having checked what every refusal must be: a 400 whose
    ``detail`` starts with the parameter's name and says ``why``."""
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith(f"'{named}': ")
    assert why in body["detail"]
    return body["errors"]


@pytest.fixture
def dmt(client_as, definitions):
    return client_as(Role.DMT)


@pytest.mark.django_db
class BadParameterTests:
    @pytest.mark.parametrize(("name", "kwargs"), LISTS)
    @pytest.mark.parametrize(
        ("params", "named", "why"),
        [
            ({"page": "x"}, "page", "Enter a whole number."),
            ({"page": "0"}, "page", "greater than or equal to 1"),
            ({"page": "-1"}, "page", "greater than or equal to 1"),
            ({"page": "99999999999999999999"}, "page", "past the last page"),
            ({"page_size": "201"}, "page_size", "less than or equal to 200"),
            ({"page_size": "0"}, "page_size", "greater than or equal to 1"),
            ({"page_size": "ten"}, "page_size", "Enter a whole number."),
            ({"pagesize": "10"}, "pagesize", "takes no such parameter"),
        ],
    )
    def test_each_list_refuses_a_bad_paging_parameter(self, dmt, name, kwargs, params, named, why):
        errors = refused_errors(get(dmt, name, kwargs, params), named, why)
        assert list(errors) == [named]

    @pytest.mark.parametrize(
        ("params", "named", "why"),
        [
            ({"from": "2026-02-30"}, "from", "Enter a date"),
            ({"to": "31/03/2026"}, "to", "Enter a date"),
            ({"from": "1969-12-31"}, "from", "outside that"),
            ({"granularity": "weekly"}, "granularity", "Select a valid choice"),
            ({"metirc": "infogov.overdue"}, "metirc", "takes no such parameter"),
            (
                {"date": "2026-03-01"},
                "date",
                "it takes page, page_size, metric, breakdown, key, granularity, from, to.",
            ),
        ],
    )
    def test_the_snapshot_list_refuses_a_bad_filter(self, dmt, params, named, why):
        errors = refused_errors(get(dmt, "indicators:api_snapshot_list", {}, params), named, why)
        assert named in errors

    def test_a_filter_of_another_list_is_refused_by_this_one(self, dmt):
        response = get(dmt, "indicators:api_indicator_list", {}, {"metric": "x"})
        assert response.status_code == 400
        assert response.json()["detail"] == (
            "'metric': this list takes no such parameter; it takes page, page_size."
        )

    def test_a_bearer_token_is_checked_before_the_parameters(self, client, make_user):
        anonymous = client
        url = reverse("indicators:api_snapshot_list")
        assert anonymous.get(url, {"page": "x"}).status_code == 401
        _, raw = api_token_create(user=make_user(Role.QUEUE_OWNER), name="BI")
        response = anonymous.get(url, {"page": "x"}, headers={"Authorization": f"Bearer {raw}"})
        refused_errors(response, "page", "Enter a whole number.")


@pytest.mark.django_db
class GoodParameterTests:
    def test_the_maximum_page_size_and_the_last_page_are_served(self, dmt):
        url = reverse("indicators:api_metric_list")
        body = dmt.get(url, {"page_size": api.API_MAX_PAGE_SIZE, "page": 1}).json()
        assert body["count"] == len(body["results"])
        assert body["next"] is None

    def test_a_page_past_the_end_of_an_empty_list_is_still_page_one(self, dmt):
        body = dmt.get(reverse("indicators:api_snapshot_list"), {"page": 1}).json()
        assert body == {"count": 0, "next": None, "previous": None, "results": []}

    def test_a_valid_granularity_filters(self, dmt):
        response = dmt.get(reverse("indicators:api_snapshot_list"), {"granularity": "daily"})
        assert response.status_code == 200
