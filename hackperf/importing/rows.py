"""Row errors: what is wrong with a row of an export, where, and with what value.

Ticket and case import report bad rows the same way: each problem is a :class:`RowError` with
the row's line in the file (the header is line 1), the source column and value at fault where
there is one, and the reason. A file of bad rows must cost no more memory than a good one, so a
:class:`RowErrors` keeps the first ``ERRORS_KEPT`` and only counts the rest, and a kept value
is cut to ``SHOWN`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["ERRORS_KEPT", "SHOWN", "RowError", "RowErrors", "error_count", "refuse_row"]

ERRORS_KEPT: Final = 1000
"""How many row errors a :class:`RowErrors` keeps; the rest are only counted."""
_UNDECODED: Final = re.compile("[\udc80-\udcff]")
"""What ``errors="surrogateescape"`` makes of a byte the file's encoding cannot read."""


SHOWN: Final = 200
"""Characters of a bad value kept in its error: enough to recognise it, never a whole file."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row: where it is, what was there, and why it is refused.

    ``value`` is cut to ``SHOWN`` characters (a 200,000-character field must not be held
    1,000 times over).
    """

    line: int
    column: str | None
    value: str | None
    reason: str

    def __post_init__(self) -> None:
        value = self.value
        if value is None:
            return
        if len(value) > SHOWN:
            value = value[: SHOWN - 1] + "…"
        if not value.isascii() and _UNDECODED.search(value):
            # Bytes the encoding could not read, shown as \xe9 (printable, and never a lone
            # surrogate that stderr or a page would choke on).
            value = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f" = {self.value!r}"
        return f"{where}: {self.reason}"


class RowErrors(list[RowError]):
    """A file's row errors: the first ``keep`` of them, and how many there were in all.

    ``total`` counts every error appended; ``rows_refused`` counts the rows that were skipped
    for them (a row may have several errors), so a summary can say how many rows were read.
    """

    def __init__(self, keep: int = ERRORS_KEPT) -> None:
        super().__init__()
        self.keep = keep
        self.total = 0
        self.rows_refused = 0

    def append(self, error: RowError) -> None:
        self.total += 1
        if len(self) < self.keep:
            super().append(error)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.append(error)

    @property
    def not_kept(self) -> int:
        """Errors counted but not kept."""
        return self.total - len(self)


def error_count(errors: list[RowError]) -> int:
    """How many errors were reported, kept or only counted."""
    return errors.total if isinstance(errors, RowErrors) else len(errors)


def refuse_row(errors: list[RowError]) -> None:
    """Count a skipped row (for :class:`RowErrors`; a plain list has no counter)."""
    if isinstance(errors, RowErrors):
        errors.rows_refused += 1
