from django.apps import AppConfig


class HackperfConfig(AppConfig):
    name = "hackperf"
    verbose_name = "ICT performance"

    def ready(self) -> None:
        from hackperf import checks  # noqa: F401 (registers the system checks)
