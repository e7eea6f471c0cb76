from django.apps import AppConfig


class InfogovConfig(AppConfig):
    name = "infogov"
    verbose_name = "Information governance"
