"""POST /callbacks/<connection slug>/: a back office tells us a case's status changed.

Auth (portal/callbacks/auth.py): HMAC signature with a timestamp, or a bearer token, with the
connection's callback secret. Body (portal/callbacks/parsing.py): one update or a list.

    200  {"received", "applied", "duplicates", "ignored", "unknown_reference"}: recorded; an
         update id seen before is counted as a duplicate and changes nothing (so retrying is safe)
    400  {"error": "..."}: not JSON, a field missing or wrong, a bad date, larger than 256 KB
    401  {"error": "..."}: no or wrong signature or token, a stale timestamp, no secret set
    404  {"error": "..."}: no connection with that slug
    422  {"error": "...", "unknown_references": [...]}: a reference we never sent this connection
    429  {"error": "..."} with Retry-After: over the connection's calls per minute (counted
         only once authenticated), or too many calls that failed authentication from this
         source address (counted apart, so forged calls never cost the real back office)

Anything refused changes nothing (a batch is all or nothing up to applying it) and is logged
with the connection and the reason, never the body: it may name residents.
No session, no CSRF token: the caller is a system proving itself with the secret.
"""

from __future__ import annotations

import structlog
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.callbacks.auth import auth_problem
from portal.callbacks.parsing import MAX_BODY_BYTES, Malformed, parse_updates
from portal.core import ratelimit
from services.models import CaseUpdate, Connection
from services.updates.apply import apply_updates, submissions_by_reference

logger = structlog.get_logger(__name__)

DEFAULT_CALLBACKS_PER_MINUTE = 600
# Calls that fail authentication, per source address: a back office whose secret was rotated
# gets a few minutes of 401s before 429s, a forger is slowed to this pace.
FAILED_AUTH_PER_CLIENT = ratelimit.Limit("callbacks:failed-auth", "30/m")
UNKNOWN_REFERENCES_SHOWN = 20


def _refuse(
    status: int, reason: str, slug: str, *, headers: dict[str, str] | None = None, **extra: object
) -> JsonResponse:
    logger.warning("callback refused", connection=slug[:100], status=status, reason=reason)
    return JsonResponse({"error": reason, **extra}, status=status, headers=headers)


def _calls_per_minute() -> ratelimit.Limit:
    limit = int(getattr(settings, "CALLBACKS_PER_MINUTE", DEFAULT_CALLBACKS_PER_MINUTE))
    return ratelimit.Limit("callbacks:connection", f"{limit}/m")


def _too_many(refused: ratelimit.Refused, slug: str) -> JsonResponse:
    return _refuse(
        429,
        "too many calls: try again shortly",
        slug,
        headers={"Retry-After": str(refused.retry_after)},
    )


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
    # Failed authentication (and guessing at connection names) is counted per source address,
    # apart from the connection's own calls: a flood of forged calls is refused where it comes
    # from, before any work, and never uses up the limit of the back office that signs its calls.
    refused = ratelimit.peek(request, FAILED_AUTH_PER_CLIENT, ratelimit.CLIENT)
    if refused is not None:
        return _too_many(refused, slug)
    connection = Connection.objects.filter(slug=slug).first()
    if connection is None:
        ratelimit.use(request, FAILED_AUTH_PER_CLIENT, ratelimit.CLIENT)
        return _refuse(404, "there is no connection with this name", slug)
    body = _read_body(request)
    if body is None:
        return _refuse(400, f"the body is larger than {MAX_BODY_BYTES // 1024} KB", slug)
    problem = auth_problem(connection, request, body)
    if problem is not None:
        ratelimit.use(request, FAILED_AUTH_PER_CLIENT, ratelimit.CLIENT)
        return _refuse(401, problem, slug)
    refused = ratelimit.use(request, _calls_per_minute(), str(connection.pk))
    if refused is not None:
        return _too_many(refused, slug)
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
