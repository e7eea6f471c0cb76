import pytest
from django.urls import reverse

from hackperf.roles import Role
from tests.hackperf.factories import UserFactory


@pytest.mark.django_db
class PersonListTests:
    def url(self, **params):
        from urllib.parse import urlencode

        return reverse("person_list") + ("?" + urlencode(params) if params else "")

    def test_it_lists_people_with_their_roles(self, client_as):
        UserFactory(username="zed", roles=(Role.IG_OFFICER, Role.DIRECTOR))
        response = client_as(Role.DMT).get(self.url())
        assert b"Information Governance officer, Director" in response.content or (
            b"Director, Information Governance officer" in response.content
        )
        assert b"People per role" in response.content

    @pytest.mark.parametrize("people", [2, 20])
    def test_it_costs_the_same_queries_for_2_or_20_people(
        self, client_as, django_assert_num_queries, people
    ):
        client = client_as(Role.DMT)
        UserFactory.create_batch(people, roles=(Role.QUEUE_OWNER,))
        # 1 session, 2 user, 3 savepoint (ATOMIC_REQUESTS inside the test's transaction),
        # 4-5 the user's own and group permissions (navigation), 6-7 locked accounts and
        # locked addresses (django-axes' attempts), 8 people per role (chart),
        # 9 release savepoint, 10 count for the paginator, 11 the page of people,
        # 12 their groups (one prefetch). The table renders after the view's transaction.
        with django_assert_num_queries(12):
            response = client.get(self.url())
        assert response.status_code == 200

    @pytest.mark.parametrize("column", ["username", "full_name", "email", "last_login"])
    @pytest.mark.parametrize("direction", ["", "-"])
    def test_it_sorts_by_every_column(self, client_as, column, direction):
        UserFactory.create_batch(3)
        response = client_as(Role.DMT).get(self.url(sort=direction + column))
        assert response.status_code == 200
        expected = "descending" if direction else "ascending"
        assert f'aria-sort="{expected}"'.encode() in response.content

    def test_it_paginates_without_losing_the_sort(self, client_as):
        UserFactory.create_batch(30)
        response = client_as(Role.DMT).get(self.url(sort="-username", page=2))
        content = response.content.decode()
        assert "Showing 26&ndash;31 of 31" in content or "Showing 26–31 of 31" in content
        assert "sort=-username" in content
        assert 'aria-label="Pagination"' in content
