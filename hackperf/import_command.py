"""What ``import_tickets`` and ``import_cases`` share: arguments, the run, progress, the end.

Each command records its run as an ``ImportRun`` (it shows in the import history beside the
uploads) and imports it in its own process with the same runner as the upload page's Celery
task (``hackperf.imports.import_run_execute``). Progress goes to stderr: a bar on a terminal,
plain lines otherwise. A missing file or a bad mapping exits 1 with a one-line message; a file
with bad rows prints them to stderr, writes nothing and exits 1.

An app's command subclasses :class:`ImportCommand` and gives its ``kind``, ``mappings``, its
``runner`` and the words that differ (``help``, ``presets``, ``path_help``, ``dry_run_help``,
and the hooks ``bad_row``, ``refused`` and ``done``).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hackperf.choices import ImportState
from hackperf.importing.mapping import MappingError, Mappings, is_preset
from hackperf.imports import (
    ImportOutcome,
    ProgressPrinter,
    Runner,
    StoredFile,
    file_digest,
    import_run_create,
    import_run_execute,
)
from hackperf.models import ImportRun

NO_FILE = "{path}: no such file"
DID_NOT_RUN = "the import did not run"


class ImportCommand(BaseCommand):
    """``manage.py import_<kind> PATH --mapping PRESET_OR_TOML [--dry-run]``."""

    kind: str
    mappings: Mappings
    runner: Runner
    presets = "<app>/presets/<name>.toml"
    path_help = "the CSV export"
    dry_run_help = "check and count, but write nothing"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=self.path_help)
        parser.add_argument(
            "--mapping",
            required=True,
            help=f"a preset name ({self.presets}) or the path of a TOML mapping",
        )
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def bad_row(self, error: Any, path: Path) -> str:
        """How one bad row is printed."""
        return str(error)

    def refused(self, count: int, outcome: ImportOutcome) -> list[str]:
        """What is printed after the bad rows, and the command's error (the last line)."""
        raise NotImplementedError

    def done(self, run: ImportRun, outcome: ImportOutcome) -> Iterable[str]:
        """What is printed when the file was imported (or dry-run) without a bad row."""
        return outcome.lines

    def handle(self, *args, path: Path, mapping: str, dry_run: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(NO_FILE.format(path=path))
        try:
            loaded = self.mappings.load(mapping)
        except MappingError as e:
            raise CommandError(str(e)) from None
        size, sha256 = file_digest(path)
        preset = is_preset(mapping)
        run = import_run_create(
            kind=self.kind,
            stored=StoredFile(path=path.resolve(), name=path.name, size=size, sha256=sha256),
            mapping_name=loaded.name,
            mapping_preset=mapping if preset else "",
            mapping_toml="" if preset else Path(mapping).read_text(encoding="utf-8"),
            dry_run=dry_run,
            actor_name=f"{getpass.getuser()} (command line)",
        )
        outcomes: list[ImportOutcome] = []
        runner = type(self).runner

        def keep(**kwargs) -> ImportOutcome:
            outcomes.append(runner(**kwargs))  # every bad row, not only those stored
            return outcomes[-1]

        printer = ProgressPrinter(getattr(self.stderr, "_out", self.stderr))
        ended = import_run_execute(run_id=run.pk, runner=keep, also=printer)
        if ended is None or not outcomes or ended.state == ImportState.FAILED:
            raise CommandError((ended.error if ended else "") or DID_NOT_RUN)
        outcome = outcomes[0]
        if ended.bad_row_count:
            for error in outcome.errors:
                self.stderr.write(self.bad_row(error, path))
            *lines, last = self.refused(ended.bad_row_count, outcome)
            for line in lines:
                self.stderr.write(line)
            raise CommandError(last)
        if ended.state == ImportState.REFUSED:
            raise CommandError(ended.error)
        for line in self.done(ended, outcome):
            self.stdout.write(line)
