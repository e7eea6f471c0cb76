"""``make bench``: measure what matters and print each figure with its unit.

Speed is measured here, never asserted in tests. Each app may have a ``benchmarks`` module
whose ``bench_*`` functions yield ``Figure``s; this harness creates a benchmark database
(``test_`` + the name in ``DATABASE_URL``, kept between runs), runs them all and prints
one line per figure. It exits 0 whatever the figures are: they are for people to read.
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

APPS = ("hackperf", "servicedesk", "infogov", "indicators")


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str

    def line(self) -> str:
        whole = float(self.value).is_integer() or self.value >= 100
        value = f"{self.value:,.0f}" if whole else f"{self.value:,.2f}"
        return f"{self.name}: {value} {self.unit}"


def timed(
    fn: Callable[[], object], *, repeat: int, before: Callable[[], object] | None = None
) -> float:
    """Median wall-clock milliseconds of ``repeat`` calls (after one warm-up call); ``before``,
    if given, runs untimed before each call."""
    fn()
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


@contextmanager
def other_database(suffix: str) -> Iterator[str]:
    """Run the block on a second benchmark database, ``<this one>_<suffix>`` (created and
    migrated if need be, kept between runs like the first), then come back to the first: a
    figure measured at two data sizes in one run (issue 15's growth from 100,000 tickets)."""
    from django.core.management import call_command
    from django.db import connection

    settings = connection.settings_dict
    original = settings["NAME"]
    name = f"{original}_{suffix}"
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    settings["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        connection.close()
        settings["NAME"] = original


def discover(only: str | None) -> Iterator[Callable[[], Iterator[Figure]]]:
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.benchmarks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.benchmarks":
                raise
            continue
        for name in sorted(dir(module)):
            if name.startswith("bench_") and (only is None or only in name):
                yield getattr(module, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only benchmarks whose name contains this")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackperf.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # serialize=False: a kept benchmark database holds millions of rows; dumping them to JSON
    # (Django's default, for TransactionTestCase rollbacks) would dwarf the benchmarks.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)

    print(f"hackperf benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})")
    for bench in discover(args.only):
        started = time.perf_counter()
        for figure in bench():
            print(figure.line(), flush=True)
        print(f"  ({bench.__module__}.{bench.__name__} took {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
