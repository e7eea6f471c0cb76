"""Durations between instants, in real time (DESIGN.md "Time"). Pure: no Django, no clock.

An aware datetime's arithmetic is wall-clock arithmetic when the result keeps its time zone:
``datetime(2016, 3, 30, 10, tzinfo=LONDON) - timedelta(days=7)`` is 23 March 10:00 GMT, only
167 hours earlier across the spring clock change, while the same instant written in UTC gives
168. Durations here are taken in UTC, so one instant gives one answer however it is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["WEEK", "NAIVE_INSTANT", "before", "week_before"]

WEEK: Final = timedelta(days=7)
"""7 × 24 hours of real time."""

NAIVE_INSTANT: Final = "{value!r} is a naive datetime: an instant needs its time zone"


def before(instant: datetime, duration: timedelta) -> datetime:
    """The instant ``duration`` of real time before ``instant`` (aware, in UTC)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(NAIVE_INSTANT.format(value=instant))
    return instant.astimezone(UTC) - duration


def week_before(instant: datetime) -> datetime:
    """T − 7 days as DESIGN.md means it ("over a week old at T": logged before this)."""
    return before(instant, WEEK)
