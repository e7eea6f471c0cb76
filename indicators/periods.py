"""Month arithmetic for indicator periods (pure: dates in, dates out).

A period is a calendar month, named by its first day. The UK financial year runs from
1 April to 31 March and is written ``2016/17``.
"""

from datetime import date


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(period_start: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, when negative) ``period_start``."""
    index = period_start.year * 12 + period_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year(day: date) -> str:
    """The UK financial year holding ``day``, e.g. ``2016/17`` for 31 March 2017."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_year_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
