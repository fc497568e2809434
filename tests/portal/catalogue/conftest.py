import pytest

from services.seed import seed_catalogue


@pytest.fixture
def catalogue(db):
    """The seeded services by slug: eight live services in five topics."""
    return {service.slug: service for service in seed_catalogue()}
