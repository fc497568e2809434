from collections.abc import Iterator

import pytest

from integrations.simulators.notify import NotifySimulator, demo_templates_setting
from integrations.simulators.smtp import SMTPSimulator


@pytest.fixture
def smtp(settings) -> Iterator[SMTPSimulator]:
    """A real SMTP server on loopback as the outbox's transport (what EMAIL_URL names)."""
    with SMTPSimulator() as simulator:
        settings.CELERY_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = simulator.host, simulator.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield simulator


@pytest.fixture
def notify(settings) -> Iterator[NotifySimulator]:
    """The Notify simulator on loopback as the outbox's transport, with the generic templates."""
    from services.messages.notify import _client

    with NotifySimulator() as simulator:
        settings.NOTIFY_API_KEY = simulator.api_key
        settings.NOTIFY_BASE_URL = simulator.url
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        settings.NOTIFY_TEMPLATES = demo_templates_setting()
        yield simulator
    _client.cache_clear()
