"""The options of a CRM connection (Dynamics 365 Web API or Salesforce REST), checked on save."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from integrations import options
from integrations.options import SECRET, validate_web_address

DYNAMICS, SALESFORCE = "dynamics", "salesforce"
STYLE_CHOICES = [
    (DYNAMICS, "Microsoft Dynamics 365 (Dataverse Web API)"),
    (SALESFORCE, "Salesforce (REST API)"),
]
DEFAULT_API_VERSION = {DYNAMICS: "9.2", SALESFORCE: "60.0"}
DEFAULT_STATUS_FIELD = {DYNAMICS: "statuscode", SALESFORCE: "Status"}
# Standard on every org's ContentVersion, and filterable in SOQL (see salesforce_files.py).
DEFAULT_FILE_KEY_FIELD = "Description"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 20.0
DEFAULT_UNANSWERED_WAIT = 60.0

# Dataverse logical and entity set names, Salesforce API names (Case, Portal_Reference__c).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_API_VERSION = re.compile(r"^\d{1,3}\.\d{1,2}$")


def _name_field(label: str, help_text: str) -> serializers.CharField:
    return serializers.CharField(
        label=label, required=False, allow_blank=True, max_length=100, help_text=help_text
    )


class CRMConfig(serializers.Serializer[Any]):
    base_url = serializers.URLField(
        label="CRM address",
        validators=[validate_web_address],
        help_text="The organisation's address, e.g. https://council.crm11.dynamics.com or "
        "https://council.my.salesforce.com",
    )
    api_style = serializers.ChoiceField(label="CRM", choices=STYLE_CHOICES, default=DYNAMICS)
    api_version = serializers.CharField(
        label="API version",
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="Blank for 9.2 (Dynamics) or 60.0 (Salesforce).",
    )

    entity_set = _name_field(
        "Entity set (Dynamics)", "The table's entity set name, e.g. incidents or cr4d1_requests."
    )
    alternate_key_name = _name_field(
        "Alternate key column (Dynamics)",
        "A column with an alternate key defined on it that holds the portal's reference; each "
        "submission is created or updated by it, so a retry never makes a second record.",
    )
    id_attribute = _name_field(
        "Primary id column (Dynamics)",
        "The table's primary id column, e.g. incidentid: read back after saving and when "
        "fetching status updates.",
    )
    sobject = _name_field("Object (Salesforce)", "The object's API name, e.g. Case.")
    external_id_field = _name_field(
        "External ID field (Salesforce)",
        "A field marked External ID (and unique) that holds the portal's reference, e.g. "
        "Portal_Reference__c; each submission is upserted by it.",
    )
    file_key_field = _name_field(
        "File key field (Salesforce)",
        "The ContentVersion field that holds each file's key, which a retry looks for before "
        "sending a file again. Blank for Description; or a text field marked External ID on "
        "ContentVersion, e.g. Portal_Key__c, which Salesforce indexes.",
    )
    status_field = _name_field(
        "Status field",
        "Whose changes are reported back to residents. Blank for statuscode (Dynamics) or "
        "Status (Salesforce).",
    )

    token_url = serializers.URLField(
        label="OAuth2 token address",
        validators=[validate_web_address],
        help_text="e.g. https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token or "
        "https://council.my.salesforce.com/services/oauth2/token",
    )
    client_id = serializers.CharField(label="OAuth2 client id", max_length=200)
    client_secret = serializers.CharField(
        label="OAuth2 client secret", style=SECRET, write_only=True
    )
    scope = serializers.CharField(
        label="OAuth2 scope",
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Dynamics needs <CRM address>/.default; Salesforce needs none.",
    )
    connect_timeout = options.connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    read_timeout = options.read_timeout(DEFAULT_READ_TIMEOUT)
    # For files: a case is upserted by its key, but a note or a Salesforce File can only be
    # looked up by what it says.
    unanswered_wait = options.unanswered_wait(DEFAULT_UNANSWERED_WAIT)

    def validate_base_url(self, value: str) -> str:
        return value.rstrip("/")

    def validate_api_version(self, value: str) -> str:
        value = value.strip().removeprefix("v")
        if value and not _API_VERSION.match(value):
            raise serializers.ValidationError("Enter a version number such as 9.2 or 60.0.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        style = attrs.get("api_style", DYNAMICS)
        if style == DYNAMICS:
            required = {
                "entity_set": "Enter the entity set name of the table records go into.",
                "alternate_key_name": "Enter the alternate key column that holds our reference.",
                "id_attribute": "Enter the table's primary id column, such as incidentid.",
            }
        else:
            required = {
                "sobject": "Enter the API name of the object records go into.",
                "external_id_field": "Enter the External ID field that holds our reference.",
            }
        errors = {name: [message] for name, message in required.items() if not attrs.get(name)}
        for name in (*required, "status_field", "file_key_field"):
            value = attrs.get(name)
            if value and name not in errors and not _NAME.match(value):
                errors[name] = [
                    "Enter an API name of letters, digits and underscores, such as "
                    "cr4d1_reference or Portal_Reference__c."
                ]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["api_version"] = attrs.get("api_version") or DEFAULT_API_VERSION[style]
        attrs["status_field"] = attrs.get("status_field") or DEFAULT_STATUS_FIELD[style]
        if style == SALESFORCE:
            attrs["file_key_field"] = attrs.get("file_key_field") or DEFAULT_FILE_KEY_FIELD
        return attrs
