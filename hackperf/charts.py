"""Helpers every chart goes through, so each one is accessible and self-contained.

A chart is never shown alone: it sits in a ``<figure>`` with a one-line summary and its data
as a table (``templates/includes/_chart.html``). Plotly's "send to cloud" link and logo are
always off, and plotly.js is served once from ``static/``, never from a CDN.
"""

import json
from collections.abc import Mapping, Sequence
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


# A figure as plotly.js reads it, built as plain data: {"data": [traces], "layout": {...}}.
FigureSpec = Mapping[str, object]


@dataclass(frozen=True)
class ChartData:
    """What a page shows for one chart: the figure, its summary, and its data as a table.

    The figure is a plotly ``go.Figure`` or, where a page draws many charts, a plain
    ``FigureSpec`` (``{"data": ..., "layout": ...}``) built directly: plotly's figure
    objects validate every property as it is set, which cost the DMT review most of its
    time for nine charts, and plotly.js needs only the JSON.
    """

    id: str
    title: str
    summary: str
    figure: go.Figure | FigureSpec
    columns: Sequence[str]
    rows: Sequence[Sequence[object]] = field(default_factory=list)

    def html(self) -> SafeString:
        """The chart's ``<div>`` and its figure as JSON; ``static/js/hackperf.js`` draws it.

        Not plotly's ``to_html``, whose inline ``<script>`` the Content-Security-Policy
        refuses: a ``<script type="application/json">`` block is data the browser never runs,
        and the page's own script passes it to ``Plotly.newPlot``.
        """
        if isinstance(self.figure, go.Figure):
            figure = json.loads(pio.to_json(self.figure, validate=False))
        else:
            figure = dict(self.figure)
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


def house_layout(*, title: str) -> dict[str, object]:
    """The house layout as plain data: the page's font, no chart title (the figure caption
    has it)."""
    return {
        "font": {"family": GOVUK_FONT, "color": GOVUK_BLACK, "size": 14},
        "margin": {"l": 48, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 320,
        "meta": {"title": title},
    }


def base_layout(figure: go.Figure, *, title: str) -> go.Figure:
    """Apply the house layout: the page's font, no chart title (the figure caption has it)."""
    figure.update_layout(title=None, **house_layout(title=title))
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


def dot_strip_svg(
    values: Sequence[float],
    *,
    ours: float | None,
    median: float | None,
    label: str,
    ours_label: str = "Ours",
    width: int = 520,
    height: int = 64,
    low: float = 0.0,
    high: float = 100.0,
) -> SafeString:
    """A strip of dots on one axis (0 to 100 by default), one dot a peer, the median ticked
    and ours marked, as inline SVG: it prints sharp and needs no script. The text alternative
    says what the strip shows; the data table beside it is the accessible version.
    """
    pad_left, pad_right, axis_y = 22, 22, 34  # room for the 0% and 100% labels

    def x(value: float) -> float:
        span = (high - low) or 1.0
        clamped = min(max(value, low), high)
        return round(pad_left + (clamped - low) / span * (width - pad_left - pad_right), 1)

    dots = "".join(
        f'<circle cx="{x(v)}" cy="{axis_y}" r="4" fill="{GOVUK_BLUE}" fill-opacity="0.45" />'
        for v in values
    )
    ticks = "".join(
        f'<line x1="{x(t)}" y1="{axis_y + 8}" x2="{x(t)}" y2="{axis_y + 12}" />'
        f'<text x="{x(t)}" y="{axis_y + 24}" text-anchor="middle">{t:g}%</text>'
        for t in (low, low + (high - low) / 2, high)
    )
    median_mark = ""
    if median is not None:
        median_mark = (
            f'<line x1="{x(median)}" y1="{axis_y - 10}" x2="{x(median)}" y2="{axis_y + 10}" '
            f'stroke="{GOVUK_BLACK}" stroke-width="2" />'
        )
    ours_mark = ""
    if ours is not None:
        anchor = "end" if x(ours) > width * 0.8 else "start" if x(ours) < width * 0.2 else "middle"
        ours_mark = (
            f'<path d="M {x(ours) - 7} {axis_y - 20} L {x(ours) + 7} {axis_y - 20} '
            f'L {x(ours)} {axis_y - 8} Z" fill="#d4351c" />'
            f'<text x="{x(ours)}" y="{axis_y - 24}" text-anchor="{anchor}" '
            f'font-weight="bold">{ours_label}</text>'
        )
    return format_html(
        '<svg class="hp-dot-strip" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="Arial, sans-serif" font-size="11">'
        "<title>{}</title>"
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#505a5f" />'
        '<g stroke="#505a5f" fill="{}">{}</g>{}{}{}</svg>',
        label,
        width,
        height + 8,
        width,
        height + 8,
        label,
        pad_left,
        axis_y + 8,
        width - pad_right,
        axis_y + 8,
        GOVUK_BLACK,
        mark_safe(ticks),
        mark_safe(dots),
        mark_safe(median_mark),
        mark_safe(ours_mark),
    )


def trend_svg(
    points: Sequence[tuple[str, float | None]],
    *,
    label: str,
    width: int = 110,
    height: int = 28,
    low: float = 0.0,
    high: float = 100.0,
) -> SafeString:
    """A small line of a percentage over periods (0 to 100), as inline SVG named by ``label``.

    A missing period breaks the line rather than join across the gap.
    """
    pad = 3
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    segments: list[list[str]] = [[]]
    last = None
    for index, (_, value) in enumerate(points):
        if value is None:
            segments.append([])
            continue
        y = pad + (high - min(max(value, low), high)) / ((high - low) or 1) * (height - 2 * pad)
        last = (round(pad + index * step, 1), round(y, 1))
        segments[-1].append(f"{last[0]},{last[1]}")
    lines = "".join(
        f'<polyline points="{" ".join(segment)}" />' for segment in segments if len(segment) > 1
    )
    dot = "" if last is None else f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5" />'
    return format_html(
        '<svg class="hp-sparkline" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<g fill="none" stroke="{}" stroke-width="2">{}</g><g fill="{}">{}</g></svg>',
        label,
        width,
        height,
        width,
        height,
        label,
        GOVUK_BLUE,
        mark_safe(lines),
        GOVUK_BLUE,
        mark_safe(dot),
    )
