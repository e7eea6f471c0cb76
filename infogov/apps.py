from django.apps import AppConfig


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from hackperf.signals import bank_holidays_changed
        from infogov.services import on_bank_holidays_changed

        # Open cases' due dates follow the bank-holiday set (DESIGN.md, "Time").
        bank_holidays_changed.connect(
            on_bank_holidays_changed, dispatch_uid="infogov.recompute_open_due_dates"
        )
