import datetime as dt
from decimal import Decimal

from indicators.charts import history_chart, sparkline_svg
from indicators.rag import Rag
from indicators.selectors import HistoryPoint


def point(month, value, target):
    return HistoryPoint(
        period_start=dt.date(2017, month, 1),
        value=Decimal(value),
        numerator=None,
        denominator=None,
        target=Decimal(target) if target is not None else None,
        rag=Rag.GREEN,
        status="approved",
        status_label="Approved",
        commentary="",
        data_quality_note="",
        approved_by="",
        approved_at=None,
    )


def fmt(value):
    return "—" if value is None else f"{value:.1f}%"


class HistoryChartTests:
    def test_it_draws_the_values_and_a_stepped_target_line_with_a_table_and_summary(self):
        chart = history_chart(
            id="history-x",
            title="X",
            unit_label="Percentage",
            points=[point(1, 80, None), point(2, 91, 90)],
            format_value=fmt,
        )
        values, target = chart.figure.data
        assert (values.name, target.name) == ("Value", "Target")
        assert list(values.y) == [80.0, 91.0]
        assert list(target.y) == [None, 90.0]
        assert target.line.shape == "hv"
        assert chart.rows[1] == ("February 2017", "91.0%", "90.0%", Rag.GREEN.label)
        assert chart.summary == (
            "2 months, January 2017 to February 2017. Latest: 91.0% in February 2017 "
            "against a target of 90.0% (Green – on target)."
        )

    def test_it_says_so_when_there_is_nothing(self):
        chart = history_chart(id="h", title="X", unit_label="", points=[], format_value=fmt)
        assert chart.summary == "No values yet."


class SparklineTests:
    def test_it_is_an_image_with_a_text_alternative_and_breaks_at_gaps(self):
        points = [
            (dt.date(2017, 1, 1), Decimal(80)),
            (dt.date(2017, 2, 1), Decimal(85)),
            (dt.date(2017, 3, 1), None),
            (dt.date(2017, 4, 1), Decimal(90)),
            (dt.date(2017, 5, 1), Decimal(88)),
        ]
        svg = sparkline_svg(points, label="X trend", format_value=fmt)
        assert 'role="img"' in svg
        assert (
            'aria-label="X trend, January 2017 to May 2017: from 80.0% to 88.0%; lowest 80.0%, '
            'highest 90.0%."' in svg
        )
        assert svg.count("<polyline") == 2

    def test_it_says_so_without_values(self):
        assert "no values to show" in sparkline_svg([], label="X", format_value=fmt)


class TrendChartJsonTests:
    """The review's trend charts are plain JSON for plotly.js, not plotly figure objects
    (issue 15: plotly's validation cost the review most of its time)."""

    def test_it_builds_the_figure_as_plain_data_with_its_summary_and_table(self):
        from datetime import UTC, datetime
        from decimal import Decimal

        from indicators.charts import trend_chart

        chart = trend_chart(
            id="trend-x",
            title="Open work",
            instants=[datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)],
            series=[("Open incidents", [Decimal(5), None]), ("On hold", [Decimal(2), Decimal(3)])],
        )
        traces = chart.figure["data"]
        assert [t["name"] for t in traces] == ["Open incidents", "On hold"]
        assert traces[0]["x"] == ["2026-11-15", "2026-11-29"] and traces[0]["y"] == [5.0, None]
        assert chart.figure["layout"]["yaxis"]["title"]["text"] == "Count"
        assert chart.summary.startswith("2 fortnights, 15 November 2026 to 29 November 2026")
        assert chart.rows[1] == ("29 November 2026", "—", "3")
        html = str(chart.html())
        assert '<script type="application/json" id="trend-x-data">' in html
        assert '"type": "scatter"' in html and "<script>" not in html
