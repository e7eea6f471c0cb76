"""The as-of ticket filters agree with the figures servicedesk.metrics gives indicators."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk import metrics
from servicedesk.choices import Show
from servicedesk.models import Ticket
from tests.servicedesk.test_metrics import MONDAY, H, _busy_desk, counted, value

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


LONDON = ZoneInfo("Europe/London")
# Wed 30 Mar 2016 10:00 BST is 09:00 UTC; a week before it is Wed 23 Mar 09:00 GMT (UTC),
# 168 hours earlier. Wall-clock arithmetic on the London time gives 23 Mar 10:00 GMT: 167 h.
AFTER_THE_CHANGE = datetime(2016, 3, 30, 10, 0, tzinfo=LONDON)
SAME_IN_UTC = datetime(2016, 3, 30, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
class OverAWeekOldAcrossTheClockChangeTests:
    """One instant, one answer, however it is written (DESIGN.md "Time": 7 × 24 h)."""

    @pytest.fixture
    def logged_in_the_extra_hour(self, desk, targets):
        from tests.servicedesk.factories import log_ticket

        # 23 Mar 09:30 UTC: 167.5 h before the instant, so not yet a week old.
        young = log_ticket(queue=desk, at=datetime(2016, 3, 23, 9, 30, tzinfo=UTC))
        # 23 Mar 08:30 UTC: 168.5 h before, a week old.
        old = log_ticket(queue=desk, at=datetime(2016, 3, 23, 8, 30, tzinfo=UTC))
        return young, old

    def test_the_two_spellings_are_one_instant(self):
        assert AFTER_THE_CHANGE == SAME_IN_UTC

    @pytest.mark.parametrize("as_of", [AFTER_THE_CHANGE, SAME_IN_UTC], ids=["london", "utc"])
    def test_the_snapshot_counts_168_hours(self, logged_in_the_extra_hour, as_of, dmt):
        _, old = logged_in_the_extra_hour
        rows = metrics.snapshot_metrics(as_of=as_of)
        assert value(rows, metrics.OVER_A_WEEK_OLD) == 1
        behind = counted(dmt, metrics.OVER_A_WEEK_OLD, as_of=as_of)
        assert [i.ticket for i in behind] == [old]

    @pytest.mark.parametrize("as_of", [AFTER_THE_CHANGE, SAME_IN_UTC], ids=["london", "utc"])
    def test_the_as_of_and_live_filters_count_168_hours(self, logged_in_the_extra_hour, as_of):
        _, old = logged_in_the_extra_hour
        assert list(Ticket.objects.over_a_week_old_at(as_of)) == [old]
        assert list(Ticket.objects.over_a_week_old(now=as_of)) == [old]
        assert list(Ticket.objects.show(Show.OVER_A_WEEK_OLD, now=as_of)) == [old]
