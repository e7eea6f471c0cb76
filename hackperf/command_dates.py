"""Dates given to management commands, checked the same way by every command.

A command's date must parse and lie within ``hackperf.dates``' bounds; when it does not, the
command stops with a ``CommandError`` naming the option, so a script's log says which
argument was wrong. Each command words the "not a date" message its own way (its tests and
users read it), so that text is the caller's; the out-of-range reason is ``hackperf.dates``'.
"""

from datetime import date

from django.core.management.base import CommandError

from hackperf.dates import DateInputError, check_in_range


def in_range(day: date, *, option: str, shown: str, end: str = "") -> date:
    """``day`` when ``hackperf.dates`` keeps it, else ``CommandError("<option>: <why><end>")``."""
    try:
        return check_in_range(day, shown=shown)
    except DateInputError as error:
        raise CommandError(f"{option}: {error}{end}") from None


def command_date(option: str, text: str, *, not_a_date: str, end: str = "") -> date:
    """``text`` (YYYY-MM-DD) as a date in range; ``not_a_date`` is formatted with ``option``
    and ``value`` when ``text`` is no ISO date."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(not_a_date.format(option=option, value=text)) from None
    return in_range(day, option=option, shown=text, end=end)
