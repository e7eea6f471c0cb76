"""Query planning settings for a block of queries (PostgreSQL; elsewhere nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

__all__ = ["serial_plans"]


@contextmanager
def serial_plans() -> Iterator[None]:
    """Run the block's queries without parallel workers, in a transaction, and put the setting
    back after it (``set_config(..., is_local)``: an outer transaction keeps its own).

    Why: the figures read a few thousand index entries, but PostgreSQL expects far more (every
    ticket's last interval has no end, so it expects 270,000 open intervals where there are
    6,000 at a million tickets) and starts two workers for them, which costs more than the
    reading: a snapshot's as-of query took 33 ms planned so and 23 ms without them. The
    trade-off: with 100,000 tickets open at once (the bench's stress queue) the workers pay
    for themselves (its anchor GROUP BY: 24 ms with them, 30 ms without); a council's desk
    has a few thousand open.
    """
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_parallel_workers_per_gather'), "
                "set_config('max_parallel_workers_per_gather', '0', true)"
            )
            (before, _) = cursor.fetchone()
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', %s, true)", [before]
                )
