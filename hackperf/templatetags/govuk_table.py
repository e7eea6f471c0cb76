"""``{% table %}`` (``{% load govuk_table %}``): the frame of every hand-drawn GOV.UK table.

Pages wrote the same frame around their rows again and again: the scrolling region, the
``<table>`` with its classes, the hidden caption, a header cell per column, the body. Only
the rows differ from one table to the next, so a page now writes only those, and the frame
has one home (templates/includes/_table.html) where a change of markup is made once::

    {% table "Date" "Division" "Value|hp-num" id="decided" region="Bank holidays decided" %}
      {% for item in decided %}<tr class="govuk-table__row">…</tr>{% endfor %}
    {% tablefoot %}
      <tr class="govuk-table__row">…</tr>
    {% endtable %}

Positional arguments are the column headings, in order; a heading's header-cell classes
follow a ``|`` (``"Value|hp-num"``); a list stands for its items, each a plain heading
(``{% table chart.columns %}``). Keywords: ``region`` (the accessible name of a
``hp-table-scroll`` region wrapped round the table, so a wide table scrolls on its own; none
without it), ``caption`` and ``caption_class`` (``govuk-visually-hidden`` unless given),
``classes`` (added to ``govuk-table lbh-table``); any other keyword is an attribute of the
``<table>``, ``_`` written ``-`` (``data_table="risks"`` is ``data-table="risks"``), left out
when empty. What follows ``{% tablefoot %}`` goes in a ``<tfoot>``. Tables of a
django-tables2 ``Table`` are drawn by templates/django_tables2/govuk.html instead.
"""

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

FRAME = "includes/_table.html"
# Keywords the frame reads itself; every other keyword is an attribute of the <table>.
OPTIONS = ("region", "caption", "caption_class", "classes")


def headings(spec: object) -> list[tuple[str, str]]:
    """``"Value|hp-num"`` → ``[("Value", "hp-num")]``: a heading's words and its cell's
    classes; a list (columns known only when the page is drawn) gives one plain heading each."""
    if isinstance(spec, list | tuple):
        return [(str(text), "") for text in spec]
    text, _, classes = str(spec).partition("|")
    return [(text, classes)]


class TableNode(Node):
    def __init__(
        self,
        headings: list[FilterExpression],
        options: dict[str, FilterExpression],
        rows: NodeList,
        foot: NodeList | None,
    ) -> None:
        self.headings = headings
        self.options = options
        self.rows = rows
        self.foot = foot

    def render(self, context: Context) -> SafeString:
        values = {name: value.resolve(context) for name, value in self.options.items()}
        attrs = [
            (name.replace("_", "-"), value)
            for name, value in values.items()
            if name not in OPTIONS and value not in ("", None)
        ]
        assert context.template is not None  # a node renders inside a template
        frame = context.template.engine.get_template(FRAME)
        return frame.render(
            context.new(
                {
                    "headers": [
                        column
                        for spec in self.headings
                        for column in headings(spec.resolve(context))
                    ],
                    "region": values.get("region"),
                    "caption": values.get("caption"),
                    "caption_class": values.get("caption_class", "govuk-visually-hidden"),
                    "classes": values.get("classes"),
                    "attrs": format_html_join("", ' {}="{}"', attrs),
                    "rows": self.rows.render(context),
                    "foot": self.foot.render(context) if self.foot is not None else "",
                }
            )
        )


@register.tag("table")
def do_table(parser: Parser, token: Token) -> TableNode:
    bits = token.split_contents()[1:]
    headings: list[FilterExpression] = []
    options: dict[str, FilterExpression] = {}
    for bit in bits:
        name, equals, value = bit.partition("=")
        if equals and name.isidentifier():
            options[name] = parser.compile_filter(value)
        else:
            headings.append(parser.compile_filter(bit))
    if not headings:
        raise template.TemplateSyntaxError("{% table %} needs its column headings")
    rows = parser.parse(("tablefoot", "endtable"))
    foot: NodeList | None = None
    if parser.next_token().contents == "tablefoot":
        foot = parser.parse(("endtable",))
        parser.delete_first_token()
    return TableNode(headings, options, rows, foot)
