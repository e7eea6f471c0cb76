"""The DMT's part of the home page: the review's headline, and what awaits a decision.

Registered with ``hackperf.workspace`` in ``apps.py``. The headline is the latest fortnightly
snapshot's open-work and information-governance figures (drawn by ``indicators.review`` from
``selectors.review_figures``), kept in the review's cache (``review_cache``) under the versions
of the fortnights it reads: one query while no snapshot is written. What needs a decision is
the indicator values not yet approved (two queries). The e-mails with no recipient and the
bank-holiday feed notice stay where they were, on the project's home page
(``hackperf.views.HomeView``).
"""

from datetime import datetime

from hackperf.roles import Perm, perm_name
from hackperf.workspace import HomeSection
from indicators import review, review_cache, selectors
from indicators.choices import Status
from indicators.models import PeriodValue

TOP = 8
HEADLINE_SECTIONS = ("open-work", "information-governance")
HOME_SCOPE = "home"  # the review cache's scope of the headline: the same for every viewer


def headline() -> dict[str, object] | None:
    """The latest fortnight's end and its headline rows, as the section shows them (plain
    data, to be cached); None when no fortnightly snapshot has been taken."""
    figures = selectors.review_figures()
    built = review.build(figures) if figures else None
    if built is None:
        return None
    return {
        "fortnight_end": built.fortnight_end,
        "rows": [
            {
                "label": row.label,
                "current_text": row.current_text,
                "previous_text": row.previous_text,
                "change": row.change,
            }
            for group in built.sections
            if group.slug in HEADLINE_SECTIONS
            for row in group.rows
        ],
    }


def dmt_section(user, *, now: datetime) -> HomeSection | None:
    if not user.has_perm(perm_name(Perm.VIEW_REVIEW)):
        return None
    # Kept with the review's own cache, under the versions of the fortnights it reads (one
    # query instead of three and the build). The same for everyone who may see the review:
    # it counts, and names nobody.
    versions = list(selectors.review_snapshot_versions().items())[-selectors.REVIEW_FORTNIGHTS :]
    latest = None
    if versions:
        key = review_cache.key(fortnights=versions, scope=HOME_SCOPE)
        latest = review_cache.cached(key, headline)
    pending = PeriodValue.objects.exclude(status=Status.APPROVED)
    waiting = list(
        pending.select_related("indicator").order_by("-period_start", "indicator__display_order")[
            :TOP
        ]
    )
    return HomeSection(
        template="indicators/includes/_home_dmt.html",
        context={
            "review": latest,
            "headline": latest["rows"] if latest else [],
            "waiting": waiting,
            "waiting_total": pending.count(),
            "can_approve": user.has_perm(perm_name(Perm.APPROVE_INDICATOR_VALUES)),
        },
    )
