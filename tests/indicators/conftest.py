import pytest

from indicators.services import definitions_sync


@pytest.fixture
def definitions(db):
    """The indicator definitions the data migration makes (a flushed database has lost them)."""
    return {indicator.code: indicator for indicator in definitions_sync()}
