"""Saving a model instance the way every service does: ``full_clean()``, then ``save()``.

STYLE.md §4 asks each service to validate before it writes; this is that rule's one home, so
a service that builds a row can end in ``return validated_save(Row(...))`` rather than
repeating the two calls and the return after each constructor.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def validated_save(instance: M) -> M:
    """``instance.full_clean()`` then ``instance.save()``; returns the saved instance."""
    instance.full_clean()
    instance.save()
    return instance
