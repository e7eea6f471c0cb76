"""Tag colours of choices: every value gets one, most of them the plain tag.

The status tags (``hp-rag--…`` modifiers, assets/scss/_hackperf.scss) colour only the values
that need attention or mark success; the rest are the plain tag, "none". ``colour_map``
states the coloured ones and gives every other value the default, so a value added to a
``TextChoices`` later has a colour at once (a page never fails on a missing key).
"""

from collections.abc import Iterable

from django.db import models


def colour_map(
    choices: type[models.TextChoices], *, default: str = "none", **colours: Iterable[str]
) -> dict[str, str]:
    """``{value: colour}`` for every value of ``choices``, in their order: the colour whose
    keyword lists the value (``red=(Status.FAILED,)``), else ``default``."""
    colour_of = {value: colour for colour, values in colours.items() for value in values}
    strays = set(colour_of) - set(choices)
    if strays:
        raise ValueError(f"not values of {choices.__name__}: {sorted(strays)}")
    return {value: colour_of.get(value, default) for value in choices}
