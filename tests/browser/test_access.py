"""Who sees what, in a real browser: the DMT gives a director their directorate on the
directors page, and the director then sees that directorate's cases only, with no SAR's
personal data on any page they reach (issue 11)."""

from datetime import date

import pytest
from django.urls import reverse

from hackperf.roles import Role
from infogov.choices import Kind
from infogov.models import ClockEvent
from tests.browser.conftest import ARTIFACTS
from tests.infogov.factories import CaseFactory, EscalationFactory, ServiceFactory

PASSWORD = "a-good-password-1"
CANARY = "Canaryrequester"


@pytest.mark.django_db(transaction=True)
class DirectorScopeInTheBrowserTests:
    def test_a_director_sees_only_the_directorate_the_dmt_gave_them(
        self, browser, live_server, make_user
    ):
        from tests.browser.conftest import RecordingPage

        make_user(Role.DMT, username="dana", first_name="Dana", last_name="Mensah")
        make_user(Role.DIRECTOR, username="dev", first_name="Dev", last_name="Patel")
        mine = ServiceFactory(directorate__name="Children and Education")
        theirs = ServiceFactory(directorate__name="Adults, Health and Integration")
        own = CaseFactory(reference="FOI-OWN-0001", service=mine, received=date(2026, 11, 2))
        other = CaseFactory(reference="FOI-OTHER-0001", service=theirs, received=date(2026, 11, 2))
        sar = CaseFactory(
            reference="SAR-2026-0001",
            kind=Kind.SAR,
            service=mine,
            received=date(2026, 11, 2),
            subject=f"SAR – Zebedee {CANARY}",
            requester__name=f"Zebedee {CANARY}",
        )
        ClockEvent.objects.create(
            case=sar,
            kind="clarification_requested",
            date=date(2026, 11, 3),
            note=f"Phoned Zebedee {CANARY}.",
        )
        EscalationFactory(case=own, level="t_minus_2")
        EscalationFactory(case=other, level="t_minus_2")

        for size in ((1280, 800), (1920, 1080)):
            context = browser.new_context(
                viewport={"width": size[0], "height": size[1]}, locale="en-GB"
            )
            # The DMT gives Dev the Children and Education directorate, in the app.
            dmt = RecordingPage(context.new_page(), live_server.url)
            dmt.sign_in("dana", PASSWORD)
            dmt.page.goto(live_server.url + reverse("person_list"))
            dmt.page.get_by_role("link", name="directors and their directorates").click()
            dmt.page.get_by_role("link", name="Change Dev Patel's directorates").click()
            assert dmt.axe_violations() == []
            dmt.page.get_by_label("Children and Education").set_checked(True)
            dmt.page.get_by_label("Adults, Health and Integration").set_checked(False)
            dmt.page.get_by_role("button", name="Save the directorates").click()
            assert "Children and Education" in dmt.page.locator("#directors").inner_text()
            assert dmt.axe_violations() == []
            context.clear_cookies()

            director = RecordingPage(context.new_page(), live_server.url)
            director.sign_in("dev", PASSWORD)
            page = director.page
            visits = {
                "case-list": reverse("infogov:case_list"),
                "case-list-other": reverse("infogov:case_list")
                + f"?directorate={other.directorate_id}",
                "sar": reverse("infogov:case_detail", args=[sar.pk]),
                "escalations": reverse("infogov:escalation_list"),
                "performance": reverse("infogov:directorate_performance") + "?period=2026-11",
                "report": reverse("infogov:ig_group_report") + "?quarter=2026-Q4",
            }
            for name, url in visits.items():
                response = page.goto(live_server.url + url)
                assert response.status == 200, url
                text = page.content()
                assert CANARY not in text, url
                assert other.reference not in text, url
                assert "Adults, Health" not in page.locator("main").inner_text(), url
                assert director.axe_violations() == [], url
                page.screenshot(
                    path=str(ARTIFACTS / f"access-director-{name}-{size[0]}.png"), full_page=True
                )
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                    f"{url} scrolls sideways at {size}"
                )

            page.goto(live_server.url + reverse("infogov:case_list"))
            listed = page.locator("table.govuk-table tbody tr a.hp-case-ref").all_inner_texts()
            assert sorted(listed) == ["FOI-OWN-0001", "SAR-2026-0001"]
            assert "Subject access request" in page.locator("table.govuk-table").inner_text()
            response = page.goto(live_server.url + reverse("infogov:case_detail", args=[other.pk]))
            assert response.status == 404
            assert other.reference not in page.content()
            assert director.foreign_requests() == []
            assert director.console_errors == [] or all(
                "404" in error for error in director.console_errors
            )
            context.close()
            # Second round at the other size: start from no directorate again.
            mine.directorate.directors.clear()
