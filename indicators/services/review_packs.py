"""Review packs: a fortnight's DMT review, frozen with its commentary and actions."""

from datetime import datetime
from typing import Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators import periods
from indicators.models import ReviewPack

PACK_EXISTS: Final = "The review of the fortnight ending {end:%-d %B %Y} is already frozen."
PACK_NO_FIGURES: Final = "There are no snapshot figures for the fortnight ending {end:%-d %B %Y}."


@transaction.atomic
def review_pack_freeze(
    *,
    fortnight_end: datetime,
    by: User,
    commentary: str = "",
    actions_agreed: str = "",
    now: datetime | None = None,
) -> ReviewPack:
    """Freeze the DMT review of a fortnight: copy its figures into a pack, with commentary
    and the actions agreed. Once frozen, the pack never changes with the data."""
    from indicators import selectors  # selectors import models only; no cycle at import

    figures = selectors.review_figures(end=fortnight_end)
    if figures is None or figures["instants"][-1] != fortnight_end.isoformat():
        raise ValidationError(PACK_NO_FIGURES.format(end=periods.local_date(fortnight_end)))
    pack = ReviewPack(
        fortnight_end=fortnight_end,
        frozen_at=now or timezone.now(),
        frozen_by=by,
        figures=figures,
        commentary=commentary.strip(),
        actions_agreed=actions_agreed.strip(),
    )
    try:
        with transaction.atomic():
            pack.save()
    except IntegrityError as error:
        raise ValidationError(PACK_EXISTS.format(end=periods.local_date(fortnight_end))) from error
    return pack
