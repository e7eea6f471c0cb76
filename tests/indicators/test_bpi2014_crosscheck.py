"""FR ICT 17, 17a and 17b on the imported BPI 2014 sample equal an independent count.

The independent count is ``scripts/bpi2014_crosscheck.py``: the csv module over the files and
DESIGN.md's definitions, with only the pure ``servicedesk.sla`` reused: history from the
activity log, kinds from incidents.csv. The two imports combine whichever comes first: the
activity log's history is never replaced by the incident file's sketch of it, and the
activity preset's ``[defaults].kind`` never overwrites the incident file's kinds. Fails
where ../shared/data/real is absent.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import REAL_DATA as REAL
from tests.conftest import needs_real_data
from tests.repo import load_script

BPIC2014 = REAL / "bpic2014-rabobank-incidents-sample"
# The six months the sample is dense in (over 450 incidents logged in each).
MONTHS = ("2013-10", "2013-11", "2013-12", "2014-01", "2014-02", "2014-03")


def _import(*files: tuple[str, str]) -> None:
    for name, preset in files:
        call_command("import_tickets", str(BPIC2014 / name), mapping=preset, stdout=StringIO())


def _ours(month: str) -> dict[str, int]:
    out = StringIO()
    call_command("compute_indicators", period=month, json=True, stdout=out)
    figures = {f["code"]: f for f in json.loads(out.getvalue())["indicators"]}
    return {
        "17_numerator": figures["FR ICT 17"]["numerator"],
        "17_denominator": figures["FR ICT 17"]["denominator"],
        "17a": int(figures["FR ICT 17a"]["value"]),
        "17b": int(figures["FR ICT 17b"]["value"]),
    }


@needs_real_data
@pytest.mark.django_db
class Bpi2014CrosscheckTests:
    @pytest.mark.parametrize(
        "order",
        [
            (
                ("incidents.csv", "bpic2014_incidents"),
                ("incident_activities.csv", "bpic2014_activities"),
            ),
            (
                ("incident_activities.csv", "bpic2014_activities"),
                ("incidents.csv", "bpic2014_incidents"),
            ),
        ],
        ids=["incidents-first", "activities-first"],
    )
    def test_it_matches_an_independent_count_whichever_file_comes_first(self, definitions, order):
        _import(*order)
        independent = load_script("bpi2014_crosscheck").figures(
            BPIC2014, history="activities", kinds="csv"
        )
        for month in MONTHS:
            assert _ours(month) == independent[month], month
        assert sum(independent[m]["17b"] for m in MONTHS) > 0  # requests stay requests
