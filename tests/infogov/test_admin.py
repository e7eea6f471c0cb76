"""The cases admin cannot go round the rules: an edit of the date received, the kind or the
status recomputes the due date through the services and records the move; a bad edit is a
form error."""

from datetime import date

import pytest
from django.urls import reverse

from hackperf.roles import Role
from infogov.choices import Kind, Outcome, Status
from infogov.models import Case, DueDateChange
from infogov.services.cases import ERR_IN_FUTURE, case_respond
from infogov.services.corrections import (
    ERR_BEFORE_ANY_REGIME,
    ERR_CLOSED_NEEDS_DATE,
    ERR_OPEN_WITH_RESPONSE,
    ERR_RESPONDED_NEEDS_DATE,
    ERR_WITHDRAWN_NEEDS_DATE,
)
from tests.infogov.factories import CaseFactory


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(
        Role.IG_OFFICER, is_staff=True, is_superuser=True, first_name="Ida", last_name="Admin"
    )
    client.force_login(user)
    return client


def form_data(response) -> dict:
    """What the change page would post back unchanged: its form's and inlines' values."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = getattr(value, "pk", value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.initial_forms:
            add(form)
    return data


def change_url(case: Case) -> str:
    return reverse("admin:infogov_case_change", args=[case.pk])


@pytest.mark.django_db
class CaseAdminTests:
    def test_changing_the_date_received_recomputes_the_due_date(self, admin_client):
        case = CaseFactory(received=date(2026, 3, 2))
        assert case.due == date(2026, 3, 31)  # 17 Mar is St Patrick's Day (Northern Ireland)
        data = form_data(admin_client.get(change_url(case)))
        data["received"] = "2026-03-09"
        response = admin_client.post(change_url(case), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        case.refresh_from_db()
        assert case.due == date(2026, 4, 9)  # and 3 and 6 April: Good Friday, Easter Monday
        assert case.due_working[0].startswith("Due Thu 9 Apr 2026")
        change = DueDateChange.objects.get(case=case, old=date(2026, 3, 31))
        assert change.new == date(2026, 4, 9)
        assert change.reason == "Admin: received changed by Ida Admin."

    def test_changing_the_kind_recomputes_the_due_date(self, admin_client):
        case = CaseFactory(received=date(2026, 3, 2))
        data = form_data(admin_client.get(change_url(case)))
        data["kind"] = Kind.SAR
        assert admin_client.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        assert (case.due, case.regime) == (date(2026, 4, 2), "UK GDPR Art 12(3)")

    def test_reopening_a_responded_case_recomputes_and_keeps_the_rules(self, admin_client):
        case = CaseFactory(received=date(2026, 3, 2))
        case_respond(
            case=case,
            responded=date(2026, 3, 20),
            outcome=Outcome.NOT_HELD,
            today=date(2026, 3, 20),
        )
        data = form_data(admin_client.get(change_url(case)))
        data["status"] = Status.ALLOCATED
        response = admin_client.post(change_url(case), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["responded"] == [ERR_OPEN_WITH_RESPONSE.format(field="responded")]
        data.pop("responded")
        data.pop("outcome")
        assert admin_client.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        # Back open, with no officer: "received", and its due date from the engine.
        assert (case.status, case.responded, case.due) == (Status.RECEIVED, None, date(2026, 3, 31))

    @pytest.mark.parametrize(
        ("status", "field", "message"),
        [
            (Status.RESPONDED, "responded", ERR_RESPONDED_NEEDS_DATE),
            (Status.WITHDRAWN, "withdrawn", ERR_WITHDRAWN_NEEDS_DATE),
            (Status.CLOSED, "status", ERR_CLOSED_NEEDS_DATE),
        ],
    )
    def test_a_done_status_needs_its_date(self, admin_client, status, field, message):
        case = CaseFactory(received=date(2026, 3, 2))
        data = form_data(admin_client.get(change_url(case)))
        data["status"] = status
        response = admin_client.post(change_url(case), data)
        assert response.context["adminform"].form.errors[field] == [message]
        case.refresh_from_db()
        assert case.status == Status.RECEIVED

    @pytest.mark.parametrize(
        ("received", "message"),
        [("2099-01-05", ERR_IN_FUTURE), ("0001-01-01", ERR_BEFORE_ANY_REGIME)],
    )
    def test_a_bad_date_received_is_a_form_error_not_a_500(self, admin_client, received, message):
        case = CaseFactory(received=date(2026, 3, 2))
        data = form_data(admin_client.get(change_url(case)))
        data["received"] = received
        response = admin_client.post(change_url(case), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["received"]
        assert message in errors[0]
        case.refresh_from_db()
        assert case.received == date(2026, 3, 2)

    def test_a_date_received_past_the_old_due_date_saves(self, admin_client):
        # The old due date would break "due on or after received" if saved first.
        case = CaseFactory(received=date(2026, 3, 2))
        data = form_data(admin_client.get(change_url(case)))
        data["received"] = "2026-06-01"
        assert admin_client.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        assert case.due == date(2026, 6, 30)  # 15 Jun 2026 is a Scottish bank holiday

    def test_an_unrelated_edit_records_no_move(self, admin_client):
        case = CaseFactory(received=date(2026, 3, 2))
        data = form_data(admin_client.get(change_url(case)))
        data["subject"] = "A corrected subject"
        assert admin_client.post(change_url(case), data).status_code == 302
        assert not DueDateChange.objects.filter(case=case).exists()

    def test_a_case_added_in_the_admin_gets_its_due_date_from_the_engine(self, admin_client):
        directorate = CaseFactory().directorate
        url = reverse("admin:infogov_case_add")
        data = form_data(admin_client.get(url))
        data.update(
            reference="FOI-ADMIN-1",
            kind=Kind.FOI,
            received="2026-05-18",
            channel="email",
            subject="Added by hand",
            directorate=directorate.pk,
        )
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        case = Case.objects.get(reference="FOI-ADMIN-1")
        assert case.due == date(2026, 6, 17)
        assert (
            DueDateChange.objects.get(case=case).reason == "Case logged in the admin by Ida Admin."
        )
