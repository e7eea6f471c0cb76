"""Other authorities' FOI figures in a real browser: the IG Group's peers page (real data)
and the comparison on the quarterly report, accessible, nothing scrolling sideways."""

from pathlib import Path

import pytest
from django.urls import reverse

from hackperf.roles import Role
from infogov.peers.loader import peer_statistics_load_all
from tests.browser.conftest import ARTIFACTS

PASSWORD = "a-good-password-1"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


@pytest.mark.django_db(transaction=True)
class PeersInTheBrowserTests:
    def test_the_ig_group_explores_and_sorts_the_peers(self, recording_page, make_user):
        peer_statistics_load_all(root=REAL)  # fails without ../shared
        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(recording_page.base_url + reverse("infogov:peer_list"))
        assert "Allerdale District Council" in page.locator("table").inner_text()
        page.get_by_text("Filter", exact=True).click()
        page.get_by_label("Type").select_option("scottish_council")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="% in time").click()
        page.wait_for_load_state()
        assert "sort=in_time_share" in page.url and "scottish_council" in page.url
        table = page.locator("table").inner_text()
        assert "Glasgow City Council" in table and "Camden" not in table
        assert page.locator("svg.hp-sparkline").count() > 10  # several years: a trend each
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert recording_page.axe_violations() == []
        assert recording_page.console_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "peers.png"), full_page=True)

    def test_the_quarterly_report_carries_the_comparison(self, recording_page, make_user):
        peer_statistics_load_all(root=REAL)
        make_user(Role.DMT, username="dana", first_name="Dana")
        recording_page.sign_in("dana", PASSWORD)
        page = recording_page.page
        page.goto(recording_page.base_url + reverse("infogov:ig_group_report"))
        line = page.locator("[data-peer-line]").inner_text()
        assert "FOI answered in time" in line and "London boroughs" in line
        assert "mySociety" in line and "2017" in line
        page.get_by_text("The 21 councils' figures as a table").click()
        assert page.locator('table[data-table="peers"] tbody tr').count() == 21
        assert recording_page.axe_violations() == []
        assert recording_page.console_errors == []
