"""The risk register: risks, their revisions, closure and the scores last briefed."""

from datetime import datetime
from typing import Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, Risk, RiskRevision

RISK_FIELDS: Final = ("title", "owner", "likelihood", "impact", "mitigations", "review_date")


RISK_CLOSED: Final = "This risk is closed: it is kept with its history, and can no longer change."
RISK_CLOSE_NO_NOTE: Final = "Say why the risk is being closed."
_RISK_WORDS: Final = {
    "title": "title",
    "owner": "owner",
    "likelihood": "likelihood",
    "impact": "impact",
    "mitigations": "mitigations",
    "review_date": "review date",
}


def _risk_change(before: dict[str, object] | None, risk: Risk) -> str:
    """What a save changed, in words, for the register's history."""
    if before is None:
        return f"Added, scored {risk.likelihood} × {risk.impact} = {risk.likelihood * risk.impact}"
    changed = []
    for name, words in _RISK_WORDS.items():
        old, new = before[name], getattr(risk, name)
        if old == new:
            continue
        if name in ("likelihood", "impact"):
            changed.append(f"{words} {old} → {new}")
        else:
            changed.append(f"{words} changed")
    return ("Changed: " + ", ".join(changed)) if changed else "Saved without change"


@transaction.atomic
def risk_save(
    *,
    risk: Risk | None = None,
    linked_indicators: list[Indicator] | None = None,
    by: User | None = None,
    now: datetime | None = None,
    **fields: object,
) -> Risk:
    """Create a risk, or change one; ``fields`` are among ``RISK_FIELDS``.

    Every save adds a ``RiskRevision`` (what it says now, and what changed), so the
    register's history can be read on the risk's page. A closed risk does not change.
    """
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown risk fields: {', '.join(sorted(unknown))}")
    # Re-read under a lock and write only the given fields: a stale copy (say, from before
    # risk_register_mark_briefed) must not put back an old previous_score.
    risk = Risk() if risk is None else Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.closed_at is not None:
        raise ValidationError(RISK_CLOSED)
    before = None if risk.pk is None else {name: getattr(risk, name) for name in RISK_FIELDS}
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.full_clean(exclude=["score"])
    if risk.pk is None:
        risk.save()
    elif fields:
        risk.save(update_fields=list(fields))
    risk.refresh_from_db(fields=["score"])
    if linked_indicators is not None:
        risk.linked_indicators.set(linked_indicators)
    _risk_revision(risk, change=_risk_change(before, risk), by=by, now=now)
    return risk


def _risk_revision(
    risk: Risk, *, change: str, by: User | None, now: datetime | None, note: str = ""
) -> RiskRevision:
    revision = RiskRevision(
        risk=risk,
        changed_at=now or timezone.now(),
        changed_by=by,
        change=change[:200],
        likelihood=risk.likelihood,
        impact=risk.impact,
        mitigations=risk.mitigations,
        note=note,
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def risk_close(*, risk: Risk, note: str, by: User, now: datetime | None = None) -> Risk:
    """Take a risk off the register, with why; it stays, with its history, for the record."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": RISK_CLOSE_NO_NOTE})
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.closed_at is not None:
        raise ValidationError(RISK_CLOSED)
    now = now or timezone.now()
    risk.closed_at = now
    risk.closure_note = note
    risk.save(update_fields=["closed_at", "closure_note"])
    _risk_revision(risk, change="Closed", by=by, now=now, note=note)
    return risk


@transaction.atomic
def risk_register_mark_briefed() -> int:
    """Record every risk's current score as the last briefing's (for the next "movement")."""
    from django.db.models import F

    return Risk.objects.open().update(previous_score=F("score"))
