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


@pytest.fixture
def import_root(settings, tmp_path):
    """Uploaded exports are kept in a folder of the test's own (settings.IMPORT_ROOT)."""
    settings.IMPORT_ROOT = tmp_path / "imports"
    return settings.IMPORT_ROOT


@pytest.fixture
def table_writes(db):
    """Rows inserted, updated and deleted in the given tables by this test's transaction so far,
    as PostgreSQL counts them (pg_stat_get_xact_*: every row written, rolled back or not, and
    COPY's too); compare two calls to prove that something wrote nothing at all."""
    from django.db import connection

    def count(*models) -> dict[str, tuple[int, int, int]]:
        tables = [m._meta.db_table for m in models]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, pg_stat_get_xact_tuples_inserted(oid),"
                " pg_stat_get_xact_tuples_updated(oid), pg_stat_get_xact_tuples_deleted(oid)"
                " FROM pg_class WHERE relname = ANY(%s)",
                [tables],
            )
            found = {name: tuple(rest) for name, *rest in cursor.fetchall()}
        assert set(found) == set(tables)
        return found

    return count
