"""A CRM connection's options are checked when an admin saves them."""

import pytest
from rest_framework.exceptions import ValidationError

from integrations.crm.adapter import CRMAdapter
from integrations.registry import registry

COMMON = {
    "base_url": "https://council.crm11.dynamics.com/",
    "token_url": "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
    "client_id": "00000000-0000-0000-0000-000000000001",
    "client_secret": "secret",
}
DYNAMICS = {
    **COMMON,
    "entity_set": "incidents",
    "alternate_key_name": "mc_portalreference",
    "id_attribute": "incidentid",
}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        CRMAdapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_dynamics_options_get_sane_defaults():
    config = CRMAdapter.validate_config(DYNAMICS)

    assert config == {
        **DYNAMICS,
        "base_url": "https://council.crm11.dynamics.com",
        "api_style": "dynamics",
        "api_version": "9.2",
        "status_field": "statuscode",
        "connect_timeout": 5.0,
        "read_timeout": 20.0,
        "unanswered_wait": 60.0,
    }


def test_salesforce_needs_its_object_and_external_id_field():
    assert errors_for(**COMMON, api_style="salesforce") == {
        "sobject": ["Enter the API name of the object records go into."],
        "external_id_field": ["Enter the External ID field that holds our reference."],
    }
    config = CRMAdapter.validate_config(
        {**COMMON, "api_style": "salesforce", "sobject": "Case", "external_id_field": "Ref__c"}
    )
    assert (config["api_version"], config["status_field"]) == ("60.0", "Status")


def test_dynamics_needs_its_table_key_and_id_column():
    assert set(errors_for(**COMMON)) == {"entity_set", "alternate_key_name", "id_attribute"}


def test_names_must_be_api_names_because_they_go_into_addresses_and_queries():
    errors = errors_for(**{**DYNAMICS, "entity_set": "incidents?$top=1", "status_field": "a b"})

    assert set(errors) == {"entity_set", "status_field"}


@pytest.mark.parametrize("name", ["base_url", "token_url"])
def test_addresses_must_be_https_unless_this_machine(name):
    assert "https://" in errors_for(**{**DYNAMICS, name: "http://crm.example.com"})[name][0]
    assert CRMAdapter.validate_config({**DYNAMICS, name: "http://127.0.0.1:8105"})


def test_the_credentials_are_required_and_the_secret_stored_encrypted():
    assert set(errors_for(base_url=COMMON["base_url"], entity_set="x")) >= {
        "token_url",
        "client_id",
        "client_secret",
    }
    assert CRMAdapter.secret_option_names() == {"client_secret"}


def test_an_api_version_must_look_like_one():
    assert list(errors_for(**DYNAMICS, api_version="latest")) == ["api_version"]
    assert CRMAdapter.validate_config({**DYNAMICS, "api_version": "v9.1"})["api_version"] == "9.1"


def test_the_crm_is_registered_and_takes_any_column_with_common_ones_declared():
    assert registry.get("crm") is CRMAdapter
    assert CRMAdapter.accepts_any_fields is True
    assert {"title", "description"} <= {f.name for f in CRMAdapter.target_fields}


def test_salesforce_files_are_keyed_in_description_unless_an_api_name_is_given():
    salesforce = {**COMMON, "api_style": "salesforce", "sobject": "Case", "external_id_field": "R"}

    assert CRMAdapter.validate_config(salesforce)["file_key_field"] == "Description"
    named = CRMAdapter.validate_config({**salesforce, "file_key_field": "Portal_Key__c"})
    assert named["file_key_field"] == "Portal_Key__c"
    # it goes into a SOQL query, so only an API name will do
    assert list(errors_for(**salesforce, file_key_field="Description = '' OR Id")) == [
        "file_key_field"
    ]
