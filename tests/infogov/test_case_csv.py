"""The IG case list as CSV (issue 12): every case the filters select, in the page's
columns, with the page's rules on personal data and directorates."""

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from hackperf.roles import Role
from infogov.choices import Kind
from tests.infogov.factories import CaseFactory, ServiceFactory


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="open-cases.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def case_csv(**params) -> str:
    from urllib.parse import urlencode

    return reverse("infogov:case_list") + "?" + urlencode({**params, "format": "csv"})


@pytest.mark.django_db
class CaseCsvTests:
    def test_it_lists_every_case_the_filters_select_not_just_a_page(self, client_as):
        service = ServiceFactory()
        for i in range(30):
            CaseFactory(service=service, kind=Kind.EIR if i % 3 == 0 else Kind.FOI)
        client = client_as(Role.IG_OFFICER)
        assert len(rows_of(client.get(case_csv()))) == 1 + 30
        assert len(rows_of(client.get(case_csv(kind="eir")))) == 1 + 10
        page = client.get(reverse("infogov:case_list"), {"kind": "eir"})
        assert page.context["table"].paginator.count == 10
        assert 'href="?kind=eir&amp;format=csv"' in page.content.decode()

    def test_a_sar_subject_and_requester_reach_ig_officers_only(self, client_as, make_user):
        sar = CaseFactory(kind=Kind.SAR, subject="SAR – records of Zebedee Canary")
        checked = []
        for role in Role:
            user = make_user(role)
            if not user.has_perm("hackperf.view_infogov"):
                continue
            sar.directorate.directors.add(user)  # a director sees their directorate's
            client = Client()
            client.force_login(user)
            text = "\n".join(",".join(row) for row in rows_of(client.get(case_csv())))
            assert sar.reference in text
            if role == Role.IG_OFFICER:
                assert "Zebedee Canary" in text and sar.requester.name in text
            else:
                assert "Zebedee" not in text, role
                assert "Subject access request" in text
            checked.append(role)
        assert set(checked) == {Role.DMT, Role.IG_OFFICER, Role.DIRECTOR}

    def test_a_director_gets_only_their_directorates_cases(self, make_user):
        director = make_user(Role.DIRECTOR)
        own = CaseFactory()
        other = CaseFactory()
        own.directorate.directors.add(director)
        client = Client()
        client.force_login(director)
        text = "\n".join(",".join(r) for r in rows_of(client.get(case_csv())))
        assert own.reference in text
        assert other.reference not in text
        # Asking for the other directorate by its id lists nothing of it, as on the page.
        rows = rows_of(client.get(case_csv(directorate=other.directorate_id)))
        assert len(rows) == 1

    def test_its_cells_are_words_and_formula_safe(self, client_as):
        case = CaseFactory(subject="@SUM(A1:A9)", received=date(2026, 3, 2))
        header, row = rows_of(client_as(Role.IG_OFFICER).get(case_csv()))
        cells = dict(zip(header, row, strict=True))
        assert header[:4] == ["Due", "Working days left", "Status", "Reference"]
        assert {"Kind", "Service", "Received", "Requester"} <= set(header)
        assert cells["Subject"].startswith("'@SUM(A1:A9)")
        assert cells["Received"] == "2026-03-02"
        # One fact a column: the page's second lines are columns of their own.
        assert cells["Reference"] == case.reference and cells["Kind"] == "FOI"
        assert cells["Due"] == case.due.isoformat()
        assert cells["Directorate"] == case.directorate.name
        assert "<" not in ",".join(row)

    def test_an_invalid_filter_gives_an_empty_csv_not_an_error(self, client_as):
        CaseFactory()
        rows = rows_of(client_as(Role.IG_OFFICER).get(case_csv(due="tomorrow-ish")))
        assert len(rows) == 1

    @pytest.mark.parametrize("cases", [2, 20])
    def test_it_runs_the_same_queries_whatever_the_number_of_cases(
        self, client_as, cases, django_assert_num_queries
    ):
        service = ServiceFactory()
        for i in range(cases):
            CaseFactory(service=service, received=date(2026, 9, 1 + i % 20))
        client = client_as(Role.IG_OFFICER)
        client.get(case_csv())
        # 1 session, 2 user, 3 savepoint, 4 user permissions, 5 group permissions,
        # 6 bank holidays (the working-day calendar), 7 release savepoint; then, streaming,
        # 8 the first chunk of 500 cases with their directorate, service, officer and
        # requester (one join).
        with django_assert_num_queries(QUERIES):
            rows = rows_of(client.get(case_csv()))
        assert len(rows) == 1 + cases


QUERIES = 8


@pytest.mark.django_db
class EscalationCsvTests:
    def escalate(self, n, day):
        from datetime import UTC, datetime

        from infogov.models import Case
        from infogov.services.escalations import escalations_send

        for _ in range(n):
            case = CaseFactory()
            Case.objects.filter(pk=case.pk).update(due=date(2026, 11, 24))
        escalations_send(today=day, now=datetime(day.year, day.month, day.day, 7, tzinfo=UTC))

    def rows(self, client) -> list[list[str]]:
        response = client.get(reverse("infogov:escalation_list") + "?format=csv")
        assert response["Content-Disposition"] == 'attachment; filename="escalations.csv"'
        text = b"".join(response.streaming_content).decode()
        return list(csv.reader(io.StringIO(text)))

    def test_it_lists_every_escalation_not_just_the_page_of_50(self, client_as):
        self.escalate(20, date(2026, 11, 26))
        client = client_as(Role.IG_OFFICER)
        page = client.get(reverse("infogov:escalation_list"))
        total = page.context["paginator"].count
        assert total > 50
        assert 'href="?format=csv"' in page.content.decode()
        rows = self.rows(client)
        assert len(rows) == 1 + total
        assert rows[0][:3] == ["Case", "Directorate", "Due"]
        assert "<" not in "\n".join(",".join(row) for row in rows)
        assert rows[1][4][:4].isdigit()  # Recorded: "2026-11-26 07:00", UK time

    def test_a_director_gets_only_their_directorates(self, make_user):
        self.escalate(2, date(2026, 11, 26))
        director = make_user(Role.DIRECTOR)
        client = Client()
        client.force_login(director)
        assert len(self.rows(client)) == 1

    @pytest.mark.parametrize("cases", [2, 20])
    def test_it_runs_the_same_queries_whatever_the_number(
        self, client_as, cases, django_assert_num_queries
    ):
        self.escalate(cases, date(2026, 11, 25))
        client = client_as(Role.IG_OFFICER)
        self.rows(client)
        # 1 session, 2 user, 3 savepoint, 4-5 permissions, 6 release savepoint; then,
        # streaming, 7 the first chunk of 500 escalations with case, directorate, service
        # and acknowledgement, 8 their e-mails (one prefetch).
        with django_assert_num_queries(8):
            self.rows(client)
