"""The GOV.UK table frame (hackperf/templatetags/govuk_table.py, templates/includes/_table.html)."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source: str, **context: object) -> str:
    html = Template("{% load govuk_table %}" + source).render(Context(context))
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


class TableTagTests:
    def test_it_draws_the_frame_round_the_rows(self):
        html = render(
            '{% table "Date" "Value|hp-num" %}<tr class="govuk-table__row">row</tr>{% endtable %}'
        )
        assert html == (
            '<table class="govuk-table lbh-table"><thead class="govuk-table__head">'
            '<tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Date</th>'
            '<th scope="col" class="govuk-table__header hp-num">Value</th></tr></thead>'
            '<tbody class="govuk-table__body"><tr class="govuk-table__row">row</tr></tbody></table>'
        )

    def test_it_wraps_a_named_region_and_adds_caption_classes_and_attributes(self):
        html = render(
            '{% table "A" region=label caption=label classes="hp-x" id="t" data_table="risks"'
            ' data_testid="" %}{% endtable %}',
            label="Risks & issues",
        )
        assert html.startswith(
            '<div class="hp-table-scroll" role="region" aria-label="Risks &amp; issues"'
            ' tabindex="0"><table class="govuk-table lbh-table hp-x" id="t" data-table="risks">'
            '<caption class="govuk-table__caption govuk-visually-hidden">Risks &amp; issues'
            "</caption>"
        )
        assert "data-testid" not in html
        assert html.endswith("</table></div>")

    def test_a_caption_class_replaces_the_hidden_one(self):
        html = render(
            '{% table "A" caption="Q3" caption_class="lbh-table__caption" %}{% endtable %}'
        )
        assert '<caption class="govuk-table__caption lbh-table__caption">Q3</caption>' in html

    def test_a_list_of_headings_stands_for_its_items(self):
        html = render("{% table columns %}{% endtable %}", columns=("", "Tickets"))
        assert (
            '<th scope="col" class="govuk-table__header"></th>'
            '<th scope="col" class="govuk-table__header">Tickets</th>'
        ) in html

    def test_the_foot_goes_in_a_tfoot(self):
        html = render('{% table "A" %}<tr>1</tr>{% tablefoot %}<tr>total</tr>{% endtable %}')
        assert html.endswith(
            '<tbody class="govuk-table__body"><tr>1</tr></tbody>'
            "<tfoot><tr>total</tr></tfoot></table>"
        )

    def test_the_rows_see_the_page_context_and_are_escaped_there(self):
        html = render(
            '{% table "A" %}{% for x in xs %}<tr>{{ x }}</tr>{% endfor %}{% endtable %}', xs=["<b>"]
        )
        assert "<tr>&lt;b&gt;</tr>" in html

    def test_it_needs_its_headings(self):
        with pytest.raises(TemplateSyntaxError):
            Template('{% load govuk_table %}{% table id="x" %}{% endtable %}')
