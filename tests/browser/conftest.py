"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
a thread with a running loop unless told the caller is synchronous, which it is here.
"""

import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.utils import timezone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.hackperf.factories import PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine has no network: without these Chromium keeps trying Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable}: run `make chromium` or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordingPage:
    """A Playwright page that records every request it makes, to catch other hosts."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        # A Content-Security-Policy violation: Chromium logs "Refused to ..." on the console.
        page.on(
            "console",
            lambda msg: self.csp_violations.append(msg.text) if "Refused to" in msg.text else None,
        )

    def foreign_requests(self) -> list[str]:
        own = urlparse(self.base_url).netloc
        return [
            url
            for url in self.requests
            if urlparse(url).scheme not in ("data", "blob", "about") and urlparse(url).netloc != own
        ]

    def sign_in(self, username: str, password: str) -> None:
        self.page.goto(f"{self.base_url}/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def visit(self, path: str):
        """Go to ``path`` on the live server; the Playwright page."""
        self.page.goto(self.base_url + path)
        return self.page

    def follow(self, link: str) -> None:
        """Click the link named ``link`` and wait for the page it loads."""
        self.page.get_by_role("link", name=link).click()
        self.page.wait_for_load_state()

    def press(self, button: str) -> None:
        """Click the button named ``button`` and wait for the page the form sends back."""
        self.page.get_by_role("button", name=button).click()
        self.page.wait_for_load_state()

    def shown_link_urls(self) -> list[str]:
        """What each visible link shows after itself in the current media (the design
        system's print CSS adds " (/path)"; our print rules take it off): [] on paper."""
        return self.page.evaluate(
            """() => [...document.querySelectorAll('a[href]')]
                .filter(a => a.offsetParent !== null)
                .map(a => getComputedStyle(a, '::after').content)
                .filter(c => c && c !== 'none' && c !== 'normal')"""
        )

    def axe_violations(self, *, impacts=("serious", "critical")) -> list[dict]:
        """Run axe-core (served from static/) against WCAG 2.2 AA.

        Loaded by URL from this site, not injected inline: the Content-Security-Policy
        refuses inline script, and it is under test too.
        """
        assert AXE.is_file(), AXE
        self.page.add_script_tag(url=f"{self.base_url}/static/vendor/axe.min.js")
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_22_AA,
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [node["target"] for node in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in impacts
        ]


@pytest.fixture
def recording_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield RecordingPage(page, live_server.url)
    polling = _polls(page)
    context.close()
    if polling:
        # A refresh already in the live server's hands still reads the queue tallies; the
        # database flush that follows (TRUNCATE) must not race it into a deadlock.
        time.sleep(POLL_SETTLE_SECONDS)


POLL_SETTLE_SECONDS = 2


@pytest.fixture
def sign_in_as(recording_page, make_user):
    """Sign the browser in, through the sign-in page, as a new user holding ``role`` with the
    given username (and names); the recording page."""

    def sign_in(role, username: str, **names) -> RecordingPage:
        make_user(role, username=username, **names)
        recording_page.sign_in(username, PASSWORD)
        return recording_page

    return sign_in


def fill_date(page, name: str, day: str, month: str, year: str) -> None:
    """Type a date into a GOV.UK date input's day, month and year boxes."""
    page.locator(f"#id_{name}").fill(day)
    page.locator(f"#id_{name}-month").fill(month)
    page.locator(f"#id_{name}-year").fill(year)


def fill_today(page, name: str) -> None:
    """Type today's date into a GOV.UK date input."""
    today = timezone.localdate()
    fill_date(page, name, str(today.day), str(today.month), str(today.year))


def _polls(page) -> bool:
    """Whether the page shown last refreshes itself (htmx ``every``)."""
    try:
        return page.evaluate("() => !!document.querySelector('[hx-trigger^=\"every\"]')")
    except Exception:  # a closed or navigating page polls nothing
        return False


FITS = """() => {
    const page = document.documentElement.scrollWidth <= window.innerWidth;
    const tables = Array.from(document.querySelectorAll('.hp-table-scroll')).map(
        (box) => box.querySelector('table').getBoundingClientRect().right
            <= box.getBoundingClientRect().right + 1);
    return {page, tables};
}"""


def assert_fits(page):
    """No horizontal scroll: neither the page nor any table inside its scroll box."""
    fits = page.evaluate(FITS)
    assert fits["page"], "the page scrolls sideways"
    assert all(fits["tables"]), f"a table is wider than the page: {fits['tables']}"
