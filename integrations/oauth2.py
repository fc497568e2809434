"""OAuth2 client credentials (RFC 6749 section 4.4): bearer tokens for adapters, cached per process.

    source = TokenSource(token_url, client_id, client_secret, scope="https://org.crm11.dynamics.com/.default")
    response = send_with_token(source, lambda token: client().get(url, headers=bearer(token)))

A token is fetched once and shared by every delivery in the worker process until shortly before
it expires, so a burst of submissions costs one token request, not one each. A back office that
answers 401 (the token was revoked, or its clock disagrees with ours) gets one fresh token and one
more try; a second 401 is the caller's to map, usually to a permanent error.

The token endpoint's own answers: refused credentials (401, or 400 invalid_client) and other
refusals are permanent, because retrying with the same options cannot help; 408, 429, 5xx and lost
connections are transient.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.base import DeliveryError, PermanentError, TransientError
from integrations.http import (
    TRANSIENT_STATUSES,
    client,
    excerpt_of,
    retry_after_seconds,
    send_errors,
)

logger = logging.getLogger(__name__)

# A token is renewed this long before the expiry its endpoint gave, so that it never expires
# between being read from the cache and reaching the back office; at most a tenth of its lifetime,
# so very short-lived tokens are still reused.
SAFETY_MARGIN = 60.0
# RFC 6749 only recommends expires_in; without one a token is kept this long (a 401 renews it).
DEFAULT_LIFETIME = 300.0
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

# RFC 6749 error codes that mean the client's own credentials were refused.
_CREDENTIAL_ERRORS = frozenset({"invalid_client", "unauthorized_client"})
_ERROR_CODE = re.compile(r"^[\x20-\x7e]{1,64}$")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float  # time.monotonic()


_Key = tuple[str, str, str, str, str]


class _Cache:
    """Tokens by connection, and one lock per connection so a cold cache costs one request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[_Key, _Token] = {}
        self.fetching: dict[_Key, threading.Lock] = {}

    def lock_for(self, key: _Key) -> threading.Lock:
        with self.lock:
            return self.fetching.setdefault(key, threading.Lock())


_cache = _Cache()


def _forget_after_fork() -> None:
    # Celery's prefork pool forks after import. A lock another thread held at the fork would stay
    # held for ever in the child, so the child starts with a new cache and fetches its own token.
    global _cache
    _cache = _Cache()


os.register_at_fork(after_in_child=_forget_after_fork)


def clear_cache() -> None:
    """Forget every cached token in this process (tests; a connection's options changed)."""
    with _cache.lock:
        _cache.tokens.clear()


class TokenSource:
    """Bearer tokens for one set of client credentials, from the process-wide cache."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        audience: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope or None
        self.audience = audience or None
        self.timeout = timeout
        # The secret is part of the key (as a digest) so that a connection whose secret was
        # changed, or is wrong, never borrows a token another connection fetched with the right one.
        digest = hashlib.sha256(client_secret.encode()).hexdigest()
        self._key: _Key = (token_url, client_id, self.scope or "", self.audience or "", digest)

    def token(self) -> str:
        """A token valid for a while yet: from the cache, or fetched (DeliveryError if not)."""
        cached = _cache.tokens.get(self._key)
        if cached is not None and time.monotonic() < cached.renew_at:
            return cached.value
        with _cache.lock_for(self._key):
            # Another thread may have fetched it while this one waited for the lock.
            cached = _cache.tokens.get(self._key)
            if cached is not None and time.monotonic() < cached.renew_at:
                return cached.value
            fetched = self._fetch()
            _cache.tokens[self._key] = fetched
            return fetched.value

    def invalidate(self, token: str | None = None) -> None:
        """Drop the cached token; with `token`, only if it is still that one.

        Many threads may be refused the same expired token at once: only the first drop counts,
        and the others then use the token it fetched instead of fetching one each.
        """
        with _cache.lock:
            cached = _cache.tokens.get(self._key)
            if cached is not None and (token is None or cached.value == token):
                del _cache.tokens[self._key]

    def _fetch(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        started = time.monotonic()
        with send_errors("the token endpoint"):
            response = client().post(
                self.token_url,
                data=form,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        if response.status_code != 200:
            raise self._error_for(response)
        token = self._token_from(response, started)
        logger.info("oauth2 token fetched", extra={"host": response.request.url.host})
        return token

    def _token_from(self, response: httpx.Response, started: float) -> _Token:
        try:
            answer: Any = response.json()
        except ValueError:
            answer = None
        value = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(value, str) or not value:
            raise PermanentError(
                "The token endpoint answered without an access_token: check the token address",
                status_code=response.status_code,
                excerpt=self._excerpt(response),
            )
        token_type = answer.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise PermanentError(
                f"The token endpoint issued a {str(token_type)[:30]!r} token; only bearer "
                "tokens are supported",
                status_code=response.status_code,
            )
        lifetime = _seconds(answer.get("expires_in"))
        # Counted from when the request was sent: the endpoint's clock started before ours stopped.
        return _Token(value, started + lifetime - min(SAFETY_MARGIN, lifetime / 10))

    def _error_for(self, response: httpx.Response) -> DeliveryError:
        status = response.status_code
        excerpt = self._excerpt(response)
        if status in TRANSIENT_STATUSES or status >= 500:
            return TransientError(
                f"The token endpoint answered {status}; trying again later",
                status_code=status,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                excerpt=excerpt,
            )
        code = _oauth_error_code(response)
        if status in (401, 403) or code in _CREDENTIAL_ERRORS:
            return PermanentError(
                f"The back office refused the client credentials ({status}"
                f"{' ' + code if code else ''}): check the client id and secret",
                status_code=status,
                excerpt=excerpt,
            )
        if code == "invalid_scope":
            return PermanentError(
                f"The token endpoint refused the scope ({status} invalid_scope): check the scope",
                status_code=status,
                excerpt=excerpt,
            )
        return PermanentError(
            f"The token endpoint refused the request ({status}{' ' + code if code else ''}): "
            "check the token address and options",
            status_code=status,
            excerpt=excerpt,
        )

    def _excerpt(self, response: httpx.Response) -> str:
        # Some endpoints echo what they were sent; the secret must never reach an attempt.
        return excerpt_of(response, {"client_secret": self.client_secret})


def send_with_token(source: TokenSource, send: Callable[[str], httpx.Response]) -> httpx.Response:
    """`send(token)`; after a 401, once more with a fresh token. Returns the last response.

    A 401 means the request was refused before being acted on, so sending it again is safe.
    """
    token = source.token()
    response = send(token)
    if response.status_code != 401:
        return response
    logger.info("oauth2 token refused; fetching a new one", extra={"status": 401})
    source.invalidate(token)
    return send(source.token())


def _seconds(value: Any) -> float:
    # Some endpoints (Azure AD v1) send expires_in as a string.
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return seconds if seconds > 0 else DEFAULT_LIFETIME


def _oauth_error_code(response: httpx.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        return ""
    code = answer.get("error") if isinstance(answer, dict) else None
    return code if isinstance(code, str) and _ERROR_CODE.match(code) else ""
