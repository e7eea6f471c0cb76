"""The DMT review as a meeting: the first screen's headline rows, any fortnight (picker,
previous and next, bad input, computing one from the history), and actions carried from
review to review until closed with a note."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from indicators import review, review_actions, review_fortnights, review_headline
from indicators.models import ReviewAction, Snapshot
from indicators.services.review_packs import review_pack_freeze
from tests.indicators.test_review import make_snapshots

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
CLOSURES_PER_WEEK = "servicedesk.closures_per_week"  # closures, shown per week


def figures(**series: list[int]) -> dict:
    instants = [f"2026-11-{day:02d}T00:00:00+00:00" for day in (2, 16)][
        -len(next(iter(series.values()))) :
    ]
    return {"instants": instants, "metrics": {f"servicedesk.{k}": v for k, v in series.items()}}


class HeadlineTests:
    def build(self, thresholds=None, **series):
        series.setdefault("closures", [100, 90])
        built = review.build(figures(**series))
        rows = review_headline.headline(built, thresholds=thresholds or {})
        return {item.row.code: item for item in rows}

    def test_it_has_every_headline_figure_once(self):
        rows = self.build()
        assert list(rows) == [code for code, _ in review_headline.HEADLINE]
        assert list(rows) == [
            "servicedesk.open_incidents",
            "servicedesk.open_requests",
            "servicedesk.over_a_week_old",
            CLOSURES_PER_WEEK,
            "servicedesk.reopens",
            "servicedesk.multiple_reassignments",
            "servicedesk.escalations",
            "servicedesk.new_starter_logged",
            "servicedesk.new_starter_open",
            "servicedesk.mfd_open",
            "servicedesk.joiners_movers_leavers_open",
            "servicedesk.self_service_share",
            "infogov.open_cases",
            "infogov.overdue",
        ]

    def test_its_labels_are_the_declarations(self):
        rows = self.build()
        assert rows[CLOSURES_PER_WEEK].label == "Closures per week"
        assert rows["servicedesk.multiple_reassignments"].label == (
            "Reassigned two or more times, open"
        )
        assert rows["infogov.overdue"].label == "FOI, EIR and SAR cases overdue"

    def test_it_says_whether_a_change_is_better_or_worse(self):
        rows = self.build(open_incidents=[200, 180], reopens=[10, 15])
        assert rows["servicedesk.open_incidents"].change_text == "Down 20, better"
        assert rows["servicedesk.reopens"].change_text == "Up 5, worse"
        assert rows[CLOSURES_PER_WEEK].change_text == "Down 5.0, worse"

    def test_it_shows_closures_per_week_as_half_the_fortnight(self):
        row = self.build(closures=[101, 91])[CLOSURES_PER_WEEK].row
        assert (row.current_text, row.previous_text, row.drill_metric) == (
            "45.5",
            "50.5",
            "servicedesk.closures",
        )

    @pytest.mark.parametrize(
        ("value", "state", "over"),
        [
            (39, "Within the limit of 40", False),
            (40, "Within the limit of 40", False),
            (41, "Over the limit of 40 by 1", True),
        ],
    )
    def test_it_states_a_ceiling_in_words(self, value, state, over):
        row = self.build({"servicedesk.over_a_week_old": 40}, over_a_week_old=[50, value])[
            "servicedesk.over_a_week_old"
        ]
        assert (row.threshold_state, row.over_threshold) == (state, over)

    def test_it_states_a_floor_in_words(self):
        rows = self.build({CLOSURES_PER_WEEK: 50}, closures=[120, 90])
        assert rows[CLOSURES_PER_WEEK].threshold_state == ("Under the floor of 50.0 by 5.0")

    def test_a_figure_without_a_threshold_states_none(self):
        assert self.build()["servicedesk.open_incidents"].threshold_state == ""

    def test_a_single_fortnight_has_no_comparison(self):
        row = self.build(open_incidents=[7], closures=[3])["servicedesk.open_incidents"]
        assert (row.change_text, row.verdict) == ("No comparison", "")


class FortnightTests:
    def test_it_reads_a_fortnight_by_the_sunday_it_ends(self):
        instant = review_fortnights.instant_of("2026-11-15", now=NOW)
        assert instant == datetime(2026, 11, 16, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("soon", "Enter the fortnight as a date"),
            ("2026-11-16", "There is no fortnight ending 16 November 2026"),
            ("2026-11-08", "There is no fortnight ending 8 November 2026"),
            ("2026-12-13", "The fortnight ending 13 December 2026 has not ended yet"),
            ("0001-01-01", "Enter the fortnight as a date"),
        ],
    )
    def test_it_refuses_what_is_not_a_past_fortnight(self, text, message):
        with pytest.raises(review_fortnights.FortnightError, match=message):
            review_fortnights.instant_of(text, now=NOW)

    def test_it_offers_two_years_and_older_snapshots_latest_first(self):
        old = datetime(2023, 1, 9, tzinfo=UTC)  # a fortnight end with a snapshot
        options = review_fortnights.options({old: old}, now=NOW)
        assert options[0].day == date(2026, 11, 29)
        assert options[-1].instant == old and options[-1].has_snapshot
        assert "(not computed yet)" in options[0].label
        assert len(options) == 52 + 1 + 1  # two years, the fortnight that ends it, the old one

    def test_it_knows_previous_and_next(self):
        instant = datetime(2026, 11, 16, tzinfo=UTC)
        assert review_fortnights.neighbours(instant, now=NOW) == (
            date(2026, 11, 1),
            date(2026, 11, 29),
        )
        latest = datetime(2026, 11, 30, tzinfo=UTC)
        assert review_fortnights.neighbours(latest, now=NOW)[1] is None

    def test_it_lists_what_computing_a_fortnight_takes(self):
        instant = datetime(2026, 11, 30, tzinfo=UTC)
        before = datetime(2026, 11, 16, tzinfo=UTC)
        missing = review_fortnights.missing(instant, {before: before}, count=13)
        assert len(missing) == 12 and before not in missing and missing[-1] == instant


@pytest.mark.django_db
class AnyFortnightPageTests:
    def test_it_shows_a_past_fortnight_with_its_neighbours(self, client_as):
        make_snapshots(15)
        response = client_as(Role.DMT).get(
            reverse("indicators:review"), {"fortnight": "2026-10-18"}
        )
        assert str(response.context["fortnight_ending"]) == "2026-10-18"
        assert response.context["picker"]["previous"] == date(2026, 10, 4)
        assert response.context["picker"]["following"] == date(2026, 11, 1)
        html = response.content.decode()
        assert 'value="2026-10-18" selected' in html
        assert "computed from the history on" not in html  # taken at the time

    def test_it_says_a_fortnight_was_computed_after_the_fact(self, client_as):
        instants = make_snapshots(2)
        Snapshot.objects.filter(instant=instants[-1]).update(taken_at=NOW)
        html = client_as(Role.DMT).get(reverse("indicators:review")).content.decode()
        assert "These figures were computed from the history on 6 December 2026" in html

    def test_a_bad_fortnight_is_a_clear_error_not_a_500(self, client_as):
        make_snapshots(2)
        response = client_as(Role.DMT).get(reverse("indicators:review"), {"fortnight": "x\u2028"})
        assert response.status_code == 200
        assert "Enter the fortnight as a date, like 2026-11-15." in response.content.decode()
        assert str(response.context["fortnight_ending"]) == "2026-11-15"  # the latest instead

    def test_it_offers_to_compute_a_fortnight_without_a_snapshot(self, client_as):
        make_snapshots(2)
        html = (
            client_as(Role.DMT)
            .get(reverse("indicators:review"), {"fortnight": "2026-03-08"})
            .content.decode()
        )
        assert "No snapshot was taken for the fortnight ending 8 March 2026" in html
        assert "Compute this fortnight from the history" in html

    def test_it_computes_a_fortnight_from_the_history_on_request(
        self, client_as, django_capture_on_commit_callbacks, monkeypatch
    ):
        from indicators import tasks

        # The worker, here: the task runs where it is queued, once the request commits.
        monkeypatch.setattr(tasks.snapshot_fortnightly, "delay", tasks.snapshot_fortnightly)
        from servicedesk import services as sd
        from tests.servicedesk.factories import QueueFactory, log_ticket

        desk = QueueFactory(slug="desk", name="Desk")
        log_ticket(queue=desk, at=datetime(2026, 2, 24, 9, tzinfo=UTC), reference="INC-A")
        done = log_ticket(queue=desk, at=datetime(2026, 2, 25, 9, tzinfo=UTC), reference="INC-B")
        sd.ticket_assign(ticket=done, actor=None, at=datetime(2026, 2, 25, 10, tzinfo=UTC))
        client = client_as(Role.DMT)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("indicators:review_compute"), {"fortnight": "2026-03-08"}
            )
        assert response.status_code == 302
        assert response.url == f"{reverse('indicators:review')}?fortnight=2026-03-08"
        # The fortnight and the one before at once; the 11 earlier ones by the worker.
        assert Snapshot.objects.order_by().values("instant").distinct().count() == 13
        page = client.get(response.url)
        row = next(
            entry["item"].row
            for entry in page.context["headline"]
            if entry["item"].row.code == "servicedesk.open_incidents"
        )
        assert row.current == 2
        assert "computed from the history on" in page.content.decode()

    def test_computing_refuses_a_bad_fortnight(self, client_as):
        response = client_as(Role.DMT).post(
            reverse("indicators:review_compute"), {"fortnight": "2026-03-09"}, follow=True
        )
        assert "There is no fortnight ending 9 March 2026" in response.content.decode()
        assert not Snapshot.objects.exists()

    @pytest.mark.parametrize("role", [Role.QUEUE_OWNER, Role.IG_OFFICER, Role.BRIEFING_VIEWER])
    def test_only_the_dmt_computes(self, client_as, role):
        response = client_as(role).post(
            reverse("indicators:review_compute"), {"fortnight": "2026-03-08"}
        )
        assert response.status_code == 403


@pytest.mark.django_db
class ReviewActionTests:
    def packs(self, make_user):
        instants = make_snapshots(3)
        dmt = make_user(Role.DMT)
        first = review_pack_freeze(
            fortnight_end=instants[-2], by=dmt, now=instants[-2] + timedelta(hours=9)
        )
        return instants, dmt, first

    def add(self, pack, dmt, text, *, now=None):
        return review_actions.review_action_add(
            pack=pack, description=text, owner=dmt, due=date(2026, 12, 1), by=dmt, now=now
        )

    def test_an_open_action_carries_into_the_next_review_and_pack(self, client_as, make_user):
        instants, dmt, first = self.packs(make_user)
        kept = self.add(first, dmt, "Chase the MFD supplier.", now=first.frozen_at)
        closed = self.add(first, dmt, "Rota the desk.", now=first.frozen_at)
        review_actions.review_action_close(
            action=closed, note="Rota agreed.", by=dmt, now=instants[-1] - timedelta(days=1)
        )
        client = client_as(Role.DMT)
        html = client.get(reverse("indicators:review")).content.decode()
        assert "Chase the MFD supplier." in html and "Rota the desk." not in html
        second = review_pack_freeze(
            fortnight_end=instants[-1], by=dmt, now=instants[-1] + timedelta(hours=9)
        )
        agreed, carried = review_actions.pack_actions(second)
        assert (agreed, carried) == ([], [kept])
        # Closing it later leaves it in that pack, shown as closed with its note.
        review_actions.review_action_close(action=kept, note="Supplier replaced the MFDs.", by=dmt)
        page = client.get(second.get_absolute_url()).content.decode()
        assert "Chase the MFD supplier." in page and "Supplier replaced the MFDs." in page
        assert (
            "Chase the MFD supplier."
            not in client.get(reverse("indicators:review")).content.decode()
        )

    def test_an_open_action_past_its_due_day_is_marked_overdue(self, client_as, make_user):
        _, dmt, first = self.packs(make_user)
        today = timezone.localdate()
        for text, due in (("Late one.", today - timedelta(days=1)), ("Due today.", today)):
            review_actions.review_action_add(
                pack=first, description=text, owner=dmt, due=due, by=dmt, now=first.frozen_at
            )
        html = client_as(Role.DMT).get(reverse("indicators:review")).content.decode()
        rows = {
            text: html[html.index(text) : html.index("</tr>", html.index(text))]
            for text in ("Late one.", "Due today.")
        }
        assert "Overdue" in rows["Late one."] and "Overdue" not in rows["Due today."]

    def test_the_dmt_records_an_action_with_owner_and_due_date(self, client_as, make_user):
        _, dmt, first = self.packs(make_user)
        owner = make_user(Role.QUEUE_OWNER, username="quinn", first_name="Quinn", last_name="Osei")
        response = client_as(Role.DMT).post(
            reverse("indicators:review_action_create", args=[first.pk]),
            {"description": "Clear the MFD backlog.", "owner": owner.pk, "due": "2026-12-18"},
        )
        assert response.status_code == 302
        action = ReviewAction.objects.get()
        assert (action.owner, action.due, action.state) == (owner, date(2026, 12, 18), "open")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"owner": "", "due": "2026-12-18", "description": "x"}, "Choose who owns the action."),
            ({"owner": "999999", "due": "2026-12-18", "description": "x"}, "from the list"),
            ({"owner": "", "due": "18/12", "description": "x"}, "Enter the due date as a date"),
            ({"owner": "", "due": "9999-12-31", "description": "x"}, "2026"),
            ({"owner": "", "due": "2026-12-18", "description": " "}, "Say what the action is."),
        ],
    )
    def test_a_bad_action_is_a_clear_error(self, client_as, make_user, data, message):
        _, dmt, first = self.packs(make_user)
        data = {**data, "owner": data["owner"] or dmt.pk} if "owner" in data else data
        if message == "Choose who owns the action.":
            data["owner"] = ""
        response = client_as(Role.DMT).post(
            reverse("indicators:review_action_create", args=[first.pk]), data
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not ReviewAction.objects.exists()

    def test_closing_needs_a_note_and_happens_once(self, client_as, make_user):
        _, dmt, first = self.packs(make_user)
        action = self.add(first, dmt, "Chase the MFD supplier.")
        client = client_as(Role.DMT)
        url = reverse("indicators:review_action_close", args=[action.pk])
        assert "Say what was done" in client.post(url, {"note": ""}).content.decode()
        assert client.post(url, {"note": "Done."}).status_code == 302
        with pytest.raises(ValidationError, match="already closed"):
            review_actions.review_action_close(action=action, note="Again.", by=dmt)
        action.refresh_from_db()
        assert (action.state, action.closing_note) == ("closed", "Done.")
        assert action.closed_by.username != dmt.username  # who pressed the button

    def test_a_missing_action_or_pack_is_a_404(self, client_as):
        client = client_as(Role.DMT)
        assert client.get(reverse("indicators:review_action_close", args=[9999])).status_code == 404
        assert (
            client.get(reverse("indicators:review_action_create", args=[9999])).status_code == 404
        )

    @pytest.mark.parametrize("count", [2, 20])
    def test_the_pages_run_fixed_queries_whatever_the_number_of_actions(
        self, client_as, make_user, django_assert_num_queries, count
    ):
        instants, dmt, first = self.packs(make_user)
        second = review_pack_freeze(fortnight_end=instants[-1], by=dmt)
        for n in range(count):
            self.add(first if n % 2 else second, dmt, f"Action {n}", now=first.frozen_at)
        client = client_as(Role.DMT)
        client.get(reverse("indicators:review"))  # warm the session and the review's cache
        # session, user, savepoint, user and group permissions; snapshot versions; packs;
        # open actions; this fortnight's pack; release savepoint (the figures are cached:
        # test_review_cache counts the three of a fortnight not in the cache).
        with django_assert_num_queries(10):
            assert client.get(reverse("indicators:review")).status_code == 200
        # session, user, savepoint, permissions (2); the pack; its actions; the owners for
        # the form's choice; release savepoint.
        with django_assert_num_queries(9):
            assert client.get(second.get_absolute_url()).status_code == 200
