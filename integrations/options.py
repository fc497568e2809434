"""Pieces every adapter's options serializer uses, so each asks and checks them the same way."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from rest_framework import serializers

# Marks an option as secret: stored encrypted on the connection, never shown again in the admin.
SECRET = {"secret": True, "input_type": "password"}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_web_address(value: str) -> None:
    """https only: payloads hold personal data. Plain http is allowed to loopback (tests, demo)."""
    parts = urlsplit(value)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise serializers.ValidationError(
        "Enter an address starting https://. Submissions hold personal data, so plain http "
        "is only allowed to this machine (localhost)."
    )


def has_credentials(value: object) -> bool:
    """Whether a web address carries a user name or password (https://user:password@host/)."""
    if not isinstance(value, str):
        return False
    try:
        return "@" in urlsplit(value.strip()).netloc
    except ValueError:  # not an address at all: the URL field itself says so
        return False


def credentials_in_address_message(secret_labels: list[str]) -> str:
    where = (
        f"in this connection's secret options ({', '.join(secret_labels)}), which are stored "
        "encrypted and never shown again"
        if secret_labels
        else "with the system's owners: this connection has no option that keeps them secret"
    )
    return (
        "Remove the user name and password from the address: addresses are shown in the admin "
        f"and exported in plain text. Put credentials {where}."
    )


def connect_timeout(default: float = 5.0) -> serializers.FloatField:
    return serializers.FloatField(
        label="Connect timeout (seconds)", default=default, min_value=0.1, max_value=60
    )


def read_timeout(default: float = 15.0) -> serializers.FloatField:
    return serializers.FloatField(
        label="Read timeout (seconds)", default=default, min_value=0.1, max_value=300
    )


def unanswered_wait(default: float = 60.0) -> serializers.FloatField:
    """For adapters that look a record up before sending again (docs/idempotency.md)."""
    return serializers.FloatField(
        label="Wait after an unanswered request (seconds)",
        default=default,
        min_value=0,
        max_value=3600,
        help_text="After a request that got no answer (a timeout, a dropped connection), how "
        "long to wait before looking it up and sending it again: the system may still be "
        "working on it, and a lookup too soon would miss it. At least the system's own "
        "request timeout.",
    )
