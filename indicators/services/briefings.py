"""The Mayor's briefing, frozen for a meeting."""

from datetime import date, datetime
from typing import Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import BriefingPack
from indicators.services.risks import risk_register_mark_briefed

BRIEFING_NO_MEETING: Final = "Name the meeting the briefing is frozen for."


@transaction.atomic
def briefing_freeze(
    *,
    meeting: str,
    body: str,
    reporting_month: date | None,
    by: User,
    now: datetime | None = None,
) -> BriefingPack:
    """Keep the briefing as rendered now (``body``), for a meeting, to be printed from.

    The scores of the open risks are recorded as this briefing's at the same moment, so the
    next briefing's "movement since the last briefing" starts from what this one said.
    """
    meeting = meeting.strip()
    if not meeting:
        raise ValidationError({"meeting": BRIEFING_NO_MEETING})
    pack = BriefingPack(
        meeting=meeting,
        body=body,
        reporting_month=reporting_month,
        frozen_by=by,
        frozen_at=now or timezone.now(),
    )
    pack.full_clean()
    pack.save()
    risk_register_mark_briefed()
    return pack
