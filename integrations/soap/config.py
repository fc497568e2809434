"""The options of a SOAP case system connection, checked when an admin saves them."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from integrations import options
from integrations.options import SECRET, validate_web_address

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0  # SOAP case systems are often slow to commit a case
DEFAULT_UNANSWERED_WAIT = 60.0

_SERVICE_CODE = re.compile(r"^[A-Za-z0-9_.:\-/]{1,50}$")


class SoapCaseConfig(serializers.Serializer[Any]):
    wsdl_url = serializers.URLField(
        label="WSDL address",
        help_text="Where the case system publishes its WSDL, e.g. "
        "https://waste.example.gov.uk/CaseService.svc?wsdl",
        validators=[validate_web_address],
    )
    endpoint_url = serializers.URLField(
        label="Service address",
        required=False,
        allow_blank=True,
        validators=[validate_web_address],
        help_text="Optional. Where to send requests when it differs from the address in the "
        "WSDL (which often names a server inside the supplier's network).",
    )
    username = serializers.CharField(
        label="User name", max_length=200, help_text="The account the portal signs in with."
    )
    password = serializers.CharField(
        label="Password", style=SECRET, write_only=True, max_length=500
    )
    use_ws_security = serializers.BooleanField(
        label="WS-Security",
        default=False,
        help_text="Also send the user name and password as a WS-Security UsernameToken "
        "(PasswordText) on every call, for systems that demand one.",
    )
    service_code = serializers.CharField(
        label="Default service code",
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="Used when the mapping gives no ServiceCode, e.g. MISSED_BIN.",
    )
    connect_timeout = options.connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    read_timeout = options.read_timeout(DEFAULT_READ_TIMEOUT)
    unanswered_wait = options.unanswered_wait(DEFAULT_UNANSWERED_WAIT)

    def validate_service_code(self, value: str) -> str:
        value = value.strip()
        if value and not _SERVICE_CODE.match(value):
            raise serializers.ValidationError(
                "Enter the case system's code for the service, such as MISSED_BIN: "
                "letters, digits and _ . : - / only."
            )
        return value
