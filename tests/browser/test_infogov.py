"""The IG pages in a real browser: the overview, a case with its deadline's working, and
recording a clock event, each accessible (axe, WCAG 2.2 AA) and self-contained."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hackperf.roles import Role
from indicators import demo as indicators_demo
from indicators.choices import Status
from indicators.models import Indicator, PeriodValue
from indicators.periods import month_start, shift_month
from infogov import demo as infogov_demo
from infogov import report
from infogov.models import Case
from tests.browser.conftest import ARTIFACTS, RecordingPage, fill_date, fill_today
from tests.hackperf.factories import PASSWORD
from tests.indicators.factories import PeriodValueFactory
from tests.infogov.factories import CaseFactory, ServiceFactory


@pytest.fixture
def signed_in_officer(sign_in_as):
    return sign_in_as(Role.IG_OFFICER, "imogen", first_name="Imogen", last_name="Gray")


@pytest.mark.django_db(transaction=True)
class InfogovInTheBrowserTests:
    def test_the_overview_lists_open_cases_by_due_date(self, signed_in_officer):
        CaseFactory(reference="FOI-2026-00002", received=date(2026, 11, 20))
        CaseFactory(reference="FOI-2026-00001", received=date(2026, 9, 1))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_list"))
        assert page.get_by_role("heading", level=1).inner_text().startswith("Open FOI")
        references = page.locator("#cases tbody tr .hp-case-ref").all_inner_texts()
        assert references == ["FOI-2026-00001", "FOI-2026-00002"]
        # Due, working days left and status lead; overdue is a red tag with the word.
        headers = page.locator("#cases thead th").all_inner_texts()
        assert [h.split("\n")[0].strip() for h in headers[:3]] == [
            "Due",
            "Working days left",
            "Status",
        ]
        overdue = page.locator("#cases tbody tr").first.locator(".hp-rag--red")
        assert overdue.inner_text() == "Overdue"
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.foreign_requests() == []
        assert signed_in_officer.console_errors == []

    def test_a_case_page_shows_its_deadline_working(self, signed_in_officer):
        case = CaseFactory(received=date(2022, 9, 5))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_detail", args=[case.pk]))
        assert "Due Tuesday 4 October 2022" in page.locator("#due-date").inner_text()
        working = page.locator("#deadline-working").inner_text()
        assert "State Funeral" in working
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.foreign_requests() == []

    def test_an_officer_records_a_clock_event(self, signed_in_officer):
        case = CaseFactory(received=date(2026, 11, 2))
        page = signed_in_officer.page
        page.goto(signed_in_officer.base_url + reverse("infogov:case_detail", args=[case.pk]))
        page.get_by_role("link", name="Record a clock event").click()
        assert signed_in_officer.axe_violations() == []

        page.get_by_label("Fees notice given").check()
        fill_date(page, "date", "5", "11", "2026")
        page.get_by_role("button", name="Record the event").click()
        assert "Fees notice given" in page.locator("#clock-events").inner_text()
        page.get_by_role("link", name="Record a clock event").click()
        page.get_by_label("Fee paid").check()
        fill_date(page, "date", "4", "11", "2026")
        page.get_by_role("button", name="Record the event").click()
        summary = page.get_by_role("alert")
        assert "fee_paid (2026-11-04) is before fee_notice (2026-11-05)" in summary.inner_text()
        assert signed_in_officer.axe_violations() == []

        fill_date(page, "date", "9", "11", "2026")
        page.get_by_role("button", name="Record the event").click()
        assert page.url.endswith(reverse("infogov:case_detail", args=[case.pk]))
        events = page.locator("#clock-events").inner_text()
        assert "Fees notice given" in events and "Fee paid" in events
        assert Case.objects.get(pk=case.pk).due_changes.count() >= 1
        assert signed_in_officer.axe_violations() == []
        assert signed_in_officer.console_errors == []


def begin_a_foi_case(page, reference: str, subject: str) -> None:
    """The new case form's first answers: an FOI request received today by the first
    channel offered."""
    page.locator("#id_reference").fill(reference)
    fill_today(page, "received")
    page.locator("input[name=kind][value=foi]").check()
    page.locator("input[name=channel]").first.check()
    page.get_by_label("Subject").fill(subject)


# --- Issue 13: a day's work for IG officers and directors, as each role -------------------

DAY_ROLES = (Role.IG_OFFICER, Role.DIRECTOR, Role.DMT, Role.SERVICE_DESK_AGENT)
SIZES = ((1280, 800), (1920, 1080))


def no_sideways_scroll(page) -> bool:
    """Neither the page nor any table region scrolls sideways."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth &&
            [...document.querySelectorAll('.hp-table-scroll')]
                .every(e => e.scrollWidth <= e.clientWidth + 1)"""
    )


def a_day_of_cases():
    """Two directorates; open cases overdue, due this week and later, a stopped clock, an
    answered refusal, a SAR with its request and notes in the words people write them."""
    from infogov.models import CaseNote

    today = timezone.localdate()
    ours = ServiceFactory(name="Streetscene", directorate__name="Climate, Homes and Economy")
    ServiceFactory(name="Parking", directorate=ours.directorate)
    theirs = ServiceFactory(
        name="Adult Social Care", directorate__name="Adults, Health and Integration"
    )
    cases = [
        CaseFactory(
            reference=f"FOI-2026-{n:05d}",
            service=ours if n % 2 else theirs,
            received=today - timedelta(days=days),
            subject="Temporary accommodation placements out of borough, by month",
        )
        for n, days in enumerate((60, 40, 30, 27, 20, 5, 1), start=1)
    ]
    sar = CaseFactory(
        reference="SAR-2026-00001",
        kind="sar",
        service=ours,
        received=today - timedelta(days=10),
        subject="Housing file of Zebedee Quill",
        request_text="Please send me every record you hold about me and my tenancy since 2019, "
        "including e-mails between the housing officer and my landlord.\n\nZebedee Quill",
    )
    CaseNote.objects.create(
        case=sar,
        at=timezone.now(),
        text="Asked Housing Needs for the tenancy file; the officer is away until Monday.",
    )
    refused = CaseFactory(
        reference="FOI-2026-00099",
        service=ours,
        received=today - timedelta(days=40),
        status="responded",
        responded=today - timedelta(days=20),
        outcome="refused",
        exemption_codes=["s40", "s43"],
        exemptions="s.12",
    )
    return ours, theirs, cases, sar, refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", DAY_ROLES, ids=lambda role: role.value)
def test_the_case_pages_as_each_role_fit_and_pass_axe(browser, live_server, make_user, role):
    ours, theirs, cases, sar, refused = a_day_of_cases()
    user = make_user(role, username="pat", first_name="Pat", last_name="Jones")
    if role == Role.DIRECTOR:
        ours.directorate.directors.add(user)
    pages = [
        reverse("infogov:case_list"),
        reverse("infogov:case_list") + "?due=overdue",
        reverse("infogov:case_detail", args=[sar.pk]),
        reverse("infogov:case_detail", args=[refused.pk]),
    ]
    if role == Role.IG_OFFICER:
        pages += [
            reverse("infogov:case_create"),
            reverse("infogov:case_respond", args=[cases[0].pk]),
            reverse("infogov:case_note_create", args=[sar.pk]),
            reverse("infogov:case_request_update", args=[sar.pk]),
        ]
    problems = []
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        recording = RecordingPage(context.new_page(), live_server.url)
        recording.sign_in("pat", PASSWORD)
        for url in pages:
            response = recording.page.goto(live_server.url + url)
            expected = 403 if role == Role.SERVICE_DESK_AGENT else 200
            if response.status != expected:
                problems.append(f"{url} at {width}: {response.status}, expected {expected}")
            if not no_sideways_scroll(recording.page):
                problems.append(f"{url} scrolls sideways at {width}x{height}")
            violations = recording.axe_violations()
            if violations:
                problems.append(f"{url} at {width}: axe {violations}")
            body = recording.page.content()
            if role != Role.IG_OFFICER and ("Zebedee" in body or "tenancy" in body):
                problems.append(f"{url}: shows a SAR's personal data to {role.value}")
        assert recording.csp_violations == [] and recording.foreign_requests() == []
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_an_officer_logs_a_case_choosing_a_service_of_the_directorate(signed_in_officer):
    """With JavaScript the service list narrows to the directorate chosen (htmx)."""
    ours, theirs, *_ = a_day_of_cases()
    page = signed_in_officer.page
    page.goto(signed_in_officer.base_url + reverse("infogov:case_create"))
    service = page.get_by_label("Service")
    groups = page.locator("#id_service optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert groups == ["Adults, Health and Integration", "Climate, Homes and Economy"]
    with page.expect_response(lambda r: "service-options" in r.url):
        page.get_by_label("Directorate").select_option(str(ours.directorate_id))
    # expect() polls from Playwright's side: a string predicate would be eval'd in the
    # page, which the site's CSP (rightly) refuses whenever the first check is false.
    expect(page.locator("#id_service optgroup")).to_have_count(0)
    offered = service.locator("option").all_inner_texts()
    assert offered == ["Choose a service", "Parking", "Streetscene"]
    begin_a_foi_case(page, "FOI-2026-01000", "Parking fines issued by street")
    page.get_by_label("The request").fill("How many parking fines were issued on Mare Street?")
    service.select_option(label="Parking")
    page.get_by_label("Requester's name").fill("Ada Lovelace")
    page.get_by_role("button", name="Log the case").click()
    assert "Case FOI-2026-01000 logged." in page.content()
    assert "How many parking fines" in page.locator("#request + *").inner_text()
    case = Case.objects.get(reference="FOI-2026-01000")
    assert (case.service.name, case.request_text) == (
        "Parking",
        "How many parking fines were issued on Mare Street?",
    )
    assert signed_in_officer.console_errors == [] and signed_in_officer.csp_violations == []


@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_service_of_another_directorate_is_named(
    browser, live_server, make_user
):
    ours, theirs, *_ = a_day_of_cases()
    make_user(Role.IG_OFFICER, username="imogen")
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    recording = RecordingPage(context.new_page(), live_server.url)
    recording.sign_in("imogen", PASSWORD)
    page = recording.page
    page.goto(live_server.url + reverse("infogov:case_create"))
    begin_a_foi_case(page, "FOI-2026-01001", "Care home fees")
    page.get_by_label("Directorate").select_option(str(ours.directorate_id))
    page.get_by_label("Service").select_option(str(theirs.pk))
    page.get_by_label("Requester's name").fill("Ada Lovelace")
    page.get_by_role("button", name="Log the case").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert (
        "Adult Social Care is a service of Adults, Health and Integration, "
        "not of Climate, Homes and Economy." in summary
    )
    # Re-rendered, the list offers the chosen directorate's services only.
    assert page.locator("#id_service option").all_inner_texts() == [
        "Choose a service",
        "Parking",
        "Streetscene",
    ]
    # (axe needs JavaScript: the same error page with it is checked by the test above.)
    assert not Case.objects.filter(reference="FOI-2026-01001").exists()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_officer_refuses_with_exemptions_ticked_and_notes_the_case(signed_in_officer):
    _, _, cases, sar, _ = a_day_of_cases()
    case = cases[-1]
    page = signed_in_officer.page
    page.goto(signed_in_officer.base_url + reverse("infogov:case_respond", args=[case.pk]))
    fill_today(page, "responded")
    page.locator("input[name=outcome][value=refused]").check()
    page.get_by_role("button", name="Record the response").click()
    assert "Choose the exemptions cited" in page.get_by_role("alert").inner_text()
    assert signed_in_officer.axe_violations() == []
    page.get_by_label("s.43 Commercial interests").check()
    page.get_by_label("s.40 Personal information").check()
    page.get_by_role("button", name="Record the response").click()
    cited = page.locator("#exemptions li").all_inner_texts()
    assert cited == ["s.40 Personal information", "s.43 Commercial interests"]

    # No note yet: the "Add a note" form is open.
    page.get_by_label("Note").fill("Told the service lead the response went out today.")
    page.get_by_role("button", name="Add the note").click()
    notes = page.locator("#correspondence-notes").inner_text()
    assert "Told the service lead" in notes and "Imogen Gray" in notes
    assert signed_in_officer.axe_violations() == []
    assert signed_in_officer.console_errors == []


def seed_a_year_of_cases():
    """The demo's directorates and a year of FOI/EIR/SAR cases, the indicators' targets, and
    commentary as long as owners write it on each month of FR ICT 18a and 19a: a full report."""
    now = timezone.now()
    infogov_demo.seed(now=now)
    indicators_demo.seed(now=now)
    month = month_start(timezone.localdate(now))
    for code in ("FR ICT 18a", "FR ICT 19a"):
        indicator = Indicator.objects.get(code=code)
        for back in range(1, 7):
            PeriodValue.objects.filter(
                indicator=indicator, period_start=shift_month(month, -back)
            ).delete()
            PeriodValueFactory(
                indicator=indicator,
                period_start=shift_month(month, -back),
                status=Status.APPROVED,
                commentary=(
                    "Housing answered late while two officers were away; the backlog was "
                    "cleared by the month's end and the service lead now reviews it weekly."
                ),
            )


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.django_db(transaction=True)
class IgGroupReportInTheBrowserTests:
    def test_the_quarterly_report_prints_on_two_a4_pages_and_is_accessible(
        self, recording_page, make_user
    ):
        seed_a_year_of_cases()
        make_user(Role.IG_OFFICER, username="imogen", first_name="Imogen", last_name="Gray")
        recording_page.sign_in("imogen", PASSWORD)
        page = recording_page.page
        page.set_viewport_size({"width": 1280, "height": 800})
        quarter = report.default_quarter(timezone.localdate())
        page.goto(recording_page.base_url + reverse("infogov:ig_group_report"))
        assert quarter.label in page.get_by_role("heading", level=1).inner_text()
        headline = page.get_by_test_id("headline-foi_eir").inner_text()
        assert "within the statutory time, without extension" in headline
        assert "in time, permitted extensions counted" in headline
        assert "target of" in headline
        assert page.locator("#report-trend tbody tr").count() == 8
        assert page.locator("svg.hp-report__chart polyline").count() == 3
        assert page.get_by_text("Housing answered late").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ig-report-1280.png"), full_page=True)
        assert recording_page.axe_violations() == []
        assert recording_page.foreign_requests() == []
        assert recording_page.console_errors == []

        # The quarter picker: choose the quarter before, and back with "Next quarter".
        before = report.shift_quarter(quarter, -1)
        page.get_by_label("Quarter", exact=True).select_option(before.key)
        page.get_by_role("button", name="Show").click()
        assert before.label in page.get_by_role("heading", level=1).inner_text()
        page.get_by_role("link", name="Next quarter").click()
        assert quarter.label in page.get_by_role("heading", level=1).inner_text()

        # A count opens the requests behind it, as many as it says.
        link = page.locator("#report-foi-eir tfoot a").first
        count = int(link.inner_text())
        link.click()
        assert page.get_by_role("heading", level=1).inner_text() == "Received"
        assert f"{count} request" in page.locator("main").inner_text()
        assert recording_page.axe_violations() == []
        page.go_back()

        page.emulate_media(media="print")
        assert page.locator("form.hp-no-print").is_hidden()
        assert recording_page.shown_link_urls() == []
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (ARTIFACTS / "ig-report.pdf").write_bytes(pdf)
        assert 1 <= pdf_pages(pdf) <= 2, f"the report printed on {pdf_pages(pdf)} A4 pages"

    def test_a_director_sees_their_directorates_and_a_running_quarter_is_flagged(
        self, recording_page, make_user
    ):
        dora = make_user(Role.DIRECTOR, username="dora", first_name="Dora", last_name="Director")
        recording_page.sign_in("dora", PASSWORD)
        today = timezone.localdate()
        foi = CaseFactory(reference="FOI-NOW-00001", received=today)
        CaseFactory(reference="FOI-THEIRS-0001", received=today)  # another directorate's
        dora.infogov_directorates.set([foi.directorate])
        page = recording_page.page
        current = report.quarter_of(today)
        page.goto(
            recording_page.base_url + reverse("infogov:ig_group_report") + f"?quarter={current.key}"
        )
        assert "your directorates" in page.get_by_role("heading", level=1).inner_text()
        assert (
            "This quarter has not ended: figures to date"
            in page.locator("#quarter-not-ended").inner_text()
        )
        assert page.get_by_role("link", name="Next quarter").count() == 0
        assert page.locator("#report-foi-eir tbody tr").count() == 1
        assert page.locator("#report-foi-eir tfoot").inner_text().split("\t")[1].strip() == "1"
        assert recording_page.axe_violations() == []
        page.emulate_media(media="print")
        assert recording_page.shown_link_urls() == []
        pdf = page.pdf(format="A4", print_background=True)
        assert 1 <= pdf_pages(pdf) <= 2
