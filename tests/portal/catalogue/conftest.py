import pytest

from tests.services.seeding import seed_live_catalogue


@pytest.fixture
def catalogue(db):
    """The seeded services by slug: eight live services in five topics."""
    return {service.slug: service for service in seed_live_catalogue()}
