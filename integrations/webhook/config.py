"""The options of a JSON webhook connection, checked when an admin saves it."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from integrations import options
from integrations.options import SECRET, validate_web_address

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
DEFAULT_REFERENCE_FIELD = "id"
DEFAULT_API_KEY_HEADER = "X-API-Key"
# Base64 makes inline files a third bigger, and receivers commonly cap bodies at 20-50 MB.
MAX_INLINE_FILES_BYTES = 20 * 1024 * 1024

AUTH_NONE, AUTH_API_KEY, AUTH_BEARER, AUTH_BASIC, AUTH_OAUTH2 = (
    "none",
    "api_key",
    "bearer",
    "basic",
    "oauth2",
)
AUTH_CHOICES = [
    (AUTH_NONE, "None"),
    (AUTH_API_KEY, "API key in a header"),
    (AUTH_BEARER, "Bearer token"),
    (AUTH_BASIC, "Basic (user name and password)"),
    (AUTH_OAUTH2, "OAuth2 client credentials"),
]

# RFC 9110 token characters: what a header name may be made of.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_REFERENCE_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
# Headers the adapter sets itself; an API key under one of these names would break the request.
_RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "host",
        "idempotency-key",
        "x-portal-timestamp",
        "x-portal-signature",
        "transfer-encoding",
        "connection",
    }
)


class WebhookConfig(serializers.Serializer[Any]):
    url = serializers.URLField(
        label="Address",
        help_text="Where each submission is sent as a JSON POST, e.g. https://cases.example.gov.uk/api/records",
        validators=[validate_web_address],
    )
    signing_secret = serializers.CharField(
        label="Signing secret",
        style=SECRET,
        write_only=True,
        min_length=16,
        help_text="Shared with the receiving system, which checks X-Portal-Signature "
        "(HMAC-SHA256 of '<X-Portal-Timestamp>.<body>'). At least 16 characters.",
    )
    auth_type = serializers.ChoiceField(
        label="Authentication", choices=AUTH_CHOICES, default=AUTH_NONE
    )
    api_key_header = serializers.CharField(
        label="API key header name", default=DEFAULT_API_KEY_HEADER, max_length=100
    )
    api_key = serializers.CharField(
        label="API key", style=SECRET, write_only=True, required=False, allow_blank=True
    )
    token = serializers.CharField(
        label="Bearer token", style=SECRET, write_only=True, required=False, allow_blank=True
    )
    username = serializers.CharField(
        label="User name", required=False, allow_blank=True, max_length=200
    )
    password = serializers.CharField(
        label="Password", style=SECRET, write_only=True, required=False, allow_blank=True
    )
    token_url = serializers.URLField(
        label="OAuth2 token address",
        required=False,
        allow_blank=True,
        validators=[validate_web_address],
        help_text="For OAuth2: where the portal asks for an access token with its client id and "
        "secret, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    )
    client_id = serializers.CharField(
        label="OAuth2 client id", required=False, allow_blank=True, max_length=200
    )
    client_secret = serializers.CharField(
        label="OAuth2 client secret",
        style=SECRET,
        write_only=True,
        required=False,
        allow_blank=True,
    )
    scope = serializers.CharField(
        label="OAuth2 scope",
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Optional: what the token is for, if the token endpoint needs it.",
    )
    reference_field = serializers.CharField(
        label="Reference field",
        default=DEFAULT_REFERENCE_FIELD,
        max_length=200,
        help_text="Where the answer holds the new record's reference, as a dotted path: "
        "'id', 'data.caseNumber', 'results.0.ref'.",
    )
    connect_timeout = options.connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    read_timeout = options.read_timeout(DEFAULT_READ_TIMEOUT)
    inline_files_max_bytes = serializers.IntegerField(
        label="Largest total of files sent inside the request (bytes)",
        default=0,
        min_value=0,
        max_value=MAX_INLINE_FILES_BYTES,
        help_text="Every file is listed with a signed link the system can fetch it by. Files "
        "are also sent inside the request, as base64, while their sizes add up to no more than "
        "this; 0 sends links only.",
    )
    health_url = serializers.URLField(
        label="Health check address",
        required=False,
        allow_blank=True,
        validators=[validate_web_address],
        help_text="Optional. 'Test connection' sends a GET here; without it, an OPTIONS "
        "request to the address above.",
    )

    def validate_api_key_header(self, value: str) -> str:
        if not _HEADER_NAME.match(value):
            raise serializers.ValidationError(
                "Enter a header name of letters, digits and hyphens, like X-API-Key."
            )
        if value.lower() in _RESERVED_HEADERS:
            raise serializers.ValidationError(
                f"{value} is set by the portal itself; choose another header name."
            )
        return value

    def validate_reference_field(self, value: str) -> str:
        value = value.strip().removeprefix("$.")
        if not _REFERENCE_PATH.match(value):
            raise serializers.ValidationError(
                "Enter a field name or a dotted path such as data.id, with no spaces."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        required = {
            AUTH_API_KEY: {"api_key": "Enter the API key, or choose another authentication."},
            AUTH_BEARER: {"token": "Enter the bearer token, or choose another authentication."},
            AUTH_BASIC: {
                "username": "Enter the user name for basic authentication.",
                "password": "Enter the password for basic authentication.",
            },
            AUTH_OAUTH2: {
                "token_url": "Enter the address of the OAuth2 token endpoint.",
                "client_id": "Enter the OAuth2 client id.",
                "client_secret": "Enter the OAuth2 client secret.",
            },
        }.get(attrs.get("auth_type", AUTH_NONE), {})
        missing = {name: [message] for name, message in required.items() if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        if ":" in attrs.get("username", "") and attrs.get("auth_type") == AUTH_BASIC:
            raise serializers.ValidationError(
                {"username": ["A user name for basic authentication cannot contain a colon."]}
            )
        return attrs
