import pytest

from services.models import Service
from tests.portal.accounts.factories import UserFactory
from tests.portal.conftest import CommittingClient
from tests.services.seeding import nothing_queued, seed_live_catalogue


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture(autouse=True)
def mail(mail_through_celery):
    """E-mail goes through the Celery backend and task, run eagerly into the locmem outbox."""
    return mail_through_celery


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploaded files are stored in a folder of this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def catalogue(db, monkeypatch):
    nothing_queued(monkeypatch)
    seed_live_catalogue()
    return {service.slug: service for service in Service.objects.all()}


@pytest.fixture
def resident(db):
    return UserFactory(
        full_name="Ada Lovelace",
        phone="07911123456",
        address={
            "uprn": "999900001017",
            "line1": "6 Mill Lane",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
    )


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client
