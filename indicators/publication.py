"""The council's FOI and EIR statistics as open data (s.45 Code of Practice; issue 16).

Published only for **approved quarters**: a calendar quarter whose three months each have an
approved value of both FR ICT 18a (timeliness) and FR ICT 18b (requests received). Approval
is the point at which the IG lead has signed the month's figures off, so a quarter is
published once, and only once, all of its months are. A year is published once its four
quarters are.

The figures are infogov's (``infogov.metrics.foi_publication_figures``, offered
through ``hackperf.registry``), in the Cabinet Office's columns; aggregate counts only, and a count
from 1 to ``min_cell - 1`` is suppressed (``SUPPRESSED``), with any percentage built on it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from hackperf import registry
from indicators.choices import Status, Unit
from indicators.models import PeriodValue

APPROVING_CODES = ("FR ICT 18a", "FR ICT 18b")
SUPPRESSED = "[c]"  # the GSS symbol for a figure withheld to protect confidentiality
LICENCE = (
    "Open Government Licence v3.0: "
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
PERCENT_MET = "Percentage of requests meeting 20-day deadline"
PERCENT_IN_TIME = (
    'Percentage of requests "in time" (i.e. meeting deadline or with permitted extension)'
)
BASE = "Total requests received (excluding on-hold and lapsed)"
FREQUENCIES = ("quarterly", "annual")


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"


def _months(quarter: Quarter) -> list[date]:
    return [date(quarter.year, 3 * quarter.quarter - 2 + i, 1) for i in range(3)]


def approved_quarters() -> tuple[list[Quarter], datetime | None]:
    """The quarters every month of which has approved FR ICT 18a and 18b values, oldest
    first, and when the latest of those approvals was made ("last updated"). One query."""
    rows = PeriodValue.objects.filter(
        indicator__code__in=APPROVING_CODES, status=Status.APPROVED
    ).values_list("indicator__code", "period_start", "approved_at")
    months: dict[date, set[str]] = {}
    approved_at: dict[date, datetime] = {}
    for code, month, at in rows:
        months.setdefault(month, set()).add(code)
        if at is not None:
            approved_at[month] = max(at, approved_at.get(month, at))
    complete = {m for m, codes in months.items() if codes >= set(APPROVING_CODES)}
    quarters = sorted(
        {Quarter(m.year, (m.month - 1) // 3 + 1) for m in complete},
        key=lambda q: (q.year, q.quarter),
    )
    quarters = [q for q in quarters if all(month in complete for month in _months(q))]
    stamps = [approved_at[m] for q in quarters for m in _months(q) if m in approved_at]
    return quarters, max(stamps) if stamps else None


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def suppress(figures: dict[str, int], *, min_cell: int) -> dict[str, object]:
    """Counts from 1 to min_cell - 1 become ``SUPPRESSED``; so does a percentage whose
    numerator or denominator is, since it would give the small count back."""
    small = {k for k, v in figures.items() if 0 < v < min_cell}
    out: dict[str, object] = {k: (SUPPRESSED if k in small else v) for k, v in figures.items()}
    met = "20-day deadline met"
    extension = "Permitted extension to 20-day deadline"
    if small & {met, BASE}:
        out[PERCENT_MET] = SUPPRESSED
    else:
        out[PERCENT_MET] = _percent(figures[met], figures[BASE])
    if small & {met, extension, BASE}:
        out[PERCENT_IN_TIME] = SUPPRESSED
    else:
        out[PERCENT_IN_TIME] = _percent(figures[met] + figures[extension], figures[BASE])
    return out


def publication_rows(frequency: str) -> tuple[list[dict[str, object]], datetime | None]:
    """One row per approved quarter (or complete year), in the Cabinet Office's columns,
    suppressed, with the licence and last-updated. One query per period, plus one."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    quarters, updated = approved_quarters()
    figures_of = registry.provider("infogov.foi_publication_figures")
    min_cell = getattr(settings, "INFOGOV_PUBLICATION_MIN_CELL", 5)
    body = getattr(settings, "INFOGOV_PUBLICATION_BODY", "London Borough of Hackney")
    periods: list[tuple[str, date, date]]
    if frequency == "quarterly":
        periods = [(q.label, q.start, q.end) for q in quarters]
    else:
        years: dict[int, int] = {}
        for q in quarters:
            years[q.year] = years.get(q.year, 0) + 1
        periods = [(str(y), date(y, 1, 1), date(y, 12, 31)) for y, n in years.items() if n == 4]
    rows = []
    for label, start, end in periods:
        figures = figures_of(start=start, end=end)
        rows.append(
            {
                "Quarter": label,
                "Public authority": body,
                **suppress(figures, min_cell=min_cell),
                "Licence": LICENCE,
                "Last updated": updated.date().isoformat() if updated else "",
            }
        )
    return rows, updated


# --- The FR ICT indicators a council chooses to publish ---------------------------------------

INDICATOR_COLUMNS = (
    "Indicator",
    "Title",
    "Month",
    "Value",
    "Unit",
    "Numerator",
    "Denominator",
    "Licence",
    "Last updated",
)


def _number(value: Decimal | None) -> str:
    """A stored value without its padding zeros: 75.0000 is "75", 82.5000 is "82.5"."""
    return "" if value is None else format(value.normalize(), "f")


def indicator_rows() -> tuple[list[dict[str, object]], datetime | None]:
    """Every approved value of every indicator marked public, oldest month first within each
    indicator. A count from 1 to min_cell - 1 is suppressed, and so is a value built on one
    (a percentage of 3 requests gives them back). One query."""
    min_cell = getattr(settings, "INFOGOV_PUBLICATION_MIN_CELL", 5)
    values = (
        PeriodValue.objects.filter(status=Status.APPROVED, indicator__is_public=True)
        .select_related("indicator")
        .order_by("indicator__display_order", "indicator__code", "period_start", "pk")
    )
    rows: list[dict[str, object]] = []
    updated: datetime | None = None
    for pv in values:
        indicator = pv.indicator

        def small(number: Decimal | None) -> bool:
            return number is not None and 0 < number < min_cell

        hide_parts = small(pv.numerator) or small(pv.denominator)
        hide_value = hide_parts or (indicator.unit == Unit.COUNT and small(pv.value))
        if pv.approved_at and (updated is None or pv.approved_at > updated):
            updated = pv.approved_at
        rows.append(
            {
                "Indicator": indicator.code,
                "Title": indicator.title,
                "Month": f"{pv.period_start:%Y-%m}",
                "Value": SUPPRESSED if hide_value else _number(pv.value),
                "Unit": indicator.get_unit_display(),
                "Numerator": SUPPRESSED if small(pv.numerator) else _number(pv.numerator),
                "Denominator": SUPPRESSED if small(pv.denominator) else _number(pv.denominator),
                "Licence": LICENCE,
            }
        )
    stamp = updated.date().isoformat() if updated else ""
    for row in rows:
        row["Last updated"] = stamp
    return rows, updated
