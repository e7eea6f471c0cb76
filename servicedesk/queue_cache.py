"""A queue page's tickets part (its counts and its table) and its filters, drawn once a minute
per version of the queue and kept in Django's cache (issue 15).

Why: drawing the part (the counts, 25 rows of nine cells, the SLA clocks) was most of the
CPU of a queue page and all of its htmx refresh, and the people who watch a queue watch the
same part: at nine o'clock a team's agents, its owner and a wallboard all ask for page one of
their queue every ``refresh_seconds``. The first of them in a minute draws it; the others in
that minute are served what was drawn.

Never stale: the key carries

- the queue's **version** (``QueueVersion``: moved by triggers in every statement that writes
  any of its tickets, whoever writes, and never the same twice), read with the queue before
  its tickets are read, so a part is never served after one of its tickets
  changed, was moved in or out, or was closed;
- the **minute** it was drawn in (UTC): what depends on the time (the SLA clocks, breaching,
  at risk, over a week old) is drawn again every minute, and the part says when it was drawn
  ("Updated at"). The clocks show whole minutes;
- what the viewer's part shows of their own: the bulk-action checkboxes, for those who may
  work the queue (who may see the queue at all is checked before the cache is read);
- the **address** with its query: filters, sort and page;
- what else the parts are drawn from: the queue's name, the refresh and "multiple
  reassignments" settings, and the source of the templates and code that draw them (a
  release or a changed setting never serves the parts drawn before it).

What a ticket's row shows from elsewhere (a category's or a person's name, the queue's
calendar) is not in the version: a change there shows from the next minute. Where the
versions are not kept (SQLite, ``make run``) nothing is cached.
"""

import hashlib
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from hackperf import page_cache
from servicedesk import tallies
from servicedesk.models import Queue, QueueVersion

KEY_PREFIX: Final = "servicedesk:queue-tickets"
# The entry's key names its minute, so none is read after it; this frees the memory.
KEEP_SECONDS: Final = 60


def with_version(queues: QuerySet[Queue]) -> QuerySet[Queue]:
    """``queues``, each with ``tickets_version``, its ``QueueVersion`` as text (None until a
    ticket of it is written, and where the versions are not kept)."""
    text = CharField()
    version = (
        QueueVersion.objects.filter(queue=OuterRef("pk"))
        .annotate(
            text=Concat(
                Cast("version", text), Value("."), Cast("written_by", text), output_field=text
            )
        )
        .values("text")[:1]
    )
    return queues.annotate(tickets_version=Subquery(version, output_field=text))


TEMPLATES: Final = (
    "servicedesk/includes/_queue_tickets.html",
    "servicedesk/includes/_queue_filters.html",
    "django_tables2/govuk.html",
    "includes/_csv_link.html",
)
MODULES: Final = (
    "servicedesk/queue_cache.py",
    "servicedesk/tables.py",
    "servicedesk/filtersets.py",
    "hackperf/templatetags/table_rows.py",
    "hackperf/cells.py",
)


def key(*, queue: Queue, now: datetime, can_work: bool, path: str) -> str | None:
    """The cache key of ``queue``'s tickets part drawn at ``now`` for the address ``path``,
    or None when it is not to be cached (no version kept, or the setting
    ``SERVICEDESK_KEEP_QUEUE_PARTS`` is off). ``queue`` comes from :func:`with_version`."""
    version = getattr(queue, "tickets_version", None)
    if version is None or not tallies.available() or not settings.SERVICEDESK_KEEP_QUEUE_PARTS:
        return None
    minute = now.timestamp() // 60
    drawn_from = "\x1f".join(
        (
            path,
            queue.name,  # the table's label names the queue
            str(settings.SERVICEDESK_REFRESH_SECONDS),
            str(settings.SERVICEDESK_MULTIPLE_REASSIGNMENTS),
            page_cache.source_digest(TEMPLATES, MODULES),
        )
    )
    address = hashlib.blake2b(drawn_from.encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{queue.pk}:{version}:{minute:.0f}:{int(can_work)}:{address}"


def get(cache_key: str | None) -> str | None:
    """The part kept under ``cache_key``, or None."""
    return page_cache.get(cache_key) if cache_key else None


def put(cache_key: str | None, html: str) -> None:
    """Keep the part drawn under ``cache_key`` (nothing when it is None)."""
    if cache_key:
        page_cache.put(cache_key, html, KEEP_SECONDS)


def filters_key(cache_key: str | None) -> str | None:
    """The key of the page's filters, kept beside its tickets part (their "Assigned to"
    choices are the queue's assignees, so they follow the same version)."""
    return f"{cache_key}:filters" if cache_key else None
