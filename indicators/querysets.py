"""Chainable reads of the indicators app."""

from datetime import date

from django.db import models
from django.db.models import OuterRef, Subquery

from indicators.choices import Status


class TargetQuerySet(models.QuerySet):
    def effective_on(self, period_start: date) -> "TargetQuerySet":
        """Targets in force for a period: the latest ``effective_from`` on or before its start
        comes first, so ``.first()`` is the one that applies."""
        return self.filter(effective_from__lte=period_start).order_by("-effective_from", "-pk")


class PeriodValueQuerySet(models.QuerySet):
    def approved(self) -> "PeriodValueQuerySet":
        return self.filter(status=Status.APPROVED)

    def since(self, period_start: date) -> "PeriodValueQuerySet":
        return self.filter(period_start__gte=period_start)

    def with_target(self) -> "PeriodValueQuerySet":
        """Annotate each value with the target (value, tolerance) in force for its period, so
        tables can show and sort by it without a query per row."""
        from indicators.models import Target

        in_force = Target.objects.filter(
            indicator=OuterRef("indicator"), effective_from__lte=OuterRef("period_start")
        ).order_by("-effective_from", "-pk")
        return self.annotate(
            target_value=Subquery(in_force.values("value")[:1]),
            target_tolerance_kind=Subquery(in_force.values("tolerance_kind")[:1]),
            target_tolerance_amount=Subquery(in_force.values("tolerance_amount")[:1]),
        )
