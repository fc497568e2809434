from django.apps import AppConfig


class StudioConfig(AppConfig):
    """The service design studio at /staff/studio/: pages only; its rules live in services."""

    name = "portal.studio"
    label = "studio"
    verbose_name = "Service design studio"
