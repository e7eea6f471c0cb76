"""IG pages: who may open them, what they show, their forms' error paths, their query counts."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hackperf.roles import Role
from infogov.choices import EventKind, Status
from infogov.models import Case, ClockEvent, EscalationAcknowledgement
from infogov.services.cases import case_note_add, case_record_clock_event
from infogov.services.escalations import director_directorates_set, escalations_send
from infogov.tables import CaseTable
from tests.infogov.factories import (
    CaseFactory,
    DirectorateFactory,
    EscalationFactory,
    ServiceFactory,
)

IG_PAGES = {
    "infogov:case_list": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:escalation_list": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:directorate_performance": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:case_create": {Role.IG_OFFICER},
}
CASE_PAGES = {
    "infogov:case_detail": {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR},
    "infogov:case_allocate": {Role.IG_OFFICER},
    "infogov:case_event_create": {Role.IG_OFFICER},
    "infogov:case_respond": {Role.IG_OFFICER},
}
NON_IG_ROLES = [role for role in Role if role != Role.IG_OFFICER]


@pytest.fixture
def case(db):
    return CaseFactory(received=date(2026, 11, 2), requester__name="Zebedee Quillfeather")


@pytest.mark.django_db
class AccessTests:
    @pytest.mark.parametrize("url_name", IG_PAGES)
    @pytest.mark.parametrize("role", [*Role, None])
    def test_it_serves_each_page_only_to_its_roles(self, client_as, url_name, role):
        client = client_as(role) if role else client_as()
        response = client.get(reverse(url_name))
        assert response.status_code == (200 if role in IG_PAGES[url_name] else 403)

    @pytest.mark.parametrize("url_name", CASE_PAGES)
    @pytest.mark.parametrize("role", [*Role, None])
    def test_it_serves_each_case_page_only_to_its_roles(
        self, client, make_user, case, url_name, role
    ):
        user = make_user(role) if role else make_user()
        if role == Role.DIRECTOR:
            case.directorate.directors.add(user)
        client.force_login(user)
        response = client.get(reverse(url_name, args=[case.pk]))
        assert response.status_code == (200 if role in CASE_PAGES[url_name] else 403)

    def test_a_director_gets_404_for_another_directorates_case(self, client, make_user, case):
        director = make_user(Role.DIRECTOR)
        DirectorateFactory().directors.add(director)
        client.force_login(director)
        assert client.get(reverse("infogov:case_detail", args=[case.pk])).status_code == 404
        case.directorate.directors.add(director)
        assert client.get(reverse("infogov:case_detail", args=[case.pk])).status_code == 200

    def test_it_sends_the_signed_out_to_sign_in(self, client, case):
        url = reverse("infogov:case_detail", args=[case.pk])
        assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"

    def test_a_missing_case_is_404(self, client_as):
        assert (
            client_as(Role.IG_OFFICER).get(reverse("infogov:case_detail", args=[99])).status_code
            == 404
        )

    @pytest.mark.parametrize("role", [r for r in Role if r != Role.IG_OFFICER])
    def test_only_ig_officers_post_case_work(self, client_as, case, role):
        client = client_as(role)
        response = client.post(
            reverse("infogov:case_event_create", args=[case.pk]),
            {"kind": "fee_notice", "date": "2026-11-03"},
        )
        assert response.status_code == 403
        assert not ClockEvent.objects.exists()


@pytest.mark.django_db
class RequesterPrivacyTests:
    """A requester's name appears only to IG officers: on every page and in the admin."""

    def pages(self, case):
        return [
            reverse("infogov:case_list"),
            reverse("infogov:case_list") + "?q=Zebedee",
            reverse("infogov:case_list") + "?sort=requester",
            reverse("infogov:case_detail", args=[case.pk]),
            reverse("infogov:escalation_list"),
            reverse("infogov:directorate_performance"),
        ]

    @pytest.mark.parametrize("role", NON_IG_ROLES)
    def test_it_never_shows_the_requester_to_other_roles(self, client, make_user, case, role):
        EscalationFactory(case=case, level="overdue")
        user = make_user(role)
        case.directorate.directors.add(user)  # a director of this case's own directorate
        client.force_login(user)
        for url in self.pages(case):
            response = client.get(url)
            assert response.status_code in (200, 403), url
            for secret in (case.requester.name, case.requester.email, case.requester.address):
                assert secret.encode() not in response.content, url

    def test_it_shows_the_requester_to_ig_officers(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        assert b"Quillfeather" in client.get(reverse("infogov:case_list")).content
        assert b"Quillfeather" in client.get(reverse("infogov:case_detail", args=[case.pk])).content

    @pytest.mark.parametrize("role", NON_IG_ROLES)
    def test_the_admin_hides_the_requester_from_staff_without_the_permission(
        self, client, make_user, case, role
    ):
        user = make_user(role, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="infogov"))
        client.force_login(user)
        search = client.get(reverse("admin:infogov_case_changelist"), {"q": "Quillfeather"})
        assert search.context["cl"].result_count == 0  # not searchable by the requester
        pages = [
            reverse("admin:infogov_case_change", args=[case.pk]),
            reverse("admin:infogov_case_changelist"),
            reverse("admin:index"),
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert b"Quillfeather" not in response.content, url
        requester_url = reverse("admin:infogov_requester_change", args=[case.requester.pk])
        assert client.get(requester_url).status_code in (302, 403)
        assert client.get(reverse("admin:infogov_requester_changelist")).status_code == 403

    def test_the_admin_shows_the_requester_to_ig_officers(self, client, make_user, case):
        user = make_user(Role.IG_OFFICER, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="infogov"))
        client.force_login(user)
        response = client.get(reverse("admin:infogov_case_change", args=[case.pk]))
        assert b"Quillfeather" in response.content


