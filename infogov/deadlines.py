"""Statutory due dates of FOI, EIR and subject access requests, with their working.

A pure calculator (DESIGN.md, "Statutory deadlines"; STYLE.md §1 and §4): no ORM, no clock,
no settings reads. The case's dates, the :class:`DeadlineSettings` and the
:class:`~hackperf.workdays.HolidayCalendar` are passed in, so a due date can be recomputed
when the bank holidays change (the 2022 state funeral was announced at nine days' notice) and
any past date can be checked.

The rules, and where they come from:

- FOI, FOIA 2000 s.10(1): "promptly and in any event not later than the twentieth working day
  following the date of receipt". s.10(6): a working day is any day other than a Saturday, a
  Sunday, Christmas Day, Good Friday or a bank holiday under the Banking and Financial Dealings
  Act 1971 *in any part of the United Kingdom*. Day 1 is the first working day after receipt,
  also when receipt falls on a non-working day (the ICO's reading); the s.45 Code of Practice
  reading, which first moves receipt to the next working day, is a setting.
  s.1(3): a request that needs clarifying is received when the clarification arrives, so the
  count restarts. s.10(2): the working days from the day the fees notice is given to the day
  the fee is received, inclusive, are disregarded. s.10(3): a public-interest extension of a
  "reasonable" time, which the ICO says should normally be no more than 20 further working days.
- EIR 2004 reg 5(2): 20 working days after receipt; reg 2(1) gives "working day" the meaning of
  FOIA s.10(6), so the count is the same. reg 7(1): up to 40 working days for complexity and
  volume. reg 9(4): clarification restarts the count.
- SAR under UK GDPR Art 12(3), for requests received on or after 25 May 2018 (ICO method):
  one month from the day the clock starts, i.e. the corresponding date in the next month or
  that month's last day where there is none, then the next working day if that is a weekend or
  an England and Wales bank holiday. The clock starts on receipt, or on receipt of the ID or fee
  that was needed. Extension: by two further months, so three months from the start.
  Art 12A (Data (Use and Access) Act 2025): the clock stops while the controller waits for
  clarification; the paused calendar days, inclusive, are added before the roll to a working
  day.
- SAR under DPA 1998 s.7(8) and s.7(10), for requests received before 25 May 2018: 40 days
  beginning with the relevant day (the latest of receipt, fee and the information of s.7(3)).
"""

import calendar as calendar_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache, partial
from operator import attrgetter
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    NamedTuple,
    Never,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    overload,
)

from hackperf.workdays import (
    ALL_DIVISIONS,
    SATURDAY,
    Division,
    Holiday,
    HolidayCalendar,
    add_working_days_excluding,
    format_date,
    good_friday,
    holidays_skipped,
    is_working_day,
    next_working_day,
    non_working_reason,
    roll_forward,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "GDPR_COMMENCEMENT",
    "CaseClockStops",
    "CaseKind",
    "ClockEvent",
    "ClockStops",
    "Deadline",
    "DeadlineInputError",
    "DeadlineSettings",
    "SarClockStops",
    "WorkingDayClockStops",
    "corresponding_date",
    "compute_deadline",
    "eir_deadline",
    "foi_deadline",
    "foia_calendar",
    "sar_deadline",
]

ONE_DAY = timedelta(days=1)
T = TypeVar("T")

# UK GDPR (then EU GDPR with DPA 2018) applies to requests received from this day; DPA 2018
# Sch 20 para 2 keeps earlier requests under DPA 1998.
GDPR_COMMENCEMENT = date(2018, 5, 25)

FOI_WORKING_DAYS = 20  # FOIA s.10(1); EIR reg 5(2)
ICO_EXTENSION_WORKING_DAYS = 20  # ICO: a s.10(3) extension should normally be at most 20 days
EIR_EXTENSION_WORKING_DAYS = 20  # EIR reg 7(1): 40 working days in all
FOI_FEE_PAYMENT_MONTHS = 3  # FOIA s.9(2): the fee must be paid within three months

REGIME_FOIA = "FOIA s.10"
REGIME_EIR = "EIR reg 5(2)"
REGIME_UK_GDPR = "UK GDPR Art 12(3)"
REGIME_DPA_1998 = "DPA 1998 s.7(8)"

UNIT_WORKING_DAYS = "working days"
UNIT_CALENDAR_DAYS = "calendar days"

# Error texts (STYLE.md §4: module constants that tests reuse).
ERR_KIND = "kind must be one of foi, eir, sar; got {value!r}"
ERR_BEFORE = "{name} ({value}) is before {other} ({other_value})"
ERR_WITHOUT = "{name} ({value}) is given without {other}"
ERR_NOT_FOR_KIND = "{name} does not apply to {kind} requests"
ERR_EXTENSION_DAYS = "extensions must be whole positive numbers of working days, got {value!r}"
ERR_SAR_EXTENSIONS = (
    "extensions (working days) do not apply to SARs; pass extended=True "
    "(three months from the start, UK GDPR Art 12(3))"
)
ERR_DPA_1998_EXTENDED = (
    "extended does not apply to a SAR received before 25 May 2018: DPA 1998 s.7 had no extension"
)
ERR_RECEIPT_READING = "receipt_on_non_working_day must be 'ico' or 'code_s45', got {value!r}"
ERR_DPA_1998_OFFSET = "dpa1998_offset_days must be 39 or 40, got {value!r}"

