"""The DMT review in a real browser: charts drawn with data tables, a drill-down to the
tickets behind a figure, freezing a pack; accessible and self-contained."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from hackperf.roles import Role
from indicators import services
from tests.browser.conftest import ARTIFACTS

PASSWORD = "a-good-password-1"


def history_and_snapshots():
    """Real tickets through servicedesk's services, and three fortnights backfilled."""
    from servicedesk import services as sd
    from tests.servicedesk.factories import QueueFactory, log_ticket

    desk = QueueFactory(slug="desk", name="Service desk")
    start = datetime(2026, 2, 9, 9, tzinfo=UTC)
    for n in range(6):
        ticket = log_ticket(queue=desk, at=start + timedelta(days=3 * n), reference=f"INC9{n:04d}")
        if n % 2:
            sd.ticket_assign(ticket=ticket, actor=None, at=start + timedelta(days=3 * n, hours=1))
            sd.ticket_resolve(ticket=ticket, actor=None, at=start + timedelta(days=3 * n, hours=3))
    services.snapshot_backfill(start=date(2026, 2, 9), end=date(2026, 3, 9))


@pytest.fixture
def signed_in_dmt(recording_page, make_user):
    history_and_snapshots()
    make_user(Role.DMT, username="dana", first_name="Dana", last_name="Mensah")
    recording_page.sign_in("dana", PASSWORD)
    return recording_page


@pytest.mark.django_db(transaction=True)
class ReviewInTheBrowserTests:
    def test_the_review_draws_its_trends_and_drills_down_to_tickets(self, signed_in_dmt):
        page = signed_in_dmt.page
        page.goto(signed_in_dmt.base_url + reverse("indicators:review"))
        assert page.get_by_role("heading", level=1).inner_text() == "DMT review"
        assert page.locator("#trend-open-work .main-svg").count() >= 1
        assert page.locator("figure details table tbody tr").first.is_visible() is False
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
        assert signed_in_dmt.axe_violations() == []
        assert signed_in_dmt.foreign_requests() == []
        assert signed_in_dmt.console_errors == []

        page.locator('tr[data-metric="servicedesk.open_incidents"] a').first.click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Open incidents"
        assert page.locator("tbody tr").count() == 3  # INC90000, INC90002, INC90004
        assert page.get_by_role("link", name="INC90000").count() == 1
        assert signed_in_dmt.axe_violations() == []

    def test_the_dmt_freezes_the_review_as_a_pack(self, signed_in_dmt):
        page = signed_in_dmt.page
        page.goto(signed_in_dmt.base_url + reverse("indicators:review"))
        page.get_by_role("link", name="Freeze this review as a pack").click()
        page.wait_for_load_state()
        page.get_by_label("Commentary").fill("Open incidents steady.")
        page.get_by_label("Actions agreed").fill("Review the desk rota.")
        page.get_by_role("button", name="Freeze the review").click()
        page.wait_for_load_state()
        assert "Open incidents steady." in page.content()
        assert page.locator("#trend-open-work .main-svg").count() >= 1
        assert signed_in_dmt.axe_violations() == []
