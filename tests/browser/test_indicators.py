"""The scorecard and an indicator's page in a real browser: drawn, accessible, self-contained."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hackperf.roles import Role
from indicators import demo
from tests.browser.conftest import ARTIFACTS, assert_fits


@pytest.fixture
def signed_in_dmt(sign_in_as):
    demo.seed(now=timezone.now())
    return sign_in_as(Role.DMT, "dana", first_name="Dana", last_name="Mensah")


@pytest.mark.django_db(transaction=True)
class IndicatorsInTheBrowserTests:
    def test_the_scorecard_shows_rag_in_words_and_sparklines_with_text(self, signed_in_dmt):
        page = signed_in_dmt.visit(reverse("indicators:scorecard"))
        assert page.get_by_role("heading", level=1).inner_text() == "Indicators"
        row = page.locator('tr[data-indicator="ict-modern"]')
        assert row.locator(".hp-rag").inner_text().split(" – ")[0] in ("Green", "Amber", "Red")
        sparkline = row.get_by_role("img")
        assert sparkline.get_attribute("aria-label").startswith("ICT MODERN trend, ")
        assert page.locator("tbody tr").count() >= 12
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "indicators-scorecard.png"), full_page=True)
        assert signed_in_dmt.axe_violations() == []
        assert signed_in_dmt.foreign_requests() == []
        assert signed_in_dmt.console_errors == []

    def test_an_indicator_page_draws_its_chart_with_a_data_table(self, signed_in_dmt):
        page = signed_in_dmt.visit(reverse("indicators:scorecard"))
        page.get_by_role("link", name="DIG RES SAT").click()
        page.wait_for_load_state()
        assert page.url.endswith("/indicators/dig-res-sat/")
        # plotly.js (from static/) drew the chart, and its data table is there too.
        assert page.locator("#history-dig-res-sat .main-svg").count() >= 1
        assert page.locator("figure details table tbody tr").count() == 24
        assert page.get_by_role("heading", name="Monthly values").count() == 1
        # The newest value is only entered: the DMT may check it from the table.
        assert page.get_by_role("button", name=f"Check {last_month():%B %Y}").count() == 1
        page.get_by_role("link", name="Month").click()
        page.wait_for_load_state()
        assert (
            page.locator("th.orderable", has_text="Month").get_attribute("aria-sort") == "ascending"
        )
        # The values table, actions and all, fits the screen: nothing scrolls sideways.
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            assert_fits(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "indicators-detail.png"), full_page=True)
        assert signed_in_dmt.axe_violations() == []
        assert signed_in_dmt.foreign_requests() == []
        assert signed_in_dmt.console_errors == []


def last_month() -> dt.date:
    today = timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
