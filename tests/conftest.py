"""Shared fixtures: people in each role (owner/colleague/outsider personas), logged-in clients."""

import pytest

from hackperf.roles import Role
from tests.hackperf.factories import UserFactory


@pytest.fixture
def make_user(db):
    """Make a user holding the given roles (none by default)."""

    def make(*roles: Role, **kwargs):
        return UserFactory(roles=roles, **kwargs)

    return make


@pytest.fixture
def client_as(client, make_user):
    """A test client signed in as a new user with the given roles."""

    def sign_in(*roles: Role, **kwargs):
        user = make_user(*roles, **kwargs)
        client.force_login(user)
        return client

    return sign_in
