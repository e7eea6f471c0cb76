"""Ticket imports as jobs: the runner that ``hackperf.imports`` calls for a ticket ImportRun.

The upload page stores the file and queues ``servicedesk.tasks.tickets_import_run``; the
``import_tickets`` command runs the same runner in its own process. Both go through
``servicedesk.importers.writer.tickets_import``, so the rules are the same.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hackperf.imports import ImportOutcome, ImportRefused, Progress
from hackperf.models import ImportRun
from servicedesk.importers import Mapping, MappingError, load_mapping, parse_mapping
from servicedesk.importers.writer import ImportFileError, tickets_import

FILE_GONE = "The stored file {name} is no longer there, so it cannot be imported."


def run_mapping(run: ImportRun) -> Mapping:
    """The run's mapping: its preset, or the TOML it was given (checked again, as it was)."""
    try:
        if run.mapping_preset:
            return load_mapping(run.mapping_preset)
        return parse_mapping(tomllib.loads(run.mapping_toml), source=run.mapping_name)
    except (MappingError, tomllib.TOMLDecodeError) as e:
        raise ImportRefused(str(e)) from e


def run_tickets(*, run: ImportRun, progress: Progress) -> ImportOutcome:
    """Import (or dry-run) a ticket ImportRun's file; the outcome for ``hackperf.imports``."""
    mapping = run_mapping(run)
    path = Path(run.stored_path)
    if not path.is_file():
        raise ImportRefused(FILE_GONE.format(name=run.file_name))
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
