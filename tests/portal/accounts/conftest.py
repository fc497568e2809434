import pytest

from tests.portal.accounts.factories import PASSWORD, UserFactory
from tests.portal.conftest import CommittingClient


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """These tests read pages, not the asset pipeline: no collectstatic manifest is needed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production-strength hashing of every test password would make these tests far slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def mail_through_celery(mail_through_celery):
    """Every account test sends its e-mail through Celery (see tests/portal/conftest.py)."""
    return mail_through_celery


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def resident(db):
    return UserFactory()


@pytest.fixture
def admin_client_with_mfa(db):
    """A superuser who has set up an authenticator app and signed in with it."""
    from tests.portal.accounts.helpers import activate_totp

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(admin_user)
    admin_client = CommittingClient()
    admin_client.force_login(admin_user)
    return admin_client
