"""Business-hours SLA clock for service-desk tickets.

A pure calculator: no ORM, no clock, no settings. Every instant, calendar and pause is passed
in, so the same function answers "how much SLA time has this ticket used *now*" for the live
queue pages and "... as of 14:00 last Tuesday" for backfilled trend snapshots.

How the clock is counted:

* Instants are aware datetimes (UTC in the database); naive ones are refused because a naive
  09:00 is ambiguous twice a year.
* A :class:`ServiceCalendar` says which local wall-clock hours are worked on each weekday and
  which local dates are holidays. Working intervals are laid out per *local* date and then
  converted to UTC, so 09:00-17:00 is always 8 hours, including the Monday after a clock
  change, and 09:00 BST lands on 08:00 UTC.
* Business time is the overlap of [start, end) with those intervals, less the overlap of the
  (merged) pauses with them. Resolution is the microsecond; results are reported in whole
  seconds, rounded down.

Speed: each calendar lazily builds a sorted table of its UTC working intervals with running
totals, covering the dates asked about (it grows on demand). Every query is then a handful of
binary searches, O(log days) per ticket, so a ticket open for months costs no more than one
open for minutes, which matters when a snapshot recomputes a million tickets.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from math import inf
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

# The one London (re-exported): hackperf.windows is pure, so this calculator stays so.
from hackperf.labelled_enum import LabelledStrEnum
from hackperf.windows import LONDON

__all__ = [
    "LONDON",
    "Interval",
    "Pause",
    "ServiceCalendar",
    "SlaClock",
    "SlaStatus",
    "business_seconds",
    "clock",
    "due_at",
    "next_working_instant",
    "share_used",
]


Interval = tuple[time, time]
"""A local working interval (start, end) on one day; an end of 00:00 means midnight at the end
of that day, so (00:00, 00:00) is the whole day (a 24/7 queue)."""

Pause = tuple[datetime, datetime | None]
"""A stretch on hold, (from, to); ``to=None`` means still on hold."""

# Error texts, reused by the tests.
NAIVE_DATETIME: Final = "{name} must be an aware datetime (with tzinfo), not naive: {value!r}"
END_BEFORE_START: Final = "{end_name} ({end}) is before {start_name} ({start})"
NEGATIVE_TARGET: Final = "target_seconds must be zero or more, not {target}"
PAUSE_ENDS_BEFORE_IT_STARTS: Final = "a pause ends ({end}) before it starts ({start})"
OPEN_PAUSE_WITHOUT_END: Final = (
    "an open pause (to=None) has no end, so no due instant can be fixed; close it at 'now' "
    "first, as clock() does"
)
BAD_WEEKDAY: Final = "working-hours keys are weekdays 0 (Monday) to 6 (Sunday), not {key!r}"
AWARE_TIME: Final = "working hours are local wall-clock times and must be naive, not {value!r}"
END_NOT_AFTER_START: Final = "{day}: a working interval must end after it starts ({start}-{end})"
OVERLAPPING_INTERVALS: Final = "{day}: working intervals overlap ({first} and {second})"
NO_WORKING_HOURS: Final = "a service calendar needs at least one working interval in the week"
HOLIDAY_NOT_A_DATE: Final = "holidays are local dates, not {value!r}"
BAD_AT_RISK_SHARE: Final = "at_risk_share must be between 0 and 1, not {share}"

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US: Final = timedelta(microseconds=1)
_US_PER_S: Final = 1_000_000
_ONE_DAY: Final = timedelta(days=1)
_US_PER_DAY: Final = 86_400 * _US_PER_S
# How far past the asked-for dates a calendar's table is built, so that a run over many
# tickets builds it a handful of times rather than once per ticket.
_TABLE_MARGIN: Final = timedelta(days=366)
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _default_hours() -> Mapping[int, Sequence[Interval]]:
    nine_to_five = ((time(9), time(17)),)
    return {weekday: nine_to_five for weekday in range(5)}


def _us_of_day(t: time, *, is_end: bool) -> int:
    us = ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_S + t.microsecond
    # 00:00 as an end is the midnight that closes the day.
    return _US_PER_DAY if is_end and us == 0 else us


def _fmt_time(t: time, *, is_end: bool = False) -> str:
    if is_end and t == time(0):
        return "24:00"
    return t.strftime("%H:%M:%S" if t.second or t.microsecond else "%H:%M")


def _fmt_interval(interval: Interval) -> str:
    return f"{_fmt_time(interval[0])}–{_fmt_time(interval[1], is_end=True)}"


@dataclass(frozen=True, slots=True)
class _Table:
    """A calendar's UTC working intervals over local dates [first, stop), with running totals.

    All values are integer microseconds since the Unix epoch (exact, unlike float timestamps).
    """

    first: date
    stop: date
    lo_us: int  # local midnight opening `first`
    hi_us: int  # local midnight opening `stop`
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cum_before: tuple[int, ...]  # business µs in the table before interval k
    cum_after: tuple[int, ...]  # ... and up to the end of interval k

    def cum(self, us: int) -> int:
        """Business µs from the start of the table to instant ``us`` (inside the table)."""
        k = bisect_right(self.starts, us) - 1
        if k < 0:
            return 0
        return self.cum_before[k] + min(us, self.ends[k]) - self.starts[k]

    def reach(self, total: int) -> int | None:
        """Earliest instant whose running total is ``total``; None if past the table's end."""
        if total <= 0:
            return self.lo_us
        k = bisect_left(self.cum_after, total)
        if k == len(self.cum_after):
            return None
        return self.starts[k] + total - self.cum_before[k]

    def next_working(self, us: int) -> int | None:
        """``us`` if it is inside a working interval, else the start of the next one."""
        k = bisect_right(self.starts, us) - 1
        if k >= 0 and us < self.ends[k]:
            return us
        if k + 1 == len(self.starts):
            return None
        return self.starts[k + 1]