# Flags (human text; callers test membership with these constants).
FLAG_EXTENSION_BEYOND_20 = (
    "extension beyond 20 working days: the ICO expects a public-interest extension "
    "to be no more than 20 further working days"
)
FLAG_SECOND_EXTENSION = "more than one extension: the ICO expects at most one"
FLAG_EIR_BEYOND_40 = "extension beyond 40 working days in all: EIR reg 7(1) allows no more"
FLAG_AWAITING_CLARIFICATION = (
    "awaiting clarification: the clock is stopped; the due date shown assumes none was needed"
)
FLAG_AWAITING_FEE = (
    "awaiting the fee: the clock is stopped; the due date shown assumes it was paid at once"
)
FLAG_AWAITING_ID = (
    "awaiting proof of identity: the clock has not started; the due date shown counts from receipt"
)
FLAG_FEE_PAID_LATE = (
    "fee paid more than three months after the fees notice: FOIA s.9(2) no longer obliges "
    "the authority to comply"
)
FLAG_UNCOVERED = "no bank-holiday data for {division} {year}: its holidays are not counted"

AWAITING_CLARIFICATION = "clarification"
AWAITING_FEE = "fee"
AWAITING_ID = "id"


class DeadlineInputError(ValueError):
    """A case date or setting that cannot be right; the message names the argument."""


class CaseKind(StrEnum):
    FOI = "foi"
    EIR = "eir"
    SAR = "sar"


ReceiptReading = Literal["ico", "code_s45"]


@dataclass(frozen=True)
class DeadlineSettings:
    """The readings of the law a council may choose between.

    Attributes:
        receipt_on_non_working_day: ``"ico"`` (default): day 1 is the first working day after
            receipt, even when receipt is on a non-working day. ``"code_s45"``: the s.45 Code of
            Practice reading; receipt on a non-working day moves to the next working day, and
            day 1 is the working day after that.
        dpa1998_offset_days: 39 (default) reads "40 days beginning with the relevant day" as
            relevant day + 39; 40 is the cautious reading some councils used.
        eir_counts_all_uk_holidays: True (default) because EIR reg 2(1) borrows FOIA s.10(6)'s
            working day; False counts England and Wales holidays only.
    """

    receipt_on_non_working_day: ReceiptReading = "ico"
    dpa1998_offset_days: int = 39
    eir_counts_all_uk_holidays: bool = True

    def __post_init__(self) -> None:
        if self.receipt_on_non_working_day not in ("ico", "code_s45"):
            raise DeadlineInputError(
                ERR_RECEIPT_READING.format(value=self.receipt_on_non_working_day)
            )
        if self.dpa1998_offset_days not in (39, 40):
            raise DeadlineInputError(ERR_DPA_1998_OFFSET.format(value=self.dpa1998_offset_days))


DEFAULT_SETTINGS = DeadlineSettings()


@dataclass(frozen=True)
class ClockEvent:
    """One event that moved the clock: receipt reading, clarification, fee, ID, extension."""

    kind: str
    start: date
    end: date | None
    effect: str

    def __str__(self) -> str:
        when = format_date(self.start)
        if self.end is not None and self.end != self.start:
            when = f"{when} to {format_date(self.end)}"
        return f"{self.kind} ({when}): {self.effect}"


# The working of a due date: its rule, the holidays skipped, the clock events applied, the flags.
Working = tuple[str, tuple[Holiday, ...], tuple[ClockEvent, ...], tuple[str, ...]]


class _Field(property, Generic[T]):
    """A read-only field of :class:`Deadline`: ``read`` gives its value (its slot, or the
    working built on first read).

    One typed property for every field, where a property each said the same thing thirteen
    times. A ``property`` still, so a read costs what a property's does, and assigning a
    field raises ``AttributeError`` as a property without a setter does.
    """

    if TYPE_CHECKING:  # how a read is typed; the reading is property's own

        def __init__(self, read: Callable[[Any], T]) -> None: ...

        @overload
        def __get__(self, instance: None, owner: type | None = None, /) -> Self: ...

        @overload
        def __get__(self, instance: object, owner: type | None = None, /) -> T: ...

        def __get__(self, instance: object | None, owner: type | None = None, /) -> T | Self: ...

        def __set__(self, instance: object, value: Never, /) -> None: ...  # read-only


# A deadline's fields, in the order its equality, hash and repr read them.
_FIELD_NAMES = (
    "kind received due regime rule start days_counted unit unrolled_due "
    "holidays_skipped clock_events_applied flags awaiting"
).split()
_read_fields = attrgetter(*_FIELD_NAMES)


