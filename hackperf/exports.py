"""Tables as CSV: the rows a page's filters select, every page of them, with the columns a
person reads on the page.

One way for every django-tables2 page (:class:`TableCsvMixin`), so a download can never
show what its page would not: the cells come from the page's own table, through its
``render``/``value`` methods, which already apply the page's rules (a SAR's subject through
``infogov.privacy``, requester names only in the IG officers' table). The rows come from
the table's own data, already filtered by the page's FilterSet and sorted as the page is,
read :data:`CSV_CHUNK` at a time so a long queue is never held in memory, and in a fixed
number of queries for any number of rows below a chunk.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django_tables2.rows import BoundRow

if TYPE_CHECKING:
    # What the mixins go on, for mypy (object at run time). django-tables2 has no types, so
    # the table view is Any to mypy.
    from django.views.generic import ListView
    from django_tables2 import SingleTableMixin as _TableView

    _ListView = ListView[Any]
else:
    _TableView = _ListView = object

CSV_CHUNK = 500

# What a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV
    injection): summaries, subjects and commentary are free text typed by people."""
    if isinstance(cell, str) and cell[:1] in _FORMULA_STARTS:
        return "'" + cell
    return cell


# Elements that have no end tag: they never open a stretch of hidden words.
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"})
_SPACE = re.compile(r"\s+")


class _CellText(HTMLParser):
    """The words of a cell's HTML, as a person reads them on the page.

    A real parser rather than a pattern, so an attribute holding ``>``, a hidden span with
    another span inside, a comment or an entity read as the browser reads them. Each tag
    parts words (``a<br>b`` is "a b"); what only screen readers hear
    (``govuk-visually-hidden``: "… open in Service desk" repeats the column's header) is
    dropped; a cell's second line (``hp-cell-note``: the ticket's kind under its reference)
    follows a dash, " — kind".
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._hidden = 0  # how deep inside a visually hidden element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._hidden or "govuk-visually-hidden" in classes:
            if tag not in _VOID:
                self._hidden += 1
            return
        self.words.append(" — " if "hp-cell-note" in classes else " ")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= tag not in _VOID
        else:
            self.words.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words.append(data)


def plain(cell: object) -> object:
    """A cell as text a spreadsheet shows: the words of its HTML without the tags, dates in
    ISO form (instants in UK time), numbers left as numbers."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Yes" if cell else "No"
    if isinstance(cell, int | float):
        return cell
    if isinstance(cell, datetime):
        if timezone.is_aware(cell):
            cell = timezone.localtime(cell)
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    parser = _CellText()
    parser.feed(str(cell))
    parser.close()
    return _SPACE.sub(" ", "".join(parser.words)).strip()


def table_rows(table) -> Iterator[list[object]]:
    """The header, then each row's cells, of every row of ``table``'s data in its order.

    Read a chunk at a time through the table's data (``table.data[a:b]``), so a queryset is
    sliced in SQL and a custom data class (the queue page's SLA ranking) keeps its order.
    ``table.prepare_chunk(records)``, when the table has it, is called with each chunk's
    records before its cells are read (the queue page's SLA clocks, a query a chunk).
    """
    # Hidden columns too (django-tables2's ``as_values`` rule): what the page folds into
    # another cell's second line (a case's kind, service and received date; the peers'
    # year) gets a column of its own to sort and filter by in a spreadsheet.
    columns = [
        column for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    yield [plain(column.header) for column in columns]
    prepare = getattr(table, "prepare_chunk", None)
    offset = 0
    while True:
        records = list(table.data[offset : offset + CSV_CHUNK])
        if prepare is not None:
            prepare(records)
        for record in records:
            row = BoundRow(record, table=table)
            yield [plain(row.get_cell_value(column.name)) for column in columns]
        if len(records) < CSV_CHUNK:
            return
        offset += CSV_CHUNK


def csv_response(rows: Iterable[list[object]], *, filename: str) -> StreamingHttpResponse:
    """``rows`` streamed as a CSV attachment, formula-safe, written a chunk at a time."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for n, row in enumerate(rows, start=1):
            writer.writerow([csv_safe(cell) for cell in row])
            if n % CSV_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_url(request) -> str:
    """The page's own query (its filters and sort, without the page number) asking for CSV."""
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return f"?{query.urlencode()}"


class TableCsvMixin(_TableView):
    """``?format=csv`` on a django-tables2 page answers with its table as CSV: every row
    its filters select, not the page shown. The page gets ``csv_url`` for its link
    (``includes/_csv_link.html``). Put it before the django-tables2/django-filter view in
    the bases, after the permission check.

    Set ``csv_filename`` (or override :meth:`get_csv_filename`).
    """

    csv_filename = "table"

    @property
    def wants_csv(self) -> bool:
        return self.request.GET.get("format") == "csv"

    def get_csv_filename(self) -> str:
        return self.csv_filename

    def get_table_pagination(self, table):
        if self.wants_csv:
            return False
        return super().get_table_pagination(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["csv_url"] = csv_url(self.request)
        return context

    def get(self, request, *args, **kwargs):
        if not self.wants_csv:
            return super().get(request, *args, **kwargs)
        # Only the table: none of the page's other context (its counts, charts, forms' choices)
        # is read for a download. The rows are the page's: its FilterSet, strict like
        # FilterView (an invalid filter selects nothing), or its queryset.
        if hasattr(self, "get_filterset_class"):
            self.filterset = self.get_filterset(self.get_filterset_class())
            valid = not self.filterset.is_bound or self.filterset.is_valid()
            if valid or not self.get_strict():
                self.object_list = self.filterset.qs
            else:
                self.object_list = self.filterset.queryset.none()
        else:
            self.object_list = self.get_queryset()
        table = self.get_table(**self.get_table_kwargs())
        return csv_response(table_rows(table), filename=self.get_csv_filename())


def queryset_rows(queryset, row) -> Iterator[list[object]]:
    """``row(obj)`` for each object of ``queryset``, read :data:`CSV_CHUNK` at a time (each
    chunk's prefetches one query each), in the queryset's order."""
    offset = 0
    while True:
        chunk = list(queryset[offset : offset + CSV_CHUNK])
        for obj in chunk:
            yield row(obj)
        if len(chunk) < CSV_CHUNK:
            return
        offset += CSV_CHUNK


class ListCsvMixin(_ListView):
    """``?format=csv`` on a hand-drawn table page (a ``ListView``): every object of its
    queryset, not the page shown, as ``csv_header`` and :meth:`csv_row` say, which follow
    the page's columns. The page gets ``csv_url`` for its link."""

    csv_filename = "table"
    csv_header: tuple[str, ...] = ()

    def csv_row(self, obj) -> list[object]:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["csv_url"] = csv_url(self.request)
        return context

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "csv":
            return super().get(request, *args, **kwargs)
        rows = queryset_rows(self.get_queryset(), lambda obj: [plain(c) for c in self.csv_row(obj)])
        return csv_response(with_header(self.csv_header, rows), filename=self.csv_filename)


def with_header(header: Iterable[object], rows: Iterable[list[object]]) -> Iterator[list[object]]:
    yield list(header)
    yield from rows
