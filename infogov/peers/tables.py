"""The peers table (django-tables2): one body's published figures for one year."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hackperf.charts import trend_svg
from infogov.peers.models import Source

SOURCE_SHORT = {
    Source.LOCALGOV_2017: "mySociety",
    Source.SCOTLAND: "Scottish Commissioner",
    Source.CENTRAL: "Cabinet Office",
}
NOT_SUPPLIED = mark_safe('—<span class="govuk-visually-hidden"> not supplied</span>')


class PeerStatisticTable(tables.Table):
    """Sortable by every column; the trend column needs ``trends`` set by the view (one
    query for the page's bodies, so the page's query count does not grow with its rows)."""

    body = tables.Column(verbose_name="Body", order_by=("body__name", "source", "pk"))
    body_type = tables.Column(
        verbose_name="Type", accessor="body__body_type", order_by=("body__body_type", "pk")
    )
    region = tables.Column(
        verbose_name="Region", accessor="body__region", order_by=("body__region", "pk")
    )
    year = tables.Column(verbose_name="Year", order_by=("year", "pk"), visible=False)
    requests = tables.Column(
        verbose_name="Requests", order_by=("requests", "pk"), attrs={"td": {"class": "hp-num"}}
    )
    in_time_share = tables.Column(
        verbose_name="% in time",
        order_by=("in_time_share", "pk"),
        attrs={"td": {"class": "hp-num"}},
        default=NOT_SUPPLIED,
    )
    internal_reviews = tables.Column(
        verbose_name="Reviews",
        order_by=("internal_reviews", "pk"),
        attrs={"td": {"class": "hp-num"}},
        default=NOT_SUPPLIED,
    )
    appeals = tables.Column(
        verbose_name="Appeals",
        order_by=("appeals", "pk"),
        attrs={"td": {"class": "hp-num"}},
        default=NOT_SUPPLIED,
    )
    trend = tables.Column(verbose_name="Trend", empty_values=(), orderable=False)
    source = tables.Column(verbose_name="Source", order_by=("source", "pk"))

    class Meta:
        fields = (
            "body",
            "body_type",
            "region",
            "year",
            "requests",
            "in_time_share",
            "internal_reviews",
            "appeals",
            "trend",
            "source",
        )
        order_by = ("body",)
        empty_text = "No published figures match these filters."

    trends: dict[tuple[int, str], list[tuple[int, float | None]]] = {}

    def _nulls_last(self, queryset, field, is_descending):
        order = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        return queryset.order_by(order, "pk"), True

    # "Not supplied" sorts last both ways (PostgreSQL puts NULL first when descending).
    def order_in_time_share(self, queryset, is_descending):
        return self._nulls_last(queryset, "in_time_share", is_descending)

    def order_internal_reviews(self, queryset, is_descending):
        return self._nulls_last(queryset, "internal_reviews", is_descending)

    def order_appeals(self, queryset, is_descending):
        return self._nulls_last(queryset, "appeals", is_descending)

    def render_body_type(self, record):
        return record.body.get_body_type_display()

    def render_source(self, record):
        return SOURCE_SHORT.get(record.source, record.source)

    def render_in_time_share(self, value):
        return f"{value:.1f}%"

    def trend_words(self, record) -> tuple[list[tuple[int, float | None]], str]:
        """The body's years and their first and last known share in words."""
        points = self.trends.get((record.body_id, record.source), [])
        known = [(year, share) for year, share in points if share is not None]
        if len(points) < 2 or not known:
            return points, "One year only"
        return points, f"{known[0][0]}: {known[0][1]:.0f}%, {known[-1][0]}: {known[-1][1]:.0f}%"

    def value_trend(self, record) -> str:
        # The CSV has the words of the sparkline, not its drawing.
        return self.trend_words(record)[1]

    def render_trend(self, record):
        points, words = self.trend_words(record)
        if words == "One year only":
            return words
        svg = trend_svg(
            [(str(y), s) for y, s in points], label=f"{record.body}, % in time: {words}"
        )
        return format_html('{}<br><span class="hp-peers-trend">{}</span>', svg, words)
