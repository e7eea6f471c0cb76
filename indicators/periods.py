"""Month arithmetic for indicator periods (pure: dates in, dates out).

A period is a calendar month, named by its first day. The UK financial year runs from
1 April to 31 March and is written ``2016/17``. Trend snapshots are taken at fortnight and
day ends: London midnights, as UTC instants (DESIGN.md, Time).
"""

from datetime import date, datetime, timedelta

# The boundaries themselves are hackperf.windows', the one statement every metric counts by;
# re-exported here for the pages' month and fortnight arithmetic.
from hackperf.windows import (  # noqa: F401
    LONDON,
    local_date,
    local_midnight,
    month_bounds,
    shift_month,
    window_start,
)

__all__ = [
    "FORTNIGHT_ANCHOR",
    "FORTNIGHT_DAYS",
    "LONDON",
    "day_end_on_or_before",
    "day_ends",
    "ending_day",
    "financial_year",
    "financial_year_start",
    "fortnight_end_on_or_before",
    "fortnight_ends",
    "local_date",
    "local_midnight",
    "month_bounds",
    "month_start",
    "shift_month",
    "window_start",
]


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def financial_year(day: date) -> str:
    """The UK financial year holding ``day``, e.g. ``2016/17`` for 31 March 2017."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_year_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


# --- Instants: month, fortnight and day boundaries in Europe/London -------------------------
# Boundaries fall at local midnight, converted to UTC: a fortnight that spans the clocks
# changing is 14 local days long, one hour more or less than 14 × 24 hours.

# Fortnights are anchored on a fixed Monday, so every fortnight end (a Monday, 00:00 London)
# is the same for every run, worker and backfill. 4 April 2016: the first Monday of 2016/17.
FORTNIGHT_ANCHOR = date(2016, 4, 4)
FORTNIGHT_DAYS = 14


def fortnight_end_on_or_before(instant: datetime) -> datetime:
    """The latest fortnight end (a Monday 00:00 London) at or before ``instant``."""
    day = local_date(instant)
    days = (day - FORTNIGHT_ANCHOR).days
    end_day = FORTNIGHT_ANCHOR + timedelta(days=days - days % FORTNIGHT_DAYS)
    return local_midnight(end_day)  # at or before ``instant``: its own day's midnight or earlier


def day_end_on_or_before(instant: datetime) -> datetime:
    """The latest London midnight at or before ``instant``."""
    return local_midnight(local_date(instant))


def fortnight_ends(start: date, end: date) -> list[datetime]:
    """Every fortnight end whose London date is within ``start``..``end`` (inclusive)."""
    offset = (start - FORTNIGHT_ANCHOR).days % FORTNIGHT_DAYS
    day = start + timedelta(days=(FORTNIGHT_DAYS - offset) % FORTNIGHT_DAYS)
    ends = []
    while day <= end:
        ends.append(local_midnight(day))
        day += timedelta(days=FORTNIGHT_DAYS)
    return ends


def day_ends(start: date, end: date) -> list[datetime]:
    """Every London midnight whose date is within ``start``..``end`` (inclusive)."""
    return [local_midnight(start + timedelta(days=n)) for n in range((end - start).days + 1)]


def ending_day(instant: datetime) -> date:
    """The last London day a span ending at ``instant`` covers: a fortnight ending Monday
    00:00 is read as "the fortnight ending Sunday"."""
    return local_date(instant - timedelta(microseconds=1))
