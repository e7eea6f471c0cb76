from django.template.loader import render_to_string

from hackperf.charts import PLOTLY_CONFIG, bar_chart


def make_chart():
    return bar_chart(
        id="demo",
        title="Open incidents by queue",
        summary="Networks has the most open incidents (12).",
        labels=["Networks", "Desktop"],
        values=[12, 7],
        value_label="Open incidents",
    )


class ChartTests:
    def test_it_never_offers_send_to_cloud_or_the_logo(self):
        html = make_chart().html()
        assert PLOTLY_CONFIG["showSendToCloud"] is False
        assert PLOTLY_CONFIG["displaylogo"] is False
        assert '"showSendToCloud": false' in html
        assert '"displaylogo": false' in html

    def test_it_loads_no_plotly_js_of_its_own(self):
        html = make_chart().html()
        assert "cdn.plot.ly" not in html
        assert len(html) < 10_000  # the chart, not a copy of plotly.js

    def test_it_builds_one_bar_trace_with_the_data(self):
        figure = make_chart().figure
        assert [trace.type for trace in figure.data] == ["bar"]
        assert list(figure.data[0].y) == ["Networks", "Desktop"]
        assert list(figure.data[0].x) == [12, 7]

    def test_it_renders_in_a_figure_with_summary_and_data_table(self):
        html = render_to_string("includes/_chart.html", {"chart": make_chart()})
        assert "<figure" in html
        assert "Networks has the most open incidents (12)." in html
        assert '<th scope="row" class="govuk-table__header">Networks</th>' in html
        assert '<td class="govuk-table__cell">12</td>' in html
        assert "data as a table" in html
