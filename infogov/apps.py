from django.apps import AppConfig


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from hackperf import outbox
        from hackperf.signals import bank_holidays_changed
        from infogov.services import OUTBOX_RESOLVERS, on_bank_holidays_changed

        # Escalations waiting for an address find it when the outbox next sends.
        for name, resolver in OUTBOX_RESOLVERS.items():
            outbox.register_resolver(name, resolver)

        # Open cases' due dates follow the bank-holiday set (DESIGN.md, "Time").
        bank_holidays_changed.connect(
            on_bank_holidays_changed, dispatch_uid="infogov.recompute_open_due_dates"
        )
