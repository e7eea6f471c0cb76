"""The UI kit's RAG tag (hackperf/templatetags/ui.py) and badge column (hackperf.tables)."""

import django_tables2 as tables
from django.template import Context, Template

from hackperf.choices import ImportState
from hackperf.models import ImportRun
from hackperf.tables import BadgeColumn
from hackperf.templatetags.ui import rag_tag


class RagTagTests:
    def test_it_draws_the_tag_with_its_words(self):
        assert rag_tag("green", "On target") == (
            '<strong class="lbh-tag hp-rag hp-rag--green">On target</strong>'
        )

    def test_it_joins_several_words_with_spaces(self):
        assert rag_tag("red", 12, "High") == (
            '<strong class="lbh-tag hp-rag hp-rag--red">12 High</strong>'
        )

    def test_it_escapes_the_words_and_the_colour(self):
        assert rag_tag('x"', "<b>") == (
            '<strong class="lbh-tag hp-rag hp-rag--x&quot;">&lt;b&gt;</strong>'
        )

    def test_the_template_tag_takes_filters(self):
        html = Template(
            '{% load ui %}{% rag colour label|cut:" – on target" %} '
            '{% rag "red" rating|stringformat:"s"|add:": low" %}'
        ).render(Context({"colour": "green", "label": "Green – on target", "rating": 2}))
        assert html == (
            '<strong class="lbh-tag hp-rag hp-rag--green">Green</strong> '
            '<strong class="lbh-tag hp-rag hp-rag--red">2: low</strong>'
        )


class _RunTable(tables.Table):
    state = BadgeColumn(verbose_name="State")


class BadgeColumnTests:
    def test_it_draws_the_choice_in_its_colour(self):
        run = ImportRun(state=ImportState.REFUSED)
        cell = _RunTable([run]).rows[0].get_cell("state")
        assert cell == '<strong class="lbh-tag hp-rag hp-rag--red">Refused</strong>'
