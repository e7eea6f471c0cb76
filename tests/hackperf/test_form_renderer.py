"""The site's form renderer (hackperf/form_renderer.py) writes a ``<select>`` exactly as
Django's own templates do: options, groups, the selected one, attributes true, false and
valued, escaping, safe labels, numbers and model choices."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from hackperf.form_renderer import FormRenderer
from servicedesk.models import Queue

CHOICES = [
    ("", "Choose a thing"),
    ("a", "Apples & pears"),
    ("Fruit <b>", [(1, "One"), (2, mark_safe("<em>Two</em>"))]),
    (3.5, 1234567),
    ("q\"'<", 'Quotes "here"'),
]


class Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES)
    attrs = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": "govuk-select", "disabled": True, "data-x": False, "data-n": 7}
        ),
    )
    queue = forms.ModelChoiceField(queryset=Queue.objects.order_by("name"), empty_label="Any")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [None, {"plain": "a", "many": ["1", "3.5"], "attrs": "q\"'<"}, {"plain": "nope"}]
)
def test_selects_are_written_as_djangos_templates_write_them(data):
    Queue.objects.create(name="Desk & co", slug="desk")
    Queue.objects.create(name="<Apps>", slug="apps")
    ours, djangos = Form(data, renderer=FormRenderer()), Form(data, renderer=TemplatesSetting())
    for name in Form.base_fields:
        assert str(ours[name]) == str(djangos[name]), name
    assert "<option" in str(ours["queue"]) and "&lt;Apps&gt;" in str(ours["queue"])


def test_it_is_used_only_while_the_select_template_is_djangos(settings, tmp_path):
    assert FormRenderer().selects_are_djangos
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / "select.html").write_text("<select>ours</select>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    renderer = FormRenderer()
    assert not renderer.selects_are_djangos
    assert str(Form(renderer=renderer)["plain"]) == "<select>ours</select>"
