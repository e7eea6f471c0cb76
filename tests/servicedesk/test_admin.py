"""The service-desk admin cannot go round the rules: a queue's working hours are validated
(a form error naming what is wrong), and editing a queue's hours or holiday division, or an
SLA target, recomputes the SLA clocks of open tickets through the services."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from hackperf.roles import Role
from servicedesk import services
from servicedesk.calendars import validate_working_hours
from servicedesk.choices import Kind, Priority
from servicedesk.models import Queue, SlaTarget
from tests.servicedesk.factories import (
    EIGHT_HOURS,
    MORNING,
    QueueFactory,
    SlaTargetFactory,
    log_ticket,
)

WEEKDAYS = {str(d): [["09:00", "17:00"]] for d in range(5)}
MORNINGS = json.dumps({str(d): [["09:00", "13:00"]] for d in range(5)})
"""Working hours of 09:00 to 13:00 on weekdays, as the admin form takes them."""


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(Role.DMT, is_staff=True, is_superuser=True))
    return client


def queue_form(queue: Queue, **changes) -> dict:
    data = {
        "name": queue.name,
        "slug": queue.slug,
        "working_hours": json.dumps(queue.working_hours),
        "holiday_division": queue.holiday_division,
    }
    data.update(changes)
    return data


class WorkingHoursValidationTests:
    @pytest.mark.parametrize(
        ("hours", "message"),
        [
            ({"1": [["17:00", "09:00"]]}, "Tuesday: 17:00–09:00 ends before it starts."),
            ({"0": [["09:00", "09:00"]]}, "Monday: 09:00–09:00 ends when it starts."),
            (
                {"2": [["09:00", "13:00"], ["12:00", "17:00"]]},
                "Wednesday: 09:00–13:00 and 12:00–17:00 overlap.",
            ),
            ({"7": [["09:00", "17:00"]]}, "'7' is not a weekday: use 0 (Monday) to 6 (Sunday)."),
            ({"mon": [["09:00", "17:00"]]}, "'mon' is not a weekday"),
            ({"0": [["9am", "17:00"]]}, 'Monday: "9am" is not a time of day (HH:MM'),
            ({"0": [["25:00", "26:00"]]}, 'Monday: "25:00" is not a time of day'),
            (
                {"0": [["09:00"]]},
                'Monday: each interval is a pair of times, like ["09:00", "17:00"]',
            ),
            ({"0": "09:00-17:00"}, "Monday: give a list of intervals"),
            ({"0": [], "6": []}, "A queue needs working hours on at least one day of the week."),
            ([["09:00", "17:00"]], "Working hours must be an object of weekday to intervals"),
            ({"0": [[None, "17:00"]]}, "Monday: null is not a time of day"),
            ({"0": [["09:00", "17:00"]], 0: [["10:00", "11:00"]]}, "Monday is given twice."),
        ],
    )
    def test_it_names_what_is_wrong(self, hours, message):
        with pytest.raises(ValueError) as error:
            validate_working_hours(hours)
        assert message in str(error.value)

    def test_it_reads_good_hours_including_a_shift_to_midnight(self):
        parsed = validate_working_hours({"0": [["08:00", "12:00"], ["13:00", "00:00"]], "5": []})
        assert list(parsed) == [0, 5]
        assert [f"{s:%H:%M}-{e:%H:%M}" for s, e in parsed[0]] == ["08:00-12:00", "13:00-00:00"]


@pytest.mark.django_db
class QueueAdminTests:
    def due_after_saving(self, admin_client, queue, ticket, **changes):
        """``ticket``'s SLA due time after the admin saves ``queue`` with ``changes``."""
        response = admin_client.post(self.url(queue), queue_form(queue, **changes))
        assert response.status_code == 302
        ticket.refresh_from_db()
        return ticket.sla_due_at

    def url(self, queue):
        return reverse("admin:servicedesk_queue_change", args=[queue.pk])

    def test_bad_hours_are_a_form_error_and_nothing_is_saved(self, admin_client):
        queue = QueueFactory()
        hours = {**WEEKDAYS, "1": [["17:00", "09:00"]]}
        response = admin_client.post(
            self.url(queue), queue_form(queue, working_hours=json.dumps(hours))
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["working_hours"] == [
            "Tuesday: 17:00–09:00 ends before it starts."
        ]
        queue.refresh_from_db()
        assert queue.working_hours == WEEKDAYS

    def test_it_says_when_the_json_is_not_json(self, admin_client):
        queue = QueueFactory()
        response = admin_client.post(self.url(queue), queue_form(queue, working_hours="{0: [09:00"))
        assert response.context["adminform"].form.errors["working_hours"] == ["Enter a valid JSON."]

    def test_new_hours_move_the_sla_clocks_of_open_tickets(self, admin_client):
        SlaTargetFactory()  # incidents P3: 8 business hours
        queue = QueueFactory()
        ticket = log_ticket(queue=queue)  # Tue 3 Mar 2026 09:00: due 17:00 the same day
        assert ticket.sla_due_at == datetime(2026, 3, 3, 17, tzinfo=UTC)
        due = self.due_after_saving(admin_client, queue, ticket, working_hours=MORNINGS)
        assert due == datetime(2026, 3, 4, 13, tzinfo=UTC)

    def test_a_new_holiday_division_moves_them_too(self, admin_client):
        SlaTargetFactory()
        queue = QueueFactory()
        # Mon 16 Mar 2026 09:00: a working day in England; St Patrick's Day (Tue 17) is a
        # holiday in Northern Ireland.
        ticket = log_ticket(
            queue=queue, at=datetime(2026, 3, 16, 9, tzinfo=UTC), priority=Priority.P3
        )
        SlaTarget.objects.filter(kind=Kind.INCIDENT, priority=Priority.P3).update(
            resolution_seconds=2 * EIGHT_HOURS
        )
        services.tickets_sla_recompute()
        ticket.refresh_from_db()
        assert ticket.sla_due_at == datetime(2026, 3, 17, 17, tzinfo=UTC)
        due = self.due_after_saving(
            admin_client, queue, ticket, holiday_division="northern-ireland"
        )
        assert due == datetime(2026, 3, 18, 17, tzinfo=UTC)

    def test_a_closed_ticket_keeps_its_clock(self, admin_client):
        SlaTargetFactory()
        queue = QueueFactory()
        ticket = log_ticket(queue=queue)
        services.ticket_cancel(
            ticket=ticket, actor=None, at=MORNING.replace(hour=10), reason="Duplicate"
        )
        ticket.refresh_from_db()
        before = ticket.sla_due_at
        assert self.due_after_saving(admin_client, queue, ticket, working_hours=MORNINGS) == before


@pytest.mark.django_db
class SlaTargetAdminTests:
    def test_changing_a_target_moves_the_clocks_of_its_open_tickets(self, admin_client):
        target = SlaTargetFactory()
        ticket = log_ticket()
        other = log_ticket(priority=Priority.P2)
        other_due = other.sla_due_at
        url = reverse("admin:servicedesk_slatarget_change", args=[target.pk])
        response = admin_client.post(
            url,
            {
                "kind": target.kind,
                "priority": target.priority,
                "response_seconds": 3600,
                "resolution_seconds": 4 * 3600,
            },
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        other.refresh_from_db()
        assert (ticket.sla_target_seconds, ticket.sla_due_at) == (
            4 * 3600,
            datetime(2026, 3, 3, 13, tzinfo=UTC),
        )
        assert other.sla_due_at == other_due

    def test_deleting_a_target_removes_its_clock(self, admin_client):
        target = SlaTargetFactory()
        ticket = log_ticket()
        url = reverse("admin:servicedesk_slatarget_delete", args=[target.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        ticket.refresh_from_db()
        assert (ticket.sla_target_seconds, ticket.sla_due_at) == (None, None)

    def test_a_new_target_gives_open_tickets_a_clock(self, admin_client):
        ticket = log_ticket(priority=Priority.P1)
        assert ticket.sla_due_at is None
        response = admin_client.post(
            reverse("admin:servicedesk_slatarget_add"),
            {
                "kind": Kind.INCIDENT,
                "priority": Priority.P1,
                "response_seconds": 900,
                "resolution_seconds": 3600,
            },
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.sla_due_at == datetime(2026, 3, 3, 10, tzinfo=UTC)