@pytest.mark.django_db
class CaseListTests:
    def test_it_lists_open_cases_overdue_first(self, client_as):
        later = CaseFactory(received=date(2026, 11, 20))
        overdue = CaseFactory(received=date(2026, 9, 1))
        CaseFactory(received=date(2026, 9, 1), status=Status.CLOSED, responded=date(2026, 9, 3))
        response = client_as(Role.DMT).get(reverse("infogov:case_list"))
        rows = list(response.context["table"].rows)
        assert [row.record for row in rows] == [overdue, later]
        assert response.context["summary"].overdue == 1
        # Overdue is a red tag with the word, and by how much in words beside it.
        assert b'<strong class="lbh-tag hp-rag hp-rag--red">Overdue</strong>' in response.content
        assert b"working days</span>" in response.content

    @pytest.mark.parametrize(
        "param",
        ["kind", "directorate", "service", "officer", "status", "q"],
    )
    def test_each_filter_narrows_the_list(self, client_as, make_user, param):
        officer = make_user(Role.IG_OFFICER)
        wanted = CaseFactory(
            kind="eir", officer=officer, status=Status.ALLOCATED, subject="Trees on Mare Street"
        )
        CaseFactory()
        value = {
            "kind": "eir",
            "directorate": wanted.directorate_id,
            "service": wanted.service_id,
            "officer": officer.pk,
            "status": "allocated",
            "q": "mare street",
        }[param]
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"), {param: value})
        assert [row.record for row in response.context["table"].rows] == [wanted]

    @pytest.mark.parametrize("column", [c for c in CaseTable.Meta.fields] + ["requester"])
    def test_it_sorts_by_every_column(self, client_as, column):
        CaseFactory.create_batch(3)
        client = client_as(Role.IG_OFFICER)
        for sort in (column, f"-{column}"):
            response = client.get(reverse("infogov:case_list"), {"sort": sort})
            assert response.status_code == 200
            assert len(list(response.context["table"].page.object_list)) == 3

    def test_a_director_lists_only_their_directorates_cases(self, director_of):
        mine = CaseFactory(subject="Ours")
        theirs = CaseFactory(subject="Another directorate's")
        client = director_of(mine.directorate)
        url = reverse("infogov:case_list")
        response = client.get(url)
        assert [row.record for row in response.context["table"].rows] == [mine]
        assert response.context["summary"].open == 1
        assert theirs.reference.encode() not in response.content
        assert b"the directorate you answer for" in response.content
        # Asking for the other directorate by its id shows nothing of it.
        response = client.get(url, {"directorate": theirs.directorate_id})
        assert list(response.context["table"].rows) == []
        assert theirs.reference.encode() not in response.content
        response = client.get(url, {"service": theirs.service_id})
        assert list(response.context["table"].rows) == []

    @pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.DIRECTOR])
    def test_it_makes_the_same_queries_for_2_and_20_cases(self, client, make_user, role):
        user = make_user(role)
        service = ServiceFactory()
        service.directorate.directors.add(user)
        client.force_login(user)
        url = reverse("infogov:case_list")
        CaseFactory.create_batch(2, service=service)
        client.get(url)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as two:
            client.get(url)
        CaseFactory.create_batch(18, service=service)
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(url)
        assert len(response.context["table"].page.object_list) == 20
        assert len(two) == len(twenty)

    def test_it_makes_a_fixed_number_of_queries(self, client_as, django_assert_num_queries):
        client = client_as(Role.IG_OFFICER)
        CaseFactory.create_batch(20)
        # session, user, SAVEPOINT (ATOMIC_REQUESTS), user permissions, group permissions,
        # table count, summary counts, RELEASE SAVEPOINT, the filter form's directorates,
        # services and officers, table page (cases with directorate, service, officer,
        # requester), escalation e-mails waiting for an address (grouped) and failed ones.
        # The holiday calendar is the bundled one here (conftest); with
        # hackperf.selectors.holiday_calendar it may add its own query.
        # IG officers also get the bank-holiday feed status (last good fetch, failures since,
        # holidays to confirm).
        with django_assert_num_queries(17):
            client.get(reverse("infogov:case_list"))


