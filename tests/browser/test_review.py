"""The DMT review in a real browser: charts drawn with data tables, a drill-down to the
tickets behind a figure, freezing a pack; accessible and self-contained. On the projector
(1920x1080) and a laptop (1280x800) its first screen holds every headline figure and nothing
scrolls sideways; a frozen pack prints on at most four A4 landscape pages, without link URLs
and with the charts' data tables open."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from hackperf.roles import Role
from indicators import review_actions, review_headline
from indicators.services.review_packs import review_pack_freeze
from indicators.services.snapshots import snapshot_backfill
from tests.browser.conftest import ARTIFACTS


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
    snapshot_backfill(start=date(2026, 2, 9), end=date(2026, 3, 9))


@pytest.fixture
def signed_in_dmt(sign_in_as):
    history_and_snapshots()
    return sign_in_as(Role.DMT, "dana", first_name="Dana", last_name="Mensah")


@pytest.mark.django_db(transaction=True)
class ReviewInTheBrowserTests:
    def test_the_review_draws_its_trends_and_drills_down_to_tickets(self, signed_in_dmt):
        page = signed_in_dmt.visit(reverse("indicators:review"))
        assert page.get_by_role("heading", level=1).inner_text().startswith("DMT review")
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
        page = signed_in_dmt.visit(reverse("indicators:review"))
        signed_in_dmt.follow("Freeze this review as a pack")
        page.get_by_label("Commentary").fill("Open incidents steady.")
        signed_in_dmt.press("Freeze the review")
        assert "Open incidents steady." in page.content()
        # The actions agreed, one at a time: what, who owns it, by when.
        page.get_by_label("Action", exact=True).fill("Review the desk rota.")
        page.get_by_label("Owner", exact=True).select_option(label="Dana Mensah")
        page.get_by_role("textbox", name="Due").fill("2026-03-20")
        page.get_by_role("button", name="Record the action").click()
        page.wait_for_load_state()
        agreed = page.locator("#actions").locator("xpath=..").inner_text()
        assert "Review the desk rota." in agreed and "Dana Mensah" in agreed
        assert page.locator("#trend-open-work .main-svg").count() >= 1
        assert signed_in_dmt.axe_violations() == []

    @pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 800)])
    def test_the_first_screen_is_the_meeting(self, signed_in_dmt, width, height):
        page = signed_in_dmt.page
        page.set_viewport_size({"width": width, "height": height})
        page.goto(signed_in_dmt.base_url + reverse("indicators:review"))
        page.wait_for_load_state("load")
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways == 0, f"the review scrolls {sideways} px sideways at {width}x{height}"
        rows = page.locator("tr[data-headline]")
        assert rows.count() == len(review_headline.HEADLINE)
        for n in range(rows.count()):
            box = rows.nth(n).bounding_box()
            assert box and box["y"] + box["height"] <= height, (
                f"{rows.nth(n).get_attribute('data-headline')} is below the first screen"
            )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"review-{width}x{height}.png"))
        assert signed_in_dmt.axe_violations() == []
        assert signed_in_dmt.console_errors == []

    def test_the_dmt_picks_a_past_fortnight_and_closes_an_action(self, signed_in_dmt):
        from django.contrib.auth import get_user_model

        dana = get_user_model().objects.get(username="dana")
        end = datetime(2026, 2, 23, tzinfo=UTC)
        pack = review_pack_freeze(fortnight_end=end, by=dana)
        review_actions.review_action_add(
            pack=pack,
            description="Chase the MFD supplier.",
            owner=dana,
            due=date(2026, 3, 6),
            by=dana,
        )
        page = signed_in_dmt.page
        page.goto(signed_in_dmt.base_url + reverse("indicators:review"))
        page.get_by_label("Fortnight", exact=True).select_option("2026-02-22")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert "Fortnight ending Sunday 22 February 2026" in page.locator("h1").inner_text()
        assert page.get_by_role("link", name="This review's pack").count() == 1
        page.get_by_role("link", name="Next fortnight").click()
        page.wait_for_load_state()
        assert "8 March 2026" in page.locator("h1").inner_text()
        page.get_by_role("link", name="Close the action: Chase the MFD supplier.").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Close the action").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").inner_text().startswith("There is a problem")
        assert signed_in_dmt.axe_violations() == []
        page.get_by_label("What was done").fill("New supplier from April.")
        page.get_by_role("button", name="Close the action").click()
        page.wait_for_load_state()
        assert "Chase the MFD supplier." not in page.locator("#actions").inner_text()

    def test_a_frozen_pack_prints_on_four_landscape_pages(self, signed_in_dmt):
        from django.contrib.auth import get_user_model

        dana = get_user_model().objects.get(username="dana")
        end = datetime(2026, 3, 9, tzinfo=UTC)
        pack = review_pack_freeze(
            fortnight_end=end, by=dana, commentary="Open incidents steady; MFD faults down."
        )
        for n, what in enumerate(("Chase the MFD supplier.", "Review the desk rota.")):
            review_actions.review_action_add(
                pack=pack, description=what, owner=dana, due=date(2026, 3, 20 + n), by=dana
            )
        page = signed_in_dmt.page
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(signed_in_dmt.base_url + pack.get_absolute_url())
        page.wait_for_load_state("load")
        assert signed_in_dmt.axe_violations() == []
        page.emulate_media(media="print")
        # No link shows its URL on paper (the design system adds "(/path)" after links).
        assert signed_in_dmt.shown_link_urls() == []
        # Every chart's data table is open on paper.
        tables = page.locator("details.hp-figure__data table")
        assert tables.count() >= 9
        assert all(tables.nth(n).is_visible() for n in range(tables.count()))
        assert page.get_by_text("Chase the MFD supplier.").is_visible()
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert 1 <= pages <= 4, f"the pack printed on {pages} pages"
        assert b"/MediaBox [0 0 841" in pdf  # A4 landscape: 841.89 x 595.28 points
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "review-pack.pdf").write_bytes(pdf)
