"""Dates, months and instants typed by people: parsed once, here, with the bounds they may take.

Python's calendar runs from year 1 to 9999, and arithmetic near either end (the month after
9999-12, the quarter before 0001-Q1, a London midnight on 1 January 1) raises instead of
answering. Nothing this dashboard counts lies outside ``EARLIEST``–``LATEST``, so a page, the
API and the management commands all refuse such input with the same plain reason
(``DateInputError``, a ``ValueError``), before any arithmetic can fail.

What is parsed here is then counted with ``hackperf.windows`` (London, spans, months): this
module only turns text into dates and instants.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hackperf.windows import LONDON

# The oldest records an export plausibly holds (1970, the Unix epoch), and a far future.
EARLIEST = date(1970, 1, 1)
LATEST = date(2100, 12, 31)

ERR_DATE = "Enter a date as YYYY-MM-DD, for example 2026-03-31"
ERR_INSTANT = "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)"
ERR_MONTH = "Enter a month as YYYY-MM, for example 2026-03"
ERR_RANGE = "Enter a date from {earliest:%-d %B %Y} to {latest:%-d %B %Y}; {value} is outside that"


class DateInputError(ValueError):
    """Input that is not a date, or a date outside ``EARLIEST``–``LATEST``; says which."""


def check_in_range(day: date, *, shown: str | None = None) -> date:
    """``day``, if it lies within the bounds; otherwise ``DateInputError`` saying so."""
    if not EARLIEST <= day <= LATEST:
        raise DateInputError(
            ERR_RANGE.format(earliest=EARLIEST, latest=LATEST, value=shown or day.isoformat())
        )
    return day


def _clean(text: str) -> str:
    text = (text or "").strip()
    if "\x00" in text or len(text) > 40:
        raise DateInputError(ERR_DATE)
    return text


def parse_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date within the bounds."""
    text = _clean(text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DateInputError(ERR_DATE) from None
    if len(text) != 10:  # fromisoformat also takes 20260331 and 2026-W13-2
        raise DateInputError(ERR_DATE)
    return check_in_range(day, shown=text)


def parse_month(text: str) -> date:
    """A ``YYYY-MM`` month within the bounds, as the date of its first day."""
    text = _clean(text)
    if len(text) != 7:
        raise DateInputError(ERR_MONTH)
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise DateInputError(ERR_MONTH) from None
    return check_in_range(first, shown=text)


def _offset(instant: datetime) -> str:
    """``+01:00``: the UTC offset as ISO 8601 writes it."""
    return instant.isoformat()[-6:]


def local_instant(wall: datetime, *, tz: ZoneInfo = LONDON, shown: str = "") -> datetime:
    """The instant a clock in ``tz`` shows as ``wall`` (naive), or ``DateInputError`` where
    there is none or two: a time the clocks skip when they go forward, or one they show twice
    when they go back, is not one instant, so it is not guessed (``fold``, Python's choice for
    such a time, is also never equal to the same instant in another zone, PEP 495)."""
    shown = shown or wall.isoformat()
    place = "London" if tz == LONDON else tz.key
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        raise DateInputError(
            f"{shown} does not exist in {place}: the clocks go forward over it. Give another "
            "time, or the offset meant"
        )
    if first.utcoffset() != second.utcoffset():
        raise DateInputError(
            f"{shown} happens twice in {place}: the clocks go back over it. Give the offset, "
            f"{shown}{_offset(first)} for the first or {shown}{_offset(second)} for the second"
        )
    return first


def parse_instant(text: str, *, end_of_day: bool = False, tz: ZoneInfo = LONDON) -> datetime:
    """An aware UTC instant from an ISO datetime (``tz`` when it has no offset: one that
    ``tz``'s clocks skip or show twice is refused, ``local_instant``) or a date.

    A date means its midnight in ``tz``; with ``end_of_day``, the next day's, so a range
    ending on that date includes the whole day.
    """
    text = _clean(text)
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise DateInputError(ERR_INSTANT) from None
        check_in_range(day, shown=text)
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise DateInputError(ERR_INSTANT) from None
    check_in_range(instant.date(), shown=text)
    if instant.tzinfo is None:
        instant = local_instant(instant, tz=tz, shown=text)
    return instant.astimezone(UTC)
