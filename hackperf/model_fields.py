"""Builders of the model fields several apps declare alike.

A record says who did something (froze a pack, checked a value, decided a holiday, wrote a
note) with a reference to the user that names no reverse accessor: nobody asks a user for
"every value they checked", so ``related_name="+"`` keeps the user model free of a dozen
accessors. The few references a user is asked for (their saved filters, API tokens, assigned
tickets, cases) name theirs. Written out, each such reference took six lines to say one thing
(its label) and whether it may be blank; here the rest has one home.
"""

from typing import Any

from django.conf import settings
from django.db import models


def user_ref(
    verbose_name: str,
    *,
    on_delete: Any = models.PROTECT,
    optional: bool = False,
    related_name: str = "+",
    **options: Any,
) -> "models.ForeignKey[Any, Any]":
    """A reference to a user (who did, owns or is given something), with no reverse accessor
    unless one is named.

    ``PROTECT`` by default: whoever signed a record off stays on it. ``optional`` allows none
    (a computed value has no one who entered it); with ``on_delete=SET_NULL`` the record
    outlives the account. ``related_name`` names the reverse accessor where a user's records
    are asked for (none by default). ``options`` are the field's other options (``help_text``...).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )
