import pytest

from tests.portal.catalogue.conftest import catalogue  # noqa: F401  (the seeded services)
from tests.portal.conftest import CommittingClient
from tests.portal.test_welsh import english_sentences  # noqa: F401  (our English, for /cy/ pages)


@pytest.fixture
def client():
    """Requests commit as real ones do, so e-mail queued on commit is sent."""
    return CommittingClient()
