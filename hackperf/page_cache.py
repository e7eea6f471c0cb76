"""Reading and writing Django's cache for pages that keep drawn parts: a cache that cannot be
read or written costs the page its time, never the page.

One home for that rule, and for what a kept part's key says of the code that drew it
(:func:`source_digest`): the DMT review (``indicators.review_cache``) and the queue page's
tickets part (``servicedesk.queue_cache``) both go through here. A stopped Redis (or a full
disk under ``make run``'s file cache) is logged as a warning and the part is drawn afresh.
"""

import hashlib
import logging
from collections.abc import Sequence
from functools import cache as memoise
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template

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


def source_digest(templates: Sequence[str], modules: Sequence[str]) -> str:
    """A digest of the templates (by name) and code files (paths from the project's root)
    that draw a kept part, for its key: a release never serves the last one's parts, not
    even in the minute it starts. Read once a process."""
    return _digest(tuple(templates), tuple(modules))


@memoise
def _digest(templates: tuple[str, ...], modules: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for name in templates:
        # The backend's template object: the stubs type only the engine-neutral wrapper.
        digest.update(get_template(name).template.source.encode())  # type: ignore[attr-defined]
    root = Path(settings.BASE_DIR)
    for module in modules:
        digest.update((root / module).read_bytes())
    return digest.hexdigest()
