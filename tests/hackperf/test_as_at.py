"""The ``as_at`` filter: one wording for one instant, across the BST/GMT changes."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from hackperf.templatetags.instants import as_at_text


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class AsAtTests:
    @pytest.mark.parametrize(
        ("instant", "text"),
        [
            # Winter (GMT): London midnight is 00:00 UTC.
            (utc(2026, 11, 30, 0, 0), "as at the end of Sunday 29 November 2026"),
            (utc(2026, 11, 30, 14, 30), "as at 14:30 on Monday 30 November 2026"),
            # Summer (BST): London midnight is 23:00 UTC the day before.
            (utc(2026, 6, 28, 23, 0), "as at the end of Sunday 28 June 2026"),
            (utc(2026, 6, 29, 0, 0), "as at 01:00 on Monday 29 June 2026"),
            # Clocks go forward on Sunday 29 March 2026 at 01:00 GMT: that day's midnight is
            # still GMT, the next one is BST.
            (utc(2026, 3, 29, 0, 0), "as at the end of Saturday 28 March 2026"),
            (utc(2026, 3, 29, 23, 0), "as at the end of Sunday 29 March 2026"),
            (utc(2026, 3, 29, 1, 0), "as at 02:00 on Sunday 29 March 2026"),
            (utc(2026, 3, 30, 0, 0), "as at 01:00 on Monday 30 March 2026"),
            # Clocks go back on Sunday 25 October 2026 at 01:00 GMT (02:00 BST): that day's
            # midnight is BST, the next one GMT.
            (utc(2026, 10, 24, 23, 0), "as at the end of Saturday 24 October 2026"),
            (utc(2026, 10, 26, 0, 0), "as at the end of Sunday 25 October 2026"),
            (utc(2026, 10, 25, 23, 0), "as at 23:00 on Sunday 25 October 2026"),
            # 00:59 and 01:00 UTC on 25 Oct are 01:59 BST and 01:00 GMT: both shown as London time.
            (utc(2026, 10, 25, 0, 59), "as at 01:59 on Sunday 25 October 2026"),
            (utc(2026, 10, 25, 1, 0), "as at 01:00 on Sunday 25 October 2026"),
            # A second after midnight is not the end of the day before.
            (utc(2026, 11, 30, 0, 0, 1), "as at 00:00 on Monday 30 November 2026"),
            # infogov's "end of the day" (the last microsecond) is that day's end.
            (
                datetime(2026, 6, 28, 22, 59, 59, 999999, tzinfo=UTC),
                "as at the end of Sunday 28 June 2026",
            ),
        ],
    )
    def test_it_names_an_instant_in_london_time(self, instant, text):
        assert as_at_text(instant) == text

    def test_a_date_is_the_end_of_that_day(self):
        assert as_at_text(date(2026, 11, 29)) == "as at the end of Sunday 29 November 2026"

    def test_the_same_instant_reads_the_same_however_it_is_given(self):
        assert as_at_text(utc(2026, 11, 30)) == as_at_text(date(2026, 11, 29))
        assert as_at_text(utc(2026, 6, 28, 23)) == as_at_text(date(2026, 6, 28))

    def test_nothing_is_nothing(self):
        assert as_at_text(None) == ""

    def test_the_template_filter_and_capfirst(self):
        rendered = Template("{% load instants %}{{ when|as_at|capfirst }}").render(
            Context({"when": utc(2026, 11, 30)})
        )
        assert rendered == "As at the end of Sunday 29 November 2026"
