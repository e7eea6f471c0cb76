"""One name for one instant: ``{{ value|as_at }}``.

A snapshot taken at Monday 00:00 in London, a fortnight "ending 29 Nov" and a period whose last
day is Sunday 29 November are the same moment; pages used to call it "End of 29 Nov", "30 Nov"
and "30 Nov 00:00". Every page that names a snapshot instant or a period's end renders it
through this filter, so it always reads "as at the end of Sunday 29 November 2026" (or, for an
instant that is not a London midnight, "as at 14:30 on Monday 30 November 2026").
"""

from datetime import date, datetime, time, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

DAY_FORMAT = "l j F Y"  # Sunday 29 November 2026
TIME_FORMAT = "H:i"
# The last microsecond of a day (infogov's "end of the day" instants) is read as its end too.
LAST_MICROSECOND = time(23, 59, 59, 999999)


def as_at_text(value: date | datetime | None) -> str:
    """``value`` as "as at the end of <day>" or "as at HH:MM on <day>" (London time).

    A date is the end of that day (a period's last day). An aware datetime at a London
    midnight is the end of the day before, whether the clocks say GMT or BST that night. A
    naive datetime is taken as London wall time (Django's ``TIME_ZONE``).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if local.time() == time.min:
            return f"as at the end of {date_format(local.date() - timedelta(days=1), DAY_FORMAT)}"
        if local.time() == LAST_MICROSECOND:
            return f"as at the end of {date_format(local.date(), DAY_FORMAT)}"
        return f"as at {date_format(local, TIME_FORMAT)} on {date_format(local.date(), DAY_FORMAT)}"
    if isinstance(value, date):
        return f"as at the end of {date_format(value, DAY_FORMAT)}"
    return str(value)


@register.filter(name="as_at", expects_localtime=False)
def as_at(value: date | datetime | None) -> str:
    """The template filter: ``{{ snapshot.instant|as_at }}``; ``|capfirst`` to start a sentence."""
    return as_at_text(value)
