"""An Open311 connection's options are checked when an admin saves them, and its fields mapped."""

import pytest
from rest_framework.exceptions import ValidationError

from integrations.open311.adapter import Open311Adapter
from integrations.registry import registry
from services.routing.mapping import validate_mapping

VALID = {"endpoint": "https://highways.example.gov.uk/open311/v2/", "api_key": "k"}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        Open311Adapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_the_smallest_valid_options_get_sane_defaults():
    config = Open311Adapter.validate_config(VALID)

    assert config == {
        "endpoint": "https://highways.example.gov.uk/open311/v2",  # no trailing slash
        "api_key": "k",
        "jurisdiction_id": "",
        "service_code": "",
        "connect_timeout": 5.0,
        "read_timeout": 15.0,
        "poll_token_attempts": 5,
        "poll_token_interval": 1.0,
        "updates_extension": True,
        "reference_field": "description",
        "unanswered_wait": 60.0,
        "files_attribute": "",
    }


def test_the_endpoint_and_api_key_are_required():
    assert errors_for() == {
        "endpoint": ["This field is required."],
        "api_key": ["This field is required."],
    }


def test_plain_http_is_only_allowed_to_this_machine():
    errors = errors_for(**{**VALID, "endpoint": "http://highways.example.gov.uk/open311/v2"})
    assert "https://" in errors["endpoint"][0]

    config = Open311Adapter.validate_config({**VALID, "endpoint": "http://127.0.0.1:8103/o"})
    assert config["endpoint"] == "http://127.0.0.1:8103/o"


@pytest.mark.parametrize("code", ["POT HOLE", "a[b]", "x/y"])
def test_a_service_code_cannot_hold_characters_that_break_urls_or_attribute_names(code):
    assert list(errors_for(**VALID, service_code=code)) == ["service_code"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("poll_token_attempts", 31), ("poll_token_attempts", -1), ("poll_token_interval", 11)],
)
def test_token_polling_is_bounded(name, value):
    assert list(errors_for(**VALID, **{name: value})) == [name]


def test_the_api_key_is_the_secret():
    assert Open311Adapter.secret_option_names() == {"api_key"}


def test_it_is_registered_and_fetches_updates():
    assert registry.get("open311") is Open311Adapter
    assert Open311Adapter.supports_updates()


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("service_code", True),
        ("lat", True),
        ("address_string", True),
        ("media_url", True),
        ("attribute.depth", True),
        ("attribute.HAZARD_TYPE", True),
        ("attribute.", False),
        ("attribute.a b", False),
        ("attribute.portal_reference", False),  # the portal sets it
        ("colour", False),
    ],
)
def test_declared_fields_and_attribute_fields_are_accepted(name, accepted):
    assert Open311Adapter.accepts_target_field(name) is accepted


def test_mapping_validation_asks_the_adapter_about_attribute_fields():
    mapping = {
        "description": {"const": "A pothole"},
        "attribute.depth": {"const": "deep"},
        "attribute.portal_reference": {"const": "mine"},
        "priority": {"const": 1},
    }

    problems = validate_mapping(mapping, adapter_class=Open311Adapter, schema=None)

    assert problems == [
        "Field ‘attribute.portal_reference’: Open311 (GeoReport v2) has no field "
        "‘attribute.portal_reference’ (its fields: service_code, lat, long, address_string, "
        "address_id, email, device_id, account_id, first_name, last_name, phone, description, "
        "media_url, files)",
        "Field ‘priority’: Open311 (GeoReport v2) has no field ‘priority’ (its fields: "
        "service_code, lat, long, address_string, address_id, email, device_id, account_id, "
        "first_name, last_name, phone, description, media_url, files)",
    ]


def test_the_files_attribute_is_an_open311_code():
    assert (
        Open311Adapter.validate_config({**VALID, "files_attribute": "photos"})["files_attribute"]
        == "photos"
    )
    assert errors_for(**VALID, files_attribute="photo links") == {
        "files_attribute": [
            "Enter the code as the Open311 server lists it, without spaces, brackets or slashes."
        ]
    }


def test_the_files_attribute_cannot_be_the_portal_reference():
    assert errors_for(**VALID, files_attribute="portal_reference") == {
        "files_attribute": [
            "portal_reference carries the portal reference; enter the code of the service's "
            "attribute for files."
        ]
    }
