"""A SOAP connection's options are checked when an admin saves them, with clear messages."""

import pytest
from rest_framework.exceptions import ValidationError

from integrations.registry import registry
from integrations.soap.adapter import SoapCaseAdapter
from services.routing.mapping import validate_mapping

VALID = {
    "wsdl_url": "https://waste.example.gov.uk/CaseService.svc?wsdl",
    "username": "portal",
    "password": "s3cret-password",
}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        SoapCaseAdapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_the_smallest_valid_options_get_sane_defaults():
    config = SoapCaseAdapter.validate_config(VALID)

    assert config == {
        **VALID,
        "use_ws_security": False,
        "connect_timeout": 5.0,
        "read_timeout": 30.0,
        "unanswered_wait": 60.0,
    }


def test_the_wsdl_address_and_credentials_are_required():
    assert errors_for() == {
        "wsdl_url": ["This field is required."],
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


def test_plain_http_is_only_allowed_to_this_machine_because_cases_hold_personal_data():
    errors = errors_for(**{**VALID, "wsdl_url": "http://waste.example.gov.uk/Case.svc?wsdl"})
    assert "https://" in errors["wsdl_url"][0]

    errors = errors_for(**{**VALID, "endpoint_url": "http://waste.example.gov.uk/Case.svc"})
    assert "https://" in errors["endpoint_url"][0]

    local = SoapCaseAdapter.validate_config({**VALID, "wsdl_url": "http://127.0.0.1:8104/C?wsdl"})
    assert local["wsdl_url"] == "http://127.0.0.1:8104/C?wsdl"


def test_a_default_service_code_is_a_code_not_a_sentence():
    errors = errors_for(**VALID, service_code="missed bin please")

    assert "MISSED_BIN" in errors["service_code"][0]
    config = SoapCaseAdapter.validate_config({**VALID, "service_code": " MISSED_BIN "})
    assert config["service_code"] == "MISSED_BIN"


@pytest.mark.parametrize(
    ("name", "value"), [("connect_timeout", 0), ("connect_timeout", 61), ("read_timeout", 301)]
)
def test_timeouts_stay_within_sane_bounds(name, value):
    assert list(errors_for(**VALID, **{name: value})) == [name]


def test_only_the_password_is_stored_encrypted():
    assert SoapCaseAdapter.secret_option_names() == {"password"}


def test_the_adapter_is_registered_polls_for_updates_and_declares_its_fields():
    assert registry.get("soap_case") is SoapCaseAdapter
    assert SoapCaseAdapter.supports_updates()
    assert [f.name for f in SoapCaseAdapter.target_fields if f.required] == ["Description"]


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("Description", True),
        ("ContactEmail", True),
        ("field.bin_colour", True),
        ("field.Assisted collection", True),
        ("field.", False),
        ("field. padded", False),
        ("Field.bin_colour", False),
        ("bin_colour", False),
    ],
)
def test_generic_fields_are_mapped_as_field_dot_name(name, accepted):
    assert SoapCaseAdapter.accepts_target_field(name) is accepted


def test_mapping_validation_accepts_generic_fields_and_refuses_unknown_ones():
    mapping = {
        "Description": {"const": "Missed bin"},
        "field.bin_colour": {"const": "green"},
        "Colour": {"const": "green"},
    }

    problems = validate_mapping(mapping, adapter_class=SoapCaseAdapter, schema=None)

    assert problems == [
        "Field \u2018Colour\u2019: SOAP case system has no field \u2018Colour\u2019 (its fields: "
        "ServiceCode, Description, UPRN, Easting, Northing, Latitude, Longitude, ContactName, "
        "ContactEmail, ContactPhone, Attachments)"
    ]
