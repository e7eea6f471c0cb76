"""Tests for RAG status and direction of travel (indicators/rag.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from indicators.rag import (
    BAD_TOLERANCE_KIND,
    NEGATIVE_TOLERANCE,
    NEGATIVE_UNCHANGED_WITHIN,
    RAG_COLOURS,
    Direction,
    Number,
    Polarity,
    Rag,
    Tolerance,
    direction,
    rag,
    travel_words,
)

HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER
FIVE_PERCENT = Tolerance.percent(5)
TWO_POINTS = Tolerance.absolute(2)
NONE = Tolerance.absolute(0)


# -- the band's edges -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95, Rag.GREEN),  # well better
        (Decimal("90.01"), Rag.GREEN),  # just better
        (90, Rag.GREEN),  # at target
        (Decimal("89.99"), Rag.AMBER),  # just worse
        (Decimal("85.5"), Rag.AMBER),  # exactly at the band edge: 5% of 90 is 4.5
        (85.5, Rag.AMBER),  # the same edge as a float
        (Decimal("85.49"), Rag.RED),  # just beyond
        (Decimal("85.4999999"), Rag.RED),
        (0, Rag.RED),
    ],
)
def test_it_rates_higher_is_better_with_a_percent_tolerance(value: Number, expected: Rag) -> None:
    assert rag(value, 90, polarity=HIGHER, tolerance=FIVE_PERCENT) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, Rag.GREEN),
        (Decimal("4.99"), Rag.GREEN),  # just better
        (5, Rag.GREEN),  # at target
        (Decimal("5.01"), Rag.AMBER),  # just worse
        (Decimal("5.25"), Rag.AMBER),  # exactly at the band edge: 5% of 5 is 0.25
        (5.25, Rag.AMBER),
        (Decimal("5.26"), Rag.RED),  # just beyond
        (50, Rag.RED),
    ],
)
def test_it_rates_lower_is_better_with_a_percent_tolerance(value: Number, expected: Rag) -> None:
    assert rag(value, 5, polarity=LOWER, tolerance=FIVE_PERCENT) is expected


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (80, HIGHER, Rag.GREEN),  # at target
        (Decimal("79.9"), HIGHER, Rag.AMBER),
        (78, HIGHER, Rag.AMBER),  # edge: two points below
        (78.0, HIGHER, Rag.AMBER),
        (Decimal("77.9"), HIGHER, Rag.RED),
        (80, LOWER, Rag.GREEN),  # at target
        (82, LOWER, Rag.AMBER),  # edge: two points above
        (Decimal("82.1"), LOWER, Rag.RED),
        (Decimal("79.9"), LOWER, Rag.GREEN),
    ],
)
def test_it_rates_with_an_absolute_tolerance(
    value: Number, polarity: Polarity, expected: Rag
) -> None:
    assert rag(value, 80, polarity=polarity, tolerance=TWO_POINTS) is expected


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (90, HIGHER, Rag.GREEN),
        (Decimal("89.99"), HIGHER, Rag.RED),
        (90, LOWER, Rag.GREEN),
        (Decimal("90.01"), LOWER, Rag.RED),
    ],
)
@pytest.mark.parametrize("tolerance", [NONE, Tolerance.percent(0)], ids=["absolute", "percent"])
def test_it_has_no_amber_with_zero_tolerance(
    value: Number, polarity: Polarity, expected: Rag, tolerance: Tolerance
) -> None:
    assert rag(value, 90, polarity=polarity, tolerance=tolerance) is expected


@pytest.mark.parametrize(
    ("value", "polarity", "tolerance", "expected"),
    [
        (0, LOWER, FIVE_PERCENT, Rag.GREEN),  # e.g. zero data breaches: on target
        (Decimal("0.01"), LOWER, FIVE_PERCENT, Rag.RED),  # 5% of nothing is no band
        (1, LOWER, Tolerance.absolute(1), Rag.AMBER),  # an absolute band still applies
        (2, LOWER, Tolerance.absolute(1), Rag.RED),
        (0, HIGHER, FIVE_PERCENT, Rag.GREEN),
        (-1, HIGHER, FIVE_PERCENT, Rag.RED),
    ],
)
def test_it_rates_against_a_zero_target(
    value: Number, polarity: Polarity, tolerance: Tolerance, expected: Rag
) -> None:
    assert rag(value, 0, polarity=polarity, tolerance=tolerance) is expected


def test_it_takes_a_percent_of_a_negative_target_by_size() -> None:
    # Budget variance target -10 (under spend), lower is better: 10% band reaches -9.
    assert rag(-9, -10, polarity=LOWER, tolerance=Tolerance.percent(10)) is Rag.AMBER
    assert rag(Decimal("-8.99"), -10, polarity=LOWER, tolerance=Tolerance.percent(10)) is Rag.RED


@pytest.mark.parametrize(
    ("value", "target"), [(None, 90), (90, None), (None, None)], ids=["value", "target", "both"]
)
def test_it_does_not_assess_without_a_value_or_target(
    value: Number | None, target: Number | None
) -> None:
    assert rag(value, target, polarity=HIGHER, tolerance=FIVE_PERCENT) is Rag.NOT_ASSESSED


# -- Decimal safety -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "tolerance"),
    [
        (85.5, 90, FIVE_PERCENT),
        (Decimal("85.5"), Decimal("90"), FIVE_PERCENT),
        (85.5, 90.0, Tolerance.percent(5.0)),
        # Edges that binary floats get wrong: in floats 50.0 - 49.9 = 0.10000000000000142 > 0.1,
        # and 51 - 51 * 7.9 / 100 = 46.971000000000004 > 46.971; both are exactly on the edge.
        (49.9, 50.0, Tolerance.absolute(0.1)),
        (Decimal("49.9"), 50, Tolerance.absolute(Decimal("0.1"))),
        (46.971, 51, Tolerance.percent(7.9)),
        (Decimal("46.971"), 51, Tolerance.percent(Decimal("7.9"))),
    ],
)
def test_it_puts_float_and_decimal_band_edges_in_amber(
    value: Number, target: Number, tolerance: Tolerance
) -> None:
    assert rag(value, target, polarity=HIGHER, tolerance=tolerance) is Rag.AMBER


def test_it_agrees_for_float_and_decimal_inputs() -> None:
    for hundredths in range(8000, 9501):
        as_decimal = Decimal(hundredths) / 100
        as_float = hundredths / 100
        assert rag(as_float, 90.0, polarity=HIGHER, tolerance=FIVE_PERCENT) is rag(
            as_decimal, 90, polarity=HIGHER, tolerance=FIVE_PERCENT
        ), as_decimal


@pytest.mark.parametrize(
    "value", [True, "90", float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")]
)
def test_it_refuses_values_that_are_not_finite_numbers(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="must be a finite Decimal, float or int"):
        rag(value, 90, polarity=HIGHER, tolerance=FIVE_PERCENT)  # type: ignore[arg-type]


def test_it_accepts_polarity_as_its_stored_string() -> None:
    assert rag(89, 90, polarity="lower_is_better", tolerance=NONE) is Rag.GREEN
    assert rag(89, 90, polarity="higher_is_better", tolerance=NONE) is Rag.RED
    with pytest.raises(ValueError, match="sideways"):
        rag(89, 90, polarity="sideways", tolerance=NONE)


# -- tolerance --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tolerance", "target", "width"),
    [
        (Tolerance.percent(5), Decimal(90), Decimal("4.5")),
        (Tolerance.percent(Decimal("2.5")), Decimal(200), Decimal(5)),
        (Tolerance.absolute(2), Decimal(90), Decimal(2)),
        (Tolerance.percent(5), Decimal(0), Decimal(0)),
    ],
)
def test_it_computes_the_band_width(tolerance: Tolerance, target: Decimal, width: Decimal) -> None:
    assert tolerance.width(target) == width


def test_it_stores_the_tolerance_as_a_decimal() -> None:
    tolerance = Tolerance("percent", 0.1)
    assert tolerance.amount == Decimal("0.1")
    assert tolerance == Tolerance.percent(Decimal("0.1"))
    assert str(tolerance) == "0.1%"
    assert str(Tolerance.absolute(2)) == "±2"


def test_it_refuses_an_unknown_tolerance_kind() -> None:
    with pytest.raises(ValueError, match=re.escape(BAD_TOLERANCE_KIND.format(kind="ratio"))):
        Tolerance("ratio", 5)


def test_it_refuses_a_negative_tolerance() -> None:
    with pytest.raises(ValueError, match=re.escape(NEGATIVE_TOLERANCE.format(amount=-1))):
        Tolerance.absolute(-1)


# -- direction of travel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "expected"),
    [
        (91, 90, HIGHER, Direction.IMPROVING),
        (89, 90, HIGHER, Direction.WORSENING),
        (90, 90, HIGHER, Direction.UNCHANGED),
        (89, 90, LOWER, Direction.IMPROVING),
        (91, 90, LOWER, Direction.WORSENING),
        (90, 90, LOWER, Direction.UNCHANGED),
        (Decimal("85.5"), 85.5, HIGHER, Direction.UNCHANGED),  # Decimal vs float: equal
        (Decimal("85.50"), Decimal("85.5"), LOWER, Direction.UNCHANGED),
        (Decimal("85.51"), 85.5, HIGHER, Direction.IMPROVING),
        (0, 0, LOWER, Direction.UNCHANGED),
        (-1, 0, HIGHER, Direction.WORSENING),
    ],
)
def test_it_judges_the_direction_of_travel_by_polarity(
    current: Number, previous: Number, polarity: Polarity, expected: Direction
) -> None:
    assert direction(current, previous, polarity=polarity) is expected


@pytest.mark.parametrize(
    ("current", "previous"),
    [(None, 90), (90, None), (None, None)],
    ids=["current", "previous", "both"],
)
def test_it_has_no_comparison_without_both_values(
    current: Number | None, previous: Number | None
) -> None:
    assert direction(current, previous, polarity=HIGHER) is Direction.NO_COMPARISON


def test_it_compares_exactly_by_default() -> None:
    # 0.1 + 0.2 is a float hair above 0.3: exact comparison sees a change.
    assert direction(0.1 + 0.2, 0.3, polarity=HIGHER) is Direction.IMPROVING


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (Decimal("90.05"), Direction.UNCHANGED),  # a change of exactly the margin
        (Decimal("89.95"), Direction.UNCHANGED),
        (Decimal("90.051"), Direction.IMPROVING),
        (Decimal("89.949"), Direction.WORSENING),
        (0.1 * 3 * 300, Direction.UNCHANGED),  # 90.00000000000001
    ],
)
def test_it_treats_a_change_within_the_margin_as_unchanged(
    current: Number, expected: Direction
) -> None:
    result = direction(current, 90, polarity=HIGHER, unchanged_within=Decimal("0.05"))
    assert result is expected


def test_it_refuses_a_negative_unchanged_margin() -> None:
    with pytest.raises(ValueError, match=re.escape(NEGATIVE_UNCHANGED_WITHIN.format(amount=-1))):
        direction(1, 2, polarity=HIGHER, unchanged_within=-1)


# -- words and colours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "label"),
    [
        (Rag.GREEN, "Green – on target"),
        (Rag.AMBER, "Amber – within tolerance"),
        (Rag.RED, "Red – off target"),
        (Rag.NOT_ASSESSED, "Not assessed – no value or target"),
        (Direction.IMPROVING, "Improving"),
        (Direction.WORSENING, "Worsening"),
        (Direction.UNCHANGED, "Unchanged"),
        (Direction.NO_COMPARISON, "No comparison"),
        (Polarity.HIGHER_IS_BETTER, "Higher is better"),
        (Polarity.LOWER_IS_BETTER, "Lower is better"),
        (Polarity.NONE, "Neither: a volume measure"),
        (Rag.NO_TARGET, "No target (volume measure)"),
        (Direction.UP, "Up"),
        (Direction.DOWN, "Down"),
    ],
)
def test_it_labels_every_status_in_words(member: Rag | Direction | Polarity, label: str) -> None:
    assert member.label == label


def test_it_has_a_colour_for_every_rag() -> None:
    assert RAG_COLOURS == {
        Rag.GREEN: "green",
        Rag.AMBER: "amber",
        Rag.RED: "red",
        Rag.NOT_ASSESSED: "none",
        Rag.NO_TARGET: "none",
    }


def test_it_stores_enums_as_their_plain_values() -> None:
    assert [str(r) for r in Rag] == ["green", "amber", "red", "not_assessed", "no_target"]
    assert Direction("improving") is Direction.IMPROVING


# -- volume measures ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "target"), [(152, 140), (0, 140), (152, None), (None, None)])
def test_a_volume_measure_is_never_rated(value: Number | None, target: Number | None) -> None:
    assert rag(value, target, polarity=Polarity.NONE, tolerance=NONE) is Rag.NO_TARGET
    assert rag(value, target, polarity="none", tolerance=NONE) is Rag.NO_TARGET


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (152, 140, Direction.UP),
        (139, 140, Direction.DOWN),
        (140, 140, Direction.UNCHANGED),
        (Decimal("140.4"), 140, Direction.UNCHANGED),  # within the shown precision
        (None, 140, Direction.NO_COMPARISON),
    ],
)
def test_a_volume_measure_moves_up_or_down_never_better_or_worse(
    current: Number | None, previous: Number | None, expected: Direction
) -> None:
    assert direction(current, previous, polarity=Polarity.NONE, unchanged_within=0.5) is expected


@pytest.mark.parametrize(
    ("travel", "expected"),
    [
        (Direction.UP, "Up to 152 from 140 on the month before"),
        (Direction.DOWN, "Down to 152 from 140 on the month before"),
        (Direction.UNCHANGED, "Unchanged on the month before (140)"),
        (Direction.IMPROVING, "Improving on the month before (140)"),
        (Direction.WORSENING, "Worsening on the month before (140)"),
        (Direction.NO_COMPARISON, "No comparison on the month before"),
    ],
)
def test_it_words_a_direction_with_its_figures(travel: Direction, expected: str) -> None:
    assert travel_words(travel, current="152", previous="140", since="on the month before") == (
        expected
    )
