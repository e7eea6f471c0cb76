"""The queue tallies (servicedesk.tallies, kept by the triggers of migration 0013) stay exact
through every kind of write, and the counts read from them equal the counts of the tickets
themselves (selectors.queue_counts_recounted) at any instant, on either side of an hour."""

import random
from datetime import timedelta

import pytest
from django.db import connection

from servicedesk import selectors, services, tallies
from servicedesk.choices import EscalationLevel, Priority, Status, StatusClass
from servicedesk.models import QueueTally, Ticket
from tests.hackperf.factories import UserFactory
from tests.servicedesk.factories import MORNING, QueueFactory, log_ticket

H = timedelta(hours=1)
US = timedelta(microseconds=1)


def tally_rows() -> set[tuple[int, str, int, int]]:
    return set(QueueTally.objects.values_list("queue_id", "measure", "key", "n"))


def assert_exact(queues, instants) -> None:
    """The tallies are what a recount from the tickets makes, and every count read from them
    is the tickets' own count, at each instant."""
    kept = tally_rows()
    tallies.queue_tallies_rebuild(queue_ids=[queue.pk for queue in queues])
    assert tally_rows() == kept
    assert all(n != 0 for *_, n in kept), "a tally fallen to 0 is removed"
    for queue in queues:
        for now in instants:
            read = selectors.queue_counts(queue=queue, now=now)
            counted = selectors.queue_counts_recounted(queue=queue, now=now)
            assert read == counted, (queue, now)


def edges(*instants):
    """Each instant, a microsecond either side, and the top of its hour and the next."""
    out = []
    for instant in instants:
        top = instant.replace(minute=0, second=0, microsecond=0)
        out += [instant - US, instant, instant + US, top, top - US, top + H]
    return out


def scatter(queue, count: int, *, seed: int) -> list[Ticket]:
    """Tickets with derived fields set at random around MORNING (the counts read only those),
    times often exactly on an hour, some tied, a few without a target or an assignee."""
    rng = random.Random(seed)
    people = [None, UserFactory(), UserFactory()]
    tickets = []
    for _ in range(count):
        ticket = log_ticket(queue=queue, at=MORNING - 10 * 24 * H)
        paused = rng.random() < 0.3
        due = None if rng.random() < 0.1 else MORNING + rng.randint(-48, 48) * H / 2
        if due is not None and rng.random() < 0.3:
            due += timedelta(minutes=rng.choice((1, 17, 59)))
        at_risk = None
        if due is not None or rng.random() < 0.3:
            at_risk = (due or MORNING) - rng.randint(-2, 12) * H / 2
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Status.AWAITING_CUSTOMER if paused else Status.IN_PROGRESS,
            status_class=StatusClass.PAUSED if paused else StatusClass.OPEN,
            status_since=MORNING - rng.randint(0, 100) * H / 2,
            logged_at=MORNING - 7 * 24 * H + rng.randint(-6, 6) * H / 2,
            sla_due_at=due,
            sla_at_risk_at=at_risk,
            assignee=rng.choice(people),
            reopen_count=rng.choice((0, 0, 1)),
            reassignment_count=rng.choice((0, 1, 2, 3)),
            escalation_level=rng.choice((0, 0, 2)),
        )
        tickets.append(ticket)
    return tickets


