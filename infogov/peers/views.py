"""The IG Group's page to explore other authorities' published FOI figures."""

from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from hackperf.exports import TableCsvMixin
from hackperf.roles import Perm
from hackperf.views import PermissionRequired
from infogov.peers.filtersets import DEFAULT_YEAR, PeerStatisticFilterSet
from infogov.peers.models import PeerStatistic, Source
from infogov.peers.tables import PeerStatisticTable


class PeerStatisticListView(PermissionRequired, TableCsvMixin, SingleTableMixin, FilterView):
    """Every body's published figures for a year (2017 by default), sortable, filterable by
    type, region and source, with the trend of bodies that published several years. A fixed
    number of queries whatever the number of rows."""

    perm = Perm.VIEW_INFOGOV
    filterset_class = PeerStatisticFilterSet
    table_class = PeerStatisticTable
    template_name = "infogov/peerstatistic_list.html"
    table_pagination = {"per_page": 50}
    csv_filename = "peer-foi-statistics"

    def get_queryset(self):
        # Years only: the Cabinet Office's quarters stay out of a table of years.
        return PeerStatistic.objects.filter(quarter=0).select_related("body")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if "year" not in data:
            data["year"] = str(DEFAULT_YEAR)
        kwargs["data"] = data
        return kwargs

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        page = getattr(table, "page", None)  # none for the CSV, which is not paginated
        records = [row.record for row in page.object_list] if page else []
        table.trends = self.trends_of(records)
        # The CSV reads every row a chunk at a time: each chunk's trends, one query.
        table.prepare_chunk = lambda chunk: setattr(table, "trends", self.trends_of(chunk))
        return table

    def trends_of(self, records) -> dict[tuple[int, str], list[tuple[int, float | None]]]:
        """Each listed body's in-time share by year, for its trend (one query)."""
        trends: dict[tuple[int, str], list[tuple[int, float | None]]] = {}
        if records:
            rows = (
                PeerStatistic.objects.filter(quarter=0, body_id__in={r.body_id for r in records})
                .order_by("body_id", "source", "year")
                .values_list("body_id", "source", "year", "in_time_share")
            )
            for body_id, source, year, share in rows:
                trends.setdefault((body_id, source), []).append(
                    (year, None if share is None else float(share))
                )
        return trends

    def get_context_data(self, **kwargs):
        return super().get_context_data(sources=Source, **kwargs)
