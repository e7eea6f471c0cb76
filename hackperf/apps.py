from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HackperfConfig(AppConfig):
    name = "hackperf"
    verbose_name = "ICT performance"

    def ready(self) -> None:
        from hackperf import checks  # noqa: F401 (registers the system checks)
        from hackperf.tables import cache_cell_signatures

        cache_cell_signatures()

        post_migrate.connect(
            _signal_pending_holidays, sender=self, dispatch_uid="hackperf.pending_holidays"
        )


def _signal_pending_holidays(sender, using="default", **kwargs) -> None:
    """Holidays a data migration stored move open due dates once every app is migrated.

    Only on a fully migrated database: after ``migrate hackperf 0005`` (or any partial run)
    the tables the receivers write to may not exist yet, and the next full migrate does it.
    """
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from hackperf.bank_holidays import bank_holidays_signal_pending

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    bank_holidays_signal_pending()
