from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HackperfConfig(AppConfig):
    name = "hackperf"
    verbose_name = "ICT performance"

    def ready(self) -> None:
        post_migrate.connect(
            _signal_pending_holidays, sender=self, dispatch_uid="hackperf.pending_holidays"
        )


def _signal_pending_holidays(sender, using="default", **kwargs) -> None:
    """Holidays a data migration stored move open due dates once every app is migrated."""
    from hackperf.bank_holidays import bank_holidays_signal_pending

    bank_holidays_signal_pending()