@pytest.mark.django_db
class CaseDetailTests:
    def test_it_shows_the_deadline_working_events_and_history(self, director_of, case):
        ClockEvent.objects.create(case=case, kind=EventKind.FEE_NOTICE, date=date(2026, 11, 3))
        client = director_of(case.directorate)
        response = client.get(reverse("infogov:case_detail", args=[case.pk]))
        content = response.content.decode()
        for line in case.due_working:
            assert line.replace("'", "&#x27;") in content
        assert "Fees notice given" in content
        assert "Record a clock event" not in content  # directors do not work cases

    def test_it_makes_the_same_queries_with_more_history(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_detail", args=[case.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for day in range(3, 13):
            ClockEvent.objects.create(
                case=case, kind=EventKind.FEE_NOTICE, date=date(2026, 11, day)
            )
            EscalationFactory.reset_sequence()
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(few) == len(many)


def case_form(service, **changes) -> dict:
    """What an IG officer types to log an FOI request received on 2 November 2026, for
    ``service`` (and its directorate), with ``changes``."""
    return {
        "reference": "FOI-2026-09999",
        "kind": "foi",
        "stage": "request",
        "received": "2026-11-02",
        "channel": "email",
        "subject": "Tree felling",
        "directorate": service.directorate_id,
        "service": service.pk,
        "requester_name": "Ada Lovelace",
        **changes,
    }


@pytest.mark.django_db
class CaseFormTests:
    def test_it_logs_a_case(self, client_as):
        service = ServiceFactory()
        client = client_as(Role.IG_OFFICER)
        response = client.post(
            reverse("infogov:case_create"),
            case_form(service),
        )
        case = Case.objects.get(reference="FOI-2026-09999")
        assert response["Location"] == reverse("infogov:case_detail", args=[case.pk])
        assert case.requester.name == "Ada Lovelace"

    def test_bad_input_re_renders_with_errors_and_saves_nothing(self, client_as):
        service = ServiceFactory()
        other = DirectorateFactory()
        response = client_as(Role.IG_OFFICER).post(
            reverse("infogov:case_create"),
            case_form(service, directorate=other.pk),
        )
        assert response.status_code == 200
        # Without JavaScript the service list is not narrowed: the mismatch is named.
        assert response.context["form"].errors["service"] == [
            f"{service.name} is a service of {service.directorate.name}, not of {other.name}."
        ]
        assert b"There is a problem" in response.content
        assert b'aria-describedby="id_service-hint id_service-error"' in response.content
        assert not Case.objects.exists()

    def test_missing_fields_re_render(self, client_as):
        response = client_as(Role.IG_OFFICER).post(reverse("infogov:case_create"), {})
        assert response.status_code == 200
        assert set(response.context["form"].errors) >= {"reference", "received", "subject"}

    def test_it_records_a_clock_event(self, client_as, case):
        response = client_as(Role.IG_OFFICER).post(
            reverse("infogov:case_event_create", args=[case.pk]),
            {"kind": "clarification_requested", "date": "2026-11-03"},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == Status.AWAITING_REQUESTER

    def test_a_fee_paid_before_its_notice_is_a_form_error(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_event_create", args=[case.pk])
        client.post(url, {"kind": "fee_notice", "date": "2026-11-05"})
        response = client.post(url, {"kind": "fee_paid", "date": "2026-11-04"})
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == [
            "fee_paid (2026-11-04) is before fee_notice (2026-11-05)"
        ]
        assert case.events.count() == 1

    def test_a_bad_date_is_a_form_error(self, client_as, case):
        response = client_as(Role.IG_OFFICER).post(
            reverse("infogov:case_event_create", args=[case.pk]),
            {"kind": "fee_notice", "date": "31/02/2026"},
        )
        assert response.status_code == 200
        assert "date" in response.context["form"].errors
        assert not case.events.exists()

    def test_it_allocates(self, client_as, make_user, case):
        officer = make_user(Role.IG_OFFICER)
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_allocate", args=[case.pk])
        assert client.post(url, {"officer": ""}).status_code == 200
        assert client.post(url, {"officer": officer.pk}).status_code == 302
        case.refresh_from_db()
        assert case.officer == officer

    def test_it_records_a_response_and_its_errors(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_respond", args=[case.pk])
        response = client.post(url, {"responded": "2026-11-10", "outcome": "refused"})
        assert response.context["form"].errors == {
            "exemption_codes": ["Choose the exemptions cited when refusing a request."]
        }
        response = client.post(url, {"responded": "2026-11-01", "outcome": "not_held"})
        assert "responded" in response.context["form"].errors
        case.refresh_from_db()
        assert case.status == Status.RECEIVED
        response = client.post(
            url, {"responded": "2026-11-10", "outcome": "refused", "exemption_codes": ["s43"]}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == Status.RESPONDED
        assert case.get_exemption_labels() == ["s.43 Commercial interests"]

    def test_it_closes_only_a_responded_case(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_close", args=[case.pk])
        client.post(url)
        case.refresh_from_db()
        assert case.status == Status.RECEIVED
        Case.objects.filter(pk=case.pk).update(
            status=Status.RESPONDED, responded=date(2026, 11, 10)
        )
        client.post(url)
        case.refresh_from_db()
        assert case.status == Status.CLOSED
        assert client.get(url).status_code == 405


@pytest.mark.django_db
class EscalationPageTests:
    def test_a_director_sees_and_acknowledges_their_directorates_cases(self, client_as, make_user):
        director = make_user(Role.DIRECTOR, email="dir@hackney.example", first_name="Dana")
        mine = EscalationFactory()
        mine.case.directorate.directors.add(director)
        EscalationFactory(case=mine.case, level="t_minus_2")
        # Sharing the director's e-mail address gives no access: only the link does.
        theirs = EscalationFactory(case__service__directorate__director_email=director.email)
        client = Client()
        client.force_login(director)
        response = client.get(reverse("infogov:escalation_list"))
        assert {e.case for e in response.context["escalations"]} == {mine.case}
        response = client.post(reverse("infogov:case_acknowledge", args=[theirs.case.pk]))
        assert response.status_code == 404
        page = client.get(reverse("infogov:case_detail", args=[mine.case.pk]))
        assert page.context["can_acknowledge"] is True
        assert "Acknowledge all levels" in page.content.decode()
        response = client.post(
            reverse("infogov:case_acknowledge", args=[mine.case.pk]),
            {"comment": "Asked the service for a date"},
        )
        assert response.status_code == 302
        ack = EscalationAcknowledgement.objects.get(case=mine.case)
        assert (ack.by, ack.comment) == (director, "Asked the service for a date")
        page = client.get(reverse("infogov:case_detail", args=[mine.case.pk])).content.decode()
        assert "Acknowledged by Dana" in page
        assert "for all levels" in page
        assert "Asked the service for a date" in page
        client.post(reverse("infogov:case_acknowledge", args=[mine.case.pk]), {"comment": "x"})
        assert EscalationAcknowledgement.objects.get(case=mine.case).comment != "x"

    def test_ig_officers_see_all_and_cannot_acknowledge(self, client_as):
        escalations = EscalationFactory.create_batch(2)
        client = client_as(Role.IG_OFFICER)
        response = client.get(reverse("infogov:escalation_list"))
        assert set(response.context["escalations"]) == set(escalations)
        url = reverse("infogov:case_acknowledge", args=[escalations[0].case.pk])
        assert client.post(url).status_code == 403
        assert not EscalationAcknowledgement.objects.exists()

    def test_ig_officers_see_each_e_mail_state_and_what_is_missing(self, client_as):
        directorate = DirectorateFactory(name="Chief Executive's", group_director_email="")
        case = CaseFactory(service=ServiceFactory(directorate=directorate))
        Case.objects.filter(pk=case.pk).update(due=date(2026, 11, 24))
        escalations_send(today=date(2026, 11, 25), now=datetime(2026, 11, 25, 7, tzinfo=UTC))
        client = client_as(Role.IG_OFFICER)
        for name in ("infogov:escalation_list", "infogov:case_list"):
            content = client.get(reverse(name)).content.decode()
            assert (
                "no recipient: add the group director&#x27;s address for Chief Executive&#x27;s"
                in content
            ), name
            assert reverse("infogov:directorate_addresses", args=[directorate.pk]) in content
        page = client.get(reverse("infogov:case_detail", args=[case.pk])).content.decode()
        assert 'data-outbox-status="no_recipient"' in page
        assert "Skipped" not in page or "not e-mailed" in page

    def test_the_list_makes_the_same_queries_for_2_and_20_escalations(self, client_as):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:escalation_list")

        def escalate(n, day):
            for _ in range(n):
                case = CaseFactory()
                Case.objects.filter(pk=case.pk).update(due=date(2026, 11, 24))
            escalations_send(today=day, now=datetime(day.year, day.month, day.day, 7, tzinfo=UTC))

        escalate(2, date(2026, 11, 25))
        client.get(url)
        with CaptureQueriesContext(connection) as two:
            client.get(url)
        escalate(18, date(2026, 11, 26))
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(url)
        assert len(response.context["escalations"]) == 50  # 20 cases, 3 levels, one page
        assert len(two) == len(twenty)

    def test_the_addresses_form_saves_and_refuses_a_bad_address(self, client_as):
        directorate = DirectorateFactory(group_director_email="")
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:directorate_addresses", args=[directorate.pk])
        data = {
            "director_name": "Dee Rector",
            "director_email": "dee@hackney.example",
            "group_director_email": "not an address\nBcc: x@y.example",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        data["group_director_email"] = "group@hackney.example"
        assert client.post(url, data).status_code == 302
        directorate.refresh_from_db()
        assert directorate.group_director_email == "group@hackney.example"
        assert client_as(Role.DIRECTOR).get(url).status_code == 403


@pytest.mark.django_db
class DirectoratePerformanceTests:
    def test_it_counts_received_responded_in_time_outstanding_and_overdue(self, client_as):
        service = ServiceFactory(directorate__name="Adults")
        on_time = CaseFactory(service=service, received=date(2026, 3, 2))
        late = CaseFactory(service=service, received=date(2026, 3, 2))
        CaseFactory(service=service, received=date(2026, 3, 2))  # still open, overdue by 31 Mar
        Case.objects.filter(pk=on_time.pk).update(responded=on_time.due, status=Status.RESPONDED)
        Case.objects.filter(pk=late.pk).update(responded=date(2026, 4, 30), status=Status.RESPONDED)
        client = client_as(Role.DMT)
        march = client.get(reverse("infogov:directorate_performance"), {"period": "2026-03"})
        row = march.context["rows"][0]
        assert (row.received, row.responded, row.responded_in_time) == (3, 1, 1)
        assert (row.outstanding, row.overdue) == (2, 0)  # due 31 Mar (17 Mar is an NI holiday)
        q2 = client.get(reverse("infogov:directorate_performance"), {"period": "2026-q2"})
        row = q2.context["rows"][0]
        assert (row.received, row.responded, row.responded_in_time) == (0, 1, 0)
        assert row.percent_in_time == 0
        assert (row.outstanding, row.overdue) == (1, 1)

    def test_a_bad_period_is_an_error_and_shows_the_default(self, client_as):
        response = client_as(Role.DIRECTOR).get(
            reverse("infogov:directorate_performance"), {"period": "March"}
        )
        assert response.status_code == 200
        assert "period" in response.context["form"].errors
        assert b"There is a problem" in response.content


@pytest.mark.django_db
class DirectorScopeTests:
    """A director sees their own directorates' figures only (DESIGN.md, Personal data)."""

    @pytest.fixture
    def director(self, client, make_user):
        director = make_user(Role.DIRECTOR)
        self.mine = ServiceFactory(directorate__name="Children and Education")
        self.theirs = ServiceFactory(directorate__name="Adults")
        self.mine.directorate.directors.add(director)
        for service in (self.mine, self.theirs, self.theirs):
            CaseFactory(service=service, received=date(2026, 3, 2))
        client.force_login(director)
        return client

    def test_performance_shows_their_directorate_and_its_total(self, director):
        response = director.get(reverse("infogov:directorate_performance"), {"period": "2026-03"})
        assert [row.directorate for row in response.context["rows"]] == ["Children and Education"]
        assert response.context["totals"]["received"] == 1
        assert b"Adults" not in response.content
        assert b"All your directorates" in response.content

    def test_the_ig_group_report_shows_their_directorate_and_its_trend(self, director):
        response = director.get(reverse("infogov:ig_group_report"), {"quarter": "2026-Q1"})
        built = response.context["report"]
        for section in built.sections:
            assert [row.directorate for row in section.rows] == ["Children and Education"]
        assert built.sections[0].total.received == 1
        assert [q.totals["foi_eir"].received for q in built.trend][-1] == 1
        assert b"Adults" not in response.content

    def test_a_director_with_no_directorate_sees_no_cases(self, client, make_user):
        CaseFactory()
        client.force_login(make_user(Role.DIRECTOR))
        response = client.get(reverse("infogov:case_list"))
        assert list(response.context["table"].rows) == []
        assert b"You have not been given a directorate yet" in response.content
        response = client.get(reverse("infogov:directorate_performance"))
        assert response.context["rows"] == []


@pytest.mark.django_db
class DirectorAssignmentTests:
    """The DMT or an IG officer says which directorates a director sees."""

    @pytest.mark.parametrize("role", [Role.DMT, Role.IG_OFFICER])
    def test_the_dmt_and_ig_officers_set_a_directors_directorates(self, client_as, make_user, role):
        director = make_user(Role.DIRECTOR, first_name="Dev", last_name="Patel")
        one, two = DirectorateFactory(), DirectorateFactory()
        client = client_as(role)
        listing = client.get(reverse("infogov:director_list"))
        assert b"Dev Patel" in listing.content
        assert b"None: sees no cases" in listing.content
        url = reverse("infogov:director_update", args=[director.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"directorates": [one.pk, two.pk]})
        assert response.status_code == 302
        assert set(director.infogov_directorates.all()) == {one, two}
        client.post(url, {"directorates": [two.pk]})
        assert list(director.infogov_directorates.all()) == [two]

    @pytest.mark.parametrize(
        "role", [Role.DIRECTOR, Role.QUEUE_OWNER, Role.SERVICE_DESK_AGENT, Role.BRIEFING_VIEWER]
    )
    def test_nobody_else_may(self, client_as, make_user, role):
        director = make_user(Role.DIRECTOR)
        directorate = DirectorateFactory()
        client = client_as(role)
        assert client.get(reverse("infogov:director_list")).status_code == 403
        url = reverse("infogov:director_update", args=[director.pk])
        assert client.post(url, {"directorates": [directorate.pk]}).status_code == 403
        assert not director.infogov_directorates.exists()

    def test_only_people_in_the_director_role_are_listed(self, client_as, make_user):
        officer = make_user(Role.IG_OFFICER)
        client = client_as(Role.DMT)
        url = reverse("infogov:director_update", args=[officer.pk])
        assert client.get(url).status_code == 404


@pytest.mark.django_db
class DirectorDirectoratesServiceTests:
    def test_it_refuses_someone_not_in_the_director_role(self, make_user):
        from django.core.exceptions import ValidationError

        officer = make_user(Role.IG_OFFICER)
        with pytest.raises(ValidationError) as error:
            director_directorates_set(
                director=officer, directorates=[DirectorateFactory()], actor=officer
            )
        assert "not in the director role" in str(error.value)
        assert not officer.infogov_directorates.exists()

    def test_setting_twice_leaves_the_same_links(self, make_user):

        director = make_user(Role.DIRECTOR)
        one = DirectorateFactory()
        for _ in range(2):
            director_directorates_set(director=director, directorates=[one], actor=None)
        assert list(director.infogov_directorates.all()) == [one]


# -- Issue 13: the case list's filters and counts, request text, notes, services by directorate


@pytest.mark.django_db
class CaseListDayTests:
    """Due this week, overdue, clock stopped and kind filter the list; each "at a glance"
    count links to the list filtered to it and counts what that link lists."""

    @pytest.fixture
    def spread(self):
        from django.utils import timezone

        today = timezone.localdate()
        service = ServiceFactory()
        made = {}
        for name, days in (("overdue", 60), ("this_week", 24), ("later", 3)):
            made[name] = CaseFactory(service=service, received=today - timedelta(days=days))
        made["stopped"] = CaseFactory(service=service, kind="eir")
        case_record_clock_event(  # the clock stops while clarification is awaited
            case=made["stopped"],
            kind=EventKind.CLARIFICATION_REQUESTED,
            date=made["stopped"].received,
        )
        made["today"] = today
        return made

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"due": "overdue"}, {"overdue", "stopped"}),  # the stopped one is long overdue
            ({"clock": "stopped"}, {"stopped"}),
            ({"clock": "running"}, {"overdue", "this_week", "later"}),
            ({"kind": "eir"}, {"stopped"}),
            ({"due": "overdue", "kind": "foi"}, {"overdue"}),
        ],
    )
    def test_each_glance_filter_narrows_the_list(self, client_as, spread, query, expected):
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"), query)
        listed = {row.record.pk for row in response.context["table"].rows}
        assert listed == {spread[name].pk for name in expected}

    def test_due_this_week_runs_from_today_to_sunday(self, client_as, spread):
        from infogov.selectors import week_end_of

        response = client_as(Role.IG_OFFICER).get(
            reverse("infogov:case_list"), {"due": "this_week"}
        )
        week_end = week_end_of(spread["today"])
        listed = [row.record for row in response.context["table"].rows]
        assert all(spread["today"] <= case.due <= week_end for case in listed)
        expected = Case.objects.open().filter(due__gte=spread["today"], due__lte=week_end)
        assert {c.pk for c in listed} == set(expected.values_list("pk", flat=True))

    def test_each_count_links_to_the_cases_it_counts(self, client_as, spread):
        client = client_as(Role.IG_OFFICER)
        response = client.get(reverse("infogov:case_list"), {"kind": "foi"})
        summary, glance = response.context["summary"], response.context["glance"]
        for key in ("overdue", "due_this_week", "clock_stopped", "open"):
            listed = client.get(reverse("infogov:case_list") + glance[key]["url"])
            assert listed.context["table"].page.paginator.count == getattr(summary, key), key
        # The other filters are kept in each link, the page number is not.
        assert glance["overdue"]["url"] == "?kind=foi&due=overdue"
        html = response.content.decode()
        assert 'href="?kind=foi&amp;due=overdue"' in html

    def test_the_count_listed_now_is_marked(self, client_as, spread):
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"), {"due": "overdue"})
        glance = response.context["glance"]
        assert glance["overdue"]["current"] and not glance["open"]["current"]
        assert 'id="summary-overdue" href="?due=overdue" aria-current="true"' in (
            response.content.decode()
        )

    @pytest.mark.parametrize(
        "query",
        [{"due": "soon"}, {"clock": "x"}, {"flag": "<script>"}, {"kind": "petition"}],
    )
    def test_a_bad_filter_value_is_an_error_on_the_form_not_a_500(self, client_as, query):
        response = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list"), query)
        assert response.status_code == 200
        assert set(query) <= set(response.context["filter"].form.errors)


@pytest.mark.django_db
class RequestTextAndNotesTests:
    def test_ig_officers_alone_read_the_request_and_the_notes(self, client, make_user, case):

        Case.objects.filter(pk=case.pk).update(request_text="Noise from my neighbour at No. 4")
        officer = make_user(Role.IG_OFFICER, first_name="Imogen", last_name="Gray")
        case_note_add(case=case, author=officer, text="Rang Streetscene about it.")
        director = make_user(Role.DIRECTOR)
        case.directorate.directors.add(director)
        url = reverse("infogov:case_detail", args=[case.pk])
        for user in (director, make_user(Role.DMT)):
            client.force_login(user)
            html = client.get(url).content.decode()
            assert "Noise from my neighbour" not in html and "Rang Streetscene" not in html
            assert "Correspondence notes" not in html
        client.force_login(officer)
        html = client.get(url).content.decode()
        assert "Noise from my neighbour" in html
        assert "Rang Streetscene about it." in html and "Imogen Gray" in html

    def test_an_officer_adds_a_note_with_who_and_when(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        url = reverse("infogov:case_note_create", args=[case.pk])
        response = client.post(url, {"text": "  "})
        assert response.status_code == 200
        assert response.context["form"].errors == {"text": ["Enter the note."]}
        response = client.post(url, {"text": "E-mailed the service lead for the figures."})
        assert response.status_code == 302
        assert response["Location"].endswith(f"/cases/{case.pk}/#notes")
        note = case.notes.get()
        assert note.text == "E-mailed the service lead for the figures."
        assert note.author is not None and note.at is not None  # who and when

    def test_an_officer_records_the_request_on_a_case_logged_without_it(self, client_as, case):
        client = client_as(Role.IG_OFFICER)
        detail = reverse("infogov:case_detail", args=[case.pk])
        assert "Record the request" in client.get(detail).content.decode()
        url = reverse("infogov:case_request_update", args=[case.pk])
        response = client.post(url, {"request_text": "x" * 20001})
        assert response.status_code == 200 and "request_text" in response.context["form"].errors
        response = client.post(url, {"request_text": " Send me the tree survey. "})
        assert response["Location"] == detail
        case.refresh_from_db()
        assert case.request_text == "Send me the tree survey."
        assert "Correct the request" in client.get(detail).content.decode()

    @pytest.mark.parametrize("role", NON_IG_ROLES)
    def test_no_other_role_records_the_request(self, client_as, case, role):
        response = client_as(role).post(
            reverse("infogov:case_request_update", args=[case.pk]), {"request_text": "Hello"}
        )
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.request_text == ""

    @pytest.mark.parametrize("role", NON_IG_ROLES)
    def test_no_other_role_adds_a_note(self, client_as, case, role):
        response = client_as(role).post(
            reverse("infogov:case_note_create", args=[case.pk]), {"text": "Hello"}
        )
        assert response.status_code == 403
        assert not case.notes.exists()

    def test_the_log_form_keeps_the_request_text(self, client_as):
        service = ServiceFactory()
        response = client_as(Role.IG_OFFICER).post(
            reverse("infogov:case_create"),
            case_form(
                service,
                reference="FOI-2026-09998",
                request_text="  How many trees were felled on Hackney Downs?  ",
            ),
        )
        assert response.status_code == 302
        case = Case.objects.get(reference="FOI-2026-09998")
        assert case.request_text == "How many trees were felled on Hackney Downs?"

    @pytest.mark.parametrize("role", [Role.IG_OFFICER, Role.DIRECTOR, Role.DMT])
    def test_a_case_page_makes_the_same_queries_for_2_and_20_notes(
        self, client, make_user, case, role
    ):

        user = make_user(role)
        case.directorate.directors.add(user)
        client.force_login(user)
        url = reverse("infogov:case_detail", args=[case.pk])
        for i in range(2):
            case_note_add(case=case, author=user, text=f"Note {i}")
            ClockEvent.objects.create(case=case, kind=EventKind.FEE_NOTICE, date=date(2026, 11, 3))
        client.get(url)
        with CaptureQueriesContext(connection) as two:
            client.get(url)
        for i in range(18):
            case_note_add(case=case, author=make_user(Role.IG_OFFICER), text=f"N {i}")
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(url)
        assert len(two) == len(twenty)
        if role == Role.IG_OFFICER:
            assert len(response.context["notes"]) == 20


@pytest.mark.django_db
class ServiceOptionsTests:
    def test_it_offers_the_services_of_the_chosen_directorate(self, client_as):
        wanted = ServiceFactory(name="Parking")
        ServiceFactory(name="Streetscene", directorate=wanted.directorate)
        ServiceFactory(name="Adult Social Care")
        response = client_as(Role.IG_OFFICER).get(
            reverse("infogov:service_options"), {"directorate": wanted.directorate_id}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<option") == 3  # "Choose a service", Parking, Streetscene
        assert "Parking" in html and "Streetscene" in html and "Adult Social Care" not in html

    def test_without_a_directorate_it_groups_every_service_by_directorate(self, client_as):
        a = ServiceFactory(name="Parking", directorate__name="Climate, Homes and Economy")
        ServiceFactory(name="Adult Social Care", directorate__name="Adults, Health and Integration")
        html = client_as(Role.IG_OFFICER).get(reverse("infogov:service_options")).content.decode()
        assert html.index('optgroup label="Adults, Health and Integration"') < html.index(
            f'optgroup label="{a.directorate.name}"'
        )

    @pytest.mark.parametrize(("value", "status"), [("x", 400), ("1" * 12, 400), ("999999", 404)])
    def test_a_bad_directorate_is_a_clear_error(self, client_as, value, status):
        response = client_as(Role.IG_OFFICER).get(
            reverse("infogov:service_options"), {"directorate": value}
        )
        assert response.status_code == status

    def test_a_director_gets_only_their_own_directorates_services(self, director_of):
        own = ServiceFactory(name="Parking")
        other = ServiceFactory(name="Adult Social Care")
        client = director_of(own.directorate)
        url = reverse("infogov:service_options")
        assert client.get(url, {"directorate": other.directorate_id}).status_code == 404
        html = client.get(url).content.decode()
        assert "Parking" in html and "Adult Social Care" not in html

    def test_the_log_form_offers_the_chosen_directorates_services_and_asks_htmx(self, client_as):
        wanted = ServiceFactory(name="Parking")
        other = ServiceFactory(name="Adult Social Care")
        client = client_as(Role.IG_OFFICER)
        html = client.get(reverse("infogov:case_create")).content.decode()
        assert f'hx-get="{reverse("infogov:service_options")}"' in html
        assert 'hx-target="#id_service"' in html
        response = client.post(
            reverse("infogov:case_create"),
            {"directorate": wanted.directorate_id, "service": other.pk},
        )
        options = response.context["form"].fields["service"].widget.choices
        assert [label for _, label in options] == ["Choose a service", "Parking"]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize("query", [{}, {"due": "overdue", "kind": "foi"}, {"clock": "running"}])
def test_the_case_list_makes_a_fixed_number_of_queries_whatever_its_filter(
    client_as, django_assert_num_queries, rows, query
):
    """17 queries for 2 cases or 20, filtered or not (named in CaseListTests above; the
    glance counts are one aggregate over the list filtered by all but the glance filters).
    An empty page makes one fewer: django-tables2 skips the page query after a count of 0."""
    client = client_as(Role.IG_OFFICER)
    service = ServiceFactory()
    for i in range(rows):
        CaseFactory(service=service, received=date(2026, 9, 1 + i % 20))
    client.get(reverse("infogov:case_list"), query)  # warm the session and permission caches
    with django_assert_num_queries(17):
        client.get(reverse("infogov:case_list"), query)
