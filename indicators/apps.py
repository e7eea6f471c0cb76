from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators"

    def ready(self) -> None:
        from hackperf import workspace
        from indicators import home

        workspace.register_home_section("indicators-dmt", home.dmt_section, order=0)
