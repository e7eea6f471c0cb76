"""The service desk's part of the home page and of the header search.

Registered with ``hackperf.workspace`` in ``apps.py``: an agent sees the tickets assigned to
them across queues, least time left first; a queue owner sees what in their queues needs
intervention (breaching, at risk, stuck, unassigned), each count linking to the filtered queue
page. A fixed number of queries each, whatever the number of tickets.
"""

from datetime import datetime

from django.urls import reverse

from hackperf.roles import Perm, perm_name
from hackperf.windows import week_before
from hackperf.workspace import HomeSection, SearchHit
from servicedesk import selectors
from servicedesk.access import works_every_queue
from servicedesk.choices import Show, StatusClass


def _state(ticket, *, now: datetime, n: int) -> list[tuple[str, str]]:
    """Why a ticket is listed: (words, colour) tags, in words, never colour alone."""
    tags = []
    if ticket.sla_rank == 0:
        tags.append(("Breaching", "red"))
    elif ticket.sla_rank == 1:
        tags.append(("At risk", "amber"))
    if ticket.status_class == StatusClass.PAUSED:
        tags.append(("On hold", "none"))
    if ticket.reassignment_count >= n:
        tags.append((f"Reassigned {ticket.reassignment_count} times", "none"))
    if ticket.reopen_count:
        tags.append(("Reopened", "none"))
    if ticket.logged_at < week_before(now):
        tags.append(("Over a week old", "none"))
    if ticket.assignee_id is None:
        tags.append(("Unassigned", "none"))
    return tags


def my_tickets_section(user, *, now: datetime) -> HomeSection | None:
    """Agents (and anyone who works tickets): their open tickets, least time left first."""
    if not user.has_perm(perm_name(Perm.WORK_TICKETS)):
        return None
    tickets, total = selectors.my_open_tickets(user=user, now=now)
    n = selectors.multiple_reassignments()
    return HomeSection(
        template="servicedesk/includes/_home_my_tickets.html",
        context={
            "rows": [(t, _state(t, now=now, n=n)) for t in tickets],
            "total": total,
            "now": now,
        },
    )


def my_queues_section(user, *, now: datetime) -> HomeSection | None:
    """Queue owners: their queues' breaching, at-risk, stuck and unassigned tickets."""
    if not user.has_perm(perm_name(Perm.WORK_TICKETS)):
        return None
    queues = selectors.owned_queues(user=user, now=now)
    if not queues and works_every_queue(user):
        return None  # an agent who owns no queue: "Your tickets" is their work
    n = selectors.multiple_reassignments()
    rows = []
    for queue in queues:
        url = reverse("servicedesk:queue_detail", args=[queue.slug])
        rows.append(
            (
                queue,
                [
                    (show.label, getattr(queue, f"{show.value}_count"), f"{url}?show={show.value}")
                    for show in selectors.OWNER_COUNTS
                ],
            )
        )
    tickets = selectors.needs_intervention(queues=queues, now=now) if queues else []
    return HomeSection(
        template="servicedesk/includes/_home_my_queues.html",
        context={
            "queues": rows,
            "headers": [show.label for show in selectors.OWNER_COUNTS],
            "tickets": [(t, _state(t, now=now, n=n)) for t in tickets],
            "reassigned_label": Show.REASSIGNED.label,
            "n": n,
        },
    )


def search(user, text: str, *, limit: int) -> list[SearchHit]:
    """Tickets by reference, open or closed, in the queues ``user`` may see."""
    if not (
        user.has_perm(perm_name(Perm.VIEW_QUEUES)) or user.has_perm(perm_name(Perm.WORK_TICKETS))
    ):
        return []
    return [
        SearchHit(
            reference=ticket.reference,
            kind=ticket.get_kind_display(),
            title=ticket.summary,
            where=ticket.queue.name,
            status=ticket.get_status_display(),
            url=reverse("servicedesk:ticket_detail", args=[ticket.reference]),
            exact=ticket.exact == 0,  # type: ignore[attr-defined]  # the query annotates it
        )
        for ticket in selectors.tickets_by_reference(user=user, text=text, limit=limit)
    ]
