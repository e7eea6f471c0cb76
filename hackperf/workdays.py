"""UK bank holidays and working-day arithmetic on dates.

A pure calculator (DESIGN.md, "Time"; STYLE.md §1, like HC ``hc/lib/date.py``): no ORM, no
clock, no settings. Everything is passed in, so that a due date can be recomputed for any
calendar, including one that gained a holiday after a case was opened (the 2022 state-funeral
holiday was announced at nine days' notice).

The GOV.UK feed (https://www.gov.uk/bank-holidays.json) is the authority for bank holidays,
per division: England and Wales, Scotland, Northern Ireland. Years it does not cover fall back
to the ``holidays`` package (:func:`fallback_holidays`, kept apart from the pure core).

Working days are Monday to Friday less the holidays of the divisions the caller names:
FOIA s.10(6) counts a bank holiday in *any* part of the UK, a UK GDPR subject access request
only England and Wales ones, a service-desk queue its own division. Callers choose.
"""

import datetime as dt
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "ALL_DIVISIONS",
    "BUNDLED_FEED_PATH",
    "Division",
    "Holiday",
    "HolidayCalendar",
    "WorkingDayIndex",
    "WorkingDaySpan",
    "add_working_days",
    "add_working_days_excluding",
    "add_working_days_explained",
    "easter_sunday",
    "extend_with_fallback",
    "fallback_holidays",
    "format_date",
    "good_friday",
    "holidays_skipped",
    "is_working_day",
    "load_bundled_calendar",
    "next_working_day",
    "non_working_reason",
    "previous_working_day",
    "roll_forward",
    "working_days_between",
]

ONE_DAY = timedelta(days=1)
SATURDAY = 5  # date.weekday(): Monday is 0

BUNDLED_FEED_PATH = Path(__file__).resolve().parent / "data" / "bank-holidays.json"


class Division(StrEnum):
    """A part of the UK with its own bank holidays, keyed as in the GOV.UK feed."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


ALL_DIVISIONS: tuple[Division, ...] = tuple(Division)
_DIVISION_ORDER = {division: i for i, division in enumerate(ALL_DIVISIONS)}

Divisions = Division | Iterable[Division]
"""One division, or several (their holidays are united)."""


def _as_divisions(divisions: Divisions) -> tuple[Division, ...]:
    if divisions is ALL_DIVISIONS:  # the common case, checked first: this runs per day counted
        return ALL_DIVISIONS
    if isinstance(divisions, tuple):
        known = _KNOWN_DIVISIONS.get(divisions)
        if known is not None:
            return known
    # A Division is a str, so it must be caught before it is iterated character by character.
    if isinstance(divisions, str):
        return (Division(divisions),)
    result = tuple(Division(d) for d in divisions)
    if not result:
        raise ValueError("divisions must name at least one division")
    if isinstance(divisions, tuple) and len(_KNOWN_DIVISIONS) < 64:
        _KNOWN_DIVISIONS[divisions] = result
    return result


# Tuples of divisions already checked (a due date asks a dozen times): a few at most.
_KNOWN_DIVISIONS: dict[tuple[Division | str, ...], tuple[Division, ...]] = {}


# strftime's %a and %b in the C locale (Python never sets another): named here, because
# strftime costs more than the rest of a due date's working put together.
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def format_date(d: date) -> str:
    """``Mon 2 Jan 2023``: the form the case pages and ``--explain`` use."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Holiday:
    """One bank (or public) holiday in one division.

    ``notes`` carries the feed's notes ("Substitute day", "Extra bank holiday"), so an
    explanation can say why 27 Dec 2022 was Christmas Day.
    """

    date: dt.date  # dt.: the field name shadows the type inside the class body
    title: str
    division: Division
    notes: str = ""

    @property
    def label(self) -> str:
        """The title with its notes, e.g. ``Christmas Day (substitute day)``."""
        return f"{self.title} ({self.notes.lower()})" if self.notes else self.title

    def sort_key(self) -> tuple[dt.date, int]:
        return (self.date, _DIVISION_ORDER[self.division])

    def __str__(self) -> str:
        return f"{format_date(self.date)} {self.label} [{self.division}]"


# ---------------------------------------------------------------------------------------------
# The working-day index
# ---------------------------------------------------------------------------------------------

