"""The bank-holiday page (IG officers only), its Confirm and Reject actions, and the feed's
alarms on the IG overview and the DMT home page."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hackperf.choices import ToConfirmStatus
from hackperf.models import BankHoliday, BankHolidayFetch, HolidayToConfirm
from hackperf.roles import Role

NON_IG_ROLES = [role for role in Role if role != Role.IG_OFFICER]


def listed(n: int = 0, **kwargs) -> HolidayToConfirm:
    fields = {
        "division": "scotland",
        "date": date(2031, 6, 2) + timedelta(days=7 * n),
        "in_feed": False,
        "title": f"Proclaimed day {n}",
        "feed_source": "https://www.gov.uk/bank-holidays.json",
        "package_source": "Python package holidays 0.109",
        "found_at": timezone.now(),
        **kwargs,
    }
    return HolidayToConfirm.objects.create(**fields)


def failing_for(days: int) -> None:
    BankHolidayFetch.objects.create(
        at=timezone.now() - timedelta(days=days),
        source="https://www.gov.uk/bank-holidays.json",
        outcome="failed",
        message="cannot connect: [Errno 111] Connection refused",
    )


@pytest.mark.django_db
class BankHolidayPageTests:
    def test_it_lists_what_is_to_confirm_with_both_sources(self, client_as):
        listed()
        content = client_as(Role.IG_OFFICER).get(reverse("bank_holiday_list")).content.decode()
        assert "Mon 2 Jun 2031" in content and "Proclaimed day 0" in content
        assert "Python package holidays 0.109" in content
        assert "https://www.gov.uk/bank-holidays.json" in content
        assert "Confirm" in content and "Reject" in content

    @pytest.mark.parametrize("role", NON_IG_ROLES)
    def test_other_roles_are_refused(self, client_as, role):
        item = listed()
        client = client_as(role)
        assert client.get(reverse("bank_holiday_list")).status_code == 403
        url = reverse("holiday_to_confirm_confirm", args=[item.pk])
        assert client.post(url).status_code == 403
        item.refresh_from_db()
        assert item.status == ToConfirmStatus.TO_CONFIRM

    def test_anonymous_people_are_sent_to_sign_in(self, client):
        response = client.get(reverse("bank_holiday_list"))
        assert response.status_code == 302 and "/sign-in/" in response["Location"]

    def test_confirming_stores_the_holiday(self, client_as):
        item = listed()
        client = client_as(Role.IG_OFFICER)
        response = client.post(reverse("holiday_to_confirm_confirm", args=[item.pk]), follow=True)
        assert "it is now a bank holiday" in response.content.decode()
        assert BankHoliday.objects.filter(division="scotland", date=item.date).exists()
        item.refresh_from_db()
        assert item.status == ToConfirmStatus.CONFIRMED

    def test_rejecting_twice_says_it_was_already_decided(self, client_as):
        item = listed()
        client = client_as(Role.IG_OFFICER)
        client.post(reverse("holiday_to_confirm_reject", args=[item.pk]))
        response = client.post(reverse("holiday_to_confirm_confirm", args=[item.pk]), follow=True)
        assert "was already rejected" in response.content.decode()
        assert not BankHoliday.objects.filter(date=item.date).exists()

    def test_an_unknown_item_is_404(self, client_as):
        url = reverse("holiday_to_confirm_confirm", args=[999999])
        assert client_as(Role.IG_OFFICER).post(url).status_code == 404

    def test_it_makes_the_same_queries_for_2_and_20_items(self, client_as):
        client = client_as(Role.IG_OFFICER)
        url = reverse("bank_holiday_list")
        for n in range(2):
            listed(n)
        client.get(url)
        with CaptureQueriesContext(connection) as two:
            client.get(url)
        for n in range(2, 20):
            listed(n, status=ToConfirmStatus.CONFIRMED if n % 2 else ToConfirmStatus.TO_CONFIRM)
            failing_for(n)
        with CaptureQueriesContext(connection) as twenty:
            client.get(url)
        assert len(two) == len(twenty)


@pytest.mark.django_db
class FeedAlarmTests:
    def test_ig_officers_see_a_week_of_failures_on_the_overview(self, client_as):
        failing_for(8)
        content = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list")).content.decode()
        assert "Bank holidays have not been refreshed for over a week" in content
        assert "Connection refused" in content

    def test_six_days_of_failures_are_not_shown(self, client_as):
        failing_for(6)
        content = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list")).content.decode()
        assert "not been refreshed" not in content

    def test_ig_officers_see_what_is_to_confirm_on_the_overview(self, client_as):
        listed()
        content = client_as(Role.IG_OFFICER).get(reverse("infogov:case_list")).content.decode()
        assert "1 bank holiday listed by one source and missing from the other" in content

    def test_directors_do_not(self, client_as):
        listed()
        failing_for(8)
        content = client_as(Role.DIRECTOR).get(reverse("infogov:case_list")).content.decode()
        assert "bank holiday" not in content.lower()

    def test_the_dmt_home_page_shows_a_week_of_failures(self, client_as):
        failing_for(8)
        content = client_as(Role.DMT).get(reverse("home")).content.decode()
        assert "Bank holidays have not been refreshed for over a week" in content
