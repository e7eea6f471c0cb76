"""Asserts that check what they claim.

``assert a, b == c`` reads as a comparison of a pair but asserts only ``a`` (``b == c`` is the
message), so a wrong ``b`` passes for ever. It hid a denominator in
``tests/indicators/test_compute.py``; this walks every test module so it cannot come back.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _compare_messages(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(TESTS.parent)}:{node.lineno}: {ast.unparse(node)[:100]}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert) and isinstance(node.msg, ast.Compare)
    ]


def test_no_assert_has_a_comparison_as_its_message() -> None:
    found = [line for path in sorted(TESTS.rglob("*.py")) for line in _compare_messages(path)]
    assert found == [], "assert a, b == c asserts only a:\n" + "\n".join(found)


def test_it_catches_the_shape() -> None:
    sample = TESTS / "indicators" / "test_compute.py"
    assert _compare_messages(sample) == []
    bad = ast.parse("assert x.numerator, x.denominator == (1, 2)").body[0]
    assert isinstance(bad, ast.Assert) and isinstance(bad.msg, ast.Compare)
