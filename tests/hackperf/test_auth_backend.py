"""hackperf.auth.PermissionBackend gives exactly Django's ModelBackend's permissions, for
every kind of person, in the same number of queries, cached on the user for the request."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission

from hackperf.auth import PermissionBackend
from hackperf.roles import Role
from tests.hackperf.factories import UserFactory


def fresh(user):
    """The user read again, with no permission cache on it."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def people(db):
    own = Permission.objects.get(codename="view_user")
    extra = Group.objects.create(name="Extra")
    extra.permissions.add(Permission.objects.get(codename="change_group"), own)
    direct = UserFactory(username="direct")
    direct.user_permissions.add(own)
    both = UserFactory(username="both", roles=(Role.DMT,))
    both.user_permissions.add(Permission.objects.get(codename="add_user"))
    both.groups.add(extra)
    return {
        "none": UserFactory(username="none"),
        "direct": direct,
        "role": UserFactory(username="role", roles=(Role.IG_OFFICER,)),
        "both": both,
        "inactive": UserFactory(username="inactive", roles=(Role.DMT,), is_active=False),
        "superuser": UserFactory(username="root", is_superuser=True),
    }


@pytest.mark.parametrize("who", ["none", "direct", "role", "both", "inactive", "superuser"])
def test_the_same_permissions_as_djangos_backend(people, who, django_assert_num_queries):
    ours, djangos = PermissionBackend(), ModelBackend()
    user = people[who]
    for method in ("get_user_permissions", "get_group_permissions", "get_all_permissions"):
        assert getattr(ours, method)(fresh(user)) == getattr(djangos, method)(fresh(user))
    expected = 0 if who == "inactive" else 2
    person = fresh(user)
    with django_assert_num_queries(expected):
        everything = ours.get_all_permissions(person)
        assert ours.get_all_permissions(person) == everything  # cached for the request
        ours.has_perm(person, "auth.view_user")
    if who in ("direct", "both"):
        assert "auth.view_user" in everything
    if who in ("none", "inactive"):
        assert everything == set()


def test_a_per_object_check_and_the_anonymous_have_none(people):
    ours = PermissionBackend()
    assert ours.get_all_permissions(fresh(people["both"]), obj=object()) == set()
    assert ours.get_all_permissions(AnonymousUser()) == set()