MIN_ORDINAL = date.min.toordinal()
MAX_ORDINAL = date.max.toordinal()
INDEX_MARGIN_DAYS = 3 * 366
"""Days an index reaches past what was asked: a run of due dates in the same years builds it
once (about 2,200 days each side, a millisecond's work)."""


@dataclass(frozen=True)
class WorkingDayIndex:
    """The working days of one calendar and set of divisions over a span, precomputed.

    Why: a due date is "the n-th working day after a date". Walked a day at a time it costs
    some 30 holiday look-ups for an FOI request and 60 for an extended one; with the count of
    working days up to each date and the list of working days in order it is two look-ups
    (see :meth:`nth_after`), whatever n is. Dates are proleptic ordinals (``date.toordinal``)
    so a look-up is list arithmetic, not date arithmetic.

    ``counts[o - first]`` is the number of working days in ``[first, o)``, for ``o`` from
    ``first`` to ``last + 1``; ``days`` are the ordinals of the working days in
    ``[first, last]``, in order, so ``days[counts[o - first]]`` is the first working day on or
    after ``o``.
    """

    first: int
    last: int
    counts: Sequence[int]
    days: Sequence[int]

    @classmethod
    def build(cls, first: int, last: int, holidays: AbstractSet[date]) -> "WorkingDayIndex":
        """Index ordinals ``first..last``: Monday to Friday less ``holidays``."""
        closed = {d.toordinal() for d in holidays}
        counts = [0]
        days: list[int] = []
        for o in range(first, last + 1):
            # Ordinal 1 (1 Jan of year 1) was a Monday: (o - 1) % 7 is date.weekday().
            if (o - 1) % 7 < SATURDAY and o not in closed:
                days.append(o)
            counts.append(len(days))
        return cls(first=first, last=last, counts=counts, days=days)

    def count_before(self, o: int) -> int:
        """Working days in ``[first, o)``; ``o`` from ``first`` to ``last + 1``."""
        return self.counts[o - self.first]

    def nth_after(self, o: int, n: int) -> int | None:
        """The ordinal of the ``n``-th working day after ``o`` (before it when ``n < 0``), or
        None when that lies outside the index (the caller widens it and asks again)."""
        if not self.first <= o <= self.last:
            return None
        if n > 0:
            i = self.counts[o - self.first + 1] + n - 1  # working days up to o, then n on
            return self.days[i] if i < len(self.days) else None
        i = self.counts[o - self.first] + n  # working days before o, then |n| back
        return self.days[i] if i >= 0 else None


# ---------------------------------------------------------------------------------------------
# The calendar
# ---------------------------------------------------------------------------------------------

FEED_NOT_MAPPING = "bank-holiday feed: expected an object keyed by division, got {type}"
FEED_MISSING_DIVISION = "bank-holiday feed: division {division!r} is missing"
FEED_UNKNOWN_DIVISION = "bank-holiday feed: unknown division {division!r}"
FEED_BAD_DIVISION = "bank-holiday feed: {division}: {problem}"
FEED_BAD_EVENT = "bank-holiday feed: {division}: events[{index}]: {problem}"
FEED_NO_EVENTS = "bank-holiday feed: {division}: 'events' is empty"
# GOV.UK's feed starts in 2012; a date far outside these years is a broken feed, not news
# (and would make the calendar claim to know every year up to it).
FEED_YEARS = range(1970, 2101)
DUPLICATE_HOLIDAY = "two holidays on {date} in {division}: {first!r} and {second!r}"


