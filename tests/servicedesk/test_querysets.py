"""The as-of ticket filters agree with the figures servicedesk.metrics gives indicators."""

from datetime import timedelta

import pytest

from servicedesk import metrics
from servicedesk.models import Ticket
from tests.servicedesk.test_metrics import MONDAY, H, _busy_desk, value

INSTANTS = [MONDAY - H, MONDAY + 0.5 * H, MONDAY + 2.5 * H, MONDAY + 10 * timedelta(days=1)]


@pytest.mark.django_db
class AsOfFilterTests:
    @pytest.fixture
    def busy(self, desk, networks, targets, db):
        from tests.servicedesk.factories import CategoryFactory

        new_starter = CategoryFactory(name="New starter", is_new_starter=True)
        mfd = CategoryFactory(name="MFD", is_mfd_print=True)
        _busy_desk(desk, networks, new_starter, mfd, n=2)

    @pytest.mark.parametrize("as_of", INSTANTS)
    def test_they_count_what_the_snapshot_counts(self, busy, desk, as_of):
        rows = metrics.snapshot_metrics(as_of=as_of)
        tickets = Ticket.objects.all()
        assert tickets.open_at(as_of).count() == value(rows, metrics.OPEN_INCIDENTS) + value(
            rows, metrics.OPEN_REQUESTS
        )
        assert tickets.on_hold_at(as_of).count() == value(rows, metrics.ON_HOLD)
        assert tickets.over_a_week_old_at(as_of).count() == value(rows, metrics.OVER_A_WEEK_OLD)
        assert tickets.with_multiple_reassignments_at(as_of).count() == value(
            rows, metrics.MULTIPLE_REASSIGNMENTS
        )
        assert tickets.escalated_at(as_of).count() == value(rows, metrics.ESCALATED_OPEN)
        in_desk = tickets.in_queue_at(as_of, desk).count()
        assert in_desk == value(rows, metrics.OPEN_INCIDENTS, "queue", "service-desk") + value(
            rows, metrics.OPEN_REQUESTS, "queue", "service-desk"
        )

    def test_a_ticket_is_open_from_the_instant_it_is_logged(self, desk, targets):
        from tests.servicedesk.factories import log_ticket

        log_ticket(queue=desk, at=MONDAY)
        assert Ticket.objects.open_at(MONDAY - timedelta(microseconds=1)).count() == 0
        assert Ticket.objects.open_at(MONDAY).count() == 1
