from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from hackperf.roles import Role
from infogov import selectors
from infogov.choices import EventKind, Kind, Outcome, Stage, Status
from infogov.deadlines import ERR_BEFORE
from infogov.models import Case, ClockEvent, DueDateChange, Requester
from infogov.services.cases import (
    ERR_CLOSE_OPEN,
    ERR_EXEMPTIONS_CHOOSE,
    ERR_EXTENSION_DAYS,
    ERR_EXTENSION_REASON,
    ERR_IN_FUTURE,
    ERR_PARENT_REQUIRED,
    ERR_RESPONDED_EVENT,
    STAGE_NOTES,
    case_allocate,
    case_close,
    case_log,
    case_recompute_due,
    case_record_clock_event,
    case_respond,
)
from infogov.services.holidays import (
    bank_holidays_change_reason,
    cases_recompute_due,
    on_bank_holidays_changed,
)
from tests.infogov.factories import CaseFactory, DirectorateFactory, ServiceFactory

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def log(**overrides):
    service = overrides.pop("service", None) or ServiceFactory()
    data = {
        "reference": "FOI-2022-00001",
        "kind": Kind.FOI,
        "received": date(2022, 9, 5),
        "channel": "email",
        "subject": "Parking fines",
        "directorate": service.directorate,
        "service": service,
        "requester_name": "Zebedee Quill",
        "requester_email": "zq@example.org",
        "today": TODAY,
        "now": NOW,
    }
    data.update(overrides)
    return case_log(**data)


@pytest.mark.django_db
class CaseLogTests:
    def test_it_logs_a_case_with_its_due_date_and_working(self):
        case = log(received=date(2021, 2, 15))
        assert case.due == date(2021, 3, 15)
        assert case.regime == "FOIA s.10"
        assert case.due_working[0].startswith("Due Mon 15 Mar 2021")
        assert case.status == Status.RECEIVED
        assert Requester.objects.get(case=case).name == "Zebedee Quill"
        change = DueDateChange.objects.get(case=case)
        assert (change.old, change.new, change.reason) == (None, case.due, "Case logged.")

    def test_it_uses_the_sar_rule(self):
        case = log(reference="SAR-1", kind=Kind.SAR, received=date(2024, 1, 31))
        assert case.due == date(2024, 2, 29)

    def test_it_refuses_a_date_in_the_future(self):
        with pytest.raises(ValidationError) as error:
            log(received=date(2026, 11, 26))
        assert error.value.message_dict == {"received": [ERR_IN_FUTURE]}
        assert not Case.objects.exists()

    def test_it_refuses_a_service_of_another_directorate(self):
        with pytest.raises(ValidationError) as error:
            log(directorate=DirectorateFactory())
        assert "service" in error.value.message_dict

    def test_it_refuses_a_duplicate_reference(self):
        log()
        with pytest.raises(ValidationError) as error:
            log()
        assert "reference" in error.value.message_dict

    def test_it_links_a_review_to_its_request(self):
        request = log()
        review = log(reference="IR-1", stage=Stage.INTERNAL_REVIEW, parent=request)
        assert review.parent == request
        assert review.due_working[0] == STAGE_NOTES[Stage.INTERNAL_REVIEW]

    def test_it_refuses_a_review_without_its_request(self):
        with pytest.raises(ValidationError) as error:
            log(reference="IR-1", stage=Stage.INTERNAL_REVIEW)
        assert error.value.message_dict == {"parent": [ERR_PARENT_REQUIRED]}


@pytest.mark.django_db
class CaseAllocateTests:
    def test_it_allocates_and_sets_the_status(self, make_user):
        officer = make_user(Role.IG_OFFICER)
        case = case_allocate(case=CaseFactory(), officer=officer)
        assert case.officer == officer
        assert case.status == Status.ALLOCATED

    def test_it_refuses_a_closed_case(self, make_user):
        case = CaseFactory(status=Status.CLOSED)
        with pytest.raises(ValidationError):
            case_allocate(case=case, officer=make_user(Role.IG_OFFICER))


