"""Reading a callback's body into StatusUpdates, or saying exactly what is wrong with it.

The body is one update or a list of them:
    {"update_id": "U-1", "reference": "<the back office's case reference>", "status": "CLOSED",
     "occurred_at": "2025-05-01T09:30:00Z", "description": "optional notes (staff only)"}
`update_id` and `reference` may be strings or integers; `occurred_at` is ISO 8601 with a time
zone (a time without one is ambiguous twice a year).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.dateparse import parse_datetime

from services.models.updates import EXTERNAL_STATUS_MAX_LENGTH, UPDATE_ID_MAX_LENGTH
from services.updates.apply import StatusUpdate

MAX_BODY_BYTES = 256 * 1024
MAX_UPDATES = 1000
REFERENCE_MAX_LENGTH = 200  # what a delivery stores


class Malformed(ValueError):
    """The body is not a valid callback; the message says why, without echoing its values."""


def _text(item: dict[str, Any], name: str, max_length: int, *, n: int, integer: bool) -> str:
    value = item.get(name)
    if integer and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        kind = "a string or an integer" if integer else "a string"
        raise Malformed(f"update {n}: '{name}' must be {kind}, and not empty")
    value = value.strip()
    if len(value) > max_length:
        raise Malformed(f"update {n}: '{name}' is longer than {max_length} characters")
    return value


def _update(item: Any, n: int) -> StatusUpdate:
    if not isinstance(item, dict):
        raise Malformed(f"update {n} is not a JSON object")
    update_id = _text(item, "update_id", UPDATE_ID_MAX_LENGTH, n=n, integer=True)
    reference = _text(item, "reference", REFERENCE_MAX_LENGTH, n=n, integer=True)
    status = _text(item, "status", EXTERNAL_STATUS_MAX_LENGTH, n=n, integer=False)
    raw_time = item.get("occurred_at")
    try:
        occurred_at = parse_datetime(raw_time) if isinstance(raw_time, str) else None
    except ValueError:  # well-formed but impossible, like 2025-02-30
        occurred_at = None
    if occurred_at is None:
        raise Malformed(f"update {n}: 'occurred_at' must be an ISO 8601 date and time")
    if occurred_at.tzinfo is None:
        raise Malformed(f"update {n}: 'occurred_at' must include a time zone, e.g. Z or +01:00")
    description = item.get("description")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise Malformed(f"update {n}: 'description' must be a string")
    return StatusUpdate(
        update_id=update_id,
        external_reference=reference,
        status=status,
        occurred_at=occurred_at,
        description=description.strip(),
    )


def parse_updates(body: bytes) -> list[StatusUpdate]:
    if len(body) > MAX_BODY_BYTES:
        raise Malformed(f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("the body is not JSON") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise Malformed("the list of updates is empty")
    if len(items) > MAX_UPDATES:
        raise Malformed(f"more than {MAX_UPDATES} updates in one call")
    return [_update(item, n) for n, item in enumerate(items, start=1)]
