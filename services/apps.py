from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    label = "services"
    verbose_name = "Council services"

    def ready(self) -> None:
        # The staff workspace's search index follows every saved submission.
        from services.staff import signals  # noqa: F401
