"""The frame tag (hackperf/templatetags/wrap.py) and the error summary's frame it draws."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError


class WrapTagTests:
    def test_it_draws_the_frame_round_the_content(self):
        html = Template(
            '{% load wrap %}{% wrap "includes/forms/_error_summary_frame.html" %}'
            '<li><a href="#id_username">{{ message }}</a></li>{% endwrap %}'
        ).render(Context({"message": "Wrong & locked"}))
        html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()
        assert html == (
            '<div class="govuk-error-summary lbh-error-summary"'
            ' aria-labelledby="error-summary-title" role="alert" tabindex="-1"'
            ' data-module="govuk-error-summary">'
            '<h2 class="govuk-error-summary__title" id="error-summary-title">'
            "There is a problem</h2>"
            '<div class="govuk-error-summary__body">'
            '<ul class="govuk-list govuk-error-summary__list">'
            '<li><a href="#id_username">Wrong &amp; locked</a></li></ul></div></div>'
        )

    def test_it_takes_one_template_name(self):
        with pytest.raises(TemplateSyntaxError):
            Template("{% load wrap %}{% wrap %}{% endwrap %}")
