"""A string enum whose members carry the words shown for them.

The pure calculators (``indicators.rag``, ``servicedesk.sla``) may not import Django, yet their
statuses are never shown by colour alone: each needs a label in words. Declared as
``GREEN = "green", "Green – on target"``, the form of Django's ``TextChoices``, a member keeps
its label beside it, instead of in a mapping beside the enum that has to be kept in step by
hand and a ``label`` property written again for every enum.
"""

from enum import StrEnum
from typing import Self

__all__ = ["LabelledStrEnum"]


class LabelledStrEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = value, label``, or as
    ``NAME = value`` when the label is only the value in words (``no_comparison`` → "No
    comparison"), as Django's ``TextChoices`` makes one from the name.

    The member is its value, as a plain ``StrEnum``'s is (it compares, prints, stores and
    serialises as the value, and ``Enum(value)`` finds it); ``label`` is the words for a page.
    """

    _value_: str
    _label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = value.replace("_", " ").capitalize() if label is None else label
        return member

    @property
    def label(self) -> str:
        """Words shown for the member: beside its colour, never instead of it."""
        return self._label
