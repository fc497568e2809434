"""An SMTP simulator on loopback, adapters configured to reach it, and a private file storage."""

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from integrations.email.adapter import EmailAdapter
from integrations.simulators.smtp import SMTPSimulator
from services.forms.uploads import inspect_upload, store_upload

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
def private_storage(settings, tmp_path):
    """Django's default storage in a temporary folder, as uploads are stored in production."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def uploaded_photo(private_storage) -> Callable[[str], dict[str, str]]:
    """Stores a real JPEG the way the journey does; returns the file answer."""

    def upload(name: str = "pothole.jpg") -> dict[str, str]:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
        info = inspect_upload(buffer)
        return {"reference": store_upload(buffer, info), "name": name}

    return upload
