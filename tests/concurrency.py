"""Running one action in several threads at once, to test that writers racing each other
leave the database as one would.

Each thread has its own database connection and closes it at the end (a leaked one would
block the test database's flush); whatever a thread raises is returned, for the test to
assert there was none.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_at_once(
    action: Callable[[], Any], *, threads: int = 2, timeout: float = 60, together: bool = True
) -> tuple[list[Any], list[BaseException]]:
    """``action`` in ``threads`` threads, started together at a barrier unless ``together`` is
    False (the test has a barrier of its own); each thread's result, and what each raised."""
    barrier = threading.Barrier(threads) if together else None
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results.append(action())
        except BaseException as error:  # noqa: BLE001 - returned for the test to assert on
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
    return results, errors
