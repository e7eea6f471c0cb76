"""Helpers every chart goes through, so each one is accessible and self-contained.

A chart is never shown alone: it sits in a ``<figure>`` with a one-line summary and its data
as a table (``templates/includes/_chart.html``). Plotly's "send to cloud" link and logo are
always off, and plotly.js is served once from ``static/``, never from a CDN.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# What json_script escapes: the JSON can never close its <script> element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

PLOTLY_CONFIG: dict[str, object] = {
    "showSendToCloud": False,
    "displaylogo": False,
    "responsive": True,
    # No mode bar: its buttons would be focusable inside the chart, which is hidden from
    # assistive technology because the data table beside it is the accessible version.
    "displayModeBar": False,
}

# GOV.UK Frontend's palette, so charts match the page.
GOVUK_BLUE = "#1d70b8"
GOVUK_BLACK = "#0b0c0c"
GOVUK_FONT = '"Open Sans", Arial, sans-serif'


@dataclass(frozen=True)
class ChartData:
    """What a page shows for one chart: the figure, its summary, and its data as a table."""

    id: str
    title: str
    summary: str
    figure: go.Figure
    columns: Sequence[str]
    rows: Sequence[Sequence[object]] = field(default_factory=list)

    def html(self) -> SafeString:
        """The chart's ``<div>`` and its figure as JSON; ``static/js/hackperf.js`` draws it.

        Not plotly's ``to_html``, whose inline ``<script>`` the Content-Security-Policy
        refuses: a ``<script type="application/json">`` block is data the browser never runs,
        and the page's own script passes it to ``Plotly.newPlot``.
        """
        figure = json.loads(pio.to_json(self.figure, validate=False))
        spec = json.dumps(
            {"data": figure["data"], "layout": figure["layout"], "config": PLOTLY_CONFIG},
            separators=(", ", ": "),
        ).translate(_JSON_SCRIPT_ESCAPES)
        return format_html(
            '<div id="{}" class="hp-chart" data-hp-chart="{}-data"></div>'
            '<script type="application/json" id="{}-data">{}</script>',
            self.id,
            self.id,
            self.id,
            mark_safe(spec),  # escaped above, as django.utils.html.json_script does
        )


def base_layout(figure: go.Figure, *, title: str) -> go.Figure:
    """Apply the house layout: the page's font, no chart title (the figure caption has it)."""
    figure.update_layout(
        title=None,
        font={"family": GOVUK_FONT, "color": GOVUK_BLACK, "size": 14},
        margin={"l": 48, "r": 16, "t": 16, "b": 48},
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=320,
        meta={"title": title},
    )
    return figure


def bar_chart(
    *,
    id: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_label: str,
) -> ChartData:
    """A horizontal bar chart with its data table (label, value)."""
    figure = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker_color=GOVUK_BLUE,
            name=value_label,
        )
    )
    figure.update_yaxes(autorange="reversed")
    base_layout(figure, title=title)
    return ChartData(
        id=id,
        title=title,
        summary=summary,
        figure=figure,
        columns=("", value_label),
        rows=list(zip(labels, values, strict=True)),
    )
