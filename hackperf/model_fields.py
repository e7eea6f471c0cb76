"""Builders of the model fields several apps declare alike.

A reference to another record is said the same way everywhere: what it points to, its label,
what happens when the target goes, whether it may be empty (``null`` and ``blank`` always
together) and its reverse accessor. ``ref`` says that in one line, where written out it took
six to eight, the same in every app, and ``null`` without ``blank`` could slip in.

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


def ref(
    to: Any,
    verbose_name: str,
    *,
    related_name: str,
    on_delete: Any = models.PROTECT,
    optional: bool = False,
    one: bool = False,
    **options: Any,
) -> "models.ForeignKey[Any, Any]":
    """A reference to ``to`` (a model, its label, or ``"self"``).

    ``PROTECT`` by default: a record in use is not deleted from under what names it.
    ``optional`` allows none; ``one`` makes it one-to-one (the target has at most one such
    record). ``related_name`` is always given (``"+"``: no reverse accessor). ``options`` are
    the field's other options (``help_text``, ``db_index``...).
    """
    field = models.OneToOneField if one else models.ForeignKey
    return field(
        to,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


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
    are asked for. ``options`` are the field's other options (``help_text``...).
    """
    return ref(
        settings.AUTH_USER_MODEL,
        verbose_name,
        on_delete=on_delete,
        optional=optional,
        related_name=related_name,
        **options,
    )
