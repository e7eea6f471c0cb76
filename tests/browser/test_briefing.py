"""The Mayor's briefing in a real browser: printed to an A4 PDF, accessible, read-only for
briefing viewers."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from indicators import demo
from indicators.choices import Status
from indicators.models import Indicator, Risk
from indicators.periods import month_start, shift_month
from indicators.services.risks import risk_save
from infogov.peers.loader import peer_statistics_load_all
from tests.browser.conftest import ARTIFACTS
from tests.indicators.factories import PeriodValueFactory

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


def seed():
    """The demo's entered indicators and risks, and a year of approved values, with
    commentary as long as owners write it, for every computed indicator: a full briefing."""
    now = timezone.now()
    demo.seed(now=now)
    month = shift_month(month_start(timezone.localdate(now)), -2)
    for indicator in Indicator.objects.filter(is_computed=True):
        for back in range(13):
            PeriodValueFactory(
                indicator=indicator,
                period_start=shift_month(month, -back),
                value=Decimal(60 + (back * 7) % 35),
                status=Status.APPROVED,
                commentary=(
                    "Two major incidents in the month; the supplier's fix is due in January, "
                    "and the service lead reviews every breach at the weekly huddle."
                ),
            )
    risk_save(
        title="Cyber attack on council systems",
        owner="Head of ICT Security",
        likelihood=3,
        impact=5,
        mitigations="Patching within 14 days; immutable backups tested monthly.",
        review_date=dt.date(2026, 12, 31),
    )
    # Other councils' published FOI figures, for "how we compare" (fails without ../shared).
    peer_statistics_load_all(root=REAL)


@pytest.mark.django_db(transaction=True)
class BriefingInTheBrowserTests:
    def test_it_prints_to_an_a4_pdf_and_is_accessible(self, recording_page, sign_in_as):
        seed()
        sign_in_as(Role.BRIEFING_VIEWER, "mayor", first_name="Phil")
        page = recording_page.visit(reverse("indicators:briefing"))
        assert page.get_by_role("heading", level=1).inner_text() == "Mayor's briefing"
        assert page.get_by_role("heading", name="Risk register").count() == 1
        open_risks = Risk.objects.open().count()
        assert open_risks == len(demo.RISKS) + 1
        assert page.locator('table[data-table="risks"] tbody tr').count() == open_risks
        # A briefing viewer reads but cannot edit.
        assert page.get_by_role("link", name="Add a risk").count() == 0
        assert page.get_by_role("link", name="Cyber attack on council systems").count() == 0
        # How we compare: the line names the source and year; ours is marked on the strip.
        line = page.locator("[data-peer-line]").inner_text()
        assert "FOI answered in time" in line and "London boroughs" in line
        assert "mySociety" in line and "2017" in line
        assert page.locator("svg.hp-dot-strip").count() == 1
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []
        # On the screen, in the rooms it is read in: no sideways scroll at 1280 or 1920 px.
        ARTIFACTS.mkdir(exist_ok=True)
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            assert page.evaluate(
                """() => document.documentElement.scrollWidth <= window.innerWidth &&
                    [...document.querySelectorAll('.hp-table-scroll')]
                        .every(e => e.scrollWidth <= e.clientWidth + 1)"""
            ), f"the briefing scrolls sideways at {width}x{height}"
            page.screenshot(path=str(ARTIFACTS / f"briefing-{width}.png"), full_page=True)

        page.emulate_media(media="print")
        # In print no link shows its URL (base.html's rule adds "(/path)" after links).
        assert recording_page.shown_link_urls() == []
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert 1 <= pages <= 2, f"the briefing printed on {pages} A4 pages"
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "briefing.pdf").write_bytes(pdf)
        page.screenshot(path=str(ARTIFACTS / "briefing-print.png"), full_page=True)

    def test_the_dmt_edits_a_risk_and_sees_errors_first(self, recording_page, sign_in_as):
        seed()
        sign_in_as(Role.DMT, "dana", first_name="Dana")
        page = recording_page.visit(reverse("indicators:briefing"))
        recording_page.follow("Cyber attack on council systems")
        page.get_by_label("Mitigations").fill("")
        recording_page.press("Save the risk")
        assert page.get_by_role("alert").inner_text().startswith("There is a problem")
        assert recording_page.axe_violations() == []
        page.get_by_label("Mitigations").fill("Patching within 7 days.")
        page.get_by_label("Likelihood").select_option("4")
        page.get_by_role("button", name="Save the risk").click()
        page.wait_for_load_state()
        assert "20 Red" in page.locator('table[data-table="risks"]').inner_text()
        assert recording_page.axe_violations() == []
