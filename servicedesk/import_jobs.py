"""Ticket imports as jobs: the runner that ``hackperf.imports`` calls for a ticket ImportRun.

Who runs it (``servicedesk.tasks.tickets_import_run`` for uploads, and the ``import_tickets``
command) is ``hackperf.imports``' to say; either way the rows go through
``servicedesk.importers.writer.tickets_import``.
"""

from __future__ import annotations

from hackperf.imports import (
    ImportOutcome,
    ImportRefused,
    Progress,
    import_run_mapping,
    import_run_path,
)
from hackperf.models import ImportRun
from servicedesk.importers.mapping import MAPPINGS
from servicedesk.importers.writer import ImportFileError, tickets_import


def run_tickets(*, run: ImportRun, progress: Progress) -> ImportOutcome:
    """Import (or dry-run) a ticket ImportRun's file; the outcome for ``hackperf.imports``."""
    mapping = import_run_mapping(run, MAPPINGS)
    path = import_run_path(run)
    size = path.stat().st_size or 1
    with path.open("rb") as f:
        # How far into the file the first pass is (compressed bytes for gzip: still a share).
        progress.position = lambda: min(1.0, f.tell() / size)
        try:
            summary = tickets_import(
                source=f, mapping=mapping, dry_run=run.dry_run, progress=progress
            )
        except ImportFileError as e:
            raise ImportRefused(str(e).replace(str(f.name), run.file_name)) from e
        finally:
            progress.position = None
    return ImportOutcome(
        rows=summary.rows,
        items=summary.tickets,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        written=summary.written,
        errors=summary.errors,
        error_count=getattr(summary, "error_count", None),
        lines=summary.lines(),
    )
