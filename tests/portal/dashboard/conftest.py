import pytest

from tests.portal.catalogue.conftest import catalogue  # noqa: F401  (the seeded services)
from tests.portal.conftest import CommittingClient


@pytest.fixture
def client():
    """Requests commit as real ones do, so e-mail queued on commit is sent."""
    return CommittingClient()