@pytest.mark.django_db
class QueueTallyTests:
    def test_it_counts_random_tickets_exactly_at_every_edge(self, targets):
        desk, networks = QueueFactory(), QueueFactory()
        scatter(desk, 80, seed=1)
        scatter(networks, 30, seed=2)
        instants = edges(MORNING, MORNING + H / 2, MORNING + 7 * H / 2)
        assert_exact([desk, networks], instants)
        by_queue = tallies.counts(queue_ids=[desk.pk, networks.pk], now=MORNING, n=2)
        assert by_queue[desk.pk] == {
            c.show: c.count for c in selectors.queue_counts_recounted(queue=desk, now=MORNING)
        }

    def test_it_stays_exact_through_the_services(self, targets):
        desk, networks = QueueFactory(), QueueFactory()
        agent = UserFactory()
        at = MORNING
        tickets = [
            log_ticket(queue=desk, at=at, priority=priority)
            for priority in (Priority.P1, Priority.P2, Priority.P3, Priority.P4, Priority.P3)
        ]
        a, b, c, d, e = tickets
        at += H
        a = services.ticket_assign(ticket=a, actor=agent, at=at, assignee=agent)
        b = services.ticket_reassign(ticket=b, actor=agent, at=at, queue=networks)
        b = services.ticket_reassign(ticket=b, actor=agent, at=at + H, queue=desk)
        c = services.ticket_put_on_hold(ticket=c, actor=agent, at=at, reason="Awaiting reply")
        d = services.ticket_escalate(
            ticket=d, actor=agent, at=at, level=EscalationLevel.SERVICE_MANAGER, reason="Late"
        )
        e = services.ticket_assign(ticket=e, actor=agent, at=at, assignee=agent)
        e = services.ticket_resolve(ticket=e, actor=agent, at=at + H)
        assert_exact([desk, networks], edges(at, at + 2 * H, at + 9 * 24 * H))
        at += 3 * H
        c = services.ticket_take_off_hold(ticket=c, actor=agent, at=at)
        e = services.ticket_reopen(ticket=e, actor=agent, at=at, reason="Still broken")
        a = services.ticket_resolve(ticket=a, actor=agent, at=at)
        a = services.ticket_close(ticket=a, actor=agent, at=at + H)
        d = services.ticket_cancel(ticket=d, actor=agent, at=at, reason="Duplicate")
        services.tickets_bulk(
            service=services.ticket_reassign,
            tickets=[b, c],
            actor=agent,
            at=at + H,
            queue=networks,
        )
        assert_exact([desk, networks], edges(at, at + 30 * 24 * H))
        # The SLA recomputed for every ticket (a calendar or target change): one bulk update.
        desk.working_hours = {str(day): [["08:00", "18:00"]] for day in range(7)}
        services.queue_save(queue=desk)
        services.tickets_sla_recompute()
        assert_exact([desk, networks], edges(at, at + 10 * H))

    def test_it_stays_exact_through_set_based_writes(self, targets):
        desk, networks = QueueFactory(), QueueFactory()
        tickets = scatter(desk, 40, seed=3)
        # A set-based move, as an import writes; a bulk update; deletions.
        Ticket.objects.filter(pk__in=[t.pk for t in tickets[:15]]).update(queue=networks)
        Ticket.objects.filter(queue=networks, status_class=StatusClass.OPEN).update(
            status=Status.CLOSED, status_class=StatusClass.DONE
        )
        Ticket.objects.filter(pk__in=[t.pk for t in tickets[15:25]]).update(
            sla_due_at=MORNING + 5 * H / 2, escalation_level=3
        )
        for ticket in tickets[25:30]:
            ticket.refresh_from_db()
            ticket.assignee = None
            ticket.status_class = StatusClass.PAUSED
        Ticket.objects.bulk_update(tickets[25:30], ["assignee", "status_class"])
        Ticket.objects.filter(pk__in=[t.pk for t in tickets[30:35]]).delete()
        assert_exact([desk, networks], edges(MORNING, MORNING + 5 * H / 2))

    def test_an_unchanged_update_and_a_done_ticket_touch_no_tally(self, targets):
        desk = QueueFactory()
        ticket = log_ticket(queue=desk)
        before = tally_rows()
        Ticket.objects.filter(pk=ticket.pk).update(summary="Another summary")
        assert tally_rows() == before
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, status_class="done")
        assert tally_rows() == set()
        Ticket.objects.filter(pk=ticket.pk).update(summary="Closed, renamed")
        assert tally_rows() == set()

    def test_a_truncate_empties_them(self, targets):
        scatter(QueueFactory(), 3, seed=4)
        assert tally_rows()
        with connection.cursor() as cursor:
            # The test's transaction holds deferred foreign-key checks: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE servicedesk_ticket CASCADE")
        assert tally_rows() == set()

    def test_the_overview_and_an_owners_queues_read_the_same_counts(self, targets):
        from hackperf.roles import Role
        from servicedesk.choices import Show

        desk, networks = QueueFactory(name="Desk"), QueueFactory(name="Networks")
        QueueFactory(name="Empty")
        scatter(desk, 30, seed=5)
        scatter(networks, 12, seed=6)
        dmt, owner = UserFactory(roles=[Role.DMT]), UserFactory(roles=[Role.QUEUE_OWNER])
        desk.owners.add(owner)
        for now in edges(MORNING, MORNING + H / 3):
            read = selectors.queue_overview(user=dmt, now=now)
            counted = list(selectors.queue_overview_recounted(user=dmt, now=now))
            assert (
                [q.name for q in read]
                == [q.name for q in counted]
                == [
                    "Desk",
                    "Empty",
                    "Networks",
                ]
            )
            for a, b in zip(read, counted, strict=True):
                assert selectors.counts_of(a) == selectors.counts_of(b)
            read = selectors.owned_queues(user=owner, now=now)
            counted = selectors.owned_queues_recounted(user=owner, now=now)
            assert [q.pk for q in read] == [q.pk for q in counted] == [desk.pk]
            for show in selectors.OWNER_COUNTS:
                key = f"{show.value}_count"
                assert getattr(read[0], key) == getattr(counted[0], key), show
            assert Show.OPEN not in selectors.OWNER_COUNTS
