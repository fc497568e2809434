from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "portal.journey"
    label = "journey"
    verbose_name = "Journey"
