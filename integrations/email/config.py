"""The options of an "e-mail to a service team" connection, checked when an admin saves it."""

from __future__ import annotations

import string
from typing import Any

from django.core.validators import validate_email
from rest_framework import serializers

from integrations.options import SECRET, is_loopback

SECURITY_STARTTLS, SECURITY_SSL, SECURITY_NONE = "starttls", "ssl", "none"
SECURITY_CHOICES = [
    (SECURITY_STARTTLS, "STARTTLS (usually port 587)"),
    (SECURITY_SSL, "TLS from the start (usually port 465)"),
    (SECURITY_NONE, "None (only to this machine)"),
]
DEFAULT_SUBJECT = "{service}: {reference}"
DEFAULT_TIMEOUT = 20.0
# Mail servers commonly refuse messages over 20-25 MB, and base64 makes files a third bigger.
DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
MAX_RECIPIENTS = 20


class AddressList(serializers.Field[list[str], Any, list[str], Any]):
    """One or more e-mail addresses: a list, or text separated by commas or new lines."""

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = data.replace("\n", ",").replace(";", ",").split(",")
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise serializers.ValidationError("Enter e-mail addresses separated by commas.")
        addresses = [item.strip() for item in data if item.strip()]
        if not addresses:
            raise serializers.ValidationError("Enter at least one e-mail address.")
        if len(addresses) > MAX_RECIPIENTS:
            raise serializers.ValidationError(f"Enter at most {MAX_RECIPIENTS} addresses.")
        for address in addresses:
            try:
                validate_email(address)
            except Exception:
                raise serializers.ValidationError(
                    f"{address!r} is not an e-mail address."
                ) from None
        return list(dict.fromkeys(addresses))

    def to_representation(self, value: list[str]) -> list[str]:
        return list(value)


def validate_subject_template(value: str) -> None:
    """Only {field name} fields: no attribute access, indexing or positions, which str.format
    would evaluate."""
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        raise serializers.ValidationError(
            "Braces must surround a field name, like {reference}; write {{ or }} for a brace."
        ) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if (
            not field.strip()
            or field.isdigit()
            or "." in field
            or "[" in field
            or spec
            or conversion
        ):
            raise serializers.ValidationError(
                f"{{{field}}} is not allowed: use a mapped field's name alone, like {{reference}}."
            )


class EmailConfig(serializers.Serializer[Any]):
    to = AddressList(
        label="Send to",
        help_text="The service team's address, or several separated by commas.",
    )
    from_email = serializers.EmailField(
        label="From",
        help_text="The sender address; its domain also names each message (Message-ID).",
    )
    subject_template = serializers.CharField(
        label="Subject",
        default=DEFAULT_SUBJECT,
        max_length=200,
        validators=[validate_subject_template],
        help_text="Mapped fields in braces, e.g. '{service}: {reference}'. "
        "A field the mapping does not produce is left out.",
    )
    host = serializers.CharField(label="SMTP server", max_length=255)
    port = serializers.IntegerField(label="Port", default=587, min_value=1, max_value=65535)
    security = serializers.ChoiceField(
        label="Security", choices=SECURITY_CHOICES, default=SECURITY_STARTTLS
    )
    username = serializers.CharField(
        label="User name", required=False, allow_blank=True, max_length=200
    )
    password = serializers.CharField(
        label="Password", style=SECRET, write_only=True, required=False, allow_blank=True
    )
    timeout = serializers.FloatField(
        label="Timeout (seconds)", default=DEFAULT_TIMEOUT, min_value=0.1, max_value=300
    )
    max_attachment_bytes = serializers.IntegerField(
        label="Largest total of uploaded files (bytes)",
        default=DEFAULT_MAX_ATTACHMENT_BYTES,
        min_value=0,
        max_value=100 * 1024 * 1024,
        help_text="When a submission's files add up to more, none is attached: each is sent "
        "as a link in the message instead.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("security", SECURITY_STARTTLS) == SECURITY_NONE and not is_loopback(
            attrs.get("host")
        ):
            raise serializers.ValidationError(
                {
                    "security": [
                        "Submissions hold personal data, so mail is only sent unencrypted "
                        "to this machine (localhost). Choose STARTTLS or TLS."
                    ]
                }
            )
        if attrs.get("password") and not attrs.get("username"):
            raise serializers.ValidationError(
                {"username": ["Enter the user name that goes with the password."]}
            )
        return attrs
