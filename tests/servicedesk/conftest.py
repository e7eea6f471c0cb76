import pytest
import time_machine

from servicedesk.choices import Kind, Priority
from tests.servicedesk.factories import EIGHT_HOURS, NOW, QueueFactory, SlaTargetFactory


@pytest.fixture
def frozen_now():
    """The clock stopped at factories.NOW (Tue 3 Mar 2026 16:00 GMT), for the pages that read
    it: a module uses it with ``pytestmark = pytest.mark.usefixtures("frozen_now")``."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def targets(db):
    """Resolution targets: 8 business hours for every incident priority, 3 days for requests."""
    for priority in Priority:
        SlaTargetFactory(kind=Kind.INCIDENT, priority=priority, resolution_seconds=EIGHT_HOURS)
        SlaTargetFactory(kind=Kind.REQUEST, priority=priority, resolution_seconds=3 * EIGHT_HOURS)


@pytest.fixture
def desk(db):
    return QueueFactory(name="Service desk", slug="service-desk")


@pytest.fixture
def networks(db):
    return QueueFactory(name="Networks", slug="networks")


@pytest.fixture
def desktop(db):
    return QueueFactory(name="Desktop", slug="desktop")
