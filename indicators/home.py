"""The DMT's part of the home page: the review's headline, and what awaits a decision.

Registered with ``hackperf.workspace`` in ``apps.py``. The headline is the latest fortnightly
snapshot's open-work figures (the review's first section, drawn by ``indicators.review`` from
``selectors.review_figures``, three queries); what needs a decision is the indicator values
not yet approved (two queries). The e-mails with no recipient and the bank-holiday feed notice
stay where they were, on the project's home page (``hackperf.views.HomeView``).
"""

from datetime import datetime

from hackperf.roles import Perm, perm_name
from hackperf.workspace import HomeSection
from indicators import review, selectors
from indicators.choices import Status
from indicators.models import PeriodValue

TOP = 8
HEADLINE_SECTIONS = ("open-work", "information-governance")


def dmt_section(user, *, now: datetime) -> HomeSection | None:
    if not user.has_perm(perm_name(Perm.VIEW_REVIEW)):
        return None
    figures = selectors.review_figures()
    built = review.build(figures) if figures else None
    headline = []
    if built is not None:
        headline = [
            row for group in built.sections if group.slug in HEADLINE_SECTIONS for row in group.rows
        ]
    pending = PeriodValue.objects.exclude(status=Status.APPROVED)
    waiting = list(
        pending.select_related("indicator").order_by("-period_start", "indicator__display_order")[
            :TOP
        ]
    )
    return HomeSection(
        template="indicators/includes/_home_dmt.html",
        context={
            "review": built,
            "headline": headline,
            "waiting": waiting,
            "waiting_total": pending.count(),
            "can_approve": user.has_perm(perm_name(Perm.APPROVE_INDICATOR_VALUES)),
        },
    )
