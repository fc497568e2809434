"""Rules every adapter's options follow, checked for every registered adapter."""

import pytest
from rest_framework import serializers

from integrations.registry import registry
from integrations.webhook.adapter import WebhookAdapter

URL_OPTIONS = [
    (adapter, name)
    for adapter in registry
    for name, field in adapter.config_serializer().fields.items()
    if isinstance(field, serializers.URLField)
]


def test_the_adapters_have_address_options_to_check():
    assert {adapter.id for adapter, _ in URL_OPTIONS} >= {"webhook", "open311", "crm", "soap_case"}


@pytest.mark.parametrize(
    "address",
    [
        "https://portal:hunter2@cases.example.gov.uk/api",
        "https://portal@cases.example.gov.uk/api",
        "https://:hunter2@cases.example.gov.uk/api",
        " https://portal:hunter2@cases.example.gov.uk/api",
        "http://portal:hunter2@127.0.0.1:9000/api",
    ],
)
@pytest.mark.parametrize(
    ("adapter", "option"), URL_OPTIONS, ids=[f"{a.id}-{name}" for a, name in URL_OPTIONS]
)
def test_an_address_with_a_user_name_or_password_is_refused_pointing_to_the_secret_options(
    adapter, option, address
):
    # Given an admin who typed credentials into an address, which is shown and exported
    # When the connection's options are checked
    with pytest.raises(serializers.ValidationError) as refused:
        adapter.validate_config({option: address})

    # Then that option is refused, saying where credentials go, without repeating them
    (message, *_) = refused.value.detail[option]
    assert message.startswith("Remove the user name and password from the address")
    assert "secret options" in message
    assert "hunter2" not in str(refused.value.detail)


def test_the_message_names_the_adapters_secret_options():
    with pytest.raises(serializers.ValidationError) as refused:
        WebhookAdapter.validate_config({"url": "https://user:pw@cases.example.gov.uk/"})

    (message, *_) = refused.value.detail["url"]
    assert "(Signing secret, API key, Bearer token, Password, OAuth2 client secret)" in message


@pytest.mark.parametrize(
    "address",
    ["https://cases.example.gov.uk/api/@me", "https://cases.example.gov.uk/api?owner=a@b.example"],
)
def test_an_at_sign_after_the_host_is_not_a_credential(address):
    config = WebhookAdapter.validate_config({"url": address, "signing_secret": "s" * 16})
    assert config["url"] == address
