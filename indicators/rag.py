"""RAG status and direction of travel for performance indicators.

A pure calculator: value, target, polarity and tolerance in; a status out. It is computed in
:class:`~decimal.Decimal` because the band edges are exact numbers people check by hand (a
target of 90 with 5% tolerance has its amber edge at exactly 85.5) and a binary float can put
a value a hair either side of such an edge.

Every status has a ``label`` in words: the briefing is printed and projected, and colour alone
is neither accessible nor legible in black and white.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from hackperf.labelled_enum import LabelledStrEnum

__all__ = [
    "RAG_COLOURS",
    "Direction",
    "Number",
    "Polarity",
    "Rag",
    "Tolerance",
    "ToleranceKind",
    "direction",
    "rag",
    "travel_words",
]

Number = Decimal | float | int

# Error texts, reused by the tests.
NOT_A_NUMBER: Final = "{name} must be a finite Decimal, float or int, not {value!r}"
BAD_TOLERANCE_KIND: Final = "tolerance kind must be 'percent' or 'absolute', not {kind!r}"
NEGATIVE_TOLERANCE: Final = "tolerance amount must be zero or more, not {amount}"
NEGATIVE_UNCHANGED_WITHIN: Final = "unchanged_within must be zero or more, not {amount}"


class Polarity(LabelledStrEnum):
    """Which way is good for an indicator."""

    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    # A volume measure (incidents logged, requests received): more is neither good nor bad,
    # so it has no RAG and its direction of travel is "up" or "down", never "improving".
    NONE = "none", "Neither: a volume measure"


class Rag(LabelledStrEnum):
    """Red, amber or green against target; ``not_assessed`` when the value or target is missing.

    Each has a ``label``, the words shown beside the colour."""

    GREEN = "green", "Green – on target"
    AMBER = "amber", "Amber – within tolerance"
    RED = "red", "Red – off target"
    NOT_ASSESSED = "not_assessed", "Not assessed – no value or target"
    NO_TARGET = "no_target", "No target (volume measure)"


class Direction(LabelledStrEnum):
    """Direction of travel since the previous period, judged by the indicator's polarity;
    labelled with its value in words ("No comparison")."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    UNCHANGED = "unchanged"
    NO_COMPARISON = "no_comparison"
    # For volume measures (Polarity.NONE), which are neither better nor worse when they move.
    UP = "up"
    DOWN = "down"


RAG_COLOURS: Final[Mapping[Rag, str]] = {
    Rag.GREEN: "green",
    Rag.AMBER: "amber",
    Rag.RED: "red",
    Rag.NOT_ASSESSED: "none",
    Rag.NO_TARGET: "none",
}
"""Rag → CSS class suffix (``hp-rag--amber``, ``hp-rag--none``); always shown with ``Rag.label``."""


def _decimal(value: Number, name: str) -> Decimal:
    """``value`` as a Decimal; a float goes through its shortest repr, so 85.5 → Decimal("85.5")
    and 0.1 → Decimal("0.1") rather than the binary expansion."""
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        raise TypeError(NOT_A_NUMBER.format(name=name, value=value))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(NOT_A_NUMBER.format(name=name, value=value))
    return number


class ToleranceKind(LabelledStrEnum):
    """How a :class:`Tolerance`'s amount is read: of the target, or in the indicator's unit."""

    PERCENT = "percent", "Percentage of the target"
    ABSOLUTE = "absolute", "Absolute, in the indicator's unit"


@dataclass(frozen=True)
class Tolerance:
    """How far off target still counts as amber rather than red.

    ``percent`` is a percentage *of the target* (target 90, 5% → amber down to 85.5 when higher
    is better); ``absolute`` is in the indicator's own unit (2 → two percentage points for an
    indicator measured in %). Zero means no amber band: on target or red.
    """

    kind: ToleranceKind
    amount: Decimal

    def __init__(self, kind: str, amount: Number) -> None:
        try:
            known = ToleranceKind(kind)
        except ValueError:
            raise ValueError(BAD_TOLERANCE_KIND.format(kind=kind)) from None
        number = _decimal(amount, "tolerance amount")
        if number < 0:
            raise ValueError(NEGATIVE_TOLERANCE.format(amount=amount))
        object.__setattr__(self, "kind", known)
        object.__setattr__(self, "amount", number)

    @classmethod
    def percent(cls, amount: Number) -> Tolerance:
        return cls(ToleranceKind.PERCENT, amount)

    @classmethod
    def absolute(cls, amount: Number) -> Tolerance:
        return cls(ToleranceKind.ABSOLUTE, amount)

    def width(self, target: Decimal) -> Decimal:
        """The amber band's width for ``target``, in the indicator's unit.

        A percentage is taken of the target's size, so a negative target (e.g. a budget
        variance) still gets a band on the bad side rather than an inverted one.
        """
        if self.kind is ToleranceKind.PERCENT:
            return abs(target) * self.amount / 100
        return self.amount

    def __str__(self) -> str:
        return f"{self.amount}%" if self.kind is ToleranceKind.PERCENT else f"±{self.amount}"


