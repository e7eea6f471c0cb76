"""Case imports as jobs: the runner that ``hackperf.imports`` calls for a case ImportRun.

The upload page stores the file and queues ``infogov.tasks.cases_import_run``; the
``import_cases`` command runs the same runner in its own process. Both go through
``infogov.services.cases_import``, so the rules are the same.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hackperf.imports import ImportOutcome, ImportRefused, Progress
from hackperf.models import ImportRun
from infogov import services
from infogov.importers import (
    CaseMapping,
    MappingError,
    RowError,
    load_mapping,
    parse_mapping,
    read_records,
)

FILE_GONE = "The stored file {name} is no longer there, so it cannot be imported."
CANNOT_READ = "cannot read {name}: {reason}"


def run_mapping(run: ImportRun) -> CaseMapping:
    """The run's mapping: its preset, or the TOML it was given (checked again, as it was)."""
    try:
        if run.mapping_preset:
            return load_mapping(run.mapping_preset)
        return parse_mapping(tomllib.loads(run.mapping_toml), source=run.mapping_name)
    except (MappingError, tomllib.TOMLDecodeError) as e:
        raise ImportRefused(str(e)) from e


def outcome_lines(result: services.ImportResult, *, dry_run: bool) -> list[str]:
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
    mapping = run_mapping(run)
    path = Path(run.stored_path)
    if not path.is_file():
        raise ImportRefused(FILE_GONE.format(name=run.file_name))
    errors: list[RowError] = []
    try:
        result = services.cases_import(
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