@dataclass(frozen=True)
class ServiceCalendar:
    """When a queue's SLA clock runs: local working hours per weekday, minus holidays.

    Args:
        hours: weekday (0 = Monday ... 6 = Sunday) → local (start, end) intervals; a weekday
            that is missing is not worked. Default Monday to Friday 09:00-17:00. An end of
            00:00 means midnight at the end of that day. Intervals may touch but not overlap.
        holidays: local dates that are not worked at all (bank holidays of the queue's
            division, passed in by the caller: this module does not know which they are).
        tz: the zone the hours are wall-clock times in.

    On a clock-change day a wall time that does not exist or occurs twice is read as zoneinfo
    reads it (``fold=0``); intervals are kept in order, so at worst an interval placed inside
    the missing hour shrinks. The default hours are never affected (changes happen at 01:00).

    The calendar caches its working-interval table on itself (it is built from the immutable
    fields only), so reuse one instance per queue rather than building one per ticket.
    """

    hours: Mapping[int, Sequence[Interval]] = field(
        default_factory=_default_hours, compare=False, hash=False
    )
    holidays: frozenset[date] = frozenset()
    tz: ZoneInfo = LONDON
    _week: tuple[tuple[Interval, ...], ...] = field(init=False, repr=False)
    _table: _Table | None = field(init=False, default=None, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        week: list[tuple[Interval, ...]] = [() for _ in range(7)]
        for key, intervals in self.hours.items():
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 6:
                raise ValueError(BAD_WEEKDAY.format(key=key))
            week[key] = self._validated_day(_DAY_NAMES[key], intervals)
        if not any(week):
            raise ValueError(NO_WORKING_HOURS)
        for day in self.holidays:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(HOLIDAY_NOT_A_DATE.format(value=day))
        frozen_hours = MappingProxyType({d: week[d] for d in range(7) if week[d]})
        object.__setattr__(self, "hours", frozen_hours)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_week", tuple(week))

    def __reduce__(self) -> tuple[type[ServiceCalendar], tuple[object, ...]]:
        # Pickle (Django's cache, Celery) the fields only: mappingproxy cannot be pickled and
        # the interval table is a cache that is cheaper to rebuild than to ship.
        return (ServiceCalendar, (dict(self.hours), self.holidays, self.tz))

    @staticmethod
    def _validated_day(day: str, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
        ordered = sorted(
            ((start, end) for start, end in intervals),
            key=lambda i: (i[0], _us_of_day(i[1], is_end=True)),
        )
        for start, end in ordered:
            for value in (start, end):
                if value.tzinfo is not None:
                    raise ValueError(AWARE_TIME.format(value=value))
            if _us_of_day(end, is_end=True) <= _us_of_day(start, is_end=False):
                raise ValueError(
                    END_NOT_AFTER_START.format(
                        day=day, start=start, end=_fmt_time(end, is_end=True)
                    )
                )
        for first, second in zip(ordered, ordered[1:], strict=False):
            if _us_of_day(second[0], is_end=False) < _us_of_day(first[1], is_end=True):
                raise ValueError(
                    OVERLAPPING_INTERVALS.format(
                        day=day, first=_fmt_interval(first), second=_fmt_interval(second)
                    )
                )
        return tuple(ordered)

    def describe(self) -> str:
        """One line for people, e.g. ``Mon–Fri 09:00–17:00 (Europe/London), 8 holidays``."""
        parts = []
        for intervals, run in groupby(range(7), key=lambda d: self._week[d]):
            days = list(run)
            if not intervals:
                continue
            names = _DAY_NAMES[days[0]]
            if len(days) > 1:
                names += f"–{_DAY_NAMES[days[-1]]}"
            parts.append(f"{names} {', '.join(_fmt_interval(i) for i in intervals)}")
        count = len(self.holidays)
        return f"{'; '.join(parts)} ({self.tz.key}), {count} holiday{'' if count == 1 else 's'}"

    # -- the working-interval table ------------------------------------------------------

    def _midnight_us(self, day: date) -> int:
        return (datetime.combine(day, time(0), tzinfo=self.tz) - _EPOCH) // _ONE_US

    def _local_date(self, us: int) -> date:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz).date()

    def _build(self, first: date, stop: date) -> _Table:
        starts: list[int] = []
        ends: list[int] = []
        cum_before: list[int] = []
        cum_after: list[int] = []
        lo_us = self._midnight_us(first)
        total = 0
        previous_end = lo_us
        day = first
        while day < stop:
            if day not in self.holidays:
                for start, end in self._week[day.weekday()]:
                    start_at = datetime.combine(day, start, tzinfo=self.tz)
                    if end == time(0):
                        end_at = datetime.combine(day + _ONE_DAY, end, tzinfo=self.tz)
                    else:
                        end_at = datetime.combine(day, end, tzinfo=self.tz)
                    # Clamping keeps intervals ordered when a wall time falls in a DST gap.
                    start_us = max((start_at - _EPOCH) // _ONE_US, previous_end)
                    end_us = max((end_at - _EPOCH) // _ONE_US, start_us)
                    previous_end = end_us
                    if end_us == start_us:
                        continue
                    starts.append(start_us)
                    ends.append(end_us)
                    cum_before.append(total)
                    total += end_us - start_us
                    cum_after.append(total)
            day += _ONE_DAY
        table = _Table(
            first=first,
            stop=stop,
            lo_us=lo_us,
            hi_us=self._midnight_us(stop),
            starts=tuple(starts),
            ends=tuple(ends),
            cum_before=tuple(cum_before),
            cum_after=tuple(cum_after),
        )
        # A cache on a frozen instance: it depends only on the immutable fields, and racing
        # builders just replace one complete table with another.
        object.__setattr__(self, "_table", table)
        return table

    def _covering(self, lo_us: int, hi_us: int) -> _Table:
        """The table, rebuilt wider if it does not cover the instants [lo_us, hi_us]."""
        table = self._table
        if table is not None and table.lo_us <= lo_us and hi_us < table.hi_us:
            return table
        first = self._local_date(lo_us)
        stop = self._local_date(hi_us) + _ONE_DAY
        if table is None:
            return self._build(first - _TABLE_MARGIN, stop + _TABLE_MARGIN)
        margin = max(_TABLE_MARGIN, table.stop - table.first)  # doubles: amortised O(1)
        if first < table.first:
            first -= margin
        if stop > table.stop:
            stop += margin
        return self._build(min(first, table.first), max(stop, table.stop))

    def _extended(self, table: _Table) -> _Table:
        """The table, with at least as many days again added at its end."""
        current = self._table if self._table is not None else table
        return self._build(
            current.first, current.stop + max(_TABLE_MARGIN, current.stop - current.first)
        )


# -- helpers ---------------------------------------------------------------------------------


def _us(value: datetime, name: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NAIVE_DATETIME.format(name=name, value=value))
    return (value - _EPOCH) // _ONE_US


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _check_target(target_seconds: int) -> int:
    if target_seconds < 0:
        raise ValueError(NEGATIVE_TARGET.format(target=target_seconds))
    return target_seconds * _US_PER_S


def _merged_pauses(
    pauses: Iterable[Pause], *, lo: int, hi: int | None, open_end: int | None
) -> list[tuple[int, int]]:
    """Pauses as sorted, disjoint µs spans clipped to [lo, hi]; open ones end at ``open_end``.

    Pauses come from event histories, where an "on hold" can be recorded twice or overlap a
    supplier hold, so overlaps are merged rather than subtracted twice.
    """
    spans: list[tuple[int, int]] = []
    for paused_from, paused_to in pauses:
        a = _us(paused_from, "pause start")
        if paused_to is None:
            if open_end is None:
                raise ValueError(OPEN_PAUSE_WITHOUT_END)
            b = max(a, open_end)
        else:
            b = _us(paused_to, "pause end")
            if b < a:
                raise ValueError(
                    PAUSE_ENDS_BEFORE_IT_STARTS.format(start=paused_from, end=paused_to)
                )
        a = max(a, lo)
        if hi is not None:
            b = min(b, hi)
        if b > a:
            spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _paused_us(table: _Table, spans: Iterable[tuple[int, int]]) -> int:
    return sum(table.cum(b) - table.cum(a) for a, b in spans)


def _used_us(calendar: ServiceCalendar, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    table = calendar._covering(start, end)
    return table.cum(end) - table.cum(start) - _paused_us(table, spans)


def _due_us(
    calendar: ServiceCalendar, start: int, target_us: int, spans: list[tuple[int, int]]
) -> int:
    table = calendar._covering(start, spans[-1][1] if spans else start)
    while True:
        position, left = start, target_us
        for a, b in spans:
            available = table.cum(a) - table.cum(position)
            if left <= available:
                break
            left -= available
            position = b
        reached = table.reach(table.cum(position) + left)
        if reached is not None:
            # max(): a zero target is met at once, even out of hours.
            return max(position, reached)
        table = calendar._extended(table)


def _share(used_seconds: int, target_seconds: int) -> float:
    if target_seconds == 0:
        return 0.0 if used_seconds == 0 else inf
    return used_seconds / target_seconds


# -- public calculators -------------------------------------------------------------------


def business_seconds(
    start: datetime,
    end: datetime,
    *,
    calendar: ServiceCalendar,
    pauses: Iterable[Pause] = (),
) -> int:
    """Business seconds in [start, end) on ``calendar``, less those spent paused.

    Pauses may overlap one another or reach outside [start, end); they are clipped and merged,
    and an open pause (``to=None``) counts as paused up to ``end``.

    Raises:
        ValueError: a datetime is naive, ``end`` is before ``start``, or a pause ends before it
            starts.
    """
    start_us, end_us = _us(start, "start"), _us(end, "end")
    if end_us < start_us:
        raise ValueError(
            END_BEFORE_START.format(end_name="end", end=end, start_name="start", start=start)
        )
    spans = _merged_pauses(pauses, lo=start_us, hi=end_us, open_end=end_us)
    return _used_us(calendar, start_us, end_us, spans) // _US_PER_S


def due_at(
    start: datetime,
    target_seconds: int,
    *,
    calendar: ServiceCalendar,
    pauses: Iterable[Pause] = (),
) -> datetime:
    """The earliest instant (UTC) at which the business time since ``start`` reaches the target.

    Out of hours the clock stands still, so a ticket logged on a Saturday with an 8-hour target
    is due at Monday 17:00; and a due instant can be the end of a working day (17:00) even
    though business time does not move again until the next morning. Time paused in the
    given pauses does not count, which moves the due instant later. A zero target is due at
    ``start`` itself.

    Pauses must have ended: the due instant of a ticket still on hold is unknown. Close the
    open pause at "now" (as :func:`clock` does) to get "due at ... if resumed now".

    Raises:
        ValueError: a naive datetime, a negative target, a pause that ends before it starts or
            that has not ended.
    """
    target_us = _check_target(target_seconds)
    start_us = _us(start, "start")
    spans = _merged_pauses(pauses, lo=start_us, hi=None, open_end=None)
    return _instant(_due_us(calendar, start_us, target_us, spans))


def share_used(
    start: datetime,
    now: datetime,
    target_seconds: int,
    *,
    calendar: ServiceCalendar,
    pauses: Iterable[Pause] = (),
) -> float:
    """Business seconds used by ``now`` as a share of the target: 0.0, 1.0 at the due instant,
    above 1.0 once breached.

    A zero target gives 0.0 until any business time is used, then infinity.
    """
    target_us = _check_target(target_seconds)
    used = business_seconds(start, now, calendar=calendar, pauses=pauses)
    return _share(used, target_us // _US_PER_S)


def next_working_instant(instant: datetime, *, calendar: ServiceCalendar) -> datetime:
    """``instant`` (in UTC) if the calendar is working then, else when work next starts.

    This is when the clock of a ticket logged at ``instant`` starts to run.
    """
    us = _us(instant, "instant")
    table = calendar._covering(us, us)
    while (found := table.next_working(us)) is None:
        table = calendar._extended(table)
    return _instant(found)


class SlaStatus(LabelledStrEnum):
    """Where a ticket stands against its SLA target; its ``label`` is the words for the page,
    where the status is never shown by colour alone."""

    WITHIN = "within", "Within target"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"


def _fmt_duration(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours}h {minutes:02d}m"
    return f"{text} {secs:02d}s" if secs else text


@dataclass(frozen=True)
class SlaClock:
    """A ticket's SLA clock as of ``now``, with the working behind it.

    ``used_seconds + remaining_seconds == target_seconds``; ``remaining_seconds`` is negative
    once breached. Breached means *more* business time used than the target, so a ticket
    resolved exactly at its due instant met its SLA (FR ICT 17 counts "≤ 8 h").
    """

    start: datetime
    now: datetime
    target_seconds: int
    calendar: ServiceCalendar = field(repr=False)
    clock_started_at: datetime
    """When business time started to run (the next working moment after ``start``)."""
    stopped_at: datetime | None
    """When the clock stopped (resolution), if at or before ``now``."""
    pauses: tuple[tuple[datetime, datetime], ...]
    """The pauses counted: merged, clipped to [start, now or stopped_at], open ones closed."""
    paused_seconds: int
    used_seconds: int
    remaining_seconds: int
    due_at: datetime
    """When the target is reached; while paused, the due instant if the ticket resumed now."""
    share_used: float
    status: SlaStatus
    paused: bool
    at_risk_share: float

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    def _local(self, value: datetime) -> str:
        local = value.astimezone(self.calendar.tz)
        pattern = (
            "%a %d %b %Y %H:%M:%S %Z"
            if local.second or local.microsecond
            else "%a %d %b %Y %H:%M %Z"
        )
        return local.strftime(pattern)

    def explain(self) -> list[str]:
        """The clock with its working, one line each, for the ticket page and the audit trail."""
        tz = self.calendar.tz
        lines = [f"Calendar: {self.calendar.describe()}", f"Logged: {self._local(self.start)}"]
        if self.clock_started_at != self.start:
            lines.append(
                f"Clock started: {self._local(self.clock_started_at)} (logged out of hours)"
            )
        last = max(self.due_at, self.stopped_at or self.now)
        first_day, last_day = self.start.astimezone(tz).date(), last.astimezone(tz).date()
        skipped = sorted(
            d
            for d in self.calendar.holidays
            if first_day <= d <= last_day and self.calendar._week[d.weekday()]
        )
        if skipped:
            lines.append(
                "Holidays skipped: " + ", ".join(d.strftime("%a %d %b %Y") for d in skipped)
            )
        for paused_from, paused_to in self.pauses:
            still = " (still on hold)" if self.paused and paused_to == self.now else ""
            lines.append(f"Paused: {self._local(paused_from)} to {self._local(paused_to)}{still}")
        if self.pauses:
            lines.append(f"Paused business time subtracted: {_fmt_duration(self.paused_seconds)}")
        lines.append(f"Target: {_fmt_duration(self.target_seconds)} business time")
        end_word = "stopped" if self.stopped_at is not None else "now"
        end_at = self._local(self.stopped_at or self.now)
        lines.append(
            f"Used: {_fmt_duration(self.used_seconds)} by {end_at} ({end_word}),"
            f" {self.share_used:.0%} of target"
        )
        if self.remaining_seconds >= 0:
            lines.append(f"Remaining: {_fmt_duration(self.remaining_seconds)}")
        else:
            lines.append(f"Over target by: {_fmt_duration(-self.remaining_seconds)}")
        due_note = " if resumed now (paused)" if self.paused else ""
        lines.append(f"Due: {self._local(self.due_at)}{due_note}")
        lines.append(f"Status: {self.status.label}")
        return lines


def clock(
    start: datetime,
    target_seconds: int,
    now: datetime,
    *,
    calendar: ServiceCalendar,
    pauses: Iterable[Pause] = (),
    stopped_at: datetime | None = None,
    at_risk_share: float = 0.75,
) -> SlaClock:
    """The SLA clock of a ticket logged at ``start``, as of ``now``.

    Only what was known at ``now`` counts, so snapshots can be recomputed for any past instant:
    a ``stopped_at`` after ``now`` is ignored (not stopped yet), pauses are clipped at ``now``
    and a pause open at ``now`` (``to=None`` or ending later) makes the clock ``paused``; its
    ``due_at`` is then the due instant if the ticket resumed at ``now``.

    Status: ``breached`` once used > target; ``at_risk`` once used ≥ ``at_risk_share`` of the
    target; otherwise ``within``.

    Raises:
        ValueError: a naive datetime, ``now`` or ``stopped_at`` before ``start``, a negative
            target, ``at_risk_share`` outside 0..1, or a pause that ends before it starts.
    """
    target_us = _check_target(target_seconds)
    if not 0 <= at_risk_share <= 1:
        raise ValueError(BAD_AT_RISK_SHARE.format(share=at_risk_share))
    start_us, now_us = _us(start, "start"), _us(now, "now")
    if now_us < start_us:
        raise ValueError(
            END_BEFORE_START.format(end_name="now", end=now, start_name="start", start=start)
        )
    end_us = now_us
    stopped: datetime | None = None
    if stopped_at is not None:
        stopped_us = _us(stopped_at, "stopped_at")
        if stopped_us < start_us:
            raise ValueError(
                END_BEFORE_START.format(
                    end_name="stopped_at", end=stopped_at, start_name="start", start=start
                )
            )
        if stopped_us <= now_us:
            end_us, stopped = stopped_us, _instant(stopped_us)
    pause_list = list(pauses)
    spans = _merged_pauses(pause_list, lo=start_us, hi=end_us, open_end=end_us)
    paused = stopped is None and any(
        _us(paused_from, "pause start") <= now_us
        and (paused_to is None or _us(paused_to, "pause end") > now_us)
        for paused_from, paused_to in pause_list
    )
    table = calendar._covering(start_us, end_us)
    paused_us = _paused_us(table, spans)
    used = (table.cum(end_us) - table.cum(start_us) - paused_us) // _US_PER_S
    target = target_us // _US_PER_S
    share = _share(used, target)
    if used > target:
        status = SlaStatus.BREACHED
    elif share >= at_risk_share:
        status = SlaStatus.AT_RISK
    else:
        status = SlaStatus.WITHIN
    return SlaClock(
        start=_instant(start_us),
        now=_instant(now_us),
        target_seconds=target,
        calendar=calendar,
        clock_started_at=next_working_instant(start, calendar=calendar),
        stopped_at=stopped,
        pauses=tuple((_instant(a), _instant(b)) for a, b in spans),
        paused_seconds=paused_us // _US_PER_S,
        used_seconds=used,
        remaining_seconds=target - used,
        due_at=_instant(_due_us(calendar, start_us, target_us, spans)),
        share_used=share,
        status=status,
        paused=paused,
        at_risk_share=at_risk_share,
    )
