"""Ticket statuses, their classes and what a change between two of them is: the one home of
DESIGN.md's rules on status changes. Pure Python (no Django), so the import parser, the
replay, the SQL of the metrics and the choices all read the same sets and functions.

* Classes: open (logged, assigned, in progress), paused (on hold: awaiting customer, awaiting
  supplier), done (resolved, closed, cancelled).
* A *resolution* is a change from an open or paused status to resolved or closed
  (resolved → closed is not one).
* What an agent may do to a ticket in each status: ``ALLOWED_ACTIONS``, read by the services
  (which refuse anything else) and by the ticket page's forms (which offer exactly it).
* A *reopen* is a change from resolved or closed to any status that is not done (open or
  paused): a resolved ticket put back to "awaiting customer" has been reopened as surely as
  one put back "in progress". Cancelled → open is a reinstatement, not a reopen.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ACTIONS",
    "ALLOWED_ACTIONS",
    "DONE",
    "NOT_DONE",
    "OPEN",
    "PAUSED",
    "REOPEN_FROM",
    "REOPEN_TO",
    "RESOLUTION_FROM",
    "RESOLUTION_TO",
    "STATUSES",
    "allows",
    "is_reopen",
    "is_resolution",
]

OPEN: Final = ("logged", "assigned", "in_progress")
PAUSED: Final = ("awaiting_customer", "awaiting_supplier")
DONE: Final = ("resolved", "closed", "cancelled")
STATUSES: Final = OPEN + PAUSED + DONE
NOT_DONE: Final = OPEN + PAUSED
RESOLVED: Final = ("resolved", "closed")

RESOLUTION_FROM: Final = NOT_DONE
RESOLUTION_TO: Final = RESOLVED
"""A resolution: from one of ``RESOLUTION_FROM`` to one of ``RESOLUTION_TO``."""
REOPEN_FROM: Final = RESOLVED
REOPEN_TO: Final = NOT_DONE
"""A reopen: from one of ``REOPEN_FROM`` to one of ``REOPEN_TO``."""


def is_resolution(from_status: str | None, to_status: str) -> bool:
    """Whether a change of status is a resolution event."""
    return from_status in RESOLUTION_FROM and to_status in RESOLUTION_TO


def is_reopen(from_status: str | None, to_status: str) -> bool:
    """Whether a change of status is a reopen."""
    return from_status in REOPEN_FROM and to_status in REOPEN_TO


# --- What an agent may do in each status -----------------------------------------------------
# The actions are the ticket page's (their URL slugs). One table, so a form never offers what
# the service would refuse, and the service never accepts what no form offers.

ACTIONS: Final = (
    "note",
    "assign",
    "reassign",
    "hold",
    "off-hold",
    "escalate",
    "resolve",
    "reopen",
    "close",
    "cancel",
)

_WHILE_NOT_DONE: Final = frozenset({"note", "assign", "reassign", "escalate", "resolve", "cancel"})

ALLOWED_ACTIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        # Open: working on it; it can go on hold, be closed straight away (a resolution too).
        **{status: _WHILE_NOT_DONE | {"hold", "close"} for status in OPEN},
        # Paused: on hold; taken off hold rather than put on hold again.
        **{status: _WHILE_NOT_DONE | {"off-hold", "close"} for status in PAUSED},
        # Resolved: reopened if the fix did not hold, or closed once confirmed.
        "resolved": frozenset({"note", "reopen", "close"}),
        # Closed: only reopened (a reopen is counted); cancelled: finished, notes only.
        "closed": frozenset({"note", "reopen"}),
        "cancelled": frozenset({"note"}),
    }
)
"""Status → the actions an agent may take on a ticket in it."""


def allows(status: str, action: str) -> bool:
    """Whether a ticket in ``status`` may take ``action`` (one of ``ACTIONS``)."""
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not a ticket action; the actions are {ACTIONS}")
    return action in ALLOWED_ACTIONS[status]
