"""``{% table_rows table as rows %}`` (``{% load table_rows %}``): the body rows of a
django-tables2 table, for templates/django_tables2/govuk.html.

Why Python and not the template's two nested ``{% for %}`` loops: written as a template, each
cell asked django-tables2 for its column's attributes twice (``column.attrs`` builds the
column's whole attribute dictionary afresh on every call) and went through a dozen template
nodes. On the queue pages, which draw 150 to 250 cells on every request and on every htmx
refresh, that was a fifth to a quarter of their CPU time (issue 15's load test). Here each
column's ``<td>`` is written once per table and each cell is one string join; the markup is
the loops', tag for tag, less the white space between tags (tests/hackperf/test_table_rows.py
checks it against the loops themselves).
"""

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _class_attr(base: str, extra: object) -> str:
    """``class="base extra"``, the extra classes escaped, as the template wrote it."""
    return f'class="{base} {escape(extra)}"' if extra else f'class="{base}"'


def _cell(column, cell: object, context: Context) -> str:
    """A cell's value as ``{{ cell }}`` (or ``|localize``/``|unlocalize``) would write it."""
    if column.localize is not None:
        cell = str(formats.localize(cell, use_l10n=bool(column.localize)))
    return render_value_in_context(cell, context)


def _td(column) -> str:
    return f"<td {_class_attr('govuk-table__cell', column.attrs['td'].get('class'))}>"


def _per_record(column, table) -> bool:
    """Whether the column's cell attributes are callables of the record (django-tables2
    allows it; no table here uses it): those are worked out cell by cell, as before."""
    attrs = {**table.attrs, **column.column.attrs}
    return any(callable(value) for value in attrs.get("td", attrs.get("cell", {})).values())


@register.simple_tag(takes_context=True)
def table_rows(context: Context, table) -> SafeString:
    """Every ``<tr>`` of the table's current page ("" when there are none)."""
    opening = {
        column.name: None if _per_record(column, table) else _td(column) for column in table.columns
    }
    parts: list[str] = []
    for row in table.paginated_rows:
        parts.append(f"<tr {_class_attr('govuk-table__row', row.attrs.get('class'))}>")
        for column, cell in row.items():  # items() sets the column's current record
            parts.append(opening[column.name] or _td(column))
            parts.append(_cell(column, cell, context))
            parts.append("</td>")
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped above)