class Deadline:
    """A statutory due date and its working, as the case page and ``--explain`` show it.

    ``start`` is the day the count runs from (not itself counted for FOI/EIR; counted as day
    one for DPA 1998). ``unrolled_due`` is the date before any roll to a working day (SARs);
    it equals ``due`` otherwise. ``awaiting`` names the clock stops still open
    (``"clarification"``, ``"fee"``, ``"id"``): while any is, ``due`` is provisional.

    The working (``rule``, ``holidays_skipped``, ``clock_events_applied``, ``flags``) is given
    when the deadline is made, or, for a case without clock events or extensions (see
    :func:`_plain_deadline`), built by the full path when first read: a run over every open
    case (when the bank holidays change) compares dates, and the text costs several times the
    date. Read-only (every field is a property without a setter, which is also quicker to
    make than a frozen dataclass); equal when every field, working included, is equal.
    """

    __slots__ = (
        "_kind",
        "_received",
        "_due",
        "_regime",
        "_start",
        "_days_counted",
        "_unit",
        "_unrolled_due",
        "_awaiting",
        "_working",
        "_worked_from",
    )

    def __init__(
        self,
        kind: CaseKind,
        received: date,
        due: date,
        regime: str,
        start: date,
        days_counted: int,
        unit: str,
        unrolled_due: date,
        *,
        rule: str = "",
        holidays_skipped: tuple[Holiday, ...] = (),
        clock_events_applied: tuple[ClockEvent, ...] = (),
        flags: tuple[str, ...] = (),
        awaiting: tuple[str, ...] = (),
    ) -> None:
        self._kind = kind
        self._received = received
        self._due = due
        self._regime = regime
        self._start = start
        self._days_counted = days_counted
        self._unit = unit
        self._unrolled_due = unrolled_due
        self._awaiting = awaiting
        self._working: Working | None = (rule, holidays_skipped, clock_events_applied, flags)
        self._worked_from: tuple[HolidayCalendar, DeadlineSettings] | None = None

    kind: _Field[CaseKind] = _Field(attrgetter("_kind"))
    received: _Field[date] = _Field(attrgetter("_received"))
    due: _Field[date] = _Field(attrgetter("_due"))
    regime: _Field[str] = _Field(attrgetter("_regime"))
    start: _Field[date] = _Field(attrgetter("_start"))
    days_counted: _Field[int] = _Field(attrgetter("_days_counted"))
    unit: _Field[str] = _Field(attrgetter("_unit"))
    unrolled_due: _Field[date] = _Field(attrgetter("_unrolled_due"))
    awaiting: _Field[tuple[str, ...]] = _Field(attrgetter("_awaiting"))
    # The working, built on first read for a short-path deadline.
    rule: _Field[str] = _Field(lambda self: self._worked()[0])
    holidays_skipped: _Field[tuple[Holiday, ...]] = _Field(lambda self: self._worked()[1])
    clock_events_applied: _Field[tuple[ClockEvent, ...]] = _Field(lambda self: self._worked()[2])
    flags: _Field[tuple[str, ...]] = _Field(lambda self: self._worked()[3])

    def _worked(self) -> Working:
        working = self._working
        if working is None:
            assert self._worked_from is not None  # one of the two is always set
            calendar, settings = self._worked_from
            working = self._working = _plain_working(self._kind, self._received, calendar, settings)
            self._worked_from = None
        return working

    def _fields(self) -> tuple[object, ...]:
        fields: tuple[object, ...] = _read_fields(self)
        return fields

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Deadline)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(_FIELD_NAMES, self._fields(), strict=True))
        return f"Deadline({shown})"

    @property
    def clock_stopped(self) -> bool:
        return bool(self.awaiting)

    def explain(self) -> list[str]:
        """Readable lines: due date, regime and rule, start, events, holidays, flags."""
        lines = [
            f"Due {format_date(self.due)} ({self.due.isoformat()}) under {self.regime}.",
            f"Rule: {self.rule}",
            f"Received {format_date(self.received)}; counted from {format_date(self.start)}: "
            f"{self.days_counted} {self.unit}.",
        ]
        if self.unrolled_due != self.due:
            lines.append(
                f"{format_date(self.unrolled_due)} is not a working day; "
                f"moved to {format_date(self.due)}."
            )
        for event in self.clock_events_applied:
            lines.append(f"Clock event: {event}")
        grouped: dict[tuple[date, str], list[str]] = {}
        for holiday in self.holidays_skipped:
            grouped.setdefault((holiday.date, holiday.label), []).append(holiday.division)
        for (day, label), divisions in grouped.items():
            lines.append(f"Holiday skipped: {format_date(day)} {label} [{', '.join(divisions)}]")
        if not grouped and self.unit == UNIT_WORKING_DAYS:
            lines.append("No holidays fell in the count.")
        for flag in self.flags:
            lines.append(f"Flag: {flag}")
        return lines


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def corresponding_date(d: date, months: int) -> date:
    """The corresponding date ``months`` later, or that month's last day where there is none.

    The ICO's method for UK GDPR Art 12(3): 31 Jan + 1 month is 28 (29) Feb; 30 Nov + 3 months
    is 28 (29) Feb. (Moving a month named by its first day is ``hackperf.windows.shift_month``.)
    """
    years, month0 = divmod(d.month - 1 + months, 12)
    year, month = d.year + years, month0 + 1
    if d.day <= 28:  # every month has the day: no need to ask how long it is
        return date(year, month, d.day)
    return date(year, month, min(d.day, calendar_module.monthrange(year, month)[1]))


