"""The DMT's upload page for ``import_tickets``: the same import, as a background job.

The export is streamed to a temporary file (never held in memory: exports run to hundreds of
megabytes), kept under ``IMPORT_ROOT`` and imported by ``servicedesk.tasks.tickets_import_run``
(``hackperf.import_views``); the person watches its progress page. Needs
``Perm.IMPORT_TICKETS``.
"""

from __future__ import annotations

from hackperf.choices import ImportKind
from hackperf.import_views import ImportUploadView
from hackperf.roles import Perm
from servicedesk.importers.mapping import MAPPINGS
from servicedesk.tasks import tickets_import_run


class TicketImportView(ImportUploadView):
    """Upload a ticket export; it is imported (or dry-run) as a job with a progress page."""

    perm = Perm.IMPORT_TICKETS
    kind = ImportKind.TICKETS
    mappings = MAPPINGS
    template_name = "servicedesk/import_form.html"
    task = tickets_import_run
