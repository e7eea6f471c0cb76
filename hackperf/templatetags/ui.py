"""The UI kit's tags: ``{% load ui %}``.

``{% rag colour words… %}`` draws a RAG or status tag, the one markup every page and table
uses for one (``<strong class="lbh-tag hp-rag hp-rag--green">On target</strong>``; styles in
assets/scss/_hackperf.scss). The colour is a modifier (``green``, ``amber``, ``red``,
``none``) as the ``get_<field>_color()`` methods and ``indicators.choices.get_rag_color``
give it; the words always say what the colour says (never colour alone). Tables draw the same
tag through :func:`rag_tag` (``hackperf.tables.BadgeColumn``).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def rag_tag(colour: object, *words: object) -> SafeString:
    """A RAG tag: ``colour`` its ``hp-rag--`` modifier, ``words`` its text, joined by spaces
    (each escaped)."""
    return format_html(
        '<strong class="lbh-tag hp-rag hp-rag--{}">{}</strong>',
        colour,
        format_html(" ".join(["{}"] * len(words)), *words),
    )


@register.simple_tag(name="rag")
def rag(colour: object, *words: object) -> SafeString:
    """``{% rag case.get_status_color case.get_status_display %}``, or with several words
    ``{% rag risk.severity risk.score risk.severity|capfirst %}`` ("12 High")."""
    return rag_tag(colour, *words)
