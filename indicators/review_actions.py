"""Actions agreed at DMT reviews: recording, closing, and which ones a review or pack shows.

An action is agreed at a review (it belongs to that review's frozen pack), has an owner, a due
date and a state, and stays open, shown on every later review and pack, until it is closed
with a note. Writes are services (``review_action_add``, ``review_action_close``: keyword
arguments, ``full_clean``, one transaction); the reads a page needs are the selectors below.
"""

from datetime import date, datetime
from typing import Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from indicators.models import ReviewAction, ReviewPack

ACTION_CLOSED: Final = "This action is already closed."
ACTION_NO_NOTE: Final = "Say what was done, or why the action is being closed."
ACTION_NO_DESCRIPTION: Final = "Say what the action is."


@transaction.atomic
def review_action_add(
    *,
    pack: ReviewPack,
    description: str,
    owner: User,
    due: date,
    by: User,
    now: datetime | None = None,
) -> ReviewAction:
    """Record an action agreed at the review frozen as ``pack``."""
    if not description.strip():
        raise ValidationError({"description": ACTION_NO_DESCRIPTION})
    action = ReviewAction(
        pack=pack,
        description=description.strip(),
        owner=owner,
        due=due,
        created_at=now or timezone.now(),
        created_by=by,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def review_action_close(
    *, action: ReviewAction, note: str, by: User, now: datetime | None = None
) -> ReviewAction:
    """Close an open action with a note. A conditional update, so two people closing it at
    once close it once: the second is told it is already closed."""
    if not note.strip():
        raise ValidationError({"note": ACTION_NO_NOTE})
    closed_at = now or timezone.now()
    changed = ReviewAction.objects.filter(pk=action.pk, state=ReviewAction.State.OPEN).update(
        state=ReviewAction.State.CLOSED,
        closed_at=closed_at,
        closed_by=by,
        closing_note=note.strip(),
    )
    if not changed:
        raise ValidationError(ACTION_CLOSED)
    action.refresh_from_db()
    return action


def _with_people(actions: QuerySet[ReviewAction]) -> QuerySet[ReviewAction]:
    # Not the pack's frozen figures: thirteen fortnights of JSON a pack, decoded for every
    # action, cost the review page more than the rest of its queries.
    return actions.select_related("owner", "pack", "closed_by").defer(
        "pack__figures", "pack__commentary", "pack__actions_agreed"
    )


def open_actions() -> list[ReviewAction]:
    """Every open action, soonest due first: what the next review goes through. One query."""
    return list(_with_people(ReviewAction.objects.filter(state=ReviewAction.State.OPEN)))


def pack_actions(pack: ReviewPack) -> tuple[list[ReviewAction], list[ReviewAction]]:
    """The actions a frozen pack shows: those agreed at its review, and those carried in
    (agreed at an earlier review and still open when it was frozen; a later closure is shown
    as such, since the pack is read later). One query."""
    actions = _with_people(
        ReviewAction.objects.filter(
            Q(pack=pack)
            | Q(pack__fortnight_end__lt=pack.fortnight_end, created_at__lte=pack.frozen_at)
            & (Q(closed_at__isnull=True) | Q(closed_at__gt=pack.frozen_at))
        )
    )
    agreed: list[ReviewAction] = []
    carried: list[ReviewAction] = []
    for action in actions:
        (agreed if action.pack_id == pack.pk else carried).append(action)
    return agreed, carried
