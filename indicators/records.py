"""The records behind a figure, as the drill-downs show them: a sortable page of what the
viewer may open, and the same rows as CSV.

The records come shaped from the app that owns them (``hackperf.registry.Behind``), so
nothing here reads a ticket's or a case's columns. Shared by the DMT review's drill-down
and a monthly value's.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse

from hackperf import registry
from hackperf.exports import CSV_CHUNK, csv_response

DRILL_PAGE_SIZE = 50


class Row:
    """A record as the table draws it: its reference, link and cells, each cell with whether
    its column is numeric (right-aligned)."""

    def __init__(self, record: registry.Record, columns: tuple[registry.Column, ...]) -> None:
        self.reference, self.url, self.cells = record.reference, record.url, record.cells
        self.shown = [
            {"text": text, "numeric": column.numeric}
            for text, column in zip(record.cells, columns[1:], strict=True)
        ]


def _sortable(behind: registry.Behind, query) -> list[dict[str, object]]:
    """Each column's header: its label, the link that sorts by it (the other way round when
    it is the current sort), and its ``aria-sort``."""
    columns = []
    for column in behind.columns:
        if behind.sort == column.key:
            state, next_sort = "ascending", f"-{column.key}"
        elif behind.sort == f"-{column.key}":
            state, next_sort = "descending", column.key
        else:
            state, next_sort = "none", column.key
        link = query.copy()
        link["sort"] = next_sort
        columns.append(
            {
                "key": column.key,
                "label": column.label,
                "numeric": column.numeric,
                "aria_sort": state,
                "url": f"?{link.urlencode()}",
            }
        )
    return columns


def records_csv(behind: registry.Behind, *, filename: str) -> StreamingHttpResponse:
    """The rows the drill-down lists, every page, in its sort, with its columns: the records
    the viewer may open, shaped by their app, read a chunk at a time."""

    def rows() -> Iterator[list[object]]:
        yield [column.label for column in behind.columns]
        total = behind.visible.count()
        for offset in range(0, total, CSV_CHUNK):
            for record in behind.shape(behind.visible[offset : offset + CSV_CHUNK]):
                yield [record.reference, *record.cells]

    return csv_response(rows(), filename=filename)


if TYPE_CHECKING:
    from django.views.generic import TemplateView as _TemplateView  # what the mixin goes on
else:
    _TemplateView = object


class RecordsCsvMixin(_TemplateView):
    """``?format=csv`` answers with the records of the page's context as CSV."""

    def csv_filename(self, context) -> str:
        raise NotImplementedError

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") == "csv":
            return records_csv(context["behind"], filename=self.csv_filename(context))
        return super().render_to_response(context, **response_kwargs)


def records_page(behind: registry.Behind, *, request) -> dict[str, object]:
    """Context for ``includes/_records_table.html``: a page of the records behind a figure
    that the viewer may open, shaped by the app that owns them (``Metric.behind``: the
    cells that say why each counted; who may open what, and what of a SAR may be shown, are
    that app's rules), with how many were counted and how many of those they cannot open.

    Three queries, whatever the number of records: the count of all, the count of the
    visible, the page.
    """
    counted = behind.counted.count()
    # Sliceable (a QuerySet or a list) is all Paginator uses, though narrower than its type.
    page = Paginator(behind.visible, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type,var-annotated]
    hidden = counted - page.paginator.count
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return {
        "behind": behind,
        "csv_url": f"?{csv_query.urlencode()}",
        "page_obj": page,
        "noun": behind.noun,
        "plural": behind.plural,
        "columns": _sortable(behind, query),
        "rows": [Row(record, behind.columns) for record in behind.shape(page.object_list)],
        "page_query": query.urlencode(),
        "counted": counted,
        "hidden": hidden,
        "hidden_text": behind.hidden_text.format(n=hidden) if hidden else "",
    }
