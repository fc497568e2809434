"""What every HTTP adapter needs: a pooled client, error mapping, Retry-After, safe excerpts.

Adapters that speak HTTP (webhook, Open311, CRM, OAuth2 token endpoints) share these so that the
same answer means the same thing everywhere: 408, 425, 429 and 5xx are worth retrying, 401/403 are
refused credentials, other 4xx are refusals; and no excerpt ever carries what we sent.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.core.serializers.json import DjangoJSONEncoder

from integrations.base import (
    EXCERPT_LENGTH,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    TransientError,
)

TRANSIENT_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "MyCouncil-Portal/1"
# Answers are read in full for the reference; a body this long is redacted and cut for the excerpt.
_EXCERPT_SOURCE_LENGTH = 64 * 1024
# Payload values shorter than this are not redacted from excerpts ("1", "no"): too common to mean
# anything and would blank out status words.
_MIN_REDACTED_LENGTH = 3
_REDACTED = "[redacted]"


def error_for(response: httpx.Response, payload: Mapping[str, Any]) -> DeliveryError:
    """The DeliveryError an unsuccessful HTTP answer means, with a redacted excerpt."""
    status = response.status_code
    excerpt = excerpt_of(response, payload)
    if status in TRANSIENT_STATUSES or status >= 500:
        return TransientError(
            f"The back office answered {status}; trying again later",
            status_code=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            excerpt=excerpt,
        )
    if status in (401, 403):
        return PermanentError(
            f"The back office refused the credentials ({status}): check the connection's "
            "authentication and signing secret",
            status_code=status,
            excerpt=excerpt,
        )
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return PermanentError(
            f"The back office redirected the request ({status}) to {location[:100]!r}; "
            "update the connection's address",
            status_code=status,
            excerpt=excerpt,
        )
    return PermanentError(
        f"The back office refused the submission ({status})",
        status_code=status,
        excerpt=excerpt,
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # RFC 9110 dates are always GMT
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def excerpt_of(response: httpx.Response, payload: Mapping[str, Any]) -> str:
    """The status and the start of the answer, with anything we sent blanked out.

    Receivers often echo what they were sent in their errors ("'Jo Bloggs' is not valid"); an
    excerpt is kept on the attempt and shown to staff, so it must hold none of the payload.
    """
    text = response.content[:_EXCERPT_SOURCE_LENGTH].decode("utf-8", errors="replace")
    return f"{response.status_code} {redacted(text, payload)}"[:EXCERPT_LENGTH]


def redacted(text: str, payload: Mapping[str, Any]) -> str:
    """`text` with every value in `payload` blanked out and its whitespace collapsed."""
    for value in sorted(_redactable(payload), key=len, reverse=True):
        text = text.replace(value, _REDACTED)
    return " ".join(text.split())


def _redactable(value: Any) -> Iterator[str]:
    if isinstance(value, DeliveryFile):
        # Its name is the resident's; a back office's error may echo it.
        yield from _redactable(value.name)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _redactable(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _redactable(item)
    elif value is not None and not isinstance(value, bool):
        text = value if isinstance(value, str) else json.dumps(value, cls=DjangoJSONEncoder)
        text = text.strip('"')
        if len(text) >= _MIN_REDACTED_LENGTH:
            yield text
            escaped = json.dumps(text)[1:-1]  # as it appears inside a JSON answer
            if escaped != text:
                yield escaped


@contextmanager
def send_errors(peer: str | None = None) -> Iterator[None]:
    """Around a request: httpx's failures to get an answer as DeliveryErrors, naming `peer` when
    it is not the back office itself (e.g. "the token endpoint").

    No answer in time, or a connection refused, reset or dropped, is transient: the other side
    may have committed before it went quiet, which is what idempotency keys are for. A request
    that cannot be sent at all (a bad URL, say) is permanent: only a change of configuration
    helps. Errors raised inside the block that are not httpx's pass through unchanged.
    """
    started = time.monotonic()
    try:
        yield
    except httpx.TimeoutException as exc:
        raise TransientError(
            f"No answer{f' from {peer}' if peer else ''} within the {timeout_kind(exc)} "
            f"timeout ({time.monotonic() - started:.1f} s)"
        ) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
        connection = f"Connection to {peer}" if peer else "Connection"
        raise TransientError(f"{connection} failed: {exc.__class__.__name__}: {exc}") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        request = f"The request to {peer}" if peer else "The request"
        raise PermanentError(f"{request} could not be sent: {exc}") from exc


def timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect"
    if isinstance(exc, httpx.PoolTimeout):
        return "pool"
    if isinstance(exc, httpx.WriteTimeout):
        return "write"
    return "read"


# One connection pool per process, shared by every HTTP connection: a worker delivering in a
# burst reuses its TLS connections instead of a handshake per submission. Keyed by pid because a
# pool must never cross a fork (Celery's prefork pool forks after import).
_clients: dict[int, httpx.Client] = {}
_clients_lock = threading.Lock()


def client() -> httpx.Client:
    pid = os.getpid()
    client = _clients.get(pid)
    if client is None:
        with _clients_lock:
            client = _clients.get(pid)
            if client is None:
                _clients.clear()
                client = _clients[pid] = httpx.Client(
                    headers={"User-Agent": USER_AGENT}, follow_redirects=False
                )
    return client
