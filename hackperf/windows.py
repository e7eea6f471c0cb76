"""Time for the whole site: London, the spans figures are counted over (a month, a fortnight,
a day, or an instant), a week of real time, and month arithmetic.

Pure (no ORM, no clock, no settings), so the pure calculators (``servicedesk.sla``) may import
it too: ``LONDON`` is defined here once and every app imports it from here. Typed input is
parsed, with its bounds, by ``hackperf.dates``. One statement of the boundaries every metric uses,
so a monthly indicator, a snapshot and the drill-down behind either count over the very
same instants and dates. Boundaries fall at Europe/London midnight, converted to UTC
(DESIGN.md "Time"): a fortnight across the clocks changing is 14 local days long.

A :class:`Span` carries both readings of one span, because the law counts FOI and SAR
deadlines in dates while tickets are counted in instants: ``start``/``end`` are instants
(``[start, end)``), ``first_day``/``last_day`` the London dates they cover (inclusive).

Two kinds of "earlier" live here on purpose. :func:`window_start` counts London calendar days
(a fortnight across the clocks changing is 14 local days, an hour more or less than 14 × 24
hours), :func:`week_before` real time: an aware datetime's own arithmetic is wall-clock
arithmetic when the result keeps its time zone (``datetime(2016, 3, 30, 10, tzinfo=LONDON) -
timedelta(days=7)`` is only 167 hours earlier across the spring change, the same instant
written in UTC gives 168), so :func:`before` takes durations in UTC and one instant gives one
answer however it is written.

Month arithmetic has two meanings on this site, with two names: :func:`shift_month` moves a
month (named by its first day) by whole months; ``infogov.deadlines.corresponding_date`` is
the law's "one month after 31 January" (the corresponding day, clamped to the month's end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "LONDON",
    "NAIVE_INSTANT",
    "WEEK",
    "Span",
    "before",
    "day",
    "fortnight",
    "instant",
    "local_date",
    "local_midnight",
    "month",
    "month_bounds",
    "shift_month",
    "week_before",
    "window_start",
]

LONDON: Final = ZoneInfo("Europe/London")
FORTNIGHT_DAYS: Final = 14
NAIVE: Final = "{value!r} is a naive datetime: a span needs aware instants"
NAIVE_INSTANT: Final = "{value!r} is a naive datetime: an instant needs its time zone"

WEEK: Final = timedelta(days=7)
"""7 × 24 hours of real time."""


def before(instant: datetime, duration: timedelta) -> datetime:
    """The instant ``duration`` of real time before ``instant`` (aware, in UTC)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(NAIVE_INSTANT.format(value=instant))
    return instant.astimezone(UTC) - duration


def week_before(instant: datetime) -> datetime:
    """T − 7 days as DESIGN.md means it ("over a week old at T": logged before this)."""
    return before(instant, WEEK)


def shift_month(period_start: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, when negative) ``period_start``'s
    month: period arithmetic, where a month is named by its first day."""
    index = period_start.year * 12 + period_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    """00:00 London time at the start of ``day``, as an aware UTC instant."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The London calendar date of an aware instant."""
    return instant.astimezone(LONDON).date()


def month_bounds(period_start: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant (UTC, London midnights)."""
    return local_midnight(period_start), local_midnight(shift_month(period_start, 1))


def window_start(as_of: datetime, *, days: int) -> datetime:
    """The instant ``days`` London calendar days before ``as_of`` (same wall-clock time)."""
    local = as_of.astimezone(LONDON)
    earlier = datetime.combine(local.date() - timedelta(days=days), local.time(), tzinfo=LONDON)
    return earlier.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NAIVE.format(value=value))
    return value


@dataclass(frozen=True)
class Span:
    """A period ``[start, end)`` in instants, or an instant (``start`` None, ``end`` = T)."""

    start: datetime | None
    end: datetime

    def __post_init__(self) -> None:
        _aware(self.end)
        if self.start is not None:
            _aware(self.start)

    @property
    def is_instant(self) -> bool:
        return self.start is None

    @property
    def first_day(self) -> date:
        """The first London date of a period (an instant's own date)."""
        return local_date(self.start if self.start is not None else self.end)

    @property
    def last_day(self) -> date:
        """The last London date the span covers: a month ending at 1 June 00:00 ends on 31
        May; an instant's own date."""
        if self.start is None:
            return local_date(self.end)
        return local_date(self.end - timedelta(microseconds=1))


def instant(as_of: datetime) -> Span:
    """The instant ``as_of``: figures "as of T"."""
    return Span(start=None, end=_aware(as_of))


def month(period_start: date) -> Span:
    """The calendar month starting ``period_start`` (its first day), London midnights."""
    start, end = month_bounds(period_start)
    return Span(start=start, end=end)


def fortnight(end: datetime) -> Span:
    """The 14 London calendar days ending at ``end`` (a fortnightly snapshot's span)."""
    return Span(start=window_start(_aware(end), days=FORTNIGHT_DAYS), end=end)


def day(end: datetime) -> Span:
    """The London calendar day ending at ``end`` (a daily snapshot's span)."""
    return Span(start=window_start(_aware(end), days=1), end=end)