@lru_cache(maxsize=128)
def foia_calendar(calendar: HolidayCalendar, first_year: int, last_year: int) -> HolidayCalendar:
    """``calendar`` plus Christmas Day and Good Friday wherever it lacks them.

    FOIA s.10(6) names both besides bank holidays because in England and Wales they are common
    law holidays, not bank holidays under the 1971 Act. The GOV.UK feed lists them anyway; this
    makes the count independent of that. They are added as England and Wales days, which is
    where the common law makes them holidays. A Christmas Day on a weekend is not added: the
    weekend is not counted anyway, and the feed's substitute day is what moves the count.

    Cached (the calendar is immutable and hashable): every FOI and EIR due date asks for it,
    and building a calendar re-indexes every holiday.
    """
    extra = []
    for year in range(first_year, last_year + 1):
        for day, title in (
            (date(year, 12, 25), "Christmas Day"),
            (good_friday(year), "Good Friday"),
        ):
            if day.weekday() < SATURDAY and not calendar.is_holiday(day, ALL_DIVISIONS):
                extra.append(Holiday(day, title, Division.ENGLAND_AND_WALES, "FOIA s.10(6)"))
    return calendar.with_holidays(extra)


class ClockStops(TypedDict, total=False):
    """What stops, restarts or extends a due date's clock, as the keyword arguments of the
    due-date functions (absent: none). Declared once for them all; a kind's own are added below.
    """

    clarification_requested: date | None
    clarified: date | None
    fee_notice: date | None
    fee_paid: date | None
    extended: bool


class WorkingDayClockStops(ClockStops, total=False):
    """FOI and EIR: also each extension's working days."""

    extensions: Sequence[int]


class SarClockStops(ClockStops, total=False):
    """A SAR: also the proof of identity asked for and received."""

    id_requested: date | None
    id_received: date | None


class CaseClockStops(WorkingDayClockStops, SarClockStops, total=False):
    """Every kind's: :func:`compute_deadline` refuses those that do not apply to the case."""


@dataclass(slots=True)
class _Stops:
    """A case's clock stops (:class:`CaseClockStops`), each absent one at its default (slots,
    not frozen: made for every full-path due date, and frozen would cost a setattr a field).
    """

    clarification_requested: date | None = None
    clarified: date | None = None
    fee_notice: date | None = None
    fee_paid: date | None = None
    id_requested: date | None = None
    id_received: date | None = None
    extended: bool = False
    extensions: Sequence[int] = ()


_NO_STOPS = _Stops()  # shared by every due date without stops: nothing ever changes a _Stops


class _Record:
    """What a count records as it goes: the clock events applied, its flags, and the clock
    stops still open (``awaiting``), which become the deadline's."""

    __slots__ = ("events", "flags", "awaiting")

    def __init__(self) -> None:
        self.events: list[ClockEvent] = []
        self.flags: list[str] = []
        self.awaiting: list[str] = []

    def wait(self, what: str, flag: str) -> None:
        """A clock stop still open: ``what`` is awaited, and ``flag`` says the date assumes not."""
        self.awaiting.append(what)
        self.flags.append(flag)


def _check_order(name: str, value: date | None, other: str, other_value: date | None) -> None:
    if value is not None and other_value is not None and value < other_value:
        raise DeadlineInputError(
            ERR_BEFORE.format(
                name=name,
                value=value.isoformat(),
                other=other,
                other_value=other_value.isoformat(),
            )
        )


def _check_pair(name: str, value: date | None, other: str, other_value: date | None) -> None:
    """``value`` (the later event of a pair) needs ``other_value`` and must not precede it."""
    if value is not None and other_value is None:
        raise DeadlineInputError(
            ERR_WITHOUT.format(name=name, value=value.isoformat(), other=other)
        )
    _check_order(name, value, other, other_value)


def _check_clarification(
    received: date, clarification_requested: date | None, clarified: date | None
) -> None:
    _check_order("clarification_requested", clarification_requested, "received", received)
    _check_pair("clarified", clarified, "clarification_requested", clarification_requested)


def _uncovered_flags(
    calendar: HolidayCalendar, start: date, end: date, divisions: tuple[Division, ...]
) -> list[str]:
    return [
        FLAG_UNCOVERED.format(division=division.value, year=year)
        for division, year in calendar.uncovered_years(start, end, divisions)
    ]


# ---------------------------------------------------------------------------------------------
# FOI and EIR: working days under FOIA s.10(6)
# ---------------------------------------------------------------------------------------------