@pytest.mark.django_db
class CaseRecordClockEventTests:
    def record(self, case, kind, when, **kwargs):
        return case_record_clock_event(
            case=case, kind=kind, date=when, today=TODAY, now=NOW, **kwargs
        )

    def extend(self, case, when, reason: str, **days):
        """Record an extension for ``reason`` (``extension_days=`` where the kind counts them)."""
        return self.record(case, EventKind.EXTENSION, when, extension_reason=reason, **days)

    def test_it_stops_the_clock_and_restarts_the_count_on_clarification(self):
        case = log(received=date(2021, 2, 15))
        self.record(case, EventKind.CLARIFICATION_REQUESTED, date(2021, 2, 16))
        case.refresh_from_db()
        assert case.status == Status.AWAITING_REQUESTER
        assert case.clock_stopped
        self.record(case, EventKind.CLARIFICATION_RECEIVED, date(2021, 2, 22))
        case.refresh_from_db()
        assert not case.clock_stopped
        assert case.status == Status.RECEIVED
        assert case.due == date(2021, 3, 23)  # 20 working days after 22 Feb; 17 Mar (NI)
        change = case.due_changes.order_by("pk").last()
        assert (change.old, change.new) == (date(2021, 3, 15), date(2021, 3, 23))
        assert change.reason == "Clock event: clarification received on Mon 22 Feb 2021."

    def test_it_refuses_a_fee_paid_before_the_notice_with_the_engines_message(self):
        case = log(received=date(2021, 2, 15))
        with pytest.raises(ValidationError) as error:
            self.record(case, EventKind.FEE_PAID, date(2021, 2, 20))
        assert "fee_paid (2021-02-20) is given without fee_notice" in str(error.value)
        self.record(case, EventKind.FEE_NOTICE, date(2021, 2, 18))
        with pytest.raises(ValidationError) as error:
            self.record(case, EventKind.FEE_PAID, date(2021, 2, 17))
        expected = ERR_BEFORE.format(
            name="fee_paid", value="2021-02-17", other="fee_notice", other_value="2021-02-18"
        )
        assert error.value.message_dict == {"date": [expected]}
        assert case.events.count() == 1

    def test_it_refuses_id_events_on_an_foi_request(self):
        case = log()
        with pytest.raises(ValidationError) as error:
            self.record(case, EventKind.ID_REQUESTED, date(2022, 9, 6))
        assert "does not apply to FOI requests" in str(error.value)

    def test_it_refuses_dates_before_receipt_or_in_the_future(self):
        case = log()
        with pytest.raises(ValidationError):
            self.record(case, EventKind.FEE_NOTICE, date(2022, 9, 1))
        with pytest.raises(ValidationError) as error:
            self.record(case, EventKind.FEE_NOTICE, date(2026, 12, 1))
        assert error.value.message_dict == {"date": [ERR_IN_FUTURE]}

    def test_it_extends_an_foi_request_by_working_days(self):
        case = log(received=date(2021, 2, 15))
        self.extend(case, date(2021, 3, 1), "public_interest", extension_days=20)
        case.refresh_from_db()
        assert case.due == date(2021, 4, 15)  # 40 working days; 17 Mar (NI), Easter

    def test_it_extends_a_sar_by_two_months(self):
        case = log(reference="SAR-1", kind=Kind.SAR, received=date(2022, 10, 3))
        self.extend(case, date(2022, 10, 20), "sar_complexity")
        case.refresh_from_db()
        assert case.due == date(2023, 1, 3)

    def test_an_extension_needs_a_reason_that_fits_the_kind_and_days(self):
        case = log()
        with pytest.raises(ValidationError) as error:
            self.record(case, EventKind.EXTENSION, date(2022, 9, 6))
        assert error.value.message_dict == {
            "extension_reason": [ERR_EXTENSION_REASON],
            "extension_days": [ERR_EXTENSION_DAYS],
        }
        with pytest.raises(ValidationError) as error:
            self.extend(case, date(2022, 9, 6), "sar_complexity", extension_days=20)
        assert "extension_reason" in error.value.message_dict

    def test_it_withdraws_a_case(self):
        case = log()
        self.record(case, EventKind.WITHDRAWN, date(2022, 9, 8))
        case.refresh_from_db()
        assert (case.status, case.outcome, case.withdrawn) == (
            Status.WITHDRAWN,
            Outcome.WITHDRAWN,
            date(2022, 9, 8),
        )
        with pytest.raises(ValidationError):
            self.record(case, EventKind.FEE_NOTICE, date(2022, 9, 9))

    def test_it_sends_responses_to_case_respond(self):
        with pytest.raises(ValidationError) as error:
            self.record(log(), EventKind.RESPONDED, date(2022, 9, 9))
        assert error.value.message_dict == {"kind": [ERR_RESPONDED_EVENT]}


