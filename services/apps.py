from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    label = "services"
    verbose_name = "Council services"
