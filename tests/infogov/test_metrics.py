"""infogov.metrics against the metric dictionary (DESIGN.md, FR ICT 18 and 19), on hand-made
cases: answered on time, late, extended, withdrawn, and one whose due date moved."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hackperf.metrics import ALL, MetricRow, Ratio
from infogov import metrics
from infogov.choices import EventKind, Kind, Outcome, Stage
from infogov.models import DueDateChange
from infogov.services.cases import case_record_clock_event, case_respond
from tests.infogov.factories import DirectorateFactory, ServiceFactory, log_case

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 25)
JAN, FEB_END = date(2025, 1, 1), date(2025, 2, 28)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LONDON)


class Scenario:
    """Hand-made cases, each written through the services on the day it happened.

    A  FOI  received Mon 6 Jan 2025 (due Mon 3 Feb), responded 20 Jan: within, in time
    B  FOI  received 6 Jan, responded 10 Feb: late
    C  FOI  received 6 Jan, public-interest extension of 20 days on 27 Jan (due Mon 3 Mar),
            responded 20 Feb: in time, not within the statutory time
    D  FOI  received 7 Jan, withdrawn 15 Jan
    E  EIR  received 8 Jan (due 5 Feb); clarification asked 10 Jan, received 20 Jan, so the
            due date moved to Mon 17 Feb; never answered
    F  SAR  received Mon 6 Jan (due Thu 6 Feb), responded 5 Feb: in time
    G  SAR  received Mon 13 Jan (due Thu 13 Feb), responded 20 Feb: late
    H  SAR  received Mon 3 Feb, open
    R  FOI internal review of A, received Sat 25 Jan, open (not an FR ICT 18 request)
    """

    def __init__(self):
        finance = ServiceFactory(directorate=DirectorateFactory(name="Finance"))
        housing = ServiceFactory(directorate=DirectorateFactory(name="Housing"))
        self.finance, self.housing = finance.directorate, housing.directorate
        self.a = self.log("A", Kind.FOI, date(2025, 1, 6), finance)
        self.b = self.log("B", Kind.FOI, date(2025, 1, 6), finance)
        self.c = self.log("C", Kind.FOI, date(2025, 1, 6), finance)
        self.d = self.log("D", Kind.FOI, date(2025, 1, 7), housing)
        self.e = self.log("E", Kind.EIR, date(2025, 1, 8), housing)
        self.f = self.log("F", Kind.SAR, date(2025, 1, 6), finance)
        self.g = self.log("G", Kind.SAR, date(2025, 1, 13), housing)
        self.h = self.log("H", Kind.SAR, date(2025, 2, 3), housing)
        self.r = self.log(
            "R", Kind.FOI, date(2025, 1, 25), housing, stage=Stage.INTERNAL_REVIEW, parent=self.a
        )
        self.event(self.d, EventKind.WITHDRAWN, date(2025, 1, 15))
        self.event(self.e, EventKind.CLARIFICATION_REQUESTED, date(2025, 1, 10))
        self.event(self.e, EventKind.CLARIFICATION_RECEIVED, date(2025, 1, 20))
        self.event(
            self.c,
            EventKind.EXTENSION,
            date(2025, 1, 27),
            extension_reason="public_interest",
            extension_days=20,
        )
        self.respond(self.a, date(2025, 1, 20))
        self.respond(self.f, date(2025, 2, 5))
        self.respond(self.b, date(2025, 2, 10))
        self.respond(self.c, date(2025, 2, 20))
        self.respond(self.g, date(2025, 2, 20))
        for case in (self.a, self.b, self.c, self.d, self.e, self.f, self.g, self.h, self.r):
            case.refresh_from_db()

    @staticmethod
    def log(reference, kind, received, service, **extra):
        return log_case(reference, kind, received, service, today=TODAY, **extra)

    @staticmethod
    def event(case, kind, day, **extra):
        case_record_clock_event(case=case, kind=kind, date=day, today=TODAY, now=noon(day), **extra)

    @staticmethod
    def respond(case, day):
        case_respond(case=case, responded=day, outcome=Outcome.SUPPLIED_IN_FULL, today=TODAY)


@pytest.fixture
def scenario(db):
    return Scenario()


def by_key(rows: list[MetricRow]) -> dict[tuple[str, str, str], int]:
    return {(r.metric, r.breakdown, r.key): r.value for r in rows}


@pytest.mark.django_db
class ScenarioTests:
    def test_it_has_the_due_dates_the_scenario_says(self, scenario):
        s = scenario
        assert s.a.due == s.b.due == date(2025, 2, 3)
        assert s.c.due == date(2025, 3, 3)
        assert s.e.due == date(2025, 2, 17)
        assert [c.old for c in s.e.due_changes.order_by("at")] == [None, date(2025, 2, 5)]
        assert (s.f.due, s.g.due, s.h.due) == (
            date(2025, 2, 6),
            date(2025, 2, 13),
            date(2025, 3, 3),
        )


@pytest.mark.django_db
class FoiMetricsTests:
    def test_it_counts_18a_within_the_statutory_time_and_in_time(self, scenario):
        within, in_time = metrics.foi_timeliness(start=JAN, end=FEB_END)
        assert within == Ratio(1, 3)  # A; B late; C needed an extension; D withdrawn
        assert in_time == Ratio(2, 3)  # A and C
        assert metrics.foi_timeliness(start=JAN, end=date(2025, 1, 31)) == (
            Ratio(1, 1),
            Ratio(1, 1),
        )

    def test_it_counts_18a_without_eir_when_asked(self, scenario):
        # E is the only EIR request and was never answered: the same here; 18b differs.
        assert metrics.foi_timeliness(start=JAN, end=FEB_END, include_eir=False)[1] == Ratio(2, 3)
        assert metrics.foi_received(start=JAN, end=FEB_END) == 5
        assert metrics.foi_received(start=JAN, end=FEB_END, include_eir=False) == 4

    def test_it_counts_18b_requests_received_not_reviews(self, scenario):
        assert metrics.foi_received(start=date(2025, 1, 6), end=date(2025, 1, 6)) == 3
        assert metrics.foi_received(start=date(2025, 1, 25), end=date(2025, 1, 31)) == 0

    def test_it_counts_18c_outstanding_and_overdue_at_the_periods_end(self, scenario):
        # 31 Jan: B, C, E open (A answered, D withdrawn); none overdue.
        assert metrics.foi_outstanding(at=date(2025, 1, 31)) == (3, 0)
        # 10 Feb: B answered that day; C (due 3 Mar) and E (due 17 Feb) open.
        assert metrics.foi_outstanding(at=date(2025, 2, 10)) == (2, 0)
        # 28 Feb: E alone, overdue.
        assert metrics.foi_outstanding(at=FEB_END) == (1, 1)
        assert metrics.foi_outstanding(at=FEB_END, include_eir=False) == (0, 0)

    def test_it_runs_one_query_each(self, scenario):
        for call in (
            lambda: metrics.foi_timeliness(start=JAN, end=FEB_END),
            lambda: metrics.foi_received(start=JAN, end=FEB_END),
            lambda: metrics.foi_outstanding(at=FEB_END),
            lambda: metrics.sar_timeliness(start=JAN, end=FEB_END),
            lambda: metrics.sar_received(start=JAN, end=FEB_END),
            lambda: metrics.sar_outstanding(at=FEB_END),
        ):
            with CaptureQueriesContext(connection) as queries:
                call()
            assert len(queries) == 1


@pytest.mark.django_db
class SarMetricsTests:
    def test_it_counts_19a_against_the_due_date_of_the_regime(self, scenario):
        assert metrics.sar_timeliness(start=JAN, end=FEB_END) == Ratio(1, 2)  # F; G late
        assert metrics.sar_timeliness(start=JAN, end=date(2025, 1, 31)) == Ratio(0, 0)
        assert Ratio(0, 0).percent is None

    def test_it_counts_19b_and_19c(self, scenario):
        assert metrics.sar_received(start=JAN, end=FEB_END) == 3
        assert metrics.sar_received(start=JAN, end=date(2025, 1, 31)) == 2
        assert metrics.sar_outstanding(at=date(2025, 1, 31)) == 2  # F and G
        assert metrics.sar_outstanding(at=FEB_END) == 1  # H


@pytest.mark.django_db
class SnapshotMetricsTests:
    def test_it_counts_open_due_soon_and_overdue_with_every_breakdown(self, scenario):
        s = scenario
        values = by_key(metrics.snapshot_metrics(as_of=noon(date(2025, 1, 31))))
        # Open on 31 Jan: B, C, E, F, G and the review R. Due by Fri 7 Feb: B (3 Feb), F (6 Feb).
        assert values[("infogov.open_cases", ALL, "")] == 6
        assert values[("infogov.due_within_5_working_days", ALL, "")] == 2
        assert values[("infogov.overdue", ALL, "")] == 0
        assert values[("infogov.open_cases", "kind", "foi")] == 3
        assert values[("infogov.open_cases", "kind", "eir")] == 1
        assert values[("infogov.open_cases", "kind", "sar")] == 2
        assert values[("infogov.open_cases", "directorate", str(s.finance.pk))] == 3
        assert values[("infogov.open_cases", "directorate", str(s.housing.pk))] == 3
        assert values[("infogov.due_within_5_working_days", "directorate", str(s.finance.pk))] == 2

    def test_it_uses_the_due_date_in_force_at_the_time(self, scenario):
        # 10 Feb: E's first due date (5 Feb) had passed, but it had moved to 17 Feb on 20 Jan.
        values = by_key(metrics.snapshot_metrics(as_of=noon(date(2025, 2, 10))))
        assert values[("infogov.overdue", "kind", "eir")] == 0
        assert values[("infogov.due_within_5_working_days", "kind", "eir")] == 1
        # On 15 Jan, before the clarification arrived, E was due on 5 Feb.
        behind = metrics.cases_behind(
            metric="infogov.open_cases", as_of=noon(date(2025, 1, 15)), breakdown="kind", key="eir"
        )
        assert [case.reference for case in behind] == ["E"]
        # 18 Feb: E (17 Feb) and G (13 Feb) overdue.
        values = by_key(metrics.snapshot_metrics(as_of=noon(date(2025, 2, 18))))
        assert values[("infogov.overdue", ALL, "")] == 2

    def test_it_lists_every_kind_and_directorate_with_labels(self, scenario):
        rows = metrics.snapshot_metrics(as_of=noon(date(2024, 12, 1)))
        assert {r.value for r in rows} == {0}
        assert len(rows) == 3 * (1 + 3 + 2)
        labels = {(r.breakdown, r.key): r.label for r in rows}
        assert labels[("kind", "sar")] == "SAR"
        assert labels[("directorate", str(scenario.finance.pk))] == "Finance"

    def test_it_runs_a_fixed_number_of_queries(self, scenario):
        with CaptureQueriesContext(connection) as queries:
            metrics.snapshot_metrics(as_of=noon(date(2025, 1, 31)))
        # the grouped counts; the directorates (the calendar is patched in these tests)
        assert len(queries) == 2

    def test_it_refuses_a_naive_instant(self, scenario):
        with pytest.raises(ValueError, match="aware"):
            metrics.snapshot_metrics(as_of=datetime(2025, 1, 31, 12))  # noqa: DTZ001

    def test_many_instants_give_what_one_at_a_time_gives(self, scenario):
        instants = [noon(date(2025, 1, 15)) + timedelta(days=3 * n) for n in range(12)]
        with CaptureQueriesContext(connection) as queries:
            many = metrics.snapshot_metrics_many(instants=instants)
        # the directorates, then the grouped counts of every instant at once
        assert len(queries) == 2
        assert many == [metrics.snapshot_metrics_recounted(as_of=t) for t in instants]
        assert any(r.value for rows in many for r in rows)

    def test_one_instant_at_a_time_gives_what_the_orm_counts(self, scenario):
        # A single instant's SQL joins the cases to it by range, not by generated runs.
        instants = [noon(date(2025, 1, 10)) + timedelta(days=2 * n) for n in range(25)]
        one_at_a_time = [metrics.snapshot_metrics(as_of=t) for t in instants]
        assert one_at_a_time == [metrics.snapshot_metrics_recounted(as_of=t) for t in instants]
        assert one_at_a_time == metrics.snapshot_metrics_many(instants=instants)
        assert any(r.value for rows in one_at_a_time for r in rows)

    def test_many_instants_in_any_order_and_repeated_give_what_one_at_a_time_gives(self, scenario):
        # The SQL numbers the instants by date to find each case's run of them: the answers
        # still come back in the order asked, a repeated instant answered each time.
        days = [date(2025, 2, 10), date(2025, 1, 20), date(2025, 2, 10), date(2025, 1, 31)]
        instants = [noon(day) for day in days]
        many = metrics.snapshot_metrics_many(instants=instants)
        assert many == [metrics.snapshot_metrics_recounted(as_of=t) for t in instants]
        assert metrics.snapshot_metrics_many(instants=[]) == []

    def test_many_instants_read_the_due_date_in_force_as_one_at_a_time_does(self, scenario):
        s = scenario
        moved = noon(date(2025, 2, 11))
        # Two moves of H's due date recorded at one instant: the later one (by pk) holds.
        for new in (date(2025, 2, 14), date(2025, 2, 13)):
            DueDateChange.objects.create(case=s.h, old=s.h.due, new=new, reason="moved", at=moved)
        # G loaded in bulk, without change rows: its stored due date (13 Feb) holds.
        s.g.due_changes.all().delete()
        # B's changes recorded late (2 Feb): before then its first change's date holds.
        s.b.due_changes.update(at=noon(date(2025, 2, 2)), new=date(2025, 1, 21))
        instants = [noon(date(2025, 1, 14) + timedelta(days=n)) for n in range(40)]
        many = metrics.snapshot_metrics_many(instants=instants)
        assert many == [metrics.snapshot_metrics_recounted(as_of=t) for t in instants]
        at = dict(zip(instants, many, strict=True))
        assert by_key(at[noon(date(2025, 1, 22))])[("infogov.overdue", "kind", "foi")] == 1  # B
        # 13 Feb (the later move) has passed on 14 Feb: H overdue, as G is.
        assert (
            by_key(at[noon(date(2025, 2, 13)) + timedelta(days=1)])[
                ("infogov.overdue", "kind", "sar")
            ]
            == 2
        )


@pytest.mark.django_db
class AsOfTests:
    def test_later_history_does_not_change_a_past_figure(self, scenario):
        s = scenario
        t = noon(date(2025, 2, 11))
        before = metrics.snapshot_metrics(as_of=t)
        periods = (
            metrics.foi_outstanding(at=date(2025, 2, 11)),
            metrics.sar_outstanding(at=date(2025, 2, 11)),
            metrics.foi_timeliness(start=JAN, end=date(2025, 2, 11)),
        )
        # After T: E answered, H extended, a new case logged, R withdrawn.
        Scenario.event(
            s.h, EventKind.EXTENSION, date(2025, 2, 20), extension_reason="sar_complexity"
        )
        Scenario.respond(s.e, date(2025, 2, 25))
        Scenario.event(s.r, EventKind.WITHDRAWN, date(2025, 2, 26))
        Scenario.log("N", Kind.FOI, date(2025, 2, 12), ServiceFactory(directorate=s.finance))
        assert metrics.snapshot_metrics(as_of=t) == before
        assert (
            metrics.foi_outstanding(at=date(2025, 2, 11)),
            metrics.sar_outstanding(at=date(2025, 2, 11)),
            metrics.foi_timeliness(start=JAN, end=date(2025, 2, 11)),
        ) == periods
        assert (
            by_key(metrics.snapshot_metrics(as_of=noon(date(2025, 2, 27))))[
                ("infogov.open_cases", ALL, "")
            ]
            == 2
        )  # H and N: C and G answered 20 Feb, E answered, R withdrawn


@pytest.mark.django_db
class CasesBehindTests:
    def test_it_agrees_with_every_snapshot_row(self, scenario):
        for day in (date(2025, 1, 15), date(2025, 1, 31), date(2025, 2, 10), date(2025, 2, 18)):
            for row in metrics.snapshot_metrics(as_of=noon(day)):
                cases = metrics.cases_behind(
                    metric=row.metric, as_of=noon(day), breakdown=row.breakdown, key=row.key
                )
                assert cases.count() == row.value, (day, row)

    def test_it_agrees_with_every_period_figure(self, scenario):
        s = scenario
        keys = [(ALL, ""), *(("kind", k.value) for k in Kind)]
        keys += [("directorate", str(s.finance.pk)), ("directorate", str(s.housing.pk))]
        for start, end in ((JAN, FEB_END), (JAN, date(2025, 1, 31)), (date(2025, 2, 1), FEB_END)):

            def behind(metric, breakdown=ALL, key="", start=start, end=end):
                return metrics.cases_behind(
                    metric=metric, start=start, end=end, breakdown=breakdown, key=key
                )

            within, in_time = metrics.foi_timeliness(start=start, end=end)
            assert behind(metrics.FOI_RESPONDED).count() == within.denominator
            assert behind(metrics.FOI_WITHIN_STATUTORY).count() == within.numerator
            assert behind(metrics.FOI_IN_TIME).count() == in_time.numerator
            assert behind(metrics.FOI_RECEIVED).count() == metrics.foi_received(
                start=start, end=end
            )
            outstanding, overdue = metrics.foi_outstanding(at=end)
            assert behind(metrics.FOI_OUTSTANDING).count() == outstanding
            assert behind(metrics.FOI_OUTSTANDING_OVERDUE).count() == overdue
            sar = metrics.sar_timeliness(start=start, end=end)
            assert behind(metrics.SAR_RESPONDED).count() == sar.denominator
            assert behind(metrics.SAR_IN_TIME).count() == sar.numerator
            assert behind(metrics.SAR_RECEIVED).count() == metrics.sar_received(
                start=start, end=end
            )
            assert behind(metrics.SAR_OUTSTANDING).count() == metrics.sar_outstanding(at=end)
            # The breakdowns partition the whole.
            for metric in metrics.PERIOD_METRICS:
                whole = behind(metric).count()
                assert sum(behind(metric, "kind", k.value).count() for k in Kind) == whole
                assert sum(behind(metric, *key).count() for key in keys[4:]) == whole

        foi_only = behind(metrics.FOI_RECEIVED, "kind", "foi", JAN, FEB_END)
        assert foi_only.count() == metrics.foi_received(start=JAN, end=FEB_END, include_eir=False)

    def test_it_never_joins_the_requester(self, scenario):
        sql = str(metrics.cases_behind(metric="infogov.overdue", as_of=noon(TODAY)).query)
        assert "requester" not in sql.lower()

    def test_it_refuses_unknown_metrics_and_missing_arguments(self, scenario):
        with pytest.raises(ValueError, match="unknown infogov metric"):
            metrics.cases_behind(metric="infogov.nope")
        with pytest.raises(ValueError, match="as_of"):
            metrics.cases_behind(metric="infogov.overdue")
        with pytest.raises(ValueError, match="start and end"):
            metrics.cases_behind(metric=metrics.FOI_RECEIVED, end=FEB_END)
        with pytest.raises(ValueError, match="breakdown"):
            metrics.cases_behind(metric=metrics.FOI_RECEIVED, start=JAN, end=FEB_END, breakdown="x")
