"""HTML pieces of the table cells that the apps' tables share.

A cell may carry a folded second line, the ``hp-cell-note`` (a ticket's kind under its
reference, a case's service under its directorate); ``hackperf.exports`` looks for that class
to give the note its own words in the CSV, so every table writes it one way: here. Dates show
as "12 Mar 2026" inside a ``<time>`` that carries the ISO value.
"""

from datetime import date

from django.utils.html import format_html
from django.utils.safestring import SafeString


def with_note(first: object, note: object) -> SafeString:
    """``first``, then ``note`` as the cell's folded second line (each escaped unless safe)."""
    return format_html('{}<span class="hp-cell-note">{}</span>', first, note)


def day_text(value: date) -> str:
    """ "12 Mar 2026": the day as the tables show it."""
    return f"{value.day} {value:%b %Y}"


def time_element(value: date, content: object) -> SafeString:
    """``content`` in a ``<time>`` whose ``datetime`` is ``value`` in ISO 8601."""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), content)
