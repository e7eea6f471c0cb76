"""The shape in which servicedesk and infogov hand figures to indicators.

Indicators reads the other apps through their ``metrics`` modules only (DESIGN.md: it reads
their selectors, never their tables). Each figure is a ``MetricRow``: a stable metric code,
the breakdown it belongs to, and the breakdown's key, so trend snapshots can store rows
under a unique (instant, metric, breakdown, key) and upsert them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ALL = "all"  # the breakdown (and key "") of a figure over everything


@dataclass(frozen=True)
class MetricRow:
    """One figure: ``value`` of ``metric`` for ``key`` within ``breakdown``.

    ``metric`` is namespaced by its app ("servicedesk.open", "infogov.overdue");
    ``breakdown`` is "all" (key "") or a dimension such as "queue", "kind", "category",
    "directorate", with ``key`` its stable identifier (a slug or code) and ``label`` what a
    person reads.
    """

    metric: str
    breakdown: str
    key: str
    value: int
    label: str = ""


@dataclass(frozen=True)
class Ratio:
    """A percentage with its working: ``numerator`` of ``denominator``."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """None when there is nothing to divide by (shown as "no data", never as 0%)."""
        return percent(self.numerator, self.denominator)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator`` as a % of ``denominator`` to one place, halves rounded up as published
    figures are (26 of 32 is 81.3%; Decimal's own rounding, half to even, gave 81.2%); None
    when there is nothing to divide by."""
    if denominator == 0:
        return None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
