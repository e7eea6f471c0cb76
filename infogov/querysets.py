"""Chainable reads of directorates, cases and escalations.

Who may see which directorate's cases is decided here once (:func:`sees_every_directorate`,
``Directorate.objects.visible_to``, ``Case.objects.visible_to``), and every IG surface a
person reaches (lists, case pages, performance, the IG Group report, escalations, the
indicator drill-downs) reads through it.
"""

from datetime import date

from django.db import models

from hackperf.roles import Perm, perm_name
from infogov import choices


def sees_any_case(user) -> bool:
    return user.is_authenticated and user.has_perm(perm_name(Perm.VIEW_INFOGOV))


def sees_every_directorate(user) -> bool:
    """IG officers, the DMT and superusers see every directorate; directors their own only.

    A director is told apart by ``Perm.ACKNOWLEDGE_ESCALATIONS`` (they acknowledge their
    directorate's escalations); someone who also works cases (an IG officer) sees them all.
    DESIGN.md: "Directors see their own directorate's cases only."
    """
    if not sees_any_case(user):
        return False
    if user.is_superuser or user.has_perm(perm_name(Perm.WORK_CASES)):
        return True
    return not user.has_perm(perm_name(Perm.ACKNOWLEDGE_ESCALATIONS))


class DirectorateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The directorates whose cases ``user`` may see: all, their own, or none."""
        if not sees_any_case(user):
            return self.none()
        if sees_every_directorate(user):
            return self
        return self.filter(directors=user)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases ``user`` may open; a case outside them answers 404 (not 403), so its
        existence is not confirmed either."""
        if not sees_any_case(user):
            return self.none()
        if sees_every_directorate(user):
            return self
        # A subquery, not a join: aggregates over cases (the overview's counts) stay exact.
        # The related model read from the field: infogov.models imports this module.
        directorate = self.model._meta.get_field("directorate").related_model
        own = directorate.objects.filter(directors=user)  # type: ignore[union-attr]
        return self.filter(directorate__in=own.values("pk"))

    def open(self):
        """Not yet responded to, withdrawn or closed."""
        return self.filter(status__in=choices.OPEN_STATUSES)

    def overdue(self, *, today: date):
        return self.open().filter(due__lt=today)

    def received_between(self, start: date, end: date):
        return self.filter(received__range=(start, end))


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Escalations of the cases ``user`` may see (``CaseQuerySet.visible_to``)."""
        if sees_every_directorate(user):
            return self
        case = self.model._meta.get_field("case").related_model  # as above
        cases = case.objects.visible_to(user)  # type: ignore[union-attr]
        return self.filter(case__in=cases.values("pk"))

    def unacknowledged(self):
        return self.filter(case__acknowledgement__isnull=True)
