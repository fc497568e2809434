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

Files. The body's `files` lists every file of the case (each DeliveryFile in the payload, at the
top level or in a list), in payload order:
    {"id": "evidence", "name": "letter.pdf", "content_type": "application/pdf", "size": 48213,
     "sha256": "<hex of the bytes>", "url": "<signed link the receiver may GET it by>",
     "content": "<base64 of the bytes>"}
`content` is there only while the files inlined so far add up to no more than the connection's
`inline_files_max_bytes` (their own sizes, before base64 adds a third; 0, the default, inlines
none): each file, in order, goes inline if it still fits, so a large one does not keep the small
ones after it out. A receiver checks the bytes it got, inline or fetched, against `sha256`.
In the rest of the body a file is replaced by a reference into that list, {"file_id": "<id>"}
(a list of files by a list of them), so each file's bytes travel once. A payload field called
"files" may only hold files (they are in the list anyway); anything else there is refused.
The files ride in the one request, so the Idempotency-Key covers them too: a repeat is answered
with the first record and no file is taken twice.

Case updates. What the resident later says about the case (a reply, a reopening, "not fixed") is
an event POSTed to the same address, with the same signature and the update's Idempotency-Key:
    {"event": "case.update", "reference": "<the case's reference>",
     "update": {"id": "<update_id>", "kind": "reply", "text": "...", "sent_at": "<ISO 8601>"},
     "files": [<as above>]}
answered 2xx (or 409) with the update's id at `reference_field`, as a record is. A receiver that
does not know the case answers 404 or 422: refused, since no retry will make it known.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from django.core.serializers.json import DjangoJSONEncoder

from integrations.base import (
    Adapter,
    CaseUpdateOut,
    DeliveryFile,
    PermanentError,
    Progress,
    files_in,
)
from integrations.http import client, error_for, excerpt_of, send_errors
from integrations.oauth2 import TokenSource, bearer, send_with_token
from integrations.registry import registry
from integrations.webhook import config as options
from integrations.webhook.config import WebhookConfig

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200  # what a delivery can store
FILES = "files"  # the body's list of the case's files
UPDATE_EVENT = "case.update"


@registry.register
class WebhookAdapter(Adapter):
    id = "webhook"
    name = "JSON webhook"
    config_serializer = WebhookConfig
    target_fields = ()
    accepts_any_fields = True
    sends_updates = True

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        # One call makes the whole record, files included: no progress to keep between attempts
        # (the Idempotency-Key makes a repeat find the first record).
        sent = body_with_files(payload, int(self.config.get("inline_files_max_bytes") or 0))
        return self._post(sent, idempotency_key, "delivered")

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        # One call carries the update and its files, under the update's Idempotency-Key: a
        # repeat is answered with the first (the receiver must honour the key), so resend_update
        # is send_update. An update an earlier attempt confirmed is not sent again.
        if progress is not None and progress.reference:
            return progress.reference
        event = {
            "event": UPDATE_EVENT,
            "reference": reference,
            "update": {
                "id": update.update_id,
                "kind": update.kind,
                "text": update.text,
                "sent_at": update.sent_at,
            },
            FILES: list(update.files),
        }
        sent = body_with_files(event, int(self.config.get("inline_files_max_bytes") or 0))
        answer = self._post(sent, idempotency_key, "update sent")
        if progress is not None:
            progress.record_reference(answer)
            for upload in update.files:
                progress.record_file(upload)
        return answer

    def _post(self, sent: Body, idempotency_key: str, done: str) -> str:
        """POST `sent` with the key; the reference the receiver answers with."""
        try:
            body = json.dumps(
                sent.data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
            ).encode()
        except (TypeError, ValueError) as exc:
            # The message names the type only: the value may be personal.
            raise PermanentError(
                f"The payload cannot be written as JSON: {exc.__class__.__name__}"
            ) from None
        # What excerpts are redacted of: what was sent, the files' names and links included.
        shown = sent.without_contents()
        response = self._send("POST", self.config["url"], body, idempotency_key)
        status = response.status_code

        if 200 <= status < 300 or status == 409:
            reference = _reference(response, self._reference_field)
            if reference is not None:
                logger.info(
                    "webhook %s", done, extra={"status": status, "host": response.request.url.host}
                )
                return reference
            if status == 409:
                raise PermanentError(
                    "The back office reported a conflict without naming the existing record "
                    f"(no '{self._reference_field}' in its answer)",
                    status_code=status,
                    excerpt=excerpt_of(response, shown),
                )
            raise PermanentError(
                f"The back office answered {status} without a reference at "
                f"'{self._reference_field}', so the record cannot be confirmed",
                status_code=status,
                excerpt=excerpt_of(response, shown),
            )
        raise error_for(response, shown)

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


@dataclass(frozen=True)
class Body:
    """What one delivery POSTs: the JSON object, and the case's files as listed in it."""

    data: dict[str, Any]
    uploads: tuple[DeliveryFile, ...]
    inlined: frozenset[str]  # the ids of the files whose bytes are in the body

    def without_contents(self) -> dict[str, Any]:
        """The body without the files' bytes."""
        if FILES not in self.data:
            return self.data
        listed = [{k: v for k, v in f.items() if k != "content"} for f in self.data[FILES]]
        return {**self.data, FILES: listed}


def body_with_files(payload: Mapping[str, Any], inline_max_bytes: int) -> Body:
    """The body for `payload`: its files listed under "files", with a signed link each and,
    while their sizes add up to no more than `inline_max_bytes`, their bytes as base64; in
    their own fields, references into that list."""
    data: dict[str, Any] = {}
    for name, value in payload.items():
        if name != FILES:
            data[name] = _referenced(value)
        elif not _only_files(value):
            raise PermanentError(
                f"Field {FILES!r} is where the webhook lists the case's files; map this value "
                "onto another field"
            )
    uploads = tuple(files_in(payload))
    listed: list[dict[str, Any]] = []
    inlined: set[str] = set()
    room = inline_max_bytes
    for upload in uploads:
        entry = {"id": upload.id, **upload.describe(), "url": upload.signed_url()}
        if inline_max_bytes and upload.size <= room:
            entry["content"] = base64.b64encode(upload.read()).decode("ascii")
            inlined.add(upload.id)
            room -= upload.size
        listed.append(entry)
    if listed:
        data[FILES] = listed
    return Body(data, uploads, frozenset(inlined))


def _referenced(value: Any) -> Any:
    """`value` with each file in it replaced by a reference into the body's files list."""
    if isinstance(value, DeliveryFile):
        return {"file_id": value.id}
    if isinstance(value, list):
        return [_referenced(item) for item in value]
    return value


def _only_files(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(item is None or isinstance(item, DeliveryFile) for item in items)


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