@pytest.mark.django_db
class CaseRespondAndCloseTests:
    def test_it_records_the_response_and_closes(self):
        case = log()
        case_respond(
            case=case, responded=date(2022, 9, 30), outcome=Outcome.SUPPLIED_IN_FULL, today=TODAY
        )
        case.refresh_from_db()
        assert case.status == Status.RESPONDED
        assert ClockEvent.objects.get(case=case).kind == EventKind.RESPONDED
        case_close(case=case)
        assert Case.objects.get(pk=case.pk).status == Status.CLOSED

    def test_a_refusal_needs_its_exemptions(self):
        case = log()
        with pytest.raises(ValidationError) as error:
            case_respond(
                case=case, responded=date(2022, 9, 30), outcome=Outcome.REFUSED, today=TODAY
            )
        assert error.value.message_dict == {"exemption_codes": [ERR_EXEMPTIONS_CHOOSE]}

    def test_it_refuses_a_response_before_receipt(self):
        with pytest.raises(ValidationError) as error:
            case_respond(
                case=log(), responded=date(2022, 9, 1), outcome=Outcome.NOT_HELD, today=TODAY
            )
        assert "responded" in error.value.message_dict

    def test_it_refuses_to_close_an_open_case(self):
        with pytest.raises(ValidationError) as error:
            case_close(case=log())
        assert error.value.messages == [ERR_CLOSE_OPEN]


STATE_FUNERAL = date(2022, 9, 19)


@pytest.mark.django_db
class BankHolidaysChangedTests:
    """The 2022 state funeral was announced on 10 Sep 2022, after cases had been opened."""

    def calendars(self, bundled_calendar):
        without = bundled_calendar.__class__(
            holidays=frozenset(h for h in bundled_calendar.holidays if h.date != STATE_FUNERAL),
            coverage=bundled_calendar.coverage,
        )
        return without, bundled_calendar

    def test_it_recomputes_open_cases_and_records_why(self, bundled_calendar, monkeypatch):
        without, with_funeral = self.calendars(bundled_calendar)
        case = log(received=date(2022, 9, 5), calendar=without)
        closed = log(reference="FOI-2", received=date(2022, 9, 5), calendar=without)
        case_respond(case=closed, responded=date(2022, 9, 9), outcome=Outcome.NOT_HELD, today=TODAY)
        assert case.due == date(2022, 10, 3)

        monkeypatch.setattr(selectors, "holiday_calendar", lambda: with_funeral)
        on_bank_holidays_changed(sender=None, changed_dates=[date(2022, 9, 19)])

        case.refresh_from_db()
        assert case.due == date(2022, 10, 4)
        assert any("19 Sep 2022" in line for line in case.due_working)
        change = case.due_changes.order_by("pk").last()
        assert (change.old, change.new) == (date(2022, 10, 3), date(2022, 10, 4))
        assert change.reason.startswith(
            "Bank holidays changed: added 2022-09-19 Bank Holiday for the State Funeral"
        )
        closed.refresh_from_db()
        assert closed.due == date(2022, 10, 3)  # answered: its due date is history
        assert closed.due_changes.count() == 1

    def test_it_records_nothing_when_no_due_date_moves(self, bundled_calendar):
        case = log(received=date(2022, 11, 1))
        changes = cases_recompute_due(reason="test", calendar=bundled_calendar)
        assert changes == []
        assert case.due_changes.count() == 1

    def test_the_reason_names_removed_days(self, bundled_calendar):
        reason = bank_holidays_change_reason([date(2022, 9, 20)], bundled_calendar)
        assert reason == "Bank holidays changed: removed 2022-09-20."

    def test_the_signal_recomputes_with_the_senders_reason(self, bundled_calendar, monkeypatch):
        from hackperf.signals import bank_holidays_changed

        without, with_funeral = self.calendars(bundled_calendar)
        case = log(received=date(2022, 9, 5), calendar=without)
        monkeypatch.setattr(selectors, "holiday_calendar", lambda: with_funeral)
        bank_holidays_changed.send(
            sender=None, changed_dates=[STATE_FUNERAL], reason="Bank holidays changed: test."
        )
        case.refresh_from_db()
        assert case.due == date(2022, 10, 4)
        assert case.due_changes.order_by("pk").last().reason == "Bank holidays changed: test."

    def test_it_recomputes_one_case(self):
        case = log(received=date(2021, 2, 15))
        Case.objects.filter(pk=case.pk).update(due=date(2021, 3, 1))
        case.refresh_from_db()
        change = case_recompute_due(case=case, reason="Fixed by hand.", now=NOW)
        assert (change.old, change.new, change.reason) == (
            date(2021, 3, 1),
            date(2021, 3, 15),
            "Fixed by hand.",
        )
        assert case_recompute_due(case=case, reason="Again.") is None
