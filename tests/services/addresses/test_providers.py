import pytest
from django.core.exceptions import ImproperlyConfigured

from services.addresses import AddressProvider, get_provider
from services.addresses.local import DEMO_GAZETTEER, LocalGazetteerProvider
from services.addresses.os_places import OSPlacesProvider
from tests.services.addresses.conftest import gazetteer_row


def test_the_local_demo_gazetteer_is_the_default(settings):
    provider = get_provider()

    assert isinstance(provider, LocalGazetteerProvider)
    assert isinstance(provider, AddressProvider)
    assert settings.ADDRESS_PROVIDER == "local"
    assert provider.path == DEMO_GAZETTEER
    assert len(provider.find_by_postcode("ZZ99 1AB")) == 19


def test_the_gazetteer_is_read_once_and_shared(settings):
    assert get_provider() is get_provider()


def test_another_gazetteer_file_can_be_configured(settings, write_gazetteer):
    settings.ADDRESS_GAZETTEER_CSV = str(write_gazetteer([gazetteer_row(UPRN="42")]))

    assert get_provider().get("42") is not None


def test_os_places_is_configured_from_settings(settings, os_places):
    settings.ADDRESS_PROVIDER = "os_places"
    settings.OS_PLACES_API_URL = os_places.api_url
    settings.OS_PLACES_API_KEY = "test-key"

    provider = get_provider()

    assert isinstance(provider, OSPlacesProvider)
    assert len(provider.find_by_postcode("ZZ99 4AB")) == 6
    assert os_places.requests[0].param("key") == "test-key"


def test_os_places_without_a_key_is_a_configuration_error(settings):
    settings.ADDRESS_PROVIDER = "os_places"
    settings.OS_PLACES_API_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="OS_PLACES_API_KEY"):
        get_provider()


def test_an_unknown_provider_is_a_configuration_error(settings):
    settings.ADDRESS_PROVIDER = "google"

    with pytest.raises(ImproperlyConfigured, match="'google'; it must be one of local, os_places"):
        get_provider()
