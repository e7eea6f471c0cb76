"""Case imports as jobs: the runner that ``hackperf.imports`` calls for a case ImportRun.

Uploads (``infogov.tasks.cases_import_run``) and the ``import_cases`` command both run it, as
``hackperf.imports`` describes, so every case import keeps the rules of
``infogov.services.imports.cases_import``.
"""

from __future__ import annotations

from hackperf.importing.rows import RowError
from hackperf.imports import (
    ImportOutcome,
    ImportRefused,
    Progress,
    import_run_mapping,
    import_run_path,
)
from hackperf.models import ImportRun
from infogov.importers import MAPPINGS, read_records
from infogov.services.imports import ImportResult, cases_import

CANNOT_READ = "cannot read {name}: {reason}"


def outcome_lines(result: ImportResult, *, dry_run: bool) -> list[str]:
    """The summary as ``import_cases`` prints it and the progress page lists it."""
    if dry_run:
        return [
            f"Dry run, nothing written: {result.created:,} to create, {result.updated:,} to "
            f"update, {result.unchanged:,} unchanged."
        ]
    return [
        f"{result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged."
    ]


def run_cases(*, run: ImportRun, progress: Progress) -> ImportOutcome:
    """Import (or dry-run) a case ImportRun's file; the outcome for ``hackperf.imports``."""
    mapping = import_run_mapping(run, MAPPINGS)
    path = import_run_path(run)
    errors: list[RowError] = []
    try:
        result = cases_import(
            records=read_records(path, mapping, errors=errors),
            errors=errors,
            dry_run=run.dry_run,
            progress=progress,
        )
    except (UnicodeDecodeError, OSError) as e:
        raise ImportRefused(CANNOT_READ.format(name=run.file_name, reason=e)) from e
    errors.sort(key=lambda e: e.line)
    items = result.created + result.updated + result.unchanged
    return ImportOutcome(
        rows=items + len({e.line for e in errors if e.line > 1}),
        items=items,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        written=result.written,
        errors=errors,
        lines=outcome_lines(result, dry_run=run.dry_run),
    )