def _working_day_deadline(
    kind: CaseKind,
    received: date,
    calendar: HolidayCalendar,
    settings: DeadlineSettings,
    clock: _Stops,
) -> Deadline:
    """FOIA s.10 (FOI) or EIR reg 5(2) (EIR): the 20th working day following receipt.

    FOI: with s.1(3), s.10(2) and s.10(3). ``extended=True`` alone is one public-interest
    extension of 20 working days (day 40); ``extensions`` gives each extension's working days.
    More than 20 in all, or more than one extension, is computed as asked and flagged, since
    the ICO expects neither.

    EIR: counted as FOIA's; 40 when extended under reg 7(1). Charges (reg 8) are treated like
    FOIA s.10(2) fees: the days from the notice to payment, inclusive, are not counted
    (DESIGN.md: "the same count").
    """
    is_foi = kind is CaseKind.FOI
    if clock.id_requested is not None or clock.id_received is not None:
        name = "id_requested" if clock.id_requested is not None else "id_received"
        raise DeadlineInputError(ERR_NOT_FOR_KIND.format(name=name, kind=kind.value.upper()))
    clarification_requested, clarified = clock.clarification_requested, clock.clarified
    fee_notice, fee_paid = clock.fee_notice, clock.fee_paid
    _check_clarification(received, clarification_requested, clarified)
    _check_order("fee_notice", fee_notice, "received", received)
    _check_pair("fee_paid", fee_paid, "fee_notice", fee_notice)
    extensions = clock.extensions
    for days in extensions:
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise DeadlineInputError(ERR_EXTENSION_DAYS.format(value=days))
    if clock.extended and not extensions:
        extensions = (ICO_EXTENSION_WORKING_DAYS if is_foi else EIR_EXTENSION_WORKING_DAYS,)

    if is_foi or settings.eir_counts_all_uk_holidays:
        divisions = ALL_DIVISIONS  # FOIA s.10(6), and EIR reg 2(1) by reference
    else:
        divisions = (Division.ENGLAND_AND_WALES,)
    extension_total = sum(extensions)
    total = FOI_WORKING_DAYS + extension_total
    # Enough years for the count (about 250 working days a year) past the last input date.
    last_input = max(d for d in (received, clarified, fee_paid, fee_notice) if d is not None)
    cal = foia_calendar(calendar, received.year, last_input.year + 2 + total // 200)

    def working(d: date) -> bool:
        return is_working_day(d, calendar=cal, divisions=divisions)

    record = _Record()

    receipt = received
    if clarification_requested is not None and clarified is not None:
        receipt = clarified
        citation = "FOIA s.1(3)" if is_foi else "EIR reg 9(4)"
        record.events.append(
            ClockEvent(
                "clarification",
                clarification_requested,
                clarified,
                f"the request counts as received on {format_date(clarified)}, "
                f"so the count restarts from then ({citation})",
            )
        )
    elif clarification_requested is not None:
        record.wait(AWAITING_CLARIFICATION, FLAG_AWAITING_CLARIFICATION)

    start = receipt
    if not working(receipt):
        reason = non_working_reason(receipt, calendar=cal, divisions=divisions)
        if settings.receipt_on_non_working_day == "code_s45":
            start = roll_forward(receipt, calendar=cal, divisions=divisions)
            day_one = next_working_day(start, calendar=cal, divisions=divisions)
            effect = (
                f"received on a non-working day ({reason}); treated as received on "
                f"{format_date(start)} (s.45 Code of Practice reading), so day 1 is "
                f"{format_date(day_one)}"
            )
        else:
            day_one = next_working_day(receipt, calendar=cal, divisions=divisions)
            effect = (
                f"received on a non-working day ({reason}); day 1 is the first working day "
                f"after it, {format_date(day_one)} (ICO reading)"
            )
        record.events.append(ClockEvent("receipt", receipt, None, effect))

    excluded = (date.max, date.min)  # none
    if fee_notice is not None and fee_paid is not None:
        excluded = (fee_notice, fee_paid)
        if is_foi and fee_paid > corresponding_date(fee_notice, FOI_FEE_PAYMENT_MONTHS):
            record.flags.append(FLAG_FEE_PAID_LATE)
    elif fee_notice is not None:
        record.wait(AWAITING_FEE, FLAG_AWAITING_FEE)

    # Count working days after ``start``, disregarding those from the fees notice to the
    # payment inclusive (FOIA s.10(2)): two look-ups in the calendar's working-day index.
    due, fee_days = add_working_days_excluding(
        start, total, excluded=excluded, calendar=cal, divisions=divisions
    )

    if fee_notice is not None and fee_paid is not None:
        citation = "FOIA s.10(2)" if is_foi else "EIR reg 8, counted as FOIA s.10(2)"
        record.events.append(
            ClockEvent(
                "fee",
                fee_notice,
                fee_paid,
                f"{fee_days} working day{'s' if fee_days != 1 else ''} from the fees notice "
                f"to payment, inclusive, not counted ({citation})",
            )
        )
    if extensions:
        for number, days in enumerate(extensions, start=1):
            why = (
                "public-interest extension (FOIA s.10(3))" if is_foi else "extended (EIR reg 7(1))"
            )
            label = "extension" if len(extensions) == 1 else f"extension {number}"
            record.events.append(
                ClockEvent(label, start, None, f"{why}: {days} further working days")
            )
        if len(extensions) > 1:
            record.flags.append(FLAG_SECOND_EXTENSION)
        if is_foi and extension_total > ICO_EXTENSION_WORKING_DAYS:
            record.flags.append(FLAG_EXTENSION_BEYOND_20)
        if not is_foi and extension_total > EIR_EXTENSION_WORKING_DAYS:
            record.flags.append(FLAG_EIR_BEYOND_40)

    record.flags.extend(_uncovered_flags(calendar, receipt, due, divisions))
    where = "any part of the UK" if len(divisions) > 1 else "England and Wales"
    if is_foi:
        rule = (
            f"The {_ordinal(total)} working day following receipt (FOIA s.10(1)"
            f"{', s.10(3)' if extensions else ''}); working days exclude weekends, Christmas Day, "
            f"Good Friday and bank holidays in {where} (s.10(6))."
        )
    else:
        rule = (
            f"The {_ordinal(total)} working day following receipt (EIR reg 5(2)"
            f"{', reg 7(1)' if extensions else ''}); working days as FOIA s.10(6), "
            f"with bank holidays in {where} (reg 2(1))."
        )
    return Deadline(
        kind=kind,
        received=received,
        due=due,
        regime=REGIME_FOIA if is_foi else REGIME_EIR,
        rule=rule,
        start=start,
        days_counted=total,
        unit=UNIT_WORKING_DAYS,
        unrolled_due=due,
        holidays_skipped=holidays_skipped(receipt, due, calendar=cal, divisions=divisions),
        clock_events_applied=tuple(record.events),
        flags=tuple(record.flags),
        awaiting=tuple(record.awaiting),
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------
# SAR: UK GDPR Art 12(3) from 25 May 2018, DPA 1998 s.7 before
# ---------------------------------------------------------------------------------------------


def _sar_deadline(
    received: date, calendar: HolidayCalendar, settings: DeadlineSettings, clock: _Stops
) -> Deadline:
    """A subject access request's due date; the regime is chosen by the date received.

    Received before 25 May 2018: DPA 1998 (:func:`_dpa1998_count`); from then: UK GDPR
    (:func:`_uk_gdpr_count`).
    """
    if clock.extensions:
        raise DeadlineInputError(ERR_SAR_EXTENSIONS)
    fee_notice, fee_paid = clock.fee_notice, clock.fee_paid
    id_requested, id_received = clock.id_requested, clock.id_received
    _check_clarification(received, clock.clarification_requested, clock.clarified)
    _check_order("fee_notice", fee_notice, "received", received)
    _check_order("fee_paid", fee_paid, "fee_notice", fee_notice)
    _check_order("fee_paid", fee_paid, "received", received)
    _check_order("id_requested", id_requested, "received", received)
    _check_order("id_received", id_received, "id_requested", id_requested)
    _check_order("id_received", id_received, "received", received)

    record = _Record()
    start = received
    # The clock starts when the controller has what it needed: ID (UK GDPR Art 12(6), DPA 1998
    # s.7(3)) and any fee (Art 12(5), DPA 1998 s.7(2)(b)).
    for kind, got, asked, missing in (
        ("id", id_received, id_requested, AWAITING_ID),
        ("fee", fee_paid, fee_notice, AWAITING_FEE),
    ):
        if got is not None:
            if got > start:
                start = got
            record.events.append(
                ClockEvent(
                    kind,
                    asked or got,
                    got,
                    f"{'proof of identity' if kind == 'id' else 'fee'} received on "
                    f"{format_date(got)}; the clock starts on the latest of receipt, ID and fee",
                )
            )
        elif asked is not None:
            record.wait(missing, FLAG_AWAITING_ID if kind == "id" else FLAG_AWAITING_FEE)

    # The clarification (its events, flags and what is awaited) is counted by each regime.
    if received < GDPR_COMMENCEMENT:
        if clock.extended:
            raise DeadlineInputError(ERR_DPA_1998_EXTENDED)
        count = _dpa1998_count(start, settings, clock, record)
    else:
        count = _uk_gdpr_count(start, calendar, clock, record)
    return Deadline(
        CaseKind.SAR,
        received,
        count.due,
        count.regime,
        count.start,
        count.days_counted,
        UNIT_CALENDAR_DAYS,
        count.unrolled_due,
        rule=count.rule,
        holidays_skipped=count.holidays_skipped,
        clock_events_applied=tuple(record.events),
        flags=tuple(record.flags),
        awaiting=tuple(record.awaiting),
    )


class _SarCount(NamedTuple):
    """A SAR regime's count: what :func:`_sar_deadline` makes its :class:`Deadline` of."""

    regime: str
    rule: str
    start: date
    due: date
    days_counted: int
    unrolled_due: date
    holidays_skipped: tuple[Holiday, ...] = ()


def _uk_gdpr_count(
    start: date, calendar: HolidayCalendar, clock: _Stops, record: _Record
) -> _SarCount:
    """UK GDPR Art 12(3), by the ICO's method.

    One month (three when extended) to the corresponding date, clamped to the month's end; plus
    the paused days of any clarification (Art 12A, inclusive of both ends); then, only if that
    day is a Saturday, Sunday or England and Wales bank holiday, the next working day. Scottish
    and Northern Irish holidays do not move a SAR: the ICO's roll is to the next working day of
    the controller, which for this council is England and Wales.
    """
    clarification_requested, clarified = clock.clarification_requested, clock.clarified
    extended = clock.extended
    divisions = (Division.ENGLAND_AND_WALES,)
    months = 3 if extended else 1
    raw = corresponding_date(start, months)
    if extended:
        record.events.append(
            ClockEvent(
                "extension",
                start,
                raw,
                "extended by two further months (UK GDPR Art 12(3)): three months from the start",
            )
        )
    paused = 0
    if clarification_requested is not None and clarified is not None:
        paused = (clarified - clarification_requested).days + 1
        record.events.append(
            ClockEvent(
                "clarification",
                clarification_requested,
                clarified,
                f"clock stopped for {paused} day{'s' if paused != 1 else ''} (inclusive), added "
                f"before the roll to a working day (UK GDPR Art 12A)",
            )
        )
    elif clarification_requested is not None:
        record.wait(AWAITING_CLARIFICATION, FLAG_AWAITING_CLARIFICATION)
    unrolled = raw + timedelta(days=paused)
    due = roll_forward(unrolled, calendar=calendar, divisions=divisions)
    record.flags.extend(_uncovered_flags(calendar, unrolled, due, divisions))
    months_text = "three months" if extended else "one month"
    rule = (
        f"{months_text.capitalize()} from the start: the corresponding date "
        f"(the month's last day where there is none), plus any clarification pause, moved "
        f"to the next working day if a weekend or England and Wales bank holiday (ICO)."
    )
    holidays = holidays_skipped(
        unrolled - ONE_DAY, due - ONE_DAY, calendar=calendar, divisions=divisions
    )
    return _SarCount(REGIME_UK_GDPR, rule, start, due, (due - start).days, unrolled, holidays)


def _dpa1998_count(
    start: date, settings: DeadlineSettings, clock: _Stops, record: _Record
) -> _SarCount:
    """DPA 1998 s.7(8), (10): 40 days beginning with the relevant day; never rolled.

    The relevant day is the latest of receipt, the fee and the information the controller
    reasonably required under s.7(3), which covers both identity and what is needed to locate
    the data; so a clarification received later also sets it. The Act counts calendar days
    and says nothing of moving a deadline off a weekend or bank holiday, so none is moved.
    """
    clarification_requested, clarified = clock.clarification_requested, clock.clarified
    if clarification_requested is not None and clarified is not None:
        start = max(start, clarified)
        record.events.append(
            ClockEvent(
                "clarification",
                clarification_requested,
                clarified,
                "information to locate the data received; it is part of the relevant day "
                "(DPA 1998 s.7(3), (10))",
            )
        )
    elif clarification_requested is not None:
        record.wait(AWAITING_CLARIFICATION, FLAG_AWAITING_CLARIFICATION)
    offset = settings.dpa1998_offset_days
    due = start + timedelta(days=offset)
    rule = (
        f"40 days beginning with the relevant day (the latest of receipt, fee and the "
        f"information of s.7(3)), i.e. relevant day + {offset}; not moved off "
        f"weekends or bank holidays."
    )
    return _SarCount(REGIME_DPA_1998, rule, start, due, offset + 1, due)


# ---------------------------------------------------------------------------------------------
# One entry point for services and the ``deadline`` command
# ---------------------------------------------------------------------------------------------


def compute_deadline(
    kind: CaseKind | str,
    received: date,
    *,
    calendar: HolidayCalendar,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
    **stops: Unpack[CaseClockStops],
) -> Deadline:
    """The due date of a case of ``kind``; clock stops that do not apply to it are refused.

    A case without clock events or extensions (most of them) takes a short path that finds
    the date alone and leaves its working to be built, by the full path, when first read.
    """
    try:
        case_kind = _KINDS[kind]
    except (KeyError, TypeError):  # TypeError: a value that cannot be a kind at all
        raise DeadlineInputError(ERR_KIND.format(value=kind)) from None
    if not stops or not any(stops.values()):  # every stop absent, None, False or empty
        if stops:
            _Stops(**stops)  # refuses (TypeError) a keyword that names no clock stop
        plain = _plain_deadline(case_kind, received, calendar, settings)
        if plain is not None:
            return plain
    return _full_path(case_kind, received, calendar=calendar, settings=settings, **stops)


def _full_path(
    kind: CaseKind,
    received: date,
    *,
    calendar: HolidayCalendar,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
    **stops: Unpack[CaseClockStops],
) -> Deadline:
    """The due date and its working by every rule of ``kind``'s law: what the short path of
    :func:`compute_deadline` is checked against (``tests/infogov/test_deadlines_short_path.py``)."""
    clock = _Stops(**stops) if stops else _NO_STOPS
    if kind is CaseKind.SAR:
        return _sar_deadline(received, calendar, settings, clock)
    return _working_day_deadline(kind, received, calendar, settings, clock)


# The full path of one kind, with the keyword arguments of compute_deadline: FOIA s.10
# (foi_deadline), EIR reg 5(2) (eir_deadline) and a SAR by the law of the day it was received
# (sar_deadline); each refuses the clock stops of another kind, as compute_deadline does.
foi_deadline = partial(_full_path, CaseKind.FOI)
eir_deadline = partial(_full_path, CaseKind.EIR)
sar_deadline = partial(_full_path, CaseKind.SAR)


# ---------------------------------------------------------------------------------------------
# The short path: a case with no clock events and no extension
# ---------------------------------------------------------------------------------------------

_KINDS: dict[object, CaseKind] = {kind.value: kind for kind in CaseKind}
_ENGLAND_AND_WALES = (Division.ENGLAND_AND_WALES,)


def _plain_deadline(
    kind: CaseKind, received: date, calendar: HolidayCalendar, settings: DeadlineSettings
) -> Deadline | None:
    """The due date of a case with no clock events and no extension, as the full path finds
    it, with the working left to :func:`_plain_working` (None: take the full path).

    The same rules, read straight from the working-day index: day 1 is the first working day
    after receipt (or, under the s.45 Code reading, after the first working day on or after
    it), and the due date is the 20th (FOIA s.10(1), EIR reg 5(2)); a SAR is the
    corresponding date next month rolled to an England and Wales working day (UK GDPR
    Art 12(3)), or the relevant day + 39 (DPA 1998 s.7(10)).
    """
    if kind is _SAR:
        if received < GDPR_COMMENCEMENT:
            offset = settings.dpa1998_offset_days
            due = received + timedelta(days=offset)
            return _unexplained(Deadline(
                kind, received, due, REGIME_DPA_1998, received, offset + 1, UNIT_CALENDAR_DAYS,
                due,
            ), calendar, settings)  # fmt: skip
        unrolled = corresponding_date(received, 1)
        due = roll_forward(unrolled, calendar=calendar, divisions=_ENGLAND_AND_WALES)
        return _unexplained(Deadline(
            kind, received, due, REGIME_UK_GDPR, received, (due - received).days,
            UNIT_CALENDAR_DAYS, unrolled,
        ), calendar, settings)  # fmt: skip
    if kind is _FOI or settings.eir_counts_all_uk_holidays:
        divisions = ALL_DIVISIONS
    else:
        divisions = _ENGLAND_AND_WALES
    # The FOIA calendar of the full path (the same years, so the same cached calendar),
    # found by identity: hashing a calendar costs more than the rest of the count.
    key = (id(calendar), received.year)
    found = _FOIA_CALENDARS.get(key)
    if found is None or found[0] is not calendar:
        if len(_FOIA_CALENDARS) >= _FOIA_CALENDARS_KEPT:
            _FOIA_CALENDARS.clear()
        found = (calendar, foia_calendar(calendar, received.year, received.year + 2))
        _FOIA_CALENDARS[key] = found
    o = received.toordinal()
    index = found[1].working_day_index(divisions, o, o + 2 * FOI_WORKING_DAYS + 31)
    if not index.first <= o < index.last:
        return None
    start = o
    if settings.receipt_on_non_working_day == "code_s45":
        before = index.counts[o - index.first]
        if index.counts[o - index.first + 1] == before:  # not a working day: roll forward
            if before >= len(index.days):
                return None
            start = index.days[before]
    due_ordinal = index.nth_after(start, FOI_WORKING_DAYS)
    if due_ordinal is None:
        return None
    due = date.fromordinal(due_ordinal)
    return _unexplained(Deadline(
        kind, received, due, REGIME_FOIA if kind is _FOI else REGIME_EIR,
        received if start == o else date.fromordinal(start), FOI_WORKING_DAYS,
        UNIT_WORKING_DAYS, due,
    ), calendar, settings)  # fmt: skip


_FOI, _SAR = CaseKind.FOI, CaseKind.SAR  # module globals: quicker to read than Enum members
# (id(calendar), year received) -> (calendar, its FOIA calendar). The calendar is kept in the
# value, so its id cannot be reused while the entry lives; a few calendars are ever used.
_FOIA_CALENDARS: dict[tuple[int, int], tuple[HolidayCalendar, HolidayCalendar]] = {}
_FOIA_CALENDARS_KEPT = 256


def _unexplained(
    deadline: Deadline, calendar: HolidayCalendar, settings: DeadlineSettings
) -> Deadline:
    """``deadline``, a short-path date, with its working left for :func:`_plain_working` to
    build when first read."""
    deadline._working = None
    deadline._worked_from = (calendar, settings)
    return deadline


def _plain_working(
    kind: CaseKind, received: date, calendar: HolidayCalendar, settings: DeadlineSettings
) -> Working:
    """The working of a short-path due date, from the full path, so it reads word for word
    as it always has."""
    full = _full_path(kind, received, calendar=calendar, settings=settings)
    return (full.rule, full.holidays_skipped, full.clock_events_applied, full.flags)
