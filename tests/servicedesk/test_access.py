"""servicedesk.access: the list rule (visible_tickets) agrees with the ticket page's 403."""

import pytest

from hackperf.roles import Role
from servicedesk import access
from servicedesk.models import Ticket
from tests.servicedesk.factories import QueueFactory, log_ticket


@pytest.mark.django_db
class VisibleTicketsTests:
    @pytest.mark.parametrize("role", [*Role, None])
    @pytest.mark.parametrize("link", ["owner", "member", "none"])
    def test_it_lists_exactly_the_tickets_whose_page_opens(self, make_user, role, link):
        user = make_user(role) if role else make_user()
        own, other = QueueFactory(), QueueFactory()
        if link == "owner":
            own.owners.add(user)
        elif link == "member":
            own.members.add(user)
        tickets = [log_ticket(queue=own), log_ticket(queue=other)]
        listed = set(access.visible_tickets(user, Ticket.objects.all()))
        # The ticket page's rule in its own words: sees the ticket's queue, or may work it.
        opens = {
            t
            for t in tickets
            if access.can_view_queue(user, t.queue) or access.can_work_ticket(user, t)
        }
        assert listed == opens
        assert {t for t in tickets if access.can_view_ticket(user, t)} == opens

    def test_a_queue_owner_sees_their_queues_tickets_only(self, make_user):
        owner = make_user(Role.QUEUE_OWNER)
        own, other = QueueFactory(), QueueFactory()
        own.owners.add(owner)
        mine, _ = log_ticket(queue=own), log_ticket(queue=other)
        assert list(access.visible_tickets(owner, Ticket.objects.all())) == [mine]
