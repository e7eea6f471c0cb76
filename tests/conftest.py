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
