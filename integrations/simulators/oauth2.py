"""An OAuth2 client-credentials token endpoint that a simulator serves alongside its own API.

    issuer = TokenIssuer("portal-client", "portal-secret", lifetime=3600)
    issuer.handle(request)          # POST /oauth2/token: 200 {"access_token", "token_type", ...}
    issuer.is_valid(token)          # what the simulated API checks a bearer token with
    issuer.revoke_tokens()          # every token issued so far is refused from now on

Client credentials are read from the form (client_secret_post, as Azure AD and Salesforce are
usually called) or from HTTP Basic (client_secret_basic). Wrong ones get 401 invalid_client, as
Azure AD answers; a grant other than client_credentials gets 400 unsupported_grant_type.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote

from integrations.simulators.base import RecordedRequest, Response

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret


class TokenIssuer:
    def __init__(self, client_id: str, client_secret: str, *, lifetime: float = 3600) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}  # token -> expiry, time.monotonic()
        self._issued = 0
        self._refused = 0

    @property
    def issued(self) -> int:
        """How many tokens were handed out: one for many deliveries when clients cache them."""
        with self._lock:
            return self._issued

    @property
    def refused(self) -> int:
        """How many token requests were refused (wrong credentials, bad grant)."""
        with self._lock:
            return self._refused

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def bearer_is_valid(self, headers: Mapping[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.is_valid(token.strip())

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far, as if they had expired or been revoked."""
        with self._lock:
            self._tokens.clear()

    def handle(self, request: RecordedRequest) -> Response:
        if request.method != "POST":
            return Response.json(
                {"error": "invalid_request", "error_description": "use POST"},
                status=405,
                headers={"Allow": "POST"},
            )
        form = {
            name: values[0]
            for name, values in parse_qs(request.body.decode("utf-8", "replace")).items()
        }
        client_id, client_secret = _basic_credentials(request.headers) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        if not (
            hmac.compare_digest(client_id.encode(), self.client_id.encode())
            and hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        ):
            return self._refuse(
                401, "invalid_client", "The client id or secret is not valid for this tenant."
            )
        if form.get("grant_type") != "client_credentials":
            return self._refuse(
                400, "unsupported_grant_type", "Only client_credentials is supported."
            )
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.lifetime
            self._issued += 1
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(1, round(self.lifetime)),
        }
        if form.get("scope"):
            answer["scope"] = form["scope"]
        return Response.json(answer, headers={"Cache-Control": "no-store"})

    def _refuse(self, status: int, error: str, description: str) -> Response:
        with self._lock:
            self._refused += 1
        return Response.json({"error": error, "error_description": description}, status=status)


def _basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        pair = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, client_secret = pair.partition(":")
    # RFC 6749 section 2.3.1: both are form-urlencoded before being joined.
    return unquote(client_id), unquote(client_secret)
