"""The DMT review's data, cached per snapshot version and viewer scope (issue 15).

Building the review (thirteen fortnights of figures, nine trend charts, fourteen sparklines,
hundreds of drill-down links) and drawing its tables cost most of the page; the figures
change only when a snapshot is written. So the page's data (``review_views.review_context``
plus the headline) and its two drawn fragments (the first screen and the body) are kept in
Django's cache under a key that carries:

- the version of every fortnight the review shows (``selectors.review_snapshot_versions``:
  when its figures were last written, the highest row id, how many rows and their sum), so
  writing a snapshot of any of them invalidates the entry: the next view asks for a key that
  is not there;
- the viewer's scope: the permissions they hold and which cases they may see (all, none or
  their directorates' own, from the app that owns the cases, through the registry's
  ``case_scope`` provider), so two people who may see different things never share an
  entry, whatever the page shows today;
- what the page is drawn from besides the snapshots: the registered metrics' declarations
  (a metric added, relabelled or made a headline), the headline thresholds, and the source
  of the code and templates that build it (a deploy never serves the last release's page).
"""

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache

from hackperf import page_cache, registry
from indicators.selectors import SnapshotVersion

# Entries are never read after a snapshot is written (the key moves on); this only bounds
# how long an unread one is kept.
REVIEW_CACHE_SECONDS: Final = 24 * 60 * 60
CASE_SCOPE_PROVIDER: Final = "infogov.case_scope"
GENERATION_KEY: Final = "indicators:review:generation"
TEMPLATES: Final = (
    "indicators/includes/_review_headline.html",
    "indicators/includes/_review_body.html",
    "indicators/includes/_review_group.html",
    "includes/_chart.html",
    "indicators/includes/_home_dmt.html",
)
MODULES: Final = (
    *(
        f"indicators/{name}.py"
        for name in ("review", "review_headline", "review_views", "charts", "review_cache", "home")
    ),
    "hackperf/charts.py",
)


def viewer_scope(user: Any) -> str:
    """What ``user`` may see, as text: their permissions, and which cases (the provider of
    the app that owns them says: "all", "none" or their directorates)."""
    permissions = ",".join(sorted(user.get_all_permissions()))
    try:
        cases = registry.provider(CASE_SCOPE_PROVIDER)(user)
    except LookupError:  # no app offers cases
        cases = ""
    return f"{'superuser;' if user.is_superuser else ''}{permissions};cases={cases}"


def _declarations() -> str:
    """The registered metrics as the review reads them."""
    return repr(
        [
            (m.code, m.label, m.definition, m.kind, m.polarity, m.unit, m.review, m.share_of)
            + (m.breakdowns, m.headline, m.headline_per_week, m.count is None)
            for m in registry.all_metrics()
        ]
    )


def key(*, fortnights: Sequence[tuple[datetime, SnapshotVersion]], scope: str) -> str:
    """The cache key of the review of ``fortnights`` (the ones it shows, oldest first) for a
    viewer of ``scope``."""
    parts = (
        repr([(instant.isoformat(), version) for instant, version in fortnights]),
        scope,
        _declarations(),
        repr(sorted(settings.REVIEW_THRESHOLDS.items())),
        page_cache.source_digest(TEMPLATES, MODULES),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    latest = fortnights[-1][0].isoformat() if fortnights else "none"
    return f"indicators:review:{latest}:{digest}"


def cached(
    cache_key: str, build: Callable[[], dict[str, object] | None]
) -> dict[str, object] | None:
    """The review's data under ``cache_key`` (in the current generation), built and kept
    when it is not there (``hackperf.page_cache``: a cache that is down costs time only)."""
    full_key = f"{cache_key}:{page_cache.get(GENERATION_KEY, 0)}"
    data = page_cache.get(full_key)
    if data is None:
        data = build()
        if data is not None:
            page_cache.put(full_key, data, REVIEW_CACHE_SECONDS)
    return data


def invalidate() -> None:
    """Forget every cached review: the next view of each builds it again. Writing a snapshot
    needs no call (the key moves on); this is for what the key cannot see (a database
    recreated with the same rows, as a test run does)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, None)
