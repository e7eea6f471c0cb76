from django.apps import AppConfig


class HackperfConfig(AppConfig):
    name = "hackperf"
    verbose_name = "ICT performance"
