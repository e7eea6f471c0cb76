import pytest

from hackperf.roles import Role
from infogov import selectors


@pytest.fixture(autouse=True)
def bundled_calendar(monkeypatch):
    """Deadlines count the bundled GOV.UK holidays (not whatever the database holds)."""
    calendar = selectors.bundled_calendar()
    monkeypatch.setattr(selectors, "holiday_calendar", lambda: calendar)
    return calendar


@pytest.fixture
def director_of(client, make_user):
    """``director_of(directorate)``: the test client signed in as a new director who
    answers for ``directorate`` (a director sees only the directorates they answer for)."""

    def sign_in(directorate):
        director = make_user(Role.DIRECTOR)
        directorate.directors.add(director)
        client.force_login(director)
        return client

    return sign_in
