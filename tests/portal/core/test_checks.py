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


def test_notify_settings_are_checked_only_when_notify_is_used(settings):
    from portal.core.checks import notify_settings

    settings.NOTIFY_API_KEY = ""
    assert notify_settings() == []

    settings.NOTIFY_API_KEY = "a-password"
    settings.NOTIFY_TEMPLATES = {}
    settings.NOTIFY_CALLBACK_TOKEN = ""
    errors = notify_settings()
    assert [error.id for error in errors] == ["portal.E002"] * 3
    assert "a-password" not in " ".join(error.msg for error in errors)

    settings.NOTIFY_API_KEY = "live-" + "26785a09-ab16-4eb0-8407-a37497a57506-" * 2
    settings.NOTIFY_API_KEY = settings.NOTIFY_API_KEY.rstrip("-")
    settings.NOTIFY_TEMPLATES = {
        "email": {"default": {"en": "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e01"}}
    }
    settings.NOTIFY_CALLBACK_TOKEN = "token"
    assert notify_settings() == []
