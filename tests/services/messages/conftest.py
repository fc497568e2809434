from collections.abc import Iterator

import pytest

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
