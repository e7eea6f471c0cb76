"""The DMT's results page, the queue owners' comments, the ICT SAT indicator, the demo data."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from hackperf.roles import Role
from indicators.models import PeriodValue
from indicators.services.definitions import definitions_sync
from servicedesk import metrics
from servicedesk.surveys import demo, selectors
from servicedesk.surveys.models import SurveyInvitation, SurveyResponse
from tests.servicedesk.factories import QueueFactory, log_ticket
from tests.servicedesk.survey_helpers import FEBRUARY, SURVEY_DAY

RESULTS = reverse("servicedesk:survey_results")
COMMENTS = reverse("servicedesk:survey_comments")
NOT_DMT = [role for role in Role if role != Role.DMT]


def survey(queue, *, month=FEBRUARY, ratings, comment="", at=SURVEY_DAY, unanswered=0):
    """Invitations in ``queue`` for ``month``: one answered per rating, plus ``unanswered``."""
    made = []
    for i, rating in enumerate([*ratings, *([None] * unanswered)]):
        invitation = SurveyInvitation.objects.create(
            email=f"{queue.slug}-{month:%m}-{i}@hackney.example",
            month=month,
            queue=queue,
            ticket_reference=f"INC-{queue.slug}-{i}",
            created_at=at,
            sent_at=at,
        )
        if rating is not None:
            SurveyResponse.objects.create(
                invitation=invitation,
                rating=rating,
                resolved=rating > 2,
                comment=comment and f"{comment} {i}",
                responded_at=at + timedelta(days=2),
            )
        made.append(invitation)
    return made


@pytest.fixture
def queues(db):
    desk = QueueFactory(name="Service desk", slug="service-desk")
    networks = QueueFactory(name="Networks", slug="networks")
    survey(desk, ratings=[5, 5, 4, 4, 4, 4, 4, 3, 2, 1], unanswered=10, comment="Desk said")
    survey(networks, ratings=[5, 2], unanswered=1, comment="Networks said")
    return desk, networks


@pytest.mark.django_db
class SurveyResultsTests:
    def test_it_counts_invited_answered_and_satisfied_by_queue(self, queues):
        desk, networks = queues
        rows = {row.queue: row for row in selectors.results_by_queue(month=FEBRUARY)}
        assert (rows[desk].invited, rows[desk].responded, rows[desk].satisfied) == (20, 10, 7)
        assert rows[desk].response_rate.percent == Decimal("50.0")
        assert rows[desk].satisfaction.percent == Decimal("70.0")
        assert rows[desk].interval_percent == (Decimal("39.7"), Decimal("89.2"))
        assert (rows[networks].invited, rows[networks].responded) == (3, 2)
        (total,) = selectors.results_by_month()
        assert (total.month, total.invited, total.responded, total.satisfied) == (
            FEBRUARY,
            23,
            12,
            8,
        )

    def test_the_dmt_sees_the_tables_with_the_interval(self, client_as, queues):
        response = client_as(Role.DMT).get(RESULTS)
        assert response.status_code == 200
        page = response.content.decode()
        assert "By month, all queues" in page
        assert "By queue, tickets closed in February 2026" in page
        assert "Wilson score interval" in page
        assert "39.7% to 89.2%" in page
        assert "hackney.example" not in page

    def test_it_shows_another_month_by_queue(self, client_as, queues):
        desk, _ = queues
        survey(desk, month=date(2026, 1, 1), ratings=[5], at=SURVEY_DAY - timedelta(days=28))
        page = client_as(Role.DMT).get(RESULTS, {"month": "2026-01"}).content.decode()
        assert "By queue, tickets closed in January 2026" in page

    @pytest.mark.parametrize("role", NOT_DMT)
    def test_it_refuses_everyone_else(self, client_as, queues, role):
        assert client_as(role).get(RESULTS).status_code == 403

    def test_it_sends_the_signed_out_to_sign_in(self, client, queues):
        response = client.get(RESULTS)
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


@pytest.mark.django_db
class SurveyCommentsTests:
    def test_the_dmt_reads_every_queues_comments_without_emails(self, client_as, queues):
        page = client_as(Role.DMT).get(COMMENTS).content.decode()
        assert "Desk said" in page and "Networks said" in page
        assert "hackney.example" not in page
        assert "INC-" not in page  # nor the ticket, which would name the person

    def test_a_queue_owner_reads_only_their_queues_comments(self, client, make_user, queues):
        desk, networks = queues
        owner = make_user(Role.QUEUE_OWNER)
        networks.owners.add(owner)
        client.force_login(owner)
        page = client.get(COMMENTS).content.decode()
        assert "Networks said" in page
        assert "Desk said" not in page
        assert "hackney.example" not in page
        assert client.get(COMMENTS, {"queue": "networks"}).status_code == 200
        assert client.get(COMMENTS, {"queue": "service-desk"}).status_code == 403

    def test_a_low_rating_is_flagged_to_the_owner_with_a_link_to_its_ticket(
        self, client, make_user, queues, django_assert_num_queries
    ):
        desk, networks = queues
        ticket = log_ticket(queue=networks, reference="INC-LOW-1")
        (told,) = survey(networks, ratings=[1], month=date(2026, 1, 1))
        told.ticket = ticket
        told.save()
        SurveyResponse.objects.filter(invitation=told).update(ticket_shared=True)
        owner = make_user(Role.QUEUE_OWNER)
        networks.owners.add(owner)
        client.force_login(owner)
        client.get(COMMENTS)
        # session, user, savepoint, 2 permissions, owns a queue?, months, their queues,
        # release, then the comments and the low ratings: one query each, however many.
        with django_assert_num_queries(11):
            page = client.get(COMMENTS).content.decode()
        low = page[page.index('data-testid="low-ratings"') : page.index("</table>")]
        # The answer without a comment is flagged too; only the one told is linked.
        assert low.count("low</strong>") == 2
        assert reverse("servicedesk:ticket_detail", args=["INC-LOW-1"]) in low
        assert "Not shared" in low
        assert "Desk said" not in page  # another owner's queue

    @pytest.mark.parametrize("answers", [2, 20])
    def test_the_csv_has_every_comment_in_fixed_queries(
        self, client, make_user, queues, answers, django_assert_num_queries
    ):
        desk, networks = queues
        january = date(2026, 1, 1)
        survey(networks, ratings=[4] * answers, comment="=cmd|' /C calc'!A0", month=january)
        owner = make_user(Role.QUEUE_OWNER)
        networks.owners.add(owner)
        client.force_login(owner)
        url = f"{COMMENTS}?queue=networks&month=2026-01&format=csv"
        client.get(url)
        # session, user, savepoint, 2 permissions, owns a queue?, their queue by slug, months,
        # release; then, streaming, the first chunk of 500 comments.
        with django_assert_num_queries(10):
            response = client.get(url)
            text = b"".join(response.streaming_content).decode()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["Answered", "Ticket", "Queue", "Rating (of 5)", "Resolved", "Comment"]
        assert len(rows) == 1 + answers
        assert {row[1] for row in rows[1:]} == {"Not shared"}
        assert all(row[5].startswith("'=cmd") for row in rows[1:])  # formula-safe
        assert "hackney.example" not in text
        assert client.get(COMMENTS + "?queue=service-desk&format=csv").status_code == 403
        page = client.get(COMMENTS, {"queue": "networks", "month": "2026-01"}).content.decode()
        assert "?queue=networks&amp;month=2026-01&amp;format=csv" in page

    def test_a_queue_member_who_is_not_an_owner_is_refused(self, client, make_user, queues):
        desk, _ = queues
        member = make_user(Role.QUEUE_OWNER)
        desk.members.add(member)
        client.force_login(member)
        assert client.get(COMMENTS).status_code == 403

    @pytest.mark.parametrize("role", [r for r in NOT_DMT])
    def test_it_refuses_anyone_who_owns_no_queue(self, client_as, queues, role):
        assert client_as(role).get(COMMENTS).status_code == 403


@pytest.mark.django_db
class SatisfactionIndicatorTests:
    def test_it_is_the_share_of_answers_received_in_the_period_rating_4_or_5(self, queues):
        march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
        ratio = metrics.satisfaction(start=march[0], end=march[1])
        assert (ratio.numerator, ratio.denominator) == (8, 12)
        february = metrics.satisfaction(start=datetime(2026, 2, 1, tzinfo=UTC), end=march[0])
        assert february.denominator == 0

    def test_compute_indicators_stores_it(self, queues):
        definitions_sync()
        call_command("compute_indicators", "--period", "2026-03", stdout=io.StringIO())
        value = PeriodValue.objects.get(indicator__code="ICT SAT", period_start=date(2026, 3, 1))
        assert (value.value, value.numerator, value.denominator) == (
            Decimal("66.7000"),
            Decimal(8),
            Decimal(12),
        )
        # No answers in February: no value, never 0%.
        call_command("compute_indicators", "--period", "2026-02", stdout=io.StringIO())
        assert not PeriodValue.objects.filter(
            indicator__code="ICT SAT", period_start=date(2026, 2, 1)
        ).exists()


@pytest.mark.django_db
class SurveyDemoTests:
    def test_it_seeds_a_year_of_surveys_deterministically(self):
        from servicedesk import demo as servicedesk_demo

        now = datetime(2026, 3, 2, 12, tzinfo=UTC)
        servicedesk_demo.seed(tickets=1500, now=now)
        first = demo.seed(now=now)
        rows = list(
            SurveyInvitation.objects.order_by("month", "email").values_list(
                "email", "month", "queue_id", "response__rating"
            )
        )
        again = demo.seed(now=now)
        assert first == again
        assert rows == list(
            SurveyInvitation.objects.order_by("month", "email").values_list(
                "email", "month", "queue_id", "response__rating"
            )
        )
        assert first.months == 12
        assert first.responses > 0
        ratio = metrics.satisfaction(
            start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC)
        )
        assert ratio.denominator > 0
        # Nobody surveyed twice within 90 days.
        last = {}
        for email, created in SurveyInvitation.objects.order_by("created_at").values_list(
            "email", "created_at"
        ):
            assert email not in last or created - last[email] > timedelta(days=90)
            last[email] = created


@pytest.mark.django_db
class SurveyLinksOnTheQueueListTests:
    def test_it_offers_the_dmt_results_and_comments(self, client_as):
        content = client_as(Role.DMT).get(reverse("servicedesk:queue_list")).content.decode()
        assert reverse("servicedesk:survey_results") in content
        assert reverse("servicedesk:survey_comments") in content

    def test_it_offers_an_agent_who_owns_no_queue_neither(self, client_as):
        content = (
            client_as(Role.SERVICE_DESK_AGENT)
            .get(reverse("servicedesk:queue_list"))
            .content.decode()
        )
        assert reverse("servicedesk:survey_comments") not in content
