"""``python manage.py import_cases PATH --mapping PRESET_OR_TOML [--dry-run]``.

Reads a case-management export (CSV) through a TOML mapping and creates or updates the cases
by reference, all or nothing: every bad row is reported with its line number and reason, and
then nothing is written (exit status 1). Every row is checked before anything is written, so
a refused file or a dry run writes nothing at all.

Progress goes to stderr: a bar on a terminal, plain lines otherwise. Each run is recorded as
an ``ImportRun`` (it shows in the import history beside the uploads), imported in this
process by the same runner as the upload page's Celery task (``hackperf.import_command``).
"""

from hackperf.choices import ImportKind
from hackperf.import_command import ImportCommand
from infogov.import_jobs import run_cases
from infogov.importers import MAPPINGS


class Command(ImportCommand):
    help = "Import FOI/EIR/SAR cases from a case-management export (CSV), all or nothing."
    kind = ImportKind.CASES
    mappings = MAPPINGS
    runner = run_cases
    presets = "infogov/presets/<name>.toml"

    def bad_row(self, error, path):
        return f"{path.name}: line {error.line}: {error.reason}"

    def refused(self, count, outcome):
        return [f"{count} bad row{'s' if count != 1 else ''}: nothing imported."]
