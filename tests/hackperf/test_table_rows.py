"""``{% table_rows %}`` (hackperf/templatetags/table_rows.py) writes a django-tables2 table's
body rows as the template's nested loops wrote them: the same cells, classes, escaping and
localisation, and per-record cell attributes still worked out per record."""

import re
from collections.abc import Callable

import django_tables2 as tables
from django.template import Context, Template
from django.test import RequestFactory, override_settings

LOOPS = (
    "{% load l10n %}{% for row in table.paginated_rows %}"
    '<tr class="govuk-table__row{% if row.attrs.class %} {{ row.attrs.class }}{% endif %}">'
    "{% for column, cell in row.items %}"
    '<td class="govuk-table__cell{% if column.attrs.td.class %} {{ column.attrs.td.class }}'
    '{% endif %}">{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}'
    "{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>"
    "{% endfor %}</tr>{% endfor %}"
)
"""The template's loops before the tag (templates/django_tables2/govuk.html), as the reference."""


class Things(tables.Table):
    name = tables.Column()
    count = tables.Column(attrs={"td": {"class": "hp-num"}})
    big = tables.Column(localize=True)
    raw = tables.Column(localize=False)
    level = tables.Column(attrs={"td": {"class": lambda record: f"hp-level-{record['level']}"}})

    class Meta:
        row_attrs = {"class": lambda record: "hp-flag" if record["count"] > 1 else ""}

    def render_name(self, value):
        return f"{value} & co"  # not safe: escaped in the cell


ROWS = [
    {"name": "<b>Ann</b>", "count": 1, "big": 1234567, "raw": 7654321, "level": 1},
    {"name": "Bob", "count": 3, "big": 2.5, "raw": 1.25, "level": 2},
]


def flat(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def both(make: Callable[[], tables.Table]) -> tuple[str, str]:
    """The rows as the tag writes them and as the loops did, each of a table of its own (a
    table numbers its rows odd and even as they are made, across renderings)."""
    ours = Template("{% load table_rows %}{% table_rows table %}").render(
        Context({"table": make()})
    )
    loops = Template(LOOPS).render(Context({"table": make()}))
    return flat(ours), flat(loops)


def paged(rows: list[dict], *, page: int, per_page: int) -> tables.Table:
    table = Things(rows)
    table.paginate(page=page, per_page=per_page)
    return table


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_it_writes_the_rows_the_template_loops_wrote():
    ours, loops = both(lambda: Things(ROWS))
    assert ours == loops
    assert '<td class="govuk-table__cell">&lt;b&gt;Ann&lt;/b&gt; &amp; co</td>' in ours
    assert '<td class="govuk-table__cell hp-num">3</td>' in ours
    assert '<td class="govuk-table__cell hp-level-2">2</td>' in ours  # worked out per record
    assert '<tr class="govuk-table__row hp-flag odd">' in ours
    assert ">1,234,567<" in ours and ">7654321<" in ours  # localize=True and False


def test_a_page_of_a_paginated_table():
    ours, loops = both(lambda: paged(ROWS * 20, page=2, per_page=15))
    assert ours == loops and ours.count("<tr ") == 15


def test_no_rows_writes_nothing():
    ours, loops = both(lambda: Things([]))
    assert ours == loops == ""


def test_the_table_template_says_when_there_are_no_rows():
    request = RequestFactory().get("/")
    html = Things([], empty_text="Nothing & nobody.").as_html(request)
    assert '<td class="govuk-table__cell" colspan="5">Nothing &amp; nobody.</td>' in html
