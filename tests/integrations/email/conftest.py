"""An SMTP simulator on loopback, adapters configured to reach it, and files to send."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrations.base import DeliveryFile
from integrations.email.adapter import EmailAdapter
from integrations.simulators.smtp import SMTPSimulator
from tests.file_samples import jpeg_bytes

USERNAME, PASSWORD = "portal", "mail-password-123"


@pytest.fixture
def sim() -> Iterator[SMTPSimulator]:
    with SMTPSimulator(username=USERNAME, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def make_adapter(sim: SMTPSimulator) -> Callable[..., EmailAdapter]:
    """An adapter whose options went through the config serializer, as an admin's would."""

    def make(**options: Any) -> EmailAdapter:
        data = {
            "to": "noise-team@council.example, duty-officer@council.example",
            "from_email": "portal@council.example",
            "subject_template": "{service}: {reference}",
            "host": "127.0.0.1",
            "port": sim.port,
            "security": "none",
            "username": USERNAME,
            "password": PASSWORD,
            "timeout": 5,
            **options,
        }
        return EmailAdapter(EmailAdapter.validate_config(data))

    return make


@pytest.fixture
def adapter(make_adapter: Callable[..., EmailAdapter]) -> EmailAdapter:
    return make_adapter()


@pytest.fixture
def photo() -> Callable[..., DeliveryFile]:
    """A real JPEG as an adapter receives a resident's photo."""

    def make(name: str = "pothole.jpg", id: str = "photo") -> DeliveryFile:
        return DeliveryFile.from_bytes(id, name, "image/jpeg", jpeg_bytes())

    return make
