"""The options of an Open311 GeoReport v2 connection, checked when an admin saves it."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

# The shared "https unless this machine" rule: one place decides what a safe address is.
from integrations import options
from integrations.options import SECRET, validate_web_address

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
DEFAULT_POLL_TOKEN_ATTEMPTS = 5
DEFAULT_POLL_TOKEN_INTERVAL = 1.0
DEFAULT_REFERENCE_FIELD = "description"
DEFAULT_UNANSWERED_WAIT = 60.0
# The attribute the delivery's key travels in; no other option may claim it.
PORTAL_REFERENCE_ATTRIBUTE = "portal_reference"


# Open311 codes travel in URLs and as attribute[<code>] names: no brackets, no spaces.
CODE = re.compile(r"^[^\s\[\]&=#?/]+$")


def validate_code(value: str) -> None:
    if value and not CODE.match(value):
        raise serializers.ValidationError(
            "Enter the code as the Open311 server lists it, without spaces, brackets or slashes."
        )


class Open311Config(serializers.Serializer[Any]):
    endpoint = serializers.URLField(
        label="Endpoint",
        help_text="The GeoReport v2 base address, the one that serves services.json, e.g. "
        "https://highways.example.gov.uk/open311/v2",
        validators=[validate_web_address],
    )
    api_key = serializers.CharField(
        label="API key",
        style=SECRET,
        write_only=True,
        max_length=500,
        help_text="Issued by the Open311 server; sent with every new service request.",
    )
    jurisdiction_id = serializers.CharField(
        label="Jurisdiction",
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Only for servers that host more than one council, e.g. example.gov.uk.",
    )
    service_code = serializers.CharField(
        label="Service code",
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        validators=[validate_code],
        help_text="The Open311 service every submission to this destination creates, e.g. "
        "POTHOLE. Leave blank to map a 'service_code' field per submission instead.",
    )
    connect_timeout = options.connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    read_timeout = options.read_timeout(DEFAULT_READ_TIMEOUT)
    poll_token_attempts = serializers.IntegerField(
        label="Token polls",
        default=DEFAULT_POLL_TOKEN_ATTEMPTS,
        min_value=0,
        max_value=30,
        help_text="When the server answers with a token instead of a request id, how many "
        "times to ask tokens/{token} before trying again later.",
    )
    poll_token_interval = serializers.FloatField(
        label="Seconds between token polls",
        default=DEFAULT_POLL_TOKEN_INTERVAL,
        min_value=0,
        max_value=10,
    )
    updates_extension = serializers.BooleanField(
        label="Server has servicerequestupdates",
        default=True,
        help_text="Read status changes from the widely used servicerequestupdates.json "
        "extension; off, read them from requests.json (open/closed and notes only).",
    )

    unanswered_wait = options.unanswered_wait(DEFAULT_UNANSWERED_WAIT)
    reference_field = serializers.CharField(
        label="Field that shows the portal reference",
        required=False,
        default=DEFAULT_REFERENCE_FIELD,
        max_length=100,
        validators=[validate_code],
        help_text="Where requests.json shows the portal reference, so a retry after a lost "
        "answer finds the request instead of making a second. Leave as 'description' (the "
        "reference is added to its end) unless the server returns attribute[portal_reference] "
        "in a field of its own.",
    )

    files_attribute = serializers.CharField(
        label="Attribute for file links",
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        validators=[validate_code],
        help_text="Open311 allows one photo (media_url); links to the other files go at the end "
        "of the description. If the service defines an attribute for files, enter its code to "
        "send the links there instead, one per file, as attribute[<code>][].",
    )

    def validate_files_attribute(self, value: str) -> str:
        if value == PORTAL_REFERENCE_ATTRIBUTE:
            raise serializers.ValidationError(
                f"{PORTAL_REFERENCE_ATTRIBUTE} carries the portal reference; "
                "enter the code of the service's attribute for files."
            )
        return value

    def validate_endpoint(self, value: str) -> str:
        return value.rstrip("/")
