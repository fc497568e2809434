import pytest

from portal.core.checks import portal_url_is_absolute


@pytest.mark.parametrize("value", ["", "/", "portal.example.gov.uk", "ftp://portal.example.gov.uk"])
def test_the_deploy_check_refuses_a_portal_url_links_could_not_be_made_from(settings, value):
    settings.PORTAL_URL = value
    assert [error.id for error in portal_url_is_absolute()] == ["portal.E001"]


@pytest.mark.parametrize("value", ["https://portal.example.gov.uk", "http://127.0.0.1:8000"])
def test_the_deploy_check_accepts_an_absolute_web_address(settings, value):
    settings.PORTAL_URL = value
    assert portal_url_is_absolute() == []
