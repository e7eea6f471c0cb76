"""The DMT review: access, figures against the previous fortnight, fixed queries, the
drill-down to tickets and cases, and frozen review packs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hackperf.metrics import ALL
from hackperf.roles import Role
from indicators import review, review_actions
from indicators.choices import Granularity
from indicators.models import ReviewPack, Snapshot
from indicators.periods import fortnight_ends
from indicators.services.review_packs import review_pack_freeze
from indicators.services.snapshots import snapshot_take

FIRST_END = datetime(2026, 3, 9, tzinfo=UTC)


def make_snapshots(count: int, *, last: date = date(2026, 11, 16)) -> list[datetime]:
    """``count`` fortnights of every review metric, overall and by queue (value = n + i)."""
    instants = fortnight_ends(last - timedelta(days=14 * (count - 1)), last)
    rows = []
    for n, instant in enumerate(instants):
        for i, metric in enumerate(review.METRICS):
            for breakdown, key in ((ALL, ""), ("queue", "desk")):
                rows.append(
                    Snapshot(
                        instant=instant,
                        granularity=Granularity.FORTNIGHTLY,
                        metric=metric.code,
                        breakdown=breakdown,
                        key=key,
                        label="Desk" if key else "",
                        value=n + i,
                        taken_at=instant,
                    )
                )
    Snapshot.objects.bulk_create(rows)
    return instants


@pytest.mark.django_db
class ReviewPageTests:
    def test_it_says_when_there_are_no_snapshots(self, client_as):
        response = client_as(Role.DMT).get(reverse("indicators:review"))
        assert "There are no fortnightly snapshots yet" in response.content.decode()

    def test_it_shows_the_fortnight_against_the_previous_and_13_fortnights(self, client_as):
        make_snapshots(15)
        response = client_as(Role.DMT).get(reverse("indicators:review"))
        context = response.context
        assert len(context["review"].instants) == 13
        assert str(context["fortnight_ending"]) == "2026-11-15"  # Sunday: Mon 16 Nov 00:00
        row = context["sections"][0]["rows"][0]["row"]
        assert (row.code, row.current, row.previous, row.change) == (
            "servicedesk.open_incidents",
            14,
            13,
            "Up 1",
        )
        html = response.content.decode()
        for title in ("MFD print and copy", "Joiners, movers and leavers", "Escalations"):
            assert title in html
        assert "Self-service share of new tickets" in html
        # Every chart is in a figure with its summary and a data table of 13 fortnights.
        assert html.count('<figure class="hp-figure"') == html.count("data as a table") >= 8
        assert "vendor/plotly-basic.min.js" in html
        # The snapshot of Monday 16 November 00:00 is named as the drill-downs name it.
        assert "As at the end of Sunday 15 November 2026, the end of the fortnight." in html

    def test_it_derives_the_self_service_share(self):
        figures = {
            "instants": ["2026-11-23T00:00:00+00:00"],
            "metrics": {
                "servicedesk.self_service_logged": [30],
                "servicedesk.logged_incidents": [60],
                "servicedesk.logged_requests": [40],
            },
        }
        built = review.build(figures)
        share = next(g for g in built.priority_areas if g.slug == "self-service").rows[0]
        assert share.code == "servicedesk.self_service_share"
        assert (share.current_text, share.drill_metric) == (
            "30.0%",
            "servicedesk.self_service_logged",
        )

    def test_it_runs_the_same_queries_for_2_and_20_fortnights(self, client_as):
        client = client_as(Role.DMT)
        url = reverse("indicators:review")
        make_snapshots(2, last=date(2020, 1, 13))
        with CaptureQueriesContext(connection) as two:
            assert client.get(url).status_code == 200
        Snapshot.objects.all().delete()
        make_snapshots(20)
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(url).status_code == 200
        # session, user, savepoint (ATOMIC_REQUESTS), user permissions, group permissions;
        # the snapshot instants (the picker); the packs; the open actions; the review's
        # instants, its "all" figures, the last fortnight's breakdowns; this fortnight's
        # pack; release savepoint.
        assert len(two) == len(twenty) == 13


@pytest.mark.django_db
class ReviewPackTests:
    def test_it_freezes_a_copy_that_later_snapshots_do_not_change(self, client_as):
        instants = make_snapshots(3)
        client = client_as(Role.DMT)
        response = client.post(
            reverse("indicators:review_pack_create"),
            {
                "fortnight_end": instants[-1].isoformat(),
                "commentary": "Backlog falling.",
            },
        )
        pack = ReviewPack.objects.get()
        assert response.url == pack.get_absolute_url()
        review_actions.review_action_add(
            pack=pack,
            description="Chase the MFD supplier.",
            owner=pack.frozen_by,
            due=date(2026, 12, 1),
            by=pack.frozen_by,
        )
        Snapshot.objects.filter(instant=instants[-1]).update(value=987654)
        page = client.get(pack.get_absolute_url())
        html = page.content.decode()
        assert "Backlog falling." in html and "Chase the MFD supplier." in html
        assert page.context["sections"][0]["rows"][0]["row"].current == 2
        assert "987,654" not in html and "987654" not in html

    def test_it_refuses_a_second_pack_for_the_same_fortnight(self, client_as, make_user):
        instants = make_snapshots(2)
        review_pack_freeze(fortnight_end=instants[-1], by=make_user(Role.DMT))
        response = client_as(Role.DMT).post(
            reverse("indicators:review_pack_create"), {"fortnight_end": instants[-1].isoformat()}
        )
        assert response.status_code == 200
        assert "is already frozen" in response.content.decode()
        assert ReviewPack.objects.count() == 1

    def test_it_refuses_a_fortnight_without_snapshots(self, make_user):
        from django.core.exceptions import ValidationError

        make_snapshots(2)
        with pytest.raises(ValidationError):
            review_pack_freeze(fortnight_end=datetime(2026, 11, 9, 12, tzinfo=UTC), by=make_user())

    def test_it_links_the_review_to_its_pack(self, client_as, make_user):
        instants = make_snapshots(2)
        pack = review_pack_freeze(fortnight_end=instants[-1], by=make_user())
        html = client_as(Role.DMT).get(reverse("indicators:review")).content.decode()
        assert pack.get_absolute_url() in html
        assert "Freeze this review as a pack" not in html

    @pytest.mark.parametrize("role", [Role.BRIEFING_VIEWER, Role.QUEUE_OWNER])
    def test_it_refuses_others(self, client_as, make_user, role):
        instants = make_snapshots(2)
        pack = review_pack_freeze(fortnight_end=instants[-1], by=make_user())
        client = client_as(role)
        assert client.get(pack.get_absolute_url()).status_code == 403
        assert client.post(reverse("indicators:review_pack_create"), {}).status_code == 403


@pytest.mark.django_db
class ReviewDrilldownTests:
    """On real history: the listed tickets and cases are those the snapshot counted."""

    def setup_history(self):
        from servicedesk import services as sd
        from tests.indicators.test_snapshots import _log_case
        from tests.infogov.factories import DirectorateFactory, ServiceFactory
        from tests.servicedesk.factories import QueueFactory, log_ticket

        desk = QueueFactory(slug="desk", name="Desk")
        monday = datetime(2026, 2, 23, 9, tzinfo=UTC)
        self.open_ticket = log_ticket(queue=desk, at=monday, reference="INC-OPEN")
        self.closed = log_ticket(queue=desk, at=monday, reference="INC-CLOSED")
        sd.ticket_assign(ticket=self.closed, actor=None, at=monday + timedelta(hours=1))
        sd.ticket_resolve(ticket=self.closed, actor=None, at=monday + timedelta(days=1))
        service = ServiceFactory(directorate=DirectorateFactory(name="Finance"))
        self.sar = _log_case("SAR-1", "sar", date(2026, 2, 2), service)
        self.sar.subject = "My records from Hackney Housing, Zebedee Quill"
        self.sar.save(update_fields=["subject"])
        snapshot_take(as_of=FIRST_END)
        # After the instant: the open ticket is resolved.
        sd.ticket_assign(ticket=self.open_ticket, actor=None, at=FIRST_END + timedelta(hours=9))
        sd.ticket_resolve(ticket=self.open_ticket, actor=None, at=FIRST_END + timedelta(hours=10))

    def url(self, metric, **extra):
        from indicators.review_views import drill_url

        return drill_url(metric, FIRST_END, **extra)

    def test_it_lists_the_tickets_open_as_of_the_instant(self, client_as):
        self.setup_history()
        response = client_as(Role.DMT).get(self.url("servicedesk.open_incidents"))
        html = response.content.decode()
        assert "INC-OPEN" in html and "INC-CLOSED" not in html
        assert "The snapshot counted 1." in html
        assert response.context["page_obj"].paginator.count == 1

    def test_it_lists_the_events_of_a_period_figure(self, client_as):
        self.setup_history()
        response = client_as(Role.DMT).get(self.url("servicedesk.closures"))
        assert [row.reference for row in response.context["rows"]] == ["INC-CLOSED"]

    def test_it_names_the_instant_one_way(self, client_as):
        self.setup_history()
        html = client_as(Role.DMT).get(self.url("infogov.open_cases")).content.decode()
        assert "As at the end of Sunday 8 March 2026" in html  # the snapshot of Mon 9 Mar 00:00

    def test_it_drills_into_a_breakdown(self, client_as):
        self.setup_history()
        response = client_as(Role.DMT).get(
            self.url("servicedesk.open_incidents", breakdown="queue", key="desk")
        )
        assert response.context["page_obj"].paginator.count == 1

    def test_it_never_shows_a_sar_requester_or_subject(self, client_as):
        self.setup_history()
        response = client_as(Role.DMT).get(self.url("infogov.open_cases"))
        html = response.content.decode()
        assert "SAR-1" in html
        assert "Zebedee" not in html and "Hackney Housing" not in html

    @pytest.mark.parametrize(
        "query",
        [
            {"metric": "servicedesk.nonsense", "instant": "2026-03-09T00:00:00+00:00"},
            {"metric": "servicedesk.open_incidents", "instant": "2026-03-09T00:00:00"},
            {"metric": "servicedesk.open_incidents", "instant": "soon"},
            {
                "metric": "servicedesk.open_incidents",
                "instant": "2026-03-09T00:00:00+00:00",
                "breakdown": "customer",
            },
        ],
    )
    def test_it_answers_404_for_an_unknown_figure(self, client_as, query):
        response = client_as(Role.DMT).get(reverse("indicators:review_drilldown"), query)
        assert response.status_code == 404

    def test_it_refuses_everyone_but_the_dmt(self, client_as):
        response = client_as(Role.IG_OFFICER).get(self.url("infogov.open_cases"))
        assert response.status_code == 403
