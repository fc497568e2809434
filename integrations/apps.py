from django.apps import AppConfig

# Each adapter package registers itself on import; listing them here keeps the set explicit.
ADAPTER_MODULES: tuple[str, ...] = (
    "integrations.webhook.adapter",
    "integrations.open311.adapter",
    "integrations.soap.adapter",
    "integrations.crm.adapter",
    "integrations.email.adapter",
    "integrations.sftp.adapter",
)


class IntegrationsConfig(AppConfig):
    name = "integrations"
    label = "integrations"
    verbose_name = "Back-office integrations"

    def ready(self) -> None:
        from importlib import import_module

        for module in ADAPTER_MODULES:
            import_module(module)
