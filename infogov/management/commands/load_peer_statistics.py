"""python manage.py load_peer_statistics [--root PATH] [--source NAME]: other authorities'
published FOI figures, for the "how we compare" line. Idempotent: a re-run changes nothing."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infogov.peers.loader import peer_statistics_load
from infogov.peers.models import Source

DEFAULT_ROOT = Path(settings.BASE_DIR).parent / "shared" / "data" / "real"


class Command(BaseCommand):
    help = "Load other public authorities' published FOI statistics (three sets)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--root", type=Path, default=DEFAULT_ROOT, help="the folder holding the sets"
        )
        parser.add_argument("--source", choices=Source.values, action="append")

    def handle(self, *args, root: Path, source, **options):
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder (pass --root).")
        for name in source or Source.values:
            if not (root / name).is_dir():
                raise CommandError(f"{root / name} is missing.")
            report = peer_statistics_load(root=root, source=name)
            self.stdout.write(
                f"{name}: read {report.read}, loaded {report.loaded} (created {report.created},"
                f" updated {report.updated}, unchanged {report.unchanged}),"
                f" refused {report.refused_total}"
            )
            for reason, n in sorted(report.refused.items()):
                examples = "; ".join(report.refused_examples.get(reason, []))
                suffix = f" (e.g. {examples})" if examples else ""
                self.stdout.write(f"  refused {n}: {reason}{suffix}")
            for warning, n in sorted(report.warnings.items()):
                self.stdout.write(f"  {n} {warning}")
