import pytest

from portal.accounts.roles import AGENT, SERVICE_ADMIN, SYSTEM_ADMIN
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.portal.conftest import CommittingClient


def signed_in(user):
    """A client signed in as `user`, who has an authenticator app (staff must)."""
    activate_totp(user)
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def service_admin(db):
    return UserFactory(
        email="service.admin@council.example.gov.uk", is_staff=True, roles=[SERVICE_ADMIN]
    )


@pytest.fixture
def system_admin(db):
    return UserFactory(is_staff=True, roles=[SYSTEM_ADMIN])


@pytest.fixture
def service_admin_client(service_admin):
    return signed_in(service_admin)


@pytest.fixture
def agent_client(db):
    return signed_in(UserFactory(is_staff=True, roles=[AGENT]))


@pytest.fixture
def mail(mail_through_celery):
    """Alerts take e-mail's production path (the Celery backend, on commit)."""
    return mail_through_celery
