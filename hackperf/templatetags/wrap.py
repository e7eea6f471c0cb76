"""``{% wrap "template" %}…{% endwrap %}`` (``{% load wrap %}``): a frame drawn round content.

An include cannot take markup, so a page whose content sits inside a shared frame (the GOV.UK
error summary's box, heading and list round the page's own error links) either wrote the
frame again or passed its content through the view. This tag renders the page's content,
then the frame template with it as ``content``, so the frame has one home and the content
stays where the page can see its own context.
"""

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString

register = template.Library()


class WrapNode(Node):
    def __init__(self, frame: FilterExpression, content: NodeList) -> None:
        self.frame = frame
        self.content = content

    def render(self, context: Context) -> SafeString:
        assert context.template is not None  # a node renders inside a template
        frame = context.template.engine.get_template(self.frame.resolve(context))
        return frame.render(context.new({"content": self.content.render(context)}))


@register.tag("wrap")
def do_wrap(parser: Parser, token: Token) -> WrapNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% wrap %} takes the frame's template name")
    content = parser.parse(("endwrap",))
    parser.delete_first_token()
    return WrapNode(parser.compile_filter(bits[1]), content)
