"""Tokens for the read-only JSON API."""

import secrets
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from indicators.models import ApiToken


@transaction.atomic
def api_token_create(*, user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Make an API token for ``user``; returns it and the raw token, which is not stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        created_at=now or timezone.now(),
    )
    token.full_clean()
    token.save()
    return token, raw
