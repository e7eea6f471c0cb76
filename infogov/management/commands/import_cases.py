"""``python manage.py import_cases PATH --mapping PRESET_OR_TOML [--dry-run]``.

Reads a case-management export (CSV) through a TOML mapping and creates or updates the cases
by reference, all or nothing: every bad row is reported with its line number and reason, and
then nothing is written (exit status 1).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infogov import services
from infogov.importers import MappingError, RowError, load_mapping, read_records


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
        errors: list[RowError] = []
        try:
            result = services.cases_import(
                records=read_records(path, case_mapping, errors=errors),
                errors=errors,
                dry_run=dry_run,
            )
        except (UnicodeDecodeError, OSError) as error:
            raise CommandError(f"{path}: cannot read it: {error}") from error
        counts = (
            f"{result.created} to create, {result.updated} to update, {result.unchanged} unchanged"
        )
        if errors:
            for error in sorted(errors, key=lambda e: e.line):
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(
                f"{len(errors)} bad row{'s' if len(errors) != 1 else ''}: nothing imported."
            )
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {counts}.")
        else:
            self.stdout.write(
                counts.replace("to create", "created").replace("to update", "updated") + "."
            )
