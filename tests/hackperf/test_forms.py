"""The GOV.UK form kit (hackperf.forms): the date input, the messages, and every form page.

The date input's messages follow GOV.UK's date input pattern: they name the field and say what
is missing or wrong, and only the boxes that are wrong are marked. Every form page of the
product is drawn with the kit: no Django "---------", no browser date or month picker, no
Ctrl-click multi-select, and a title "Page – ICT performance – Hackney".
"""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django import forms
from django.urls import reverse
from django.utils import timezone

from hackperf.forms import (
    GovukDateField,
    GovukForm,
    GovukMonthField,
    error_anchor,
    prompt_for,
    reference_taken,
)
from hackperf.roles import Role
from infogov.models import Case
from tests.indicators.factories import IndicatorFactory
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory
from tests.servicedesk.factories import QueueFactory, log_ticket


class DateForm(GovukForm):
    received = GovukDateField(label="Date received", past=True)
    review = GovukDateField(label="Review date", required=False)


class MonthForm(GovukForm):
    month = GovukMonthField(label="Month")


def parts(day, month, year, name="received"):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def errors(form, name="received"):
    return form.errors.get(name, [])


class DateInputTests:
    @time_machine.travel("2026-12-06 09:00 +00:00", tick=False)
    def test_it_reads_the_three_boxes(self):
        form = DateForm(parts(" 27 ", "3", "2026"))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["received"] == date(2026, 3, 27)
        assert form.cleaned_data["review"] is None

    def test_it_still_reads_one_iso_value(self):
        # Scripts, saved links and older tests post the ISO form.
        form = DateForm({"received": "2026-03-27"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["received"] == date(2026, 3, 27)

    @pytest.mark.parametrize(
        ("typed", "message", "marked"),
        [
            (("", "", ""), "Enter date received", ("day", "month", "year")),
            (("27", "", "2026"), "Date received must include a month", ("month",)),
            (("", "", "2026"), "Date received must include a day and month", ("day", "month")),
            (("31", "2", "2026"), "Date received must be a real date", ("day", "month", "year")),
            (("1", "13", "2026"), "Date received must be a real date", ("day", "month", "year")),
            (("x", "3", "2026"), "Date received must be a real date", ("day",)),
            (("٣", "3", "2026"), "Date received must be a real date", ("day",)),
            (("1", "3", "26"), "Year must include 4 numbers, like 2026", ("year",)),
            (("1", "3", "99999"), "Date received must be a real date", ("year",)),
            (("1", "3", "1969"), "Date received must be between 1 January 1970", ("year",)),
            (("7", "12", "2026"), "Date received must be today or in the past", None),
            (("\x00", "3", "2026"), "Date received must be a real date", ("day",)),
        ],
    )
    @time_machine.travel("2026-12-06 09:00 +00:00", tick=False)
    def test_it_says_what_is_wrong(self, typed, message, marked):
        form = DateForm(parts(*typed))
        assert not form.is_valid()
        assert any(e.startswith(message) for e in errors(form)), errors(form)
        widget = form.fields["received"].widget
        assert widget.error_parts == (marked or ("day", "month", "year"))

    @time_machine.travel("2026-12-06 09:00 +00:00", tick=False)
    def test_today_is_in_the_past_enough(self):
        assert DateForm(parts("6", "12", "2026")).is_valid()

    def test_a_future_date_is_fine_where_the_field_allows_it(self):
        later = timezone.localdate() + timedelta(days=400)
        form = DateForm(
            {**parts("1", "1", "2020"), **parts(later.day, later.month, later.year, "review")}
        )
        assert form.is_valid(), form.errors

    def test_the_summary_links_to_the_first_box_that_is_wrong(self):
        form = DateForm(parts("27", "", "2026"))
        form.is_valid()
        assert error_anchor(form["received"]) == "id_received-month"
        assert form.govuk_error_summary()[0] == (
            "id_received-month",
            "Date received must include a month",
        )
        html = str(form["received"].as_widget())
        assert 'id="id_received-month" name="received-month"' in html
        month = re.search(r'<input class="([^"]+)" id="id_received-month"', html).group(1)
        day = re.search(r'<input class="([^"]+)" id="id_received"', html).group(1)
        assert "govuk-input--error" in month and "govuk-input--error" not in day

    def test_it_keeps_what_was_typed_on_an_error(self):
        form = DateForm(parts("31", "2", "2026"))
        form.is_valid()
        html = str(form["received"].as_widget())
        for name, value in (("day", "31"), ("month", "2"), ("year", "2026")):
            assert f'name="received-{name}" type="text" inputmode="numeric" value="{value}"' in html

    def test_a_month_is_two_boxes(self):
        form = MonthForm({"month-month": "3", "month-year": "2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["month"] == date(2026, 3, 1)
        assert MonthForm({"month": "2026-03"}).is_valid()
        bad = MonthForm({"month-month": "", "month-year": "2026"})
        assert bad.errors["month"] == ["Month must include a month"]
        assert 'name="month-day"' not in str(bad["month"].as_widget())


class MessageTests:
    def test_django_messages_become_govuk_ones(self):
        class F(GovukForm):
            name = forms.CharField(label="Summary", max_length=5)
            queue = forms.ChoiceField(label="Queue", choices=[("a", "A")])
            email = forms.EmailField(label="Customer e-mail (optional)", required=False)
            days = forms.IntegerField(label="Extension in working days", min_value=1)

        form = F({"name": "toolong", "queue": "b", "email": "x", "days": "0"})
        assert not form.is_valid()
        assert form.errors["name"] == ["Summary must be 5 characters or fewer"]
        assert form.errors["queue"] == ["Choose queue from the list"]
        assert form.errors["email"] == [
            "Enter customer e-mail in the right format, like name@hackney.gov.uk"
        ]
        assert form.errors["days"] == ["Extension in working days must be 1 or more"]
        assert F({}).errors["name"] == ["Enter summary"]
        assert F({}).errors["queue"] == ["Choose queue"]

    def test_a_select_gets_a_real_prompt(self):
        class F(GovukForm):
            directorate = forms.ModelChoiceField(label="Directorate", queryset=Case.objects.none())

        assert F().fields["directorate"].empty_label == "Choose directorate"
        assert prompt_for("Service (optional)") == "Choose service"

    def test_a_multi_select_becomes_checkboxes(self):
        class F(GovukForm):
            kinds = forms.MultipleChoiceField(label="Kinds", choices=[("a", "A"), ("b", "B")])

        assert isinstance(F().fields["kinds"].widget, forms.CheckboxSelectMultiple)

    def test_a_taken_reference_links_only_when_it_may_be_opened(self):
        linked = reference_taken(what="case", reference="FOI-1", url="/cases/1/")
        assert linked == (
            'A case with reference FOI-1 already exists: <a class="govuk-link" '
            'href="/cases/1/">open it</a> or use another reference'
        )
        bare = reference_taken(what="case", reference="<b>", url=None)
        assert bare == "A case with reference <b> already exists: use another reference"


@pytest.mark.django_db
class CaseReferenceTests:
    def test_a_taken_case_reference_says_what_to_do(self, client_as):
        existing = CaseFactory(reference="FOI-2026-0142")
        service = ServiceFactory()
        response = client_as(Role.IG_OFFICER).post(
            reverse("infogov:case_create"),
            {
                "reference": "FOI-2026-0142",
                "kind": "foi",
                "stage": "request",
                **parts("2", "11", "2026"),
                "channel": "email",
                "subject": "Tree felling",
                "directorate": service.directorate_id,
                "service": service.pk,
                "requester_name": "Ada Lovelace",
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        url = reverse("infogov:case_detail", args=[existing.pk])
        assert (
            "A case with reference FOI-2026-0142 already exists: "
            f'<a class="govuk-link" href="{url}">open it</a> or use another reference'
        ) in html
        # The summary holds it as text (a link cannot sit inside the summary's link).
        assert (
            '<a href="#id_reference">A case with reference FOI-2026-0142 already exists: '
            "open it or use another reference</a>"
        ) in html
        assert "Case with this Reference already exists" not in html
        assert Case.objects.count() == 1


# -- every form page ------------------------------------------------------------------------


@pytest.fixture
def pages(db):
    """(role, url) for every form page of the product, with the records they need."""
    case = CaseFactory()
    DirectorateFactory()
    indicator = IndicatorFactory()
    queue = QueueFactory(slug="desk", name="Service desk")
    ticket = log_ticket(queue=queue, reference="INC0001")
    return [
        (Role.SERVICE_DESK_AGENT, reverse("servicedesk:ticket_create")),
        (Role.SERVICE_DESK_AGENT, reverse("servicedesk:ticket_detail", args=[ticket.reference])),
        (Role.SERVICE_DESK_AGENT, reverse("servicedesk:queue_detail", args=[queue.slug])),
        (Role.DMT, reverse("servicedesk:ticket_import")),
        (Role.IG_OFFICER, reverse("infogov:case_create")),
        (Role.IG_OFFICER, reverse("infogov:case_allocate", args=[case.pk])),
        (Role.IG_OFFICER, reverse("infogov:case_event_create", args=[case.pk])),
        (Role.IG_OFFICER, reverse("infogov:case_respond", args=[case.pk])),
        (Role.IG_OFFICER, reverse("infogov:case_list")),
        (Role.DMT, reverse("indicators:period_value_create", args=[indicator.slug])),
        (Role.DMT, reverse("indicators:risk_create")),
        (Role.DMT, reverse("indicators:briefing")),
    ]


@pytest.mark.django_db
class FormPageTests:
    def test_every_form_page_is_drawn_the_govuk_way(self, client, make_user, pages):
        for role, url in pages:
            client.force_login(make_user(role))
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert "---------" not in html, url
            assert 'type="date"' not in html and 'type="month"' not in html, url
            assert not re.search(r"<select[^>]*\bmultiple", html), url
            title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
            assert title.endswith(" – ICT performance – Hackney"), (url, title)
            assert "<" not in title and "\n" not in title.strip(), (url, title)

    def test_an_error_page_title_says_error(self, client_as):
        response = client_as(Role.IG_OFFICER).post(reverse("infogov:case_create"), {})
        html = response.content.decode()
        assert "<title>Error: Log a case – ICT performance – Hackney</title>" in html
        assert '<a href="#id_received">Enter date received</a>' in html
        assert '<a href="#id_kind_0">' in html  # radios link to their first radio
