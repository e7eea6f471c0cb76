"""One table of what each status allows (``servicedesk.statuses.ALLOWED_ACTIONS``): the ticket
page's forms offer exactly the actions the services accept, for every status (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from servicedesk import statuses
from servicedesk.choices import Status
from servicedesk.forms import ACTIONS
from servicedesk.services import TransitionError
from tests.servicedesk.factories import MORNING, QueueFactory, log_ticket

# How to bring a freshly logged ticket to each status, through the services.
ROUTES: dict[str, list[str]] = {
    Status.LOGGED: [],
    Status.ASSIGNED: ["assign"],
    Status.IN_PROGRESS: ["hold", "off-hold"],
    Status.AWAITING_CUSTOMER: ["hold"],
    Status.AWAITING_SUPPLIER: ["hold-supplier"],
    Status.RESOLVED: ["resolve"],
    Status.CLOSED: ["close"],
    Status.CANCELLED: ["cancel"],
}


def _arguments(action: str, *, user, other_queue) -> tuple[str, dict]:
    """The service and the valid arguments of each action (so only the status can refuse)."""
    return {
        "note": ("note", {"text": "Rang the customer"}),
        "assign": ("assign", {"assignee": user}),
        "reassign": ("reassign", {"queue": other_queue, "reason": "Wrong team"}),
        "hold": ("hold", {"reason": "Waiting for the customer"}),
        "hold-supplier": (
            "hold",
            {"reason": "Waiting for Dell", "status": Status.AWAITING_SUPPLIER},
        ),
        "off-hold": ("off-hold", {}),
        "escalate": ("escalate", {"level": 3, "reason": "VIP"}),
        "resolve": ("resolve", {}),
        "reopen": ("reopen", {"reason": "Still broken"}),
        "close": ("close", {}),
        "cancel": ("cancel", {"reason": "Duplicate"}),
    }[action]


def _do(ticket, action: str, at, *, user, other_queue):
    slug, kwargs = _arguments(action, user=user, other_queue=other_queue)
    return ACTIONS[slug].service(ticket=ticket, actor=user, at=at, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(ROUTES))
def test_the_forms_offer_exactly_what_the_services_accept(status, make_user):
    user = make_user()
    other_queue = QueueFactory()
    ticket = log_ticket()
    at = MORNING
    for step in ROUTES[status]:
        at += timedelta(minutes=5)
        ticket = _do(ticket, step, at, user=user, other_queue=other_queue)
    ticket.refresh_from_db()
    assert ticket.status == status

    colleague = make_user()  # assigning to the same person again is refused whatever the status
    offered = {slug for slug, action in ACTIONS.items() if action.offered(ticket)}
    accepted = set()
    for slug in ACTIONS:
        try:
            with transaction.atomic():
                _do(ticket, slug, at + timedelta(hours=1), user=colleague, other_queue=other_queue)
                accepted.add(slug)
                transaction.set_rollback(True)
        except TransitionError:
            pass
        ticket.refresh_from_db()
    assert offered == accepted == statuses.ALLOWED_ACTIONS[status]


def test_the_table_covers_every_status_and_only_the_page_actions():
    assert set(statuses.ALLOWED_ACTIONS) == set(Status.values)
    assert set(ACTIONS) == set(statuses.ACTIONS)
    for allowed in statuses.ALLOWED_ACTIONS.values():
        assert allowed <= set(statuses.ACTIONS)
        assert "note" in allowed  # a note goes on any ticket, open or closed


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="not a ticket action"):
        statuses.allows(Status.LOGGED, "delete")