@dataclass(frozen=True)
class HolidayCalendar:
    """An immutable set of holidays per division, and the years it knows in full.

    ``coverage`` holds the ``(division, year)`` pairs for which the calendar is complete, so a
    deadline whose span runs past the feed can be flagged rather than silently miscounted.
    Build one with :meth:`from_govuk_feed` or :meth:`from_holidays`; derive new ones with
    :meth:`with_holidays` and :meth:`with_fallback` (the original never changes).
    """

    holidays: frozenset[Holiday]
    coverage: frozenset[tuple[Division, int]] = frozenset()
    _index: Mapping[Division, Mapping[date, Holiday]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # Per division, its holiday dates in order, for range look-ups by bisection.
    _sorted_dates: Mapping[Division, tuple[date, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # Per set of divisions asked about, the union of their dates (filled on first use).
    _union: dict[tuple[Division, ...], frozenset[date]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # Per set of divisions, their holidays by date then division, and those dates (bisected).
    _ordered: dict[tuple[Division, ...], tuple[tuple[date, ...], tuple[Holiday, ...]]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # Per set of divisions, the years all of them cover.
    _full_years: dict[tuple[Division, ...], frozenset[int]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # Per set of divisions, its working-day index (see :class:`WorkingDayIndex`), grown on use.
    _indexes: dict[tuple[Division, ...], "WorkingDayIndex"] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[Division, dict[date, Holiday]] = {d: {} for d in ALL_DIVISIONS}
        for holiday in sorted(self.holidays, key=lambda h: (h.sort_key(), h.title, h.notes)):
            existing = index[holiday.division].get(holiday.date)
            if existing is not None:
                raise ValueError(
                    DUPLICATE_HOLIDAY.format(
                        date=holiday.date.isoformat(),
                        division=holiday.division,
                        first=existing.title,
                        second=holiday.title,
                    )
                )
            index[holiday.division][holiday.date] = holiday
        frozen = {d: MappingProxyType(by_date) for d, by_date in index.items()}
        object.__setattr__(self, "_index", MappingProxyType(frozen))
        sorted_dates = {d: tuple(sorted(by_date)) for d, by_date in index.items()}
        object.__setattr__(self, "_sorted_dates", MappingProxyType(sorted_dates))
        object.__setattr__(self, "_union", {})
        object.__setattr__(self, "_indexes", {})
        object.__setattr__(self, "_ordered", {})
        object.__setattr__(self, "_full_years", {})

    def _dates_of(self, divisions: tuple[Division, ...]) -> frozenset[date]:
        union = self._union.get(divisions)
        if union is None:
            union = frozenset(d for div in divisions for d in self._index[div])
            self._union[divisions] = union  # a cache; the calendar itself never changes
        return union

    def working_day_index(
        self, divisions: tuple[Division, ...], first: int, last: int
    ) -> "WorkingDayIndex":
        """The working-day index of ``divisions`` covering ordinals ``first..last`` at least.

        Built on first use and rebuilt wider (with a margin of :data:`INDEX_MARGIN_DAYS` each
        side, so a run of due dates in the same years builds it once) when asked past its ends.
        A cache like ``_union``: the calendar itself never changes.
        """
        index = self._indexes.get(divisions)
        if index is None or first < index.first or last > index.last:
            if index is not None:
                first, last = min(first, index.first), max(last, index.last)
            index = WorkingDayIndex.build(
                max(first - INDEX_MARGIN_DAYS, MIN_ORDINAL),
                min(last + INDEX_MARGIN_DAYS, MAX_ORDINAL),
                self._dates_of(divisions),
            )
            self._indexes[divisions] = index
        return index

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def from_holidays(
        cls,
        holidays: Iterable[Holiday],
        *,
        coverage: Iterable[tuple[Division, int]] | None = None,
    ) -> "HolidayCalendar":
        """A calendar of ``holidays``; coverage defaults to the (division, year) pairs present."""
        items = frozenset(holidays)
        if coverage is None:
            covered = frozenset((h.division, h.date.year) for h in items)
        else:
            covered = frozenset((Division(d), y) for d, y in coverage)
        return cls(holidays=items, coverage=covered)

    @classmethod
    def from_govuk_feed(cls, data: Mapping[str, Any]) -> "HolidayCalendar":
        """Parse the GOV.UK ``bank-holidays.json`` shape.

        All three divisions must be present: FOIA s.10(6) needs every part of the UK, so a
        feed missing one would silently shorten FOI deadlines. Each division covers every
        year from its first event to its last.

        Raises:
            ValueError: naming the division and event index of the first malformed entry.
        """
        if not isinstance(data, Mapping):
            raise ValueError(FEED_NOT_MAPPING.format(type=type(data).__name__))
        for key in data:
            if key not in _DIVISION_ORDER:
                raise ValueError(FEED_UNKNOWN_DIVISION.format(division=key))
        for division in ALL_DIVISIONS:
            if division.value not in data:
                raise ValueError(FEED_MISSING_DIVISION.format(division=division.value))
        holidays: list[Holiday] = []
        coverage: set[tuple[Division, int]] = set()
        for division in ALL_DIVISIONS:
            parsed = _parse_feed_division(division, data[division.value])
            if not parsed:
                # A division with no events would read as a country without holidays.
                raise ValueError(FEED_NO_EVENTS.format(division=division.value))
            holidays.extend(parsed)
            years = [h.date.year for h in parsed]
            coverage.update((division, y) for y in range(min(years), max(years) + 1))
        return cls(holidays=frozenset(holidays), coverage=frozenset(coverage))

    # -- derived calendars ---------------------------------------------------------------------

    def with_holidays(
        self, extra: Iterable[Holiday], *, coverage: Iterable[tuple[Division, int]] = ()
    ) -> "HolidayCalendar":
        """A new calendar with ``extra`` added; an extra holiday replaces one on its date.

        Adding nothing returns this calendar itself: building one re-indexes every holiday,
        and the deadline engine asks for Christmas Day and Good Friday on every call.
        """
        added = {(h.division, h.date): h for h in extra}
        new_coverage = frozenset((Division(d), y) for d, y in coverage) - self.coverage
        if not new_coverage and all(h in self.holidays for h in added.values()):
            return self
        kept = (h for h in self.holidays if (h.division, h.date) not in added)
        return HolidayCalendar(
            holidays=frozenset([*kept, *added.values()]),
            coverage=self.coverage | new_coverage,
        )

    def with_fallback(self, fallback: Iterable[Holiday]) -> "HolidayCalendar":
        """Merge ``fallback`` holidays for the (division, year) pairs this calendar lacks.

        The feed stays the authority: a fallback holiday in a covered year is ignored, so the
        ``holidays`` package can never contradict GOV.UK (it disagrees, e.g., on weekend
        dates and on announcements the feed has not had time to carry).
        """
        new = [h for h in fallback if (h.division, h.date.year) not in self.coverage]
        return self.with_holidays(new, coverage={(h.division, h.date.year) for h in new})

    # -- queries -------------------------------------------------------------------------------

    def titles(self, division: Division) -> Mapping[date, str]:
        """``{date: title}`` for one division (read-only)."""
        return MappingProxyType({d: h.title for d, h in self._index[Division(division)].items()})

    def on(self, d: date, divisions: Divisions = ALL_DIVISIONS) -> tuple[Holiday, ...]:
        """The holidays on ``d`` in any of ``divisions``, in division order."""
        found = (self._index[div].get(d) for div in _as_divisions(divisions))
        return tuple(sorted((h for h in found if h is not None), key=Holiday.sort_key))

    def is_holiday(self, d: date, divisions: Divisions = ALL_DIVISIONS) -> bool:
        """True when ``d`` is a holiday in at least one of ``divisions``."""
        return d in self._dates_of(_as_divisions(divisions))

    def holidays_in(
        self, start: date, end: date, divisions: Divisions = ALL_DIVISIONS
    ) -> tuple[Holiday, ...]:
        """The holidays from ``start`` to ``end`` inclusive, by date then division."""
        divs = _as_divisions(divisions)
        ordered = self._ordered.get(divs)
        if ordered is None:
            # Merged once per set of divisions (every due date asks), then one bisection.
            merged = sorted(
                (self._index[div][d] for div in divs for d in self._sorted_dates[div]),
                key=Holiday.sort_key,
            )
            ordered = (tuple(h.date for h in merged), tuple(merged))
            self._ordered[divs] = ordered
        dates, holidays = ordered
        return holidays[bisect_left(dates, start) : bisect_right(dates, end)]

    def years_covered(self, division: Division) -> frozenset[int]:
        return frozenset(y for div, y in self.coverage if div == Division(division))

    def uncovered_years(
        self, start: date, end: date, divisions: Divisions = ALL_DIVISIONS
    ) -> tuple[tuple[Division, int], ...]:
        """The (division, year) pairs touched by ``start..end`` that the calendar lacks."""
        divs = _as_divisions(divisions)
        full = self._full_years.get(divs)
        if full is None:
            # The years every one of these divisions covers: most spans fall inside them,
            # and every due date asks.
            years = [self.years_covered(div) for div in divs]
            full = frozenset.intersection(*years)
            self._full_years[divs] = full
        if all(year in full for year in range(start.year, end.year + 1)):
            return ()
        return tuple(
            (div, year)
            for year in range(start.year, end.year + 1)
            for div in _as_divisions(divisions)
            if (div, year) not in self.coverage
        )


def _parse_feed_division(division: Division, body: Any) -> list[Holiday]:
    def bad(problem: str) -> ValueError:
        return ValueError(FEED_BAD_DIVISION.format(division=division.value, problem=problem))

    if not isinstance(body, Mapping):
        raise bad(f"expected an object, got {type(body).__name__}")
    named = body.get("division", division.value)
    if named != division.value:
        raise bad(f"'division' says {named!r}")
    events = body.get("events")
    if not isinstance(events, list):
        raise bad("'events' must be a list")
    holidays = []
    seen: dict[date, int] = {}
    for index, event in enumerate(events):

        def bad_event(problem: str, index: int = index) -> ValueError:
            return ValueError(
                FEED_BAD_EVENT.format(division=division.value, index=index, problem=problem)
            )

        if not isinstance(event, Mapping):
            raise bad_event(f"expected an object, got {type(event).__name__}")
        title = event.get("title")
        if not isinstance(title, str) or not title.strip():
            raise bad_event(f"'title' must be a non-empty string, got {title!r}")
        raw_date = event.get("date")
        if not isinstance(raw_date, str):
            raise bad_event(f"'date' must be a YYYY-MM-DD string, got {raw_date!r}")
        try:
            when = date.fromisoformat(raw_date)
        except ValueError:
            raise bad_event(f"'date' {raw_date!r} is not a YYYY-MM-DD date") from None
        if len(raw_date) != 10:  # fromisoformat also takes 20120102; the feed never does
            raise bad_event(f"'date' {raw_date!r} is not a YYYY-MM-DD date")
        if when.year not in FEED_YEARS:
            raise bad_event(
                f"'date' {raw_date} is outside {FEED_YEARS.start}-{FEED_YEARS.stop - 1}"
            )
        bunting = event.get("bunting", False)
        if not isinstance(bunting, bool):
            raise bad_event(f"'bunting' must be true or false, got {bunting!r}")
        notes = event.get("notes", "")
        if not isinstance(notes, str):
            raise bad_event(f"'notes' must be a string, got {notes!r}")
        for name, text in (("title", title), ("notes", notes)):
            # NUL and other control characters: never in a real feed, and PostgreSQL cannot
            # store NUL in text at all.
            if any(ord(char) < 32 or ord(char) == 127 for char in text):
                raise bad_event(f"{name!r} contains a control character: {text!r}")
        if when in seen:
            raise bad_event(f"'date' {raw_date} repeats events[{seen[when]}]")
        seen[when] = index
        holidays.append(Holiday(when, title.strip(), division, notes.strip()))
    return holidays


# ---------------------------------------------------------------------------------------------
# Loading and fallback (deterministic, but not pure: they read a file or a package)
# ---------------------------------------------------------------------------------------------


def load_bundled_calendar(path: Path = BUNDLED_FEED_PATH) -> HolidayCalendar:
    """The calendar of the bundled GOV.UK copy (``hackperf/data/bank-holidays.json``)."""
    with path.open(encoding="utf-8") as fh:
        return HolidayCalendar.from_govuk_feed(json.load(fh))


_HOLIDAYS_SUBDIVISIONS = {
    Division.ENGLAND_AND_WALES: "ENG",  # the package has WLS too; its holidays are ENG's
    Division.SCOTLAND: "SCT",
    Division.NORTHERN_IRELAND: "NIR",
}
_OBSERVED = " (observed)"


def fallback_holidays(year: int, division: Division) -> list[Holiday]:
    """Holidays for a year the GOV.UK feed lacks, from the ``holidays`` package.

    Shaped like the feed: weekend dates are dropped (the feed lists only the weekday a holiday
    is taken on) and the package's "(observed)" days become the feed's "Substitute day" notes.
    One-off days announced by proclamation are only as good as the package version.
    """
    import holidays as holidays_package  # third-party, kept out of the pure core's imports

    calendar = holidays_package.country_holidays(
        "GB", subdiv=_HOLIDAYS_SUBDIVISIONS[Division(division)], years=year
    )
    result = []
    for when, name in sorted(calendar.items()):
        if when.weekday() >= SATURDAY:
            continue
        notes = ""
        if name.endswith(_OBSERVED):
            name, notes = name.removesuffix(_OBSERVED), "Substitute day"
        result.append(Holiday(when, name, Division(division), notes))
    return result


def extend_with_fallback(
    calendar: HolidayCalendar,
    years: Iterable[int],
    divisions: Divisions = ALL_DIVISIONS,
) -> HolidayCalendar:
    """``calendar`` plus :func:`fallback_holidays` for each of ``years`` it does not cover."""
    extra = [
        holiday
        for year in sorted(set(years))
        for division in _as_divisions(divisions)
        if (division, year) not in calendar.coverage
        for holiday in fallback_holidays(year, division)
    ]
    covering = {
        (division, year)
        for year in years
        for division in _as_divisions(divisions)
        if (division, year) not in calendar.coverage
    }
    return calendar.with_holidays(extra, coverage=covering)


# ---------------------------------------------------------------------------------------------
# Fixed feasts (FOIA s.10(6) names Christmas Day and Good Friday besides bank holidays)
# ---------------------------------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm (Meeus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def good_friday(year: int) -> date:
    return easter_sunday(year) - timedelta(days=2)


# ---------------------------------------------------------------------------------------------
# Working-day arithmetic
# ---------------------------------------------------------------------------------------------


def is_working_day(d: date, *, calendar: HolidayCalendar, divisions: Divisions) -> bool:
    """Monday to Friday and not a holiday in any of ``divisions``."""
    return d.weekday() < SATURDAY and not calendar.is_holiday(d, divisions)


def non_working_reason(d: date, *, calendar: HolidayCalendar, divisions: Divisions) -> str | None:
    """Why ``d`` is not a working day (``"Saturday"``, ``"Boxing Day [scotland]"``), or None."""
    if d.weekday() >= SATURDAY:
        return f"{d:%A}"
    found = calendar.on(d, divisions)
    if not found:
        return None
    names: dict[str, list[str]] = {}
    for holiday in found:
        names.setdefault(holiday.label, []).append(holiday.division.value)
    return "; ".join(f"{label} [{', '.join(divs)}]" for label, divs in names.items())


def _nth_working_day(
    start: date, n: int, *, calendar: HolidayCalendar, divisions: tuple[Division, ...]
) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n < 0``; ``n != 0``), read
    from the calendar's working-day index, widened until it holds the answer.

    Raises OverflowError, as a walk past ``date.max`` (or before ``date.min``) would.
    """
    o = start.toordinal()
    reach = 2 * abs(n) + 31  # n working days span well under 2n calendar days in the UK
    while True:
        first, last = (o, o + reach) if n > 0 else (o - reach, o)
        index = calendar.working_day_index(
            divisions, max(first, MIN_ORDINAL), min(last, MAX_ORDINAL)
        )
        found = index.nth_after(o, n)
        if found is not None:
            return date.fromordinal(found)
        if (index.last == MAX_ORDINAL and n > 0) or (index.first == MIN_ORDINAL and n < 0):
            raise OverflowError("date value out of range")
        reach *= 2


def roll_forward(d: date, *, calendar: HolidayCalendar, divisions: Divisions) -> date:
    """``d`` if it is a working day, else the next working day."""
    if is_working_day(d, calendar=calendar, divisions=divisions):
        return d
    return _nth_working_day(d, 1, calendar=calendar, divisions=_as_divisions(divisions))


def next_working_day(d: date, *, calendar: HolidayCalendar, divisions: Divisions) -> date:
    """The first working day strictly after ``d``."""
    return _nth_working_day(d, 1, calendar=calendar, divisions=_as_divisions(divisions))


def previous_working_day(d: date, *, calendar: HolidayCalendar, divisions: Divisions) -> date:
    """The last working day strictly before ``d``."""
    return _nth_working_day(d, -1, calendar=calendar, divisions=_as_divisions(divisions))


@dataclass(frozen=True)
class WorkingDaySpan:
    """The result of counting ``working_days`` from ``start`` to ``end``, with its working."""

    start: date
    end: date
    working_days: int
    holidays_skipped: tuple[Holiday, ...]


def holidays_skipped(
    a: date, b: date, *, calendar: HolidayCalendar, divisions: Divisions
) -> tuple[Holiday, ...]:
    """The weekday holidays in ``(a, b]``: the ones that moved a count ending on ``b``.

    A holiday on a Saturday or Sunday moved nothing (the weekend was not counted anyway).
    """
    if b <= a:
        return ()
    return tuple(
        h for h in calendar.holidays_in(a + ONE_DAY, b, divisions) if h.date.weekday() < SATURDAY
    )


def add_working_days_explained(
    start: date, n: int, *, calendar: HolidayCalendar, divisions: Divisions
) -> WorkingDaySpan:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` itself is never counted, whether or not it is a working day: day 1 is the first
    working day after it (the ICO's reading of "the twentieth working day following the date
    of receipt", FOIA s.10(1)). ``n == 0`` returns ``start`` unchanged.
    """
    divs = _as_divisions(divisions)
    d = start if n == 0 else _nth_working_day(start, n, calendar=calendar, divisions=divs)
    low, high = (start, d) if n >= 0 else (d - ONE_DAY, start - ONE_DAY)
    skipped = holidays_skipped(low, high, calendar=calendar, divisions=divs)
    return WorkingDaySpan(start=start, end=d, working_days=n, holidays_skipped=skipped)


def add_working_days(
    start: date, n: int, *, calendar: HolidayCalendar, divisions: Divisions
) -> date:
    """The ``n``-th working day after ``start``; see :func:`add_working_days_explained`."""
    if n == 0:
        return start
    return _nth_working_day(start, n, calendar=calendar, divisions=_as_divisions(divisions))


def add_working_days_excluding(
    start: date,
    n: int,
    *,
    excluded: tuple[date, date],
    calendar: HolidayCalendar,
    divisions: Divisions,
) -> tuple[date, int]:
    """The ``n``-th working day after ``start`` (``n >= 0``) not counting the working days
    from ``excluded[0]`` to ``excluded[1]`` inclusive, and how many of those it passed over.

    FOIA s.10(2) disregards the working days from the fees notice to the payment: the count
    stops at the window and goes on after it. With the working-day index that is arithmetic
    on positions: the window's working days that come before the answer push it on by as
    many. An empty window (``excluded[0] > excluded[1]``) excludes nothing.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if n == 0:
        return start, 0
    divs = _as_divisions(divisions)
    o = start.toordinal()
    if excluded[0] > excluded[1]:  # no window: the plain count
        return _nth_working_day(start, n, calendar=calendar, divisions=divs), 0
    # The window's part after start; its working days before the answer are passed over.
    window_from = max(excluded[0].toordinal(), o + 1)
    window_to = excluded[1].toordinal()
    has_window = window_from <= window_to
    reach = 2 * n + 31 + (max(0, window_to - o) if has_window else 0)
    while True:
        index = calendar.working_day_index(divs, o, min(o + reach, MAX_ORDINAL))
        position = index.count_before(o + 1) + n - 1  # where the answer is, nothing excluded
        passed = 0
        if has_window and window_to <= index.last:
            first_in_window = index.count_before(window_from)
            if first_in_window <= position:
                passed = index.count_before(window_to + 1) - first_in_window
                position += passed
        if position < len(index.days) and (not has_window or window_to <= index.last):
            return date.fromordinal(index.days[position]), passed
        if index.last == MAX_ORDINAL:
            raise OverflowError("date value out of range")
        reach *= 2


def working_days_between(
    a: date, b: date, *, calendar: HolidayCalendar, divisions: Divisions
) -> int:
    """The number of working days in ``(a, b]``; negative (``-count((b, a])``) when b < a.

    So ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a working
    day after ``a``, and a request received on ``a`` and answered on ``b`` took this many days.
    """
    if b < a:
        return -working_days_between(b, a, calendar=calendar, divisions=divisions)
    lo, hi = a.toordinal(), b.toordinal()
    index = calendar.working_day_index(_as_divisions(divisions), lo, hi)
    return index.count_before(hi + 1) - index.count_before(lo + 1)