def rag(
    value: Number | None,
    target: Number | None,
    *,
    polarity: Polarity | str,
    tolerance: Tolerance,
) -> Rag:
    """RAG status of ``value`` against ``target``.

    Green at or better than target; amber when worse but within the tolerance band, its edge
    included; red beyond the band. ``not_assessed`` when the value or the target is missing.

    Higher is better, target 90, ``Tolerance.percent(5)``: 90 and above green, 85.5 to 89.99…
    amber, below 85.5 red. Lower is better mirrors it: the band runs from the target upwards.

    ``polarity`` may be the enum or its stored string value (e.g. a model field's). A volume
    measure (``Polarity.NONE``) is never rated: ``no_target``, whatever its value.

    Raises:
        TypeError: a value that is not a Decimal, float or int (bools included).
        ValueError: a NaN or infinite value, or an unknown polarity.
    """
    if Polarity(polarity) is Polarity.NONE:
        return Rag.NO_TARGET
    higher_is_better = Polarity(polarity) is Polarity.HIGHER_IS_BETTER
    if value is None or target is None:
        return Rag.NOT_ASSESSED
    v, t = _decimal(value, "value"), _decimal(target, "target")
    # Shortfall: how far the value is on the bad side of the target (<= 0 means on target).
    shortfall = t - v if higher_is_better else v - t
    if shortfall <= 0:
        return Rag.GREEN
    if shortfall <= tolerance.width(t):
        return Rag.AMBER
    return Rag.RED


def direction(
    current: Number | None,
    previous: Number | None,
    *,
    polarity: Polarity | str,
    unchanged_within: Number = 0,
) -> Direction:
    """Direction of travel from ``previous`` to ``current``.

    Equality rule: the two values are compared exactly, as Decimals (floats through their
    shortest repr, so 85.5 and Decimal("85.5") are equal); a change whose size is at most
    ``unchanged_within`` (default 0, so only exact equality) counts as ``unchanged``. Pass a
    small amount, e.g. half the unit the figure is shown in, when values are computed floats
    that would otherwise show "improving" over a difference nobody can see.

    ``no_comparison`` when either value is missing (a new indicator, or no return last period).
    A volume measure (``Polarity.NONE``) moves ``up`` or ``down``, never better or worse.

    Raises:
        TypeError, ValueError: as :func:`rag`, or a negative ``unchanged_within``.
    """
    higher_is_better = Polarity(polarity) is Polarity.HIGHER_IS_BETTER
    margin = _decimal(unchanged_within, "unchanged_within")
    if margin < 0:
        raise ValueError(NEGATIVE_UNCHANGED_WITHIN.format(amount=unchanged_within))
    if current is None or previous is None:
        return Direction.NO_COMPARISON
    change = _decimal(current, "current") - _decimal(previous, "previous")
    if abs(change) <= margin:
        return Direction.UNCHANGED
    if Polarity(polarity) is Polarity.NONE:
        return Direction.UP if change > 0 else Direction.DOWN
    better = change > 0 if higher_is_better else change < 0
    return Direction.IMPROVING if better else Direction.WORSENING


def travel_words(travel: Direction, *, current: str, previous: str, since: str) -> str:
    """A direction of travel as a sentence, with the figures already formatted.

    Volume measures give the figures themselves ("Up to 152 from 140 on the month before"),
    since "up" alone tells a reader nothing, with "to" because "Up 152" reads as the size of
    the rise (as the review's "Up 12" is one); rated measures name the earlier figure in
    brackets ("Improving on the month before (88.0%)"). ``since`` names the comparison.
    """
    if travel is Direction.NO_COMPARISON:
        return f"No comparison {since}"
    if travel in (Direction.UP, Direction.DOWN):
        return f"{travel.label} to {current} from {previous} {since}"
    return f"{travel.label} {since} ({previous})"
