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

A cell whose value is a model instance's own field or attribute is drawn by a quick cell
(``_quick_cell``), which does what django-tables2's ``BoundRow.get_cell`` does for it without
its general machinery: a third of what was left of the rows' time. Anything else (a path
through relations, a link, a record that is not a model) keeps django-tables2's own path.
tests/servicedesk/test_views.py (``QuickCellsTests``) draws the queue pages and the overview
both ways and compares them.
"""

from collections.abc import Callable

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import utils as tables2_utils
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import Accessor

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


CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


def _quick_cell(column, record) -> Callable | None:
    """For a column that shows a model instance's own field or attribute (the common case), a
    function ``(row) -> cell`` doing what django-tables2's ``BoundRow.get_cell`` does for it,
    without its general machinery (an ``Accessor`` built and walked twice per cell, the
    model's field looked up per cell, every render argument gathered per cell). None for
    anything else (a path through relations, a link, a callable attribute, a record that is
    not a model instance), which keeps django-tables2's own path."""
    name = str(column.accessor)
    if (
        not isinstance(record, models.Model)
        or column.link
        or isinstance(column.column, BaseLinkColumn | ManyToManyColumn)
        or Accessor.SEPARATOR in name
        or Accessor.LEGACY_SEPARATOR in name
    ):
        return None
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    display = f"get_{name}_display"
    if field is not None and getattr(field, "choices", None) and hasattr(record, display):

        def value_of(row):
            return getattr(row.record, display)()
    else:
        if not hasattr(record, name) or callable(getattr(record, name)):
            return None

        def value_of(row):
            try:
                return getattr(row.record, name)
            except Exception:  # as django-tables2: a failed lookup shows the default
                return None

    render = column.render
    wanted, catch_all = tables2_utils.signature(render)  # hackperf.tables caches it
    if not catch_all and any(arg not in CELL_ARGUMENTS for arg in wanted):
        return None  # django-tables2 would not call it
    passed = CELL_ARGUMENTS if catch_all else tuple(arg for arg in CELL_ARGUMENTS if arg in wanted)
    empty, default, table, bare = (
        column.column.empty_values,
        column.default,
        column._table,
        column.column,
    )

    def cell(row):
        value = value_of(row)
        if value in empty:
            return default
        given = {
            "value": value,
            "record": row.record,
            "column": bare,
            "bound_column": column,
            "bound_row": row,
            "table": table,
        }
        return render(**{arg: given[arg] for arg in passed})

    return cell


@register.simple_tag(takes_context=True)
def table_rows(context: Context, table) -> SafeString:
    """Every ``<tr>`` of the table's current page ("" when there are none)."""
    columns = list(table.columns)  # the visible ones, in order: looked up once, not per row
    opening = {
        column.name: None if _per_record(column, table) else _td(column) for column in columns
    }
    quick: dict[str, Callable | None] | None = None
    parts: list[str] = []
    for row in table.paginated_rows:
        if quick is None:  # from the first record: the columns a quick cell can draw
            quick = {column.name: _quick_cell(column, row.record) for column in columns}
            kind = type(row.record)
        same_kind = type(row.record) is kind  # a quick cell knows only the first record's model
        parts.append(f"<tr {_class_attr('govuk-table__row', row.attrs.get('class'))}>")
        for column in columns:
            # What BoundRow.items() does for each column, less finding the column by its name
            # among all the table's columns again for every cell (BoundRow.get_cell).
            drawn = quick[column.name] if same_kind else None
            if drawn is not None:
                cell = drawn(row)
            else:
                cell = row._get_and_render_with(column, row._call_render, column.default)
            column.current_value, column.current_record = cell, row.record
            parts.append(opening[column.name] or _td(column))
            parts.append(_cell(column, cell, context))
            parts.append("</td>")
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped above)
