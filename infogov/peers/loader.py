"""Writes the peers' published figures: an idempotent upsert by (source, body, year, quarter).

A re-run over the same files creates and updates nothing. Bodies are upserted by name; a
body's type and region follow the latest load.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from infogov.peers import mapping
from infogov.peers.models import PeerBody, PeerStatistic, Source

STAT_FIELDS = (
    "year_basis",
    "requests",
    "in_time",
    "in_time_base",
    "in_time_share",
    "internal_reviews",
    "appeals",
)
BODY_FIELDS = ("body_type", "region", "classified_from")


@dataclass
class LoadReport:
    """What one set gave: rows read, loaded (created, updated, unchanged) and refused, why."""

    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: Counter = field(default_factory=Counter)
    refused_examples: dict[str, list[str]] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


def _upsert_bodies(rows: list[mapping.PeerRow]) -> dict[str, PeerBody]:
    wanted = {r.body: r for r in rows}
    existing = {b.name: b for b in PeerBody.objects.filter(name__in=wanted)}
    changed = []
    for name, row in wanted.items():
        body = existing.get(name)
        values = {f: getattr(row, f) for f in BODY_FIELDS}
        if body is None:
            existing[name] = PeerBody(name=name, **values)
        elif any(getattr(body, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(body, f, v)
            changed.append(body)
    new = [b for b in existing.values() if b.pk is None]
    PeerBody.objects.bulk_create(new)
    PeerBody.objects.bulk_update(changed, BODY_FIELDS)
    if new:
        existing.update(
            {b.name: b for b in PeerBody.objects.filter(name__in=[b.name for b in new])}
        )
    return existing


@transaction.atomic
def peer_statistics_load(*, root: Path, source: str) -> LoadReport:
    """Read one set under ``root`` and upsert its rows; returns what it read and did."""
    report = LoadReport(source=source)
    rows: list[mapping.PeerRow] = []
    seen: set[tuple[str, int, int]] = set()
    for item in mapping.read_set(root, source):
        report.read += 1
        if isinstance(item, mapping.Refused):
            report.refused[item.reason] += 1
            report.refused_examples.setdefault(item.reason, [])
            if len(report.refused_examples[item.reason]) < 3:
                report.refused_examples[item.reason].append(f"{item.where} {item.body}")
            continue
        if item.warning:
            report.warnings[item.warning] += 1
        key = (item.body, item.year, item.quarter)
        if key in seen:
            reason = "the same body and period twice in the set (first kept)"
            report.refused[reason] += 1
            continue
        seen.add(key)
        rows.append(item)
    bodies = _upsert_bodies(rows)
    existing = {
        (s.body_id, s.year, s.quarter): s for s in PeerStatistic.objects.filter(source=source)
    }
    new, changed = [], []
    for row in rows:
        body = bodies[row.body]
        values = {f: getattr(row, f) for f in STAT_FIELDS}
        stat = existing.get((body.pk, row.year, row.quarter))
        if stat is None:
            new.append(
                PeerStatistic(
                    body=body, source=source, year=row.year, quarter=row.quarter, **values
                )
            )
        elif any(getattr(stat, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(stat, f, v)
            changed.append(stat)
        else:
            report.unchanged += 1
    PeerStatistic.objects.bulk_create(new, batch_size=1000)
    PeerStatistic.objects.bulk_update(changed, STAT_FIELDS, batch_size=1000)
    report.created, report.updated = len(new), len(changed)
    return report


def peer_statistics_load_all(*, root: Path) -> list[LoadReport]:
    return [peer_statistics_load(root=root, source=source) for source in Source.values]
