"""The site's form renderer (``settings.FORM_RENDERER``): Django's ``TemplatesSetting``, with
a ``<select>`` drawn in Python.

Why: Django draws a select through ``select.html``, which includes ``select_option.html`` and
``attrs.html`` once for every option. A queue page's filters (category, assignee, kind, what
to show) drew about fifty options that way on every request, some 3 ms of the page's CPU under
``make load`` (issue 15), and a council with hundreds of categories pays per option. The
markup here is the templates', character for character (``tests/hackperf/test_form_renderer.py``
renders both), and it is used only while ``select.html`` is Django's own: a project override
of the template would be drawn by the template as before.
"""

from functools import cached_property
from pathlib import Path

import django
from django.forms.renderers import TemplatesSetting
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
DJANGO_WIDGETS = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms"
_AUTOESCAPE = Context(autoescape=True)


def _formatted(value: object) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s`` of the value, escaped unless already safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, object]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{render_value_in_context(option['label'], _AUTOESCAPE)}</option>\n"
    )  # the template's file ends in a newline, which its include keeps


def _options(widget: dict) -> list[dict]:
    return [option for _name, group, _index in widget["optgroups"] for option in group]


def select_html(widget: dict) -> str:
    """What ``select.html`` writes for a select widget's context (``context["widget"]``)
    whose options are all drawn by ``select_option.html``."""
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            label = render_value_in_context(group_name, _AUTOESCAPE)
            parts.append(f'\n  <optgroup label="{label}">')
        for option in group_choices:
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(TemplatesSetting):
    @cached_property
    def selects_are_djangos(self) -> bool:
        """Whether ``select.html`` and its option are Django's own (no project override)."""
        templates = [self.get_template(name) for name in (SELECT, OPTION)]
        return all(
            template is not None and Path(template.origin.name).is_relative_to(DJANGO_WIDGETS)
            for template in templates
        )

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if (
            widget is not None
            and self.selects_are_djangos
            and all(option["template_name"] == OPTION for option in _options(widget))
        ):
            return select_html(widget).strip()
        return super().render(template_name, context, request=request)
