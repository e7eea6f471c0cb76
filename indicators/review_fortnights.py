"""Which fortnight the DMT review shows: the picker, previous and next, and bad input.

A fortnight is named, as everywhere on the review, by the London day it ends on (a Sunday;
its snapshot instant is the Monday 00:00 after). Pure: the snapshot instants and today come
in as arguments.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from indicators.periods import (
    FORTNIGHT_DAYS,
    ending_day,
    fortnight_end_on_or_before,
    fortnight_ends,
    local_midnight,
)

# How far back the picker offers fortnights that have no snapshot yet (older snapshots are
# always offered): two years, the span the demo history and most ticket exports cover.
PICKER_DAYS: Final = 2 * 365
# A fortnight's figures taken this long after its end were computed from the history.
BACKFILLED_AFTER: Final = timedelta(days=1)

NOT_A_DATE: Final = "Enter the fortnight as a date, like 2026-11-15."
NOT_A_FORTNIGHT: Final = (
    "There is no fortnight ending {day:%-d %B %Y}: fortnights end on a Sunday, every other "
    "week. Choose one from the list."
)
IN_THE_FUTURE: Final = "The fortnight ending {day:%-d %B %Y} has not ended yet."


class FortnightError(ValueError):
    """A fortnight the review cannot show; the message says why, for the page."""


@dataclass(frozen=True)
class Option:
    day: date  # the Sunday the fortnight ends on
    instant: datetime  # its snapshot instant
    has_snapshot: bool

    @property
    def key(self) -> str:
        return self.day.isoformat()

    @property
    def label(self) -> str:
        suffix = "" if self.has_snapshot else " (not computed yet)"
        return f"Fortnight ending {self.day:%-d %B %Y}{suffix}"


def instant_of(text: str, *, now: datetime) -> datetime:
    """The snapshot instant of the fortnight ending on the day ``text`` (YYYY-MM-DD)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise FortnightError(NOT_A_DATE) from None
    if not date(2000, 1, 1) <= day <= date(2100, 1, 1):
        raise FortnightError(NOT_A_DATE)
    instant = local_midnight(day + timedelta(days=1))
    if fortnight_end_on_or_before(instant) != instant:
        raise FortnightError(NOT_A_FORTNIGHT.format(day=day))
    if instant > now:
        raise FortnightError(IN_THE_FUTURE.format(day=day))
    return instant


def options(taken: Mapping[datetime, datetime], *, now: datetime) -> list[Option]:
    """The picker's fortnights, latest first: every one of the last two years, and any older
    one with a snapshot."""
    latest = fortnight_end_on_or_before(now)
    start = ending_day(latest) - timedelta(days=PICKER_DAYS)
    ends = set(fortnight_ends(start, ending_day(latest) + timedelta(days=1)))
    ends |= {instant for instant in taken if instant <= latest}
    return [
        Option(day=ending_day(instant), instant=instant, has_snapshot=instant in taken)
        for instant in sorted(ends, reverse=True)
    ]


def neighbours(instant: datetime, *, now: datetime) -> tuple[date, date | None]:
    """The ending days of the fortnight before and the one after (None when that one has not
    ended yet)."""
    day = ending_day(instant)
    previous = day - timedelta(days=FORTNIGHT_DAYS)
    following = day + timedelta(days=FORTNIGHT_DAYS)
    return previous, (following if local_midnight(following + timedelta(days=1)) <= now else None)


def missing(instant: datetime, taken: Mapping[datetime, datetime], *, count: int) -> list[datetime]:
    """The fortnight ends of the ``count`` fortnights up to ``instant`` that have no snapshot:
    what computing that fortnight's review from the history has to take."""
    day = ending_day(instant)
    window = fortnight_ends(day - timedelta(days=FORTNIGHT_DAYS * (count - 1)), day + timedelta(1))
    return [end for end in window if end not in taken]


def was_backfilled(instant: datetime, taken: Mapping[datetime, datetime]) -> bool:
    """Whether the fortnight's figures were computed from the history after the fact."""
    taken_at = taken.get(instant)
    return taken_at is not None and taken_at - instant > BACKFILLED_AFTER
