"""Chainable reads of cases and escalations."""

from datetime import date

from django.db import models
from django.db.models import Q

from infogov import choices


class CaseQuerySet(models.QuerySet):
    def open(self):
        """Not yet responded to, withdrawn or closed."""
        return self.filter(status__in=choices.OPEN_STATUSES)

    def overdue(self, *, today: date):
        return self.open().filter(due__lt=today)

    def received_between(self, start: date, end: date):
        return self.filter(received__range=(start, end))


class EscalationQuerySet(models.QuerySet):
    def for_director(self, email: str):
        """Escalations of the directorates whose director or group director has ``email``."""
        if not email:
            return self.none()
        return self.filter(
            Q(case__directorate__director_email__iexact=email)
            | Q(case__directorate__group_director_email__iexact=email)
        )

    def unacknowledged(self):
        return self.filter(case__acknowledgement__isnull=True)
