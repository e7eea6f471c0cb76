"""The DMT's upload page for ``import_cases``: the same import, as a background job.

Like the ticket import page (``servicedesk.import_views``): the export is kept under
``IMPORT_ROOT`` and imported by ``infogov.tasks.cases_import_run``; the person watches its
progress page. Needs ``Perm.IMPORT_CASES``.
"""

from __future__ import annotations

from hackperf.choices import ImportKind
from hackperf.import_views import ImportForm, ImportUploadView
from hackperf.roles import Perm
from infogov.importers import PRESETS_DIR, MappingError, load_mapping, parse_mapping
from infogov.tasks import cases_import_run


def preset_choices() -> list[tuple[str, str]]:
    return [(p.stem, load_mapping(p.stem).name) for p in sorted(PRESETS_DIR.glob("*.toml"))]


class CaseImportForm(ImportForm):
    mapping_errors = (MappingError,)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["export"].help_text = "A CSV file from the case-management system."

    def presets(self):
        return preset_choices()

    def load(self, preset):
        return load_mapping(preset)

    def parse(self, data, source):
        return parse_mapping(data, source=source)


class CaseImportView(ImportUploadView):
    """Upload a case export; it is imported (or dry-run) as a job with a progress page."""

    perm = Perm.IMPORT_CASES
    kind = ImportKind.CASES
    form_class = CaseImportForm
    template_name = "infogov/import_form.html"
    task = cases_import_run
