from django.apps import AppConfig


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from infogov import declarations

        # Its metrics, for indicators to read through hackperf.registry (ADR 0003).
        declarations.register()

        from hackperf import outbox
        from hackperf.signals import bank_holidays_changed
        from infogov.services.escalations import OUTBOX_RESOLVERS
        from infogov.services.holidays import on_bank_holidays_changed

        # Escalations waiting for an address find it when the outbox next sends.
        for name, resolver in OUTBOX_RESOLVERS.items():
            outbox.register_resolver(name, resolver)

        from hackperf import workspace
        from hackperf.roles import Perm
        from infogov import home

        workspace.register_home_section("infogov-officer", home.ig_officer_section, order=30)
        workspace.register_home_section("infogov-director", home.director_section, order=40)
        workspace.register_search("infogov", home.search, order=20)
        workspace.register_saveable_list(
            "infogov:case_list", "Cases", perm=Perm.VIEW_INFOGOV, where="the case list"
        )

        # Open cases' due dates follow the bank-holiday set (DESIGN.md, "Time").
        bank_holidays_changed.connect(
            on_bank_holidays_changed, dispatch_uid="infogov.recompute_open_due_dates"
        )
