"""Proving a callback comes from the back office: an HMAC signature with a timestamp, or a token.

HMAC (the default): the back office sends
    X-Timestamp: <Unix seconds>
    X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret>
and a timestamp more than five minutes from our clock is refused, so a captured request cannot be
replayed later (a replay within the window repeats update ids, which change nothing).

Bearer: `Authorization: Bearer <secret>`, for systems that cannot sign.

Every comparison is constant-time, on bytes (a header with odd characters is just wrong).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.http import HttpRequest

from services.models import Connection

MAX_SKEW_SECONDS = 300
SIGNATURE_PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What X-Signature carries: sha256=<hex HMAC-SHA256 of '<timestamp>.<body>'>."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def auth_problem(connection: Connection, request: HttpRequest, body: bytes) -> str | None:
    """Why the request is not from the back office (short, for the log), or None if it is."""
    secret = connection.callback_secret or ""
    if not secret:
        return "callbacks are not set up for this connection"
    if connection.callback_auth == Connection.CallbackAuth.BEARER:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "missing bearer token"
        return None if _same(token.strip(), secret) else "wrong bearer token"
    timestamp = request.headers.get("X-Timestamp", "").strip()
    given = request.headers.get("X-Signature", "").strip()
    if not timestamp or not given:
        return "missing X-Timestamp or X-Signature"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "X-Timestamp is not Unix seconds"
    if abs(time.time() - sent_at) > MAX_SKEW_SECONDS:
        return "X-Timestamp is more than five minutes from now"
    return None if _same(given, signature(secret, timestamp, body)) else "wrong signature"
