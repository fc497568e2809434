"""POST /callbacks/notify/: GOV.UK Notify's delivery receipts (what became of a message).

Notify sends `Authorization: Bearer <token>` with the token set in its callback settings, which
must equal NOTIFY_CALLBACK_TOKEN (compared in constant time), and a body such as
    {"id": "<Notify's id>", "reference": "<our message id>", "status": "permanent-failure",
     "created_at": "...", "completed_at": "2026-12-05T10:30:00.000000Z", "sent_at": "...",
     "notification_type": "email", "to": "...", "template_id": "...", "template_version": 1}
Only id, reference, status and the times are read; `to` is never stored or logged.

    200  {"result": "recorded" | "repeat" | "older" | "not_final"}: a repeat or an older receipt
         changes nothing, so Notify may retry safely
    400  {"error": "..."}: not JSON, a field missing or wrong, a status we do not know
    401  {"error": "..."}: no or wrong token, or no token configured
    422  {"error": "..."}: no message of ours has that id or reference
    429  too many calls that failed authentication from this address

Recording is services/messages/receipts.py. No session, no CSRF token: the caller is Notify
proving itself with the token.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.callbacks.views import FAILED_AUTH_PER_CLIENT
from portal.core import ratelimit
from services.messages.receipts import STATUSES, Receipt, UnknownNotification, record

logger = structlog.get_logger(__name__)

MAX_BODY_BYTES = 16 * 1024  # one receipt is well under 1 KB
ID_MAX_LENGTH = 64
REFERENCE_MAX_LENGTH = 200


class Malformed(ValueError):
    """The body is not a Notify receipt; the message says why, without echoing its values."""


def _refuse(status: int, reason: str, *, headers: dict[str, str] | None = None) -> JsonResponse:
    logger.warning("notify callback refused", status=status, reason=reason)
    return JsonResponse({"error": reason}, status=status, headers=headers)


def auth_problem(request: HttpRequest) -> str | None:
    """Why the request is not from Notify (short, for the log), or None if it is."""
    expected = settings.NOTIFY_CALLBACK_TOKEN or ""
    if not expected:
        return "Notify callbacks are not set up (NOTIFY_CALLBACK_TOKEN)"
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "missing bearer token"
    same = hmac.compare_digest(token.strip().encode("utf-8"), expected.encode("utf-8"))
    return None if same else "wrong bearer token"


def _text(data: dict[str, Any], name: str, max_length: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"'{name}' must be a string, and not empty")
    if len(value) > max_length:
        raise Malformed(f"'{name}' is longer than {max_length} characters")
    return value.strip()


def _time(data: dict[str, Any]) -> datetime:
    """When the status was reached: completed_at, else sent_at, else created_at."""
    for name in ("completed_at", "sent_at", "created_at"):
        raw = data.get(name)
        if raw is None:
            continue
        try:
            at = parse_datetime(raw) if isinstance(raw, str) else None
        except ValueError:  # well-formed but impossible, like 2026-02-30
            at = None
        if at is None:
            raise Malformed(f"'{name}' must be an ISO 8601 date and time")
        if at.tzinfo is None:
            raise Malformed(f"'{name}' must include a time zone, e.g. Z")
        return at
    raise Malformed("one of 'completed_at', 'sent_at' or 'created_at' is needed")


def parse_receipt(body: bytes) -> Receipt:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("the body is not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("the body is not a JSON object")
    notification_id = _text(data, "id", ID_MAX_LENGTH)
    reference = None
    if data.get("reference") is not None:
        reference = _text(data, "reference", REFERENCE_MAX_LENGTH)
    status = _text(data, "status", 40)
    if status not in STATUSES:
        raise Malformed(f"'status' must be one of: {', '.join(STATUSES)}")
    return Receipt(notification_id, reference, status, _time(data))


def _read_body(request: HttpRequest) -> bytes | None:
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


@csrf_exempt
@never_cache
@require_POST
def receive(request: HttpRequest) -> JsonResponse:
    refused = ratelimit.peek(request, FAILED_AUTH_PER_CLIENT, ratelimit.CLIENT)
    if refused is not None:
        return _refuse(
            429,
            "too many calls: try again shortly",
            headers={"Retry-After": str(refused.retry_after)},
        )
    problem = auth_problem(request)
    if problem is not None:
        ratelimit.use(request, FAILED_AUTH_PER_CLIENT, ratelimit.CLIENT)
        return _refuse(401, problem)
    body = _read_body(request)
    if body is None:
        return _refuse(400, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        receipt = parse_receipt(body)
    except Malformed as error:
        return _refuse(400, str(error))
    try:
        result = record(receipt)
    except UnknownNotification:
        return _refuse(422, "no message of ours has this id or reference")
    logger.info("notify receipt", result=result, status=receipt.status)
    return JsonResponse({"result": result})
