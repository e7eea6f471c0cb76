from datetime import UTC, datetime

import pytest
from django.db.models import F

from infogov import demo
from infogov.choices import Kind, Status
from infogov.models import Case, ClockEvent, Directorate, Requester

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
class DemoSeedTests:
    def test_it_seeds_a_realistic_deterministic_year(self):
        summary = demo.seed(now=NOW)
        assert summary.directorates == 5
        assert Directorate.objects.filter(name="Chief Executive's").exists()
        assert Case.objects.filter(kind__in=[Kind.FOI, Kind.EIR]).count() == 1800
        assert Case.objects.filter(kind=Kind.SAR).count() == 150
        assert Requester.objects.count() == summary.cases == 1950
        answered = Case.objects.filter(responded__isnull=False)
        on_time = answered.filter(responded__lte=F("due")).count() / answered.count()
        assert 0.8 < on_time < 0.95
        assert ClockEvent.objects.filter(kind="extension").exists()
        assert ClockEvent.objects.filter(kind="clarification_received").exists()
        assert Case.objects.filter(status=Status.AWAITING_REQUESTER).exists()
        first = list(Case.objects.order_by("reference").values_list("reference", "due", "status"))

        demo.seed(now=NOW)  # again: the same cases, not twice as many
        again = list(Case.objects.order_by("reference").values_list("reference", "due", "status"))
        assert again == first
