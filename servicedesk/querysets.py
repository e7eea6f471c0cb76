"""Chainable reads on tickets and their intervals.

Two families:

* *live* filters (``open()``, ``breaching(now=)`` ...) read the ticket's derived fields, for
  the queue pages;
* *as of T* filters (``open_at(T)``, ``over_a_week_old_at(T)`` ...) are range queries on
  :class:`~servicedesk.models.TicketInterval`, for trend snapshots and backfills. Each is one
  ``EXISTS`` over the interval index, never a loop over rows.

Definitions are DESIGN.md's metric dictionary.
"""

from datetime import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from hackperf.windows import week_before
from servicedesk.choices import Show, StatusClass

NOT_DONE = (StatusClass.OPEN, StatusClass.PAUSED)


class TicketIntervalQuerySet(models.QuerySet):
    def at(self, instant: datetime):
        """Intervals covering ``instant``: ``started_at <= T < ended_at`` (or still open)."""
        return self.filter(started_at__lte=instant).filter(
            Q(ended_at__gt=instant) | Q(ended_at__isnull=True)
        )

    def not_done(self):
        return self.filter(status_class__in=NOT_DONE)

    def paused(self):
        return self.filter(status_class=StatusClass.PAUSED)


def _open_interval_at(instant: datetime, **extra) -> Exists:
    from servicedesk.models import TicketInterval

    return Exists(
        TicketInterval.objects.at(instant).not_done().filter(ticket=OuterRef("pk"), **extra)
    )


class TicketQuerySet(models.QuerySet):
    # -- live: the ticket's current, derived state ------------------------------------------

    def open(self):
        """Not done: in an open or paused status now."""
        return self.filter(show_q(Show.OPEN))

    def on_hold(self):
        return self.filter(show_q(Show.ON_HOLD))

    def unassigned(self):
        return self.filter(show_q(Show.UNASSIGNED))

    def reopened(self):
        """Open and reopened at least once."""
        return self.filter(show_q(Show.REOPENED))

    def with_multiple_reassignments(self, n: int = 2):
        return self.filter(show_q(Show.REASSIGNED, n=n))

    def escalated(self):
        return self.filter(show_q(Show.ESCALATED))

    def over_a_week_old(self, *, now: datetime):
        return self.filter(show_q(Show.OVER_A_WEEK_OLD, now=now))

    def breaching(self, *, now: datetime):
        """Open tickets over their SLA resolution target at ``now``.

        ``sla_due_at`` counts only the pauses that have ended, so a paused ticket breached
        iff it was already past due when the pause began (its clock is stopped since).
        """
        return self.filter(show_q(Show.BREACHING, now=now))

    def at_risk(self, *, now: datetime):
        """Open tickets with 75% or more of the target used, not yet breached."""
        return self.filter(show_q(Show.AT_RISK, now=now))

    def show(self, show: str, *, now: datetime, n: int = 2):
        """The subset a queue page's count links to (a :class:`~servicedesk.choices.Show`)."""
        return self.filter(show_q(show, now=now, n=n))

    # -- as of T: range queries on the intervals ----------------------------------------------

    def open_at(self, instant: datetime):
        """Logged at or before T and in an open or paused status at T."""
        return self.filter(logged_at__lte=instant).filter(_open_interval_at(instant))

    def on_hold_at(self, instant: datetime):
        return self.filter(logged_at__lte=instant).filter(
            _open_interval_at(instant, status_class=StatusClass.PAUSED)
        )

    def over_a_week_old_at(self, instant: datetime):
        """Open at T and logged before T − 7 × 24 h of real time (``week_before``)."""
        return self.open_at(instant).filter(logged_at__lt=week_before(instant))

    def with_multiple_reassignments_at(self, instant: datetime, n: int = 2):
        """Open at T with at least ``n`` reassignments up to T."""
        return self.filter(logged_at__lte=instant).filter(
            _open_interval_at(instant, reassignment_count__gte=n)
        )

    def escalated_at(self, instant: datetime):
        """Open at T and escalated at or before T."""
        return self.filter(logged_at__lte=instant).filter(
            _open_interval_at(instant, escalation_level__gt=0)
        )

    def in_queue_at(self, instant: datetime, queue):
        """Open at T in ``queue`` (where the ticket was at T, not where it is now)."""
        return self.filter(logged_at__lte=instant).filter(_open_interval_at(instant, queue=queue))


def show_q(
    show: str,
    *,
    now: datetime | None = None,
    n: int = 2,
    prefix: str = "",
    within_not_done: bool = False,
) -> Q:
    """The condition for one of a queue's counts, on tickets (``prefix=""``) or through a
    relation (``prefix="tickets__"``, to count per queue in one query).

    ``within_not_done``: the rows are already only tickets not done (the counts' WHERE or
    join says so), so the condition leaves that test out: the counts evaluate each condition
    on every open ticket of a queue, and at 100,000 of them every test costs.
    """

    def q(**lookups) -> Q:
        return Q(**{prefix + key: value for key, value in lookups.items()})

    def f(name: str) -> F:
        return F(prefix + name)

    open_ = Q() if within_not_done else q(status_class__in=NOT_DONE)
    if show == Show.OPEN:
        return open_
    if show == Show.ON_HOLD:
        return q(status_class=StatusClass.PAUSED)
    if show == Show.UNASSIGNED:
        return open_ & q(assignee__isnull=True)
    if show == Show.REOPENED:
        return open_ & q(reopen_count__gt=0)
    if show == Show.REASSIGNED:
        return open_ & q(reassignment_count__gte=n)
    if show == Show.ESCALATED:
        return open_ & q(escalation_level__gt=0)
    if now is None:
        raise ValueError(f"{show!r} needs now=")
    if show == Show.OVER_A_WEEK_OLD:
        return open_ & q(logged_at__lt=week_before(now))
    # A paused ticket's clock stopped when the pause began (status_since).
    breaching = q(status_class=StatusClass.OPEN, sla_due_at__lt=now) | q(
        status_class=StatusClass.PAUSED, sla_due_at__lt=f("status_since")
    )
    if show == Show.BREACHING:
        return breaching
    if show == Show.AT_RISK:
        reached = q(status_class=StatusClass.OPEN, sla_at_risk_at__lte=now) | q(
            status_class=StatusClass.PAUSED, sla_at_risk_at__lte=f("status_since")
        )
        return reached & ~breaching
    raise ValueError(f"unknown count {show!r}")
