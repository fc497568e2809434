"""A JSON webhook: each submission is POSTed as JSON to an address the council's system serves.

The request carries, besides any authentication:
    Idempotency-Key       the delivery's key; the receiver must answer a repeat with the record
                          it made the first time (200/201, or 409 naming it), never a second one
    X-Portal-Timestamp    Unix seconds when it was signed
    X-Portal-Signature    sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the signing secret>

The answer must be 2xx with the new record's reference in its JSON (the `reference_field` path,
"id" by default); a 409 naming the record is a replay of one we already made. 408, 425, 429, 5xx
and every lost connection are worth retrying; any other answer is not.
With OAuth2 client credentials the bearer token comes from integrations.oauth2: cached by the
worker, and fetched afresh (once) when the receiver answers 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
from django.core.serializers.json import DjangoJSONEncoder

from integrations.base import (
    Adapter,
    PermanentError,
    Progress,
)
from integrations.http import client, error_for, excerpt_of, send_errors
from integrations.oauth2 import TokenSource, bearer, send_with_token
from integrations.registry import registry
from integrations.webhook import config as options
from integrations.webhook.config import WebhookConfig

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200  # what a delivery can store


@registry.register
class WebhookAdapter(Adapter):
    id = "webhook"
    name = "JSON webhook"
    config_serializer = WebhookConfig
    target_fields = ()
    accepts_any_fields = True

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        try:
            body = json.dumps(
                payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
            ).encode()
        except (TypeError, ValueError) as exc:
            # The message names the type only: the value may be personal.
            raise PermanentError(
                f"The payload cannot be written as JSON: {exc.__class__.__name__}"
            ) from None
        response = self._send("POST", self.config["url"], body, idempotency_key)
        status = response.status_code

        if 200 <= status < 300 or status == 409:
            reference = _reference(response, self._reference_field)
            if reference is not None:
                logger.info(
                    "webhook delivered", extra={"status": status, "host": response.request.url.host}
                )
                return reference
            if status == 409:
                raise PermanentError(
                    "The back office reported a conflict without naming the existing record "
                    f"(no '{self._reference_field}' in its answer)",
                    status_code=status,
                    excerpt=excerpt_of(response, payload),
                )
            raise PermanentError(
                f"The back office answered {status} without a reference at "
                f"'{self._reference_field}', so the record cannot be confirmed",
                status_code=status,
                excerpt=excerpt_of(response, payload),
            )
        raise error_for(response, payload)

    def check_connection(self) -> None:
        health_url = self.config.get("health_url")
        if health_url:
            response = self._send("GET", health_url, b"", None)
        else:
            response = self._send("OPTIONS", self.config["url"], b"", None)
            if response.status_code in (405, 501):
                return  # it answered, with our credentials, and just has nothing to say to OPTIONS
        if not 200 <= response.status_code < 300:
            raise error_for(response, {})

    # --- The request -----------------------------------------------------------------------------

    @property
    def _reference_field(self) -> str:
        return str(self.config.get("reference_field") or options.DEFAULT_REFERENCE_FIELD)

    def _send(
        self, method: str, url: str, body: bytes, idempotency_key: str | None
    ) -> httpx.Response:
        headers = self._signature_headers(body)
        if body:
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        timeout = self._timeout()

        def request(auth: dict[str, str]) -> httpx.Response:
            return client().request(
                method, url, content=body, headers={**auth, **headers}, timeout=timeout
            )

        with send_errors():
            tokens = self._token_source()
            if tokens is not None:
                return send_with_token(tokens, lambda token: request(bearer(token)))
            return request(self._auth_headers())

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            float(self.config.get("read_timeout") or options.DEFAULT_READ_TIMEOUT),
            connect=float(self.config.get("connect_timeout") or options.DEFAULT_CONNECT_TIMEOUT),
        )

    def _token_source(self) -> TokenSource | None:
        if self.config.get("auth_type") != options.AUTH_OAUTH2:
            return None
        return TokenSource(
            str(self.config["token_url"]),
            str(self.config["client_id"]),
            str(self.config["client_secret"]),
            scope=self.config.get("scope") or None,
            timeout=self._timeout(),
        )

    def _signature_headers(self, body: bytes) -> dict[str, str]:
        timestamp = str(int(time.time()))
        return {
            "X-Portal-Timestamp": timestamp,
            "X-Portal-Signature": "sha256="
            + sign(str(self.config["signing_secret"]).encode(), timestamp, body),
        }

    def _auth_headers(self) -> dict[str, str]:
        auth_type = self.config.get("auth_type") or options.AUTH_NONE
        if auth_type == options.AUTH_API_KEY:
            header = self.config.get("api_key_header") or options.DEFAULT_API_KEY_HEADER
            return {header: str(self.config["api_key"])}
        if auth_type == options.AUTH_BEARER:
            return {"Authorization": f"Bearer {self.config['token']}"}
        if auth_type == options.AUTH_BASIC:
            pair = f"{self.config['username']}:{self.config['password']}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of '<timestamp>.<body>': what X-Portal-Signature carries after sha256=."""
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _reference(response: httpx.Response, path: str) -> str | None:
    try:
        value: Any = response.json()
    except ValueError:
        return None
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    reference = str(value).strip()
    return reference if 0 < len(reference) <= MAX_REFERENCE_LENGTH else None
