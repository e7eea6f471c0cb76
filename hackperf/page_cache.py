"""Reading and writing Django's cache for pages that keep drawn parts: a cache that cannot be
read or written costs the page its time, never the page.

One home for that rule: the DMT review (``indicators.review_cache``) and the queue page's
tickets part (``servicedesk.queue_cache``) both go through here. A stopped Redis (or a full
disk under ``make run``'s file cache) is logged as a warning and the part is drawn afresh.
"""

import logging
from typing import Any

from django.core.cache import cache

log = logging.getLogger(__name__)


def get(key: str, default: Any = None) -> Any:
    """The value under ``key``, or ``default`` when it is not there or the cache is down."""
    try:
        return cache.get(key, default)
    except Exception as error:  # one line a request, not a traceback, while Redis is down
        log.warning("cache unreadable (%s): %s is drawn afresh", error, key)
        return default


def put(key: str, value: Any, timeout: float | None) -> None:
    """Keep ``value`` under ``key`` for ``timeout`` seconds, unless the cache is down."""
    try:
        cache.set(key, value, timeout)
    except Exception as error:
        log.warning("cache unwritable (%s): %s was not kept", error, key)
