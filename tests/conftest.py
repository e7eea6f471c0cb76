"""Shared fixtures: people in each role (owner/colleague/outsider personas), logged-in clients."""

from pathlib import Path

import pytest

from hackperf.roles import Role
from tests.hackperf.factories import UserFactory

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
"""The real exports and feeds beside the clone (each folder has a README naming its source)."""

MISSING_REAL_DATA = (
    "{path} is missing: this test reads the real data that sits beside the clone as "
    "../shared/data/real (CI always has it). Put a copy of shared/ beside the repository."
)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real data; a test that needs it fails (never skips) where it is absent,
    so a CI run without it cannot pass quietly having checked nothing."""
    return require_real_data(REAL_DATA)


def require_real_data(path: Path) -> Path:
    """``path``, or a test failure naming it when it is not there."""
    if not path.is_dir():
        pytest.fail(MISSING_REAL_DATA.format(path=path), pytrace=False)
    return path


needs_real_data = pytest.mark.usefixtures("real_data")
"""Mark a test or class that reads ``REAL_DATA``: it fails with a clear message without it."""


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
