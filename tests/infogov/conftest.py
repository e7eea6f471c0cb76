import pytest

from infogov import selectors


@pytest.fixture(autouse=True)
def bundled_calendar(monkeypatch):
    """Deadlines count the bundled GOV.UK holidays (not whatever the database holds)."""
    calendar = selectors.bundled_calendar()
    monkeypatch.setattr(selectors, "holiday_calendar", lambda: calendar)
    return calendar
