"""``python manage.py import_cases PATH --mapping PRESET_OR_TOML [--dry-run]``.

Reads a case-management export (CSV) through a TOML mapping and creates or updates the cases
by reference, all or nothing: every bad row is reported with its line number and reason, and
then nothing is written (exit status 1). Every row is checked before anything is written, so
a refused file or a dry run writes nothing at all.

Progress goes to stderr: a bar on a terminal, plain lines otherwise. Each run is recorded as
an ``ImportRun`` (it shows in the import history beside the uploads), imported in this
process by the same runner as the upload page's Celery task.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hackperf.choices import ImportKind, ImportState
from hackperf.imports import (
    ImportOutcome,
    ProgressPrinter,
    StoredFile,
    file_digest,
    import_run_create,
    import_run_execute,
)
from infogov.import_jobs import run_cases
from infogov.importers import MappingError, load_mapping


def is_preset(option: str) -> bool:
    """``load_mapping``'s rule: a bare name without a slash or ``.toml`` is a preset."""
    return "/" not in option and not option.endswith(".toml")


class Command(BaseCommand):
    help = "Import FOI/EIR/SAR cases from a case-management export (CSV), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the CSV export")
        parser.add_argument(
            "--mapping",
            required=True,
            help="a preset name (infogov/presets/<name>.toml) or the path of a TOML mapping",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but write nothing"
        )

    def handle(self, *args, path: Path, mapping: str, dry_run: bool, **options):
        try:
            case_mapping = load_mapping(mapping)
        except MappingError as error:
            raise CommandError(str(error)) from error
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        size, sha256 = file_digest(path)
        run = import_run_create(
            kind=ImportKind.CASES,
            stored=StoredFile(path=path.resolve(), name=path.name, size=size, sha256=sha256),
            mapping_name=case_mapping.name,
            mapping_preset=mapping if is_preset(mapping) else "",
            mapping_toml="" if is_preset(mapping) else Path(mapping).read_text(encoding="utf-8"),
            dry_run=dry_run,
            actor_name=f"{getpass.getuser()} (command line)",
        )
        outcomes: list[ImportOutcome] = []

        def runner(**kwargs) -> ImportOutcome:
            outcomes.append(run_cases(**kwargs))  # every bad row, not only those stored
            return outcomes[-1]

        printer = ProgressPrinter(getattr(self.stderr, "_out", self.stderr))
        ended = import_run_execute(run_id=run.pk, runner=runner, also=printer)
        if ended is None or not outcomes or ended.state == ImportState.FAILED:
            raise CommandError((ended.error if ended else "") or "the import did not run")
        if ended.bad_row_count:
            for row_error in outcomes[0].errors:
                self.stderr.write(f"{path.name}: {row_error}")
            count = ended.bad_row_count
            raise CommandError(f"{count} bad row{'s' if count != 1 else ''}: nothing imported.")
        for line in outcomes[0].lines:
            self.stdout.write(line)
