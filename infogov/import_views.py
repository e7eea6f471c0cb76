"""The DMT's upload page for ``import_cases``: the same import, as a background job.

Like the ticket import page (``servicedesk.import_views``): the export is kept under
``IMPORT_ROOT`` and imported by ``infogov.tasks.cases_import_run``; the person watches its
progress page. Needs ``Perm.IMPORT_CASES``.
"""

from __future__ import annotations

from hackperf.choices import ImportKind
from hackperf.import_views import ImportUploadView
from hackperf.roles import Perm
from infogov.importers import MAPPINGS
from infogov.tasks import cases_import_run


class CaseImportView(ImportUploadView):
    """Upload a case export; it is imported (or dry-run) as a job with a progress page."""

    perm = Perm.IMPORT_CASES
    kind = ImportKind.CASES
    mappings = MAPPINGS
    export_help = "A CSV file from the case-management system."
    template_name = "infogov/import_form.html"
    task = cases_import_run
