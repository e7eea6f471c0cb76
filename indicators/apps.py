from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators"

    def ready(self) -> None:
        from hackperf import workspace
        from indicators import home

        workspace.register_home_section("indicators-dmt", home.dmt_section, order=0)

        from hackperf import indicator_status
        from indicators.status_provider import IndicatorStatusProvider

        # infogov's IG Group report shows targets, RAG and commentary without importing us.
        indicator_status.register(IndicatorStatusProvider())

        from hackperf import outbox
        from indicators import reminders

        # A data-due reminder waiting for its owner's address goes once it is saved.
        outbox.register_resolver(reminders.RESOLVER, reminders.owner_email)
