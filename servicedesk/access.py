"""Who may see which queue and work which ticket.

* Seeing queues at all needs ``Perm.VIEW_QUEUES`` (checked by the views).
* The DMT (``Perm.VIEW_REVIEW``) and service-desk agents see every queue; anyone else with
  ``VIEW_QUEUES`` (queue owners) sees the queues they own or belong to.
* Working a ticket needs ``Perm.WORK_TICKETS``; agents may work any ticket, queue owners only
  the tickets of their own queues.

What tells an agent from a queue owner is ``Perm.WORK_ALL_QUEUES``, which agents hold.
"""

from django.db.models import Q, QuerySet

from hackperf.roles import Perm, perm_name
from servicedesk.models import Queue, Ticket


def works_every_queue(user) -> bool:
    """An agent (or superuser): may work tickets in any queue."""
    if not user.is_authenticated or not user.has_perm(perm_name(Perm.WORK_TICKETS)):
        return False
    return user.has_perm(perm_name(Perm.WORK_ALL_QUEUES))


def sees_every_queue(user) -> bool:
    """The DMT and agents see every queue."""
    if not user.has_perm(perm_name(Perm.VIEW_QUEUES)):
        return False
    return user.has_perm(perm_name(Perm.VIEW_REVIEW)) or works_every_queue(user)


def visible_queues(user) -> QuerySet[Queue]:
    """The queues this user may open."""
    if not user.has_perm(perm_name(Perm.VIEW_QUEUES)):
        return Queue.objects.none()
    if sees_every_queue(user):
        return Queue.objects.all()
    # A subquery, not a join: the overview annotates counts over tickets, which a join on
    # owners/members would multiply.
    own = Queue.objects.filter(Q(owners=user) | Q(members=user)).values("pk")
    return Queue.objects.filter(pk__in=own)


def can_view_queue(user, queue: Queue) -> bool:
    if not user.has_perm(perm_name(Perm.VIEW_QUEUES)):
        return False
    if sees_every_queue(user):
        return True
    return Queue.objects.filter(pk=queue.pk).filter(Q(owners=user) | Q(members=user)).exists()


def can_work_ticket(user, ticket: Ticket) -> bool:
    """Agents work any ticket; queue owners and members only those in their queues."""
    if not user.has_perm(perm_name(Perm.WORK_TICKETS)):
        return False
    if works_every_queue(user):
        return True
    return (
        Queue.objects.filter(pk=ticket.queue_id).filter(Q(owners=user) | Q(members=user)).exists()
    )


def can_view_ticket(user, ticket: Ticket) -> bool:
    """Who may see a ticket: whoever sees its current queue, or may work it.

    The same rule as :func:`visible_tickets`, which lists use, so a list never shows a
    ticket whose page answers 403.
    """
    if sees_every_queue(user) or works_every_queue(user):
        return True
    return visible_tickets(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def visible_tickets(user, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``tickets`` narrowed to those whose page ``user`` may open, for lists that gather
    tickets across queues, such as indicator drill-downs.

    Whoever sees every queue or works every queue keeps them all; anyone else who may see
    queues or work tickets keeps the tickets now in the queues they own or belong to
    (``can_view_queue`` or ``can_work_ticket`` of the ticket); anyone else none.
    """
    if sees_every_queue(user) or works_every_queue(user):
        return tickets
    if not (
        user.has_perm(perm_name(Perm.VIEW_QUEUES)) or user.has_perm(perm_name(Perm.WORK_TICKETS))
    ):
        return tickets.none()
    own = Queue.objects.filter(Q(owners=user) | Q(members=user)).values("pk")
    return tickets.filter(queue__in=own)


def can_work_queue(user, queue: Queue) -> bool:
    """Whether ``user`` may work the tickets of ``queue`` (the rule of :func:`can_work_ticket`)."""
    return can_work_ticket(user, Ticket(queue_id=queue.pk))
