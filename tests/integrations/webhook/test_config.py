"""A webhook connection's options are checked when an admin saves them, with clear messages."""

import pytest
from rest_framework.exceptions import ValidationError

from integrations.base import Adapter
from integrations.registry import registry
from integrations.webhook.adapter import WebhookAdapter

VALID = {"url": "https://cases.example.gov.uk/api/records", "signing_secret": "s" * 16}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        WebhookAdapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_the_smallest_valid_options_get_sane_defaults():
    config = WebhookAdapter.validate_config(VALID)

    assert config == {
        **VALID,
        "auth_type": "none",
        "api_key_header": "X-API-Key",
        "reference_field": "id",
        "connect_timeout": 5.0,
        "read_timeout": 15.0,
        "inline_files_max_bytes": 0,
    }


def test_the_address_is_required():
    assert errors_for(signing_secret="s" * 16) == {"url": ["This field is required."]}


def test_plain_http_to_another_host_is_refused_because_submissions_hold_personal_data():
    errors = errors_for(**{**VALID, "url": "http://cases.example.gov.uk/api/records"})

    assert list(errors) == ["url"]
    assert "Enter an address starting https://" in errors["url"][0]
    assert "personal data" in errors["url"][0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8102/records", "http://localhost:8102/records", "http://[::1]/x"]
)
def test_plain_http_to_this_machine_is_allowed(url):
    assert WebhookAdapter.validate_config({**VALID, "url": url})["url"] == url


def test_an_address_that_is_not_a_web_address_is_refused():
    errors = errors_for(**{**VALID, "url": "ftp://files.example.gov.uk/drop"})

    assert list(errors) == ["url"]


def test_a_health_address_follows_the_same_rule():
    errors = errors_for(**{**VALID, "health_url": "http://cases.example.gov.uk/health"})

    assert "https://" in errors["health_url"][0]


def test_the_signing_secret_is_required_and_not_too_short():
    assert errors_for(url=VALID["url"]) == {"signing_secret": ["This field is required."]}
    assert "at least 16" in errors_for(**{**VALID, "signing_secret": "short"})["signing_secret"][0]


def test_api_key_authentication_needs_the_key():
    errors = errors_for(**VALID, auth_type="api_key")

    assert errors == {"api_key": ["Enter the API key, or choose another authentication."]}


def test_bearer_authentication_needs_the_token():
    errors = errors_for(**VALID, auth_type="bearer", token="")

    assert errors == {"token": ["Enter the bearer token, or choose another authentication."]}


def test_basic_authentication_needs_both_user_name_and_password():
    errors = errors_for(**VALID, auth_type="basic")

    assert errors == {
        "username": ["Enter the user name for basic authentication."],
        "password": ["Enter the password for basic authentication."],
    }


def test_a_basic_user_name_cannot_hold_a_colon():
    errors = errors_for(**VALID, auth_type="basic", username="a:b", password="p")

    assert "colon" in errors["username"][0]


def test_oauth2_authentication_needs_the_token_address_client_id_and_secret():
    errors = errors_for(**VALID, auth_type="oauth2")

    assert errors == {
        "token_url": ["Enter the address of the OAuth2 token endpoint."],
        "client_id": ["Enter the OAuth2 client id."],
        "client_secret": ["Enter the OAuth2 client secret."],
    }


def test_an_oauth2_token_address_must_be_https_unless_it_is_this_machine():
    oauth2 = {"auth_type": "oauth2", "client_id": "c", "client_secret": "s"}
    errors = errors_for(**VALID, **oauth2, token_url="http://login.example.com/token")

    assert "https://" in errors["token_url"][0]


def test_an_unknown_authentication_is_refused():
    assert list(errors_for(**VALID, auth_type="digest")) == ["auth_type"]


@pytest.mark.parametrize("header", ["X API Key", "X-Key:", ""])
def test_an_api_key_header_must_be_a_header_name(header):
    errors = errors_for(**VALID, auth_type="api_key", api_key="k", api_key_header=header)

    assert list(errors) == ["api_key_header"]


def test_an_api_key_header_cannot_replace_one_the_portal_sets():
    errors = errors_for(**VALID, auth_type="api_key", api_key="k", api_key_header="Idempotency-Key")

    assert errors["api_key_header"] == [
        "Idempotency-Key is set by the portal itself; choose another header name."
    ]


def test_the_reference_field_is_a_dotted_path():
    assert "dotted path" in errors_for(**VALID, reference_field="case number")["reference_field"][0]
    assert "dotted path" in errors_for(**VALID, reference_field="data..id")["reference_field"][0]
    config = WebhookAdapter.validate_config({**VALID, "reference_field": "$.data.id"})
    assert config["reference_field"] == "data.id"


@pytest.mark.parametrize(
    ("name", "value"), [("connect_timeout", 0), ("connect_timeout", 61), ("read_timeout", 301)]
)
def test_timeouts_stay_within_sane_bounds(name, value):
    assert list(errors_for(**VALID, **{name: value})) == [name]


@pytest.mark.parametrize("value", [-1, 20 * 1024 * 1024 + 1, "lots"])
def test_the_inline_files_limit_is_a_byte_count_within_what_receivers_take(value):
    assert list(errors_for(**VALID, inline_files_max_bytes=value)) == ["inline_files_max_bytes"]


def test_the_secret_options_are_stored_encrypted():
    secrets = {"signing_secret", "api_key", "token", "password", "client_secret"}

    assert WebhookAdapter.secret_option_names() == secrets


def test_the_webhook_is_registered_and_takes_any_field_names():
    assert registry.get("webhook") is WebhookAdapter
    assert WebhookAdapter.accepts_any_fields is True
    assert WebhookAdapter.target_fields == ()
    assert Adapter.accepts_any_fields is False  # other adapters declare their fields


def test_the_registry_rejects_a_second_adapter_with_the_webhook_id():
    class Impostor(Adapter):
        id = "webhook"
        name = "Another webhook"

    with registry.replaced(WebhookAdapter) as only_webhook:
        with pytest.raises(ValueError, match="'webhook' is already registered"):
            only_webhook.register(Impostor)

        assert only_webhook.get("webhook") is WebhookAdapter
