"""Adding a metric is one declaration (ADR 0003): a throwaway one, registered for the test
alone, reaches the snapshots, the DMT review, the API and the drill-down, and a monthly one
its definition, ``compute_indicators`` and its values, with no change to indicators.

It counts user accounts, a table none of the apps owns, so the test shows indicators needs
nothing but the declaration.
"""

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from hackperf import registry
from hackperf.metrics import ALL, MetricRow
from hackperf.registry import Behind, Column, Kind, Metric, Polarity, Record, Window
from hackperf.roles import Perm, Role
from indicators.models import Indicator, PeriodValue, Snapshot
from indicators.services.definitions import definitions_sync
from indicators.services.snapshots import snapshot_take

CODE = "test.accounts"
MONTHLY = "TEST ACC"
FORTNIGHT_END = datetime(2026, 3, 9, tzinfo=UTC)


def accounts_at(*, as_of: datetime) -> list[MetricRow]:
    joined = get_user_model().objects.filter(date_joined__lte=as_of).count()
    return [MetricRow(CODE, ALL, "", joined, "All accounts")]


def accounts_behind(*, as_of, user, breakdown=ALL, key="", sort="") -> Behind:
    accounts = get_user_model().objects.filter(date_joined__lte=as_of)
    visible, applied = registry.apply_sort(
        accounts, sort, {"reference": ("username",)}, ("username",)
    )

    def shape(rows: Iterable) -> list[Record]:
        return [Record(r.username, "/", (f"{r.date_joined:%Y-%m-%d}",)) for r in rows]

    return Behind(
        noun="account",
        plural="accounts",
        columns=(Column("reference", "Username"), Column("joined", "Joined")),
        counted=accounts,
        visible=visible,
        shape=shape,
        hidden_text="and {n} more",
        sort=applied,
    )


THROWAWAY = Metric(
    code=CODE,
    label="Accounts on the site",
    definition="User accounts that had joined by T.",
    kind=Kind.INSTANT,
    window=Window.AS_OF,
    source="test",
    count=accounts_at,
    polarity=Polarity.NONE,
    behind=accounts_behind,
    permission=Perm.VIEW_REVIEW.value,
)
THROWAWAY_MONTHLY = Metric(
    code=MONTHLY,
    label="Accounts made in the month",
    definition="User accounts made in the month.",
    kind=Kind.MONTHLY,
    window=Window.DAYS,
    source="servicedesk",
    count=lambda *, start, end: 3,
    owner="Test owner",
    rag_rule="Not RAG rated.",
)


@pytest.fixture
def throwaway(db):
    with registry.registered(THROWAWAY, THROWAWAY_MONTHLY):
        yield


@pytest.mark.django_db
class ThrowawayMetricTests:
    def test_it_is_snapshotted(self, throwaway, make_user):
        make_user(date_joined=datetime(2026, 3, 1, tzinfo=UTC))
        make_user(date_joined=datetime(2026, 3, 10, tzinfo=UTC))  # after the instant
        snapshot_take(as_of=FORTNIGHT_END)
        row = Snapshot.objects.get(metric=CODE)
        assert (row.breakdown, row.value, row.label) == (ALL, 1, "All accounts")

    def test_it_is_in_the_review_and_its_drill_down(self, throwaway, client_as):
        client = client_as(Role.DMT, date_joined=datetime(2026, 3, 1, tzinfo=UTC))
        snapshot_take(as_of=FORTNIGHT_END)
        response = client.get(reverse("indicators:review"))
        other = next(s for s in response.context["sections"] if s["group"].slug == "other")
        (row,) = other["rows"]
        assert (row["row"].label, row["row"].current) == ("Accounts on the site", 1)
        assert f'data-metric="{CODE}"' in response.content.decode()

        drill = client.get(row["url"])
        assert drill.status_code == 200
        assert [r.reference for r in drill.context["rows"]] == [drill.wsgi_request.user.username]
        assert "User accounts that had joined by T." in drill.content.decode()

    def test_one_with_a_headline_label_is_on_the_first_screen(self, db, client_as):
        client = client_as(Role.DMT, date_joined=datetime(2026, 3, 1, tzinfo=UTC))
        headline = replace(THROWAWAY, headline="Accounts, all told")
        with registry.registered(headline):
            snapshot_take(as_of=FORTNIGHT_END)
            response = client.get(reverse("indicators:review"))
        rows = response.context["headline"]
        assert [(r["item"].label, r["item"].row.current) for r in rows][-1] == (
            "Accounts, all told",
            1,
        )
        assert f'data-headline="{CODE}"' in response.content.decode()
        assert len(rows) == 15  # the 14 declared by the apps, and this one last

    def test_one_without_is_not(self, throwaway, client_as):
        client = client_as(Role.DMT, date_joined=datetime(2026, 3, 1, tzinfo=UTC))
        snapshot_take(as_of=FORTNIGHT_END)
        response = client.get(reverse("indicators:review"))
        assert CODE not in [r["item"].row.code for r in response.context["headline"]]

    def test_it_is_in_the_api(self, throwaway, client_as):
        client = client_as(Role.DMT, date_joined=datetime(2026, 3, 1, tzinfo=UTC))
        snapshot_take(as_of=FORTNIGHT_END)
        body = client.get(reverse("indicators:api_snapshot_list"), {"metric": CODE}).json()
        assert [(r["metric"], r["value"]) for r in body["results"]] == [(CODE, 1)]
        metrics = client.get(reverse("indicators:api_metric_list"), {"page_size": 200}).json()[
            "results"
        ]
        declared = next(m for m in metrics if m["code"] == CODE)
        assert declared["definition"] == "User accounts that had joined by T."
        assert declared["snapshots_url"].endswith("metric=test.accounts")

    def test_a_monthly_one_is_defined_computed_and_printed(self, throwaway):
        definitions_sync()  # what its definition migration does
        indicator = Indicator.objects.get(code=MONTHLY)
        assert (indicator.slug, indicator.is_computed) == ("test-acc", True)
        out = io.StringIO()
        call_command("compute_indicators", "--period", "2026-03", "--json", stdout=out)
        printed = {f["code"]: f for f in json.loads(out.getvalue())["indicators"]}
        assert printed[MONTHLY]["value"] == "3"
        stored = PeriodValue.objects.get(indicator=indicator, period_start=date(2026, 3, 1))
        assert stored.value == 3

    def test_it_is_gone_once_unregistered(self, db):
        snapshot_take(as_of=FORTNIGHT_END)
        assert not Snapshot.objects.filter(metric=CODE).exists()
