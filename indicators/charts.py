"""Charts of the indicators app: plain data in (selector output), a figure or SVG out.

No ORM and no request here. The history chart goes in ``includes/_chart.html`` with its
summary and data table; the sparkline is a small inline SVG drawn here, lighter than a
plotly figure per scorecard row, with its text alternative in ``aria-label``.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hackperf.charts import GOVUK_BLACK, GOVUK_BLUE, ChartData, base_layout, house_layout
from indicators.periods import ending_day
from indicators.selectors import HistoryPoint

Formatter = Callable[[Decimal | None], str]


def history_chart(
    *,
    id: str,
    title: str,
    unit_label: str,
    points: Sequence[HistoryPoint],
    format_value: Formatter,
) -> ChartData:
    """The indicator's values month by month, with the target in force as a stepped line."""
    months = [point.period_start for point in points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=months,
            y=[float(point.value) for point in points],
            mode="lines+markers",
            name="Value",
            line={"color": GOVUK_BLUE, "width": 3},
            marker={"size": 7},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=[float(point.target) if point.target is not None else None for point in points],
            mode="lines",
            name="Target",
            line={"color": GOVUK_BLACK, "width": 2, "dash": "dash", "shape": "hv"},
            connectgaps=False,
        )
    )
    base_layout(figure, title=title)
    figure.update_layout(
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": {"text": unit_label}, "rangemode": "tozero"},
        xaxis={"tickformat": "%b %Y"},
    )
    return ChartData(
        id=id,
        title=title,
        summary=history_summary(points, format_value=format_value),
        figure=figure,
        columns=("Month", "Value", "Target", "RAG status"),
        rows=[
            (
                f"{point.period_start:%B %Y}",
                format_value(point.value),
                format_value(point.target),
                point.rag.label,
            )
            for point in points
        ],
    )


def history_summary(points: Sequence[HistoryPoint], *, format_value: Formatter) -> str:
    """One sentence a reader gets instead of the picture."""
    if not points:
        return "No values yet."
    first, last = points[0], points[-1]
    span = f"{len(points)} month{'s' if len(points) != 1 else ''}"
    sentence = f"{span}, {first.period_start:%B %Y} to {last.period_start:%B %Y}. "
    sentence += f"Latest: {format_value(last.value)} in {last.period_start:%B %Y}"
    if last.target is not None:
        sentence += f" against a target of {format_value(last.target)}"
    return f"{sentence} ({last.rag.label})."


def sparkline_svg(
    points: Sequence[tuple[date, Decimal | None]],
    *,
    label: str,
    format_value: Formatter,
    width: int = 120,
    height: int = 32,
) -> SafeString:
    """A small line of the last months' values as inline SVG, named by its text alternative.

    Missing months break the line rather than join across the gap.
    """
    known = [(day, value) for day, value in points if value is not None]
    if not known:
        return format_html('<span class="govuk-body-s">{}</span>', f"{label}: no values to show")
    low = min(value for _, value in known)
    high = max(value for _, value in known)
    spread = (high - low) or Decimal(1)
    pad = 3
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        x = pad + index * step
        y = pad + float((high - value) / spread) * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for index, (_, value) in enumerate(points):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(index, value))
    lines = "".join(
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in segment)}" />'
        for segment in segments
        if len(segment) > 1
    )
    last_x, last_y = xy(len(points) - 1 - _last_known_offset(points), known[-1][1])
    alt = (
        f"{label}, {known[0][0]:%B %Y} to {known[-1][0]:%B %Y}: from "
        f"{format_value(known[0][1])} to {format_value(known[-1][1])}; lowest "
        f"{format_value(low)}, highest {format_value(high)}."
    )
    return format_html(
        '<svg class="hp-sparkline" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>"
        '<g fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round">{}</g>'
        '<circle cx="{}" cy="{}" r="3" fill="{}" /></svg>',
        alt,
        width,
        height,
        width,
        height,
        alt,
        GOVUK_BLUE,
        SafeString(lines),
        last_x,
        last_y,
        GOVUK_BLUE,
    )


def _last_known_offset(points: Sequence[tuple[date, Decimal | None]]) -> int:
    """How many months at the end have no value."""
    offset = 0
    for _, value in reversed(points):
        if value is not None:
            break
        offset += 1
    return offset


# Distinguishable on white and in greyscale print: GOV.UK blue, black, orange, green, purple.
TREND_COLOURS = ("#1d70b8", "#0b0c0c", "#f47738", "#00703c", "#4c2c92")
TREND_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


def trend_chart(
    *,
    id: str,
    title: str,
    instants: Sequence[datetime],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    unit_label: str = "Count",
    format_value: Formatter | None = None,
) -> ChartData:
    """Several figures over the review's fortnights, one line each (colour and dash differ,
    so the lines part in greyscale print too); the data table has a column per figure."""
    show = format_value or (lambda value: "—" if value is None else f"{value:,.0f}")
    days = [ending_day(instant) for instant in instants]
    x = [day.isoformat() for day in days]
    # Plain data, not go.Scatter: plotly.js reads the same JSON, without plotly.py
    # validating every property of nine charts on each view of the review.
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": [None if value is None else float(value) for value in values],
            "mode": "lines+markers",
            "name": name,
            "line": {
                "color": TREND_COLOURS[n % len(TREND_COLOURS)],
                "dash": TREND_DASHES[n % len(TREND_DASHES)],
                "width": 2,
            },
            "marker": {"size": 6},
        }
        for n, (name, values) in enumerate(series)
    ]
    layout = house_layout(title=title) | {
        "legend": {"orientation": "h", "y": -0.25},
        "yaxis": {"title": {"text": unit_label}, "rangemode": "tozero"},
        "xaxis": {"tickformat": "%-d %b %Y"},
    }
    figure = {"data": traces, "layout": layout}
    return ChartData(
        id=id,
        title=title,
        summary=trend_summary(days, series, format_value=show),
        figure=figure,
        columns=("Fortnight ending", *[name for name, _ in series]),
        rows=[
            (f"{day:%-d %B %Y}", *[show(values[n]) for _, values in series])
            for n, day in enumerate(days)
        ],
    )


def trend_summary(
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    format_value: Formatter,
) -> str:
    """One sentence a reader gets instead of the picture: each line's first and last value."""
    if not days:
        return "No snapshots yet."
    span = f"{len(days)} fortnight{'s' if len(days) != 1 else ''}"
    parts = [
        f"{name} from {format_value(values[0])} to {format_value(values[-1])}"
        for name, values in series
    ]
    return f"{span}, {days[0]:%-d %B %Y} to {days[-1]:%-d %B %Y}: {'; '.join(parts)}."
