"""POST /callbacks/<connection slug>/: a back office tells us a case's status changed.

Auth (portal/callbacks/auth.py): HMAC signature with a timestamp, or a bearer token, with the
connection's callback secret. Body (portal/callbacks/parsing.py): one update or a list.

    200  {"received", "applied", "duplicates", "ignored", "unknown_reference"}: recorded; an
         update id seen before is counted as a duplicate and changes nothing (so retrying is safe)
    400  {"error": "..."}: not JSON, a field missing or wrong, a bad date, larger than 256 KB
    401  {"error": "..."}: no or wrong signature or token, a stale timestamp, no secret set
    404  {"error": "..."}: no connection with that slug
    422  {"error": "...", "unknown_references": [...]}: a reference we never sent this connection
    429  {"error": "..."} with Retry-After: over the connection's calls per minute

Anything refused changes nothing (a batch is all or nothing up to applying it) and is logged
with the connection and the reason, never the body: it may name residents.
No session, no CSRF token: the caller is a system proving itself with the secret.
"""

from __future__ import annotations

import time

import structlog
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.callbacks.auth import auth_problem
from portal.callbacks.parsing import MAX_BODY_BYTES, Malformed, parse_updates
from services.models import CaseUpdate, Connection
from services.updates.apply import apply_updates, submissions_by_reference

logger = structlog.get_logger(__name__)

DEFAULT_CALLBACKS_PER_MINUTE = 600
UNKNOWN_REFERENCES_SHOWN = 20


def _refuse(
    status: int, reason: str, slug: str, *, headers: dict[str, str] | None = None, **extra: object
) -> JsonResponse:
    logger.warning("callback refused", connection=slug[:100], status=status, reason=reason)
    return JsonResponse({"error": reason, **extra}, status=status, headers=headers)


def _over_rate_limit(connection: Connection) -> int | None:
    """Seconds until the next minute if this connection is over its calls per minute, else None.

    Counted before authentication, so a flood of forged calls costs one cache increment each and
    never a database write; the price is that such a flood can delay the real back office, whose
    retries (or polling) bring the updates later.
    """
    limit = int(getattr(settings, "CALLBACKS_PER_MINUTE", DEFAULT_CALLBACKS_PER_MINUTE))
    now = time.time()
    key = f"callbacks:{connection.pk}:{int(now // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    if count > limit:
        return max(1, 60 - int(now % 60))
    return None


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None if it is larger than allowed (read no more than one byte over)."""
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
def receive(request: HttpRequest, slug: str) -> JsonResponse:
    connection = Connection.objects.filter(slug=slug).first()
    if connection is None:
        return _refuse(404, "there is no connection with this name", slug)
    wait = _over_rate_limit(connection)
    if wait is not None:
        return _refuse(
            429, "too many calls: try again shortly", slug, headers={"Retry-After": str(wait)}
        )
    body = _read_body(request)
    if body is None:
        return _refuse(400, f"the body is larger than {MAX_BODY_BYTES // 1024} KB", slug)
    problem = auth_problem(connection, request, body)
    if problem is not None:
        return _refuse(401, problem, slug)
    try:
        updates = parse_updates(body)
    except Malformed as error:
        return _refuse(400, str(error), slug)
    known = submissions_by_reference(connection, (u.external_reference for u in updates))
    unknown = sorted({u.external_reference for u in updates} - set(known))
    if unknown:
        return _refuse(
            422,
            "no case was sent to this connection with these references; nothing was recorded",
            slug,
            unknown_references=unknown[:UNKNOWN_REFERENCES_SHOWN],
        )
    result = apply_updates(connection, updates, source=CaseUpdate.Source.CALLBACK)
    logger.info("callback received", connection=connection.slug, **result.as_dict())
    return JsonResponse(result.as_dict())
