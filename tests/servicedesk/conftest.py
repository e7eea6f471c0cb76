import pytest
import time_machine

from hackperf.roles import Role
from servicedesk.choices import Kind, Priority
from tests.servicedesk.factories import (
    EIGHT_HOURS,
    NOW,
    QueueFactory,
    SlaTargetFactory,
    log_tickets,
)


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
def dmt(make_user):
    """A DMT member, who may open every ticket."""
    return make_user(Role.DMT)


@pytest.fixture
def desk(db):
    return QueueFactory(name="Service desk", slug="service-desk")


@pytest.fixture
def networks(db):
    return QueueFactory(name="Networks", slug="networks")


@pytest.fixture
def desktop(db):
    return QueueFactory(name="Desktop", slug="desktop")


@pytest.fixture(params=[2, 20], ids=lambda n: f"{n} tickets")
def busy_desk_agent(request, client_as, desk, targets):
    """For the query-count guards, run with 2 and with 20 tickets in the desk queue (see
    ``log_tickets``): ``busy_desk_agent(url)`` gives an agent's client that has opened ``url``
    once, so the visit counted next finds its session and caches warm, and the number of
    tickets."""
    tickets = request.param

    def visit_once(url: str):
        log_tickets(desk, tickets)
        client = client_as(Role.SERVICE_DESK_AGENT)
        client.get(url)
        return client, tickets

    return visit_once
