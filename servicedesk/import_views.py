"""The DMT's upload page for ``import_tickets``: the same import, as a background job.

The export is streamed to a temporary file (never held in memory: exports run to hundreds of
megabytes), kept under ``IMPORT_ROOT`` and imported by ``servicedesk.tasks.tickets_import_run``
(``hackperf.import_views``); the person watches its progress page. Needs
``Perm.IMPORT_TICKETS``.
"""

from __future__ import annotations

from hackperf.choices import ImportKind
from hackperf.import_views import CUSTOM, NEED_MAPPING_FILE, ImportForm, ImportUploadView
from hackperf.roles import Perm
from servicedesk.importers import MappingError, load_mapping, parse_mapping
from servicedesk.importers.mapping import PRESETS_DIR
from servicedesk.tasks import tickets_import_run

__all__ = ["CUSTOM", "NEED_MAPPING_FILE", "TicketImportForm", "TicketImportView"]


def preset_choices() -> list[tuple[str, str]]:
    return [
        (path.stem, load_mapping(path.stem).name) for path in sorted(PRESETS_DIR.glob("*.toml"))
    ]


class TicketImportForm(ImportForm):
    mapping_errors = (MappingError,)

    def presets(self):
        return preset_choices()

    def load(self, preset):
        return load_mapping(preset)

    def parse(self, data, source):
        return parse_mapping(data, source=source)


class TicketImportView(ImportUploadView):
    """Upload a ticket export; it is imported (or dry-run) as a job with a progress page."""

    perm = Perm.IMPORT_TICKETS
    kind = ImportKind.TICKETS
    form_class = TicketImportForm
    template_name = "servicedesk/import_form.html"
    task = tickets_import_run


ImportView = TicketImportView  # the name servicedesk.urls has always used
