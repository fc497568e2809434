"""A back office that receives the portal's JSON webhook, as a council's case system would.

    POST /records          (the path is configurable) a JSON object; answers 201 {"id": "WH-000001",
                           ...}. The same Idempotency-Key again answers 200 with the SAME record
                           (or 409 naming it, with replay_status=409) and never makes a second.
    OPTIONS /records       204 with Allow, after the credentials are checked (connection tests)
    POST /oauth2/token     with oauth2=(client id, secret): a client-credentials token endpoint
                           (see simulators.oauth2); records then need one of its bearer tokens,
                           and `oauth2_issuer.revoke_tokens()` makes the next request a 401

It checks X-Portal-Signature (sha256=HMAC of "<X-Portal-Timestamp>.<body>" with its secret) and
that the timestamp is within five minutes, and the credentials it was given if any: 401 if not.
A body that is not a JSON object is a 400; a record missing one of `required_fields` a 422 that
echoes what it received, as many real systems do.

Files. The body's `files` list (integrations.webhook.adapter) is taken as a receiver of our
contract would: a file with `content` is decoded and checked against its `sha256` (a 422 if it
is not base64 or not those bytes: nothing is kept); a file without is fetched once from its
`url`, in the background, as the record is made (`fetch_files=False`: its link is kept only).
Each record's `files` says what came of each (simulators.received_files: the bytes' SHA-256,
size, name and type); its `data` keeps the list without the base64, which `files` accounts for.
A repeated Idempotency-Key receives no file again.

Case updates. A body {"event": "case.update", "reference": "WH-000001", "update": {...},
"files": [...]} is what the resident said later about record WH-000001: it becomes an update on
that record (201 {"id": "WHU-000001", ...}; 404 if there is no such record, 422 without an
update object), its files taken as a record's are, and a repeated Idempotency-Key answers the
update already made. `updates` lists them, `update_count_for(key)` counts them.

For tests and the fault-injection suite, in Python: `records`, `records_by_key`, `count_for(key)`,
`replays`, `wait_for_files()` (until every fetch started is done); over HTTP, for other
processes (neither recorded nor subject to faults):
    GET /_records[?key=K]  {"count": n, "replays": r, "records": [...], "updates": [...]}
    DELETE /_records       forget every record and update
    GET/POST/DELETE /_faults   see the base Simulator

Standalone:
    python -m integrations.simulators.webhook --port 8102 --secret S [--no-fetch-files] \\
        [--error-rate 0.3 --reset-rate 0.05 --drop-rate 0.05 --slow-rate 0.02 --latency 0.05]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import hmac
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from integrations.simulators.base import (
    RecordedRequest,
    Response,
    Simulator,
    add_fault_arguments,
    apply_fault_arguments,
)
from integrations.simulators.oauth2 import TOKEN_PATH, TokenIssuer
from integrations.simulators.received_files import LinkFetcher, linked, received

DEFAULT_SECRET = "simulator-signing-secret"  # noqa: S105 - a demo's, known to all
DEFAULT_PATH = "/records"
UPDATE_EVENT = "case.update"
MAX_SKEW = 300  # seconds either side of now that a signature's timestamp may be


class WebhookSimulator(Simulator):
    name = "webhook-simulator"

    def __init__(
        self,
        secret: str | None = DEFAULT_SECRET,
        *,
        path: str = DEFAULT_PATH,
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        bearer_token: str | None = None,
        basic: tuple[str, str] | None = None,
        oauth2: tuple[str, str] | None = None,
        token_lifetime: float = 3600,
        required_fields: Iterable[str] = (),
        replay_status: int = 200,
        max_skew: int = MAX_SKEW,
        fetch_files: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
    ) -> None:
        """`secret` None accepts unsigned requests; at most one kind of credentials is expected."""
        super().__init__(host=host, port=port, seed=seed)
        self.secret = secret
        self.path = path
        self.api_key, self.api_key_header = api_key, api_key_header
        self.bearer_token = bearer_token
        self.basic = basic
        self.oauth2_issuer = (
            TokenIssuer(*oauth2, lifetime=token_lifetime) if oauth2 is not None else None
        )
        self.required_fields = tuple(required_fields)
        self.replay_status = replay_status
        self.max_skew = max_skew
        self.fetch_files = fetch_files
        self._store_lock = threading.Lock()
        self._fetcher = LinkFetcher(self._store_lock)
        self._records: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._replays = 0

    @property
    def records_url(self) -> str:
        """The address to configure on a webhook connection."""
        return f"{self.url}{self.path}"

    @property
    def token_url(self) -> str:
        """With oauth2: the token endpoint's address."""
        return f"{self.url}{TOKEN_PATH}"

    # --- What tests look at ----------------------------------------------------------------------

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record made, oldest first: {"id", "idempotency_key", "received_at", "data",
        "files"}."""
        with self._store_lock:
            return copy.deepcopy(self._records)

    @property
    def records_by_key(self) -> dict[str, dict[str, Any]]:
        with self._store_lock:
            return copy.deepcopy(self._by_key)

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every case update received, oldest first: {"id", "idempotency_key", "reference",
        "received_at", "data", "files"}."""
        with self._store_lock:
            return copy.deepcopy(self._updates)

    def update_count_for(self, idempotency_key: str) -> int:
        """How many updates carry this key: 1 when sending worked, never 2."""
        with self._store_lock:
            return sum(1 for u in self._updates if u["idempotency_key"] == idempotency_key)

    def count_for(self, idempotency_key: str) -> int:
        """How many records carry this key: 1 when delivery worked, never 2."""
        with self._store_lock:
            return sum(1 for r in self._records if r["idempotency_key"] == idempotency_key)

    def wait_for_files(self, timeout: float = 15.0) -> None:
        """Return once every file fetch started so far is done; TimeoutError if one is not."""
        if not self._fetcher.wait(timeout):
            raise TimeoutError(f"file fetches still running after {timeout} s")

    def stop(self) -> None:
        super().stop()
        self._fetcher.stop()

    @property
    def replays(self) -> int:
        """How many requests repeated a key and were answered with the record already made."""
        with self._store_lock:
            return self._replays

    def clear_records(self) -> None:
        with self._store_lock:
            self._records.clear()
            self._by_key.clear()
            self._updates.clear()
            self._replays = 0

    def reset(self) -> None:
        super().reset()
        self.clear_records()

    # --- The system ------------------------------------------------------------------------------

    def authorise(self, request: RecordedRequest) -> Response | None:
        if self.oauth2_issuer is not None and request.path == TOKEN_PATH:
            return None  # the token endpoint checks the client's credentials itself
        if not self._credentials_ok(request.headers):
            return self.unauthorised(request)
        if request.method == "POST" and self.secret is not None:
            problem = self._signature_problem(request, self.secret)
            if problem:
                return Response.json({"error": problem}, status=401)
        return None

    def handle(self, request: RecordedRequest) -> Response:
        if self.oauth2_issuer is not None and request.path == TOKEN_PATH:
            return self.oauth2_issuer.handle(request)
        if request.path != self.path:
            return Response.json({"error": "not found"}, status=404)
        if request.method == "OPTIONS":
            return Response(204, headers={"Allow": "POST, OPTIONS"})
        if request.method != "POST":
            allow = {"Allow": "POST, OPTIONS"}
            return Response.json({"error": "method not allowed"}, status=405, headers=allow)
        try:
            data = request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return Response.json({"error": "the body must be a JSON object"}, status=400)
        missing = [name for name in self.required_fields if data.get(name) in (None, "")]
        if missing:
            return Response.json(
                {"error": "missing required fields", "missing": missing, "received": data},
                status=422,
            )
        files = _received_files(data.get("files"))
        if isinstance(files, Response):
            return files
        if files:
            data["files"] = [_without_content(f) for f in data["files"]]
        if data.get("event") == UPDATE_EVENT:
            return self._store_update(request.headers.get("idempotency-key"), data, files)
        return self._store(request.headers.get("idempotency-key"), data, files)

    def _store_update(
        self, key: str | None, data: dict[str, Any], files: list[dict[str, Any]]
    ) -> Response:
        if not isinstance(data.get("update"), dict):
            return _unprocessable("a case.update needs an update object")
        with self._store_lock:
            if not any(r["id"] == data.get("reference") for r in self._records):
                return Response.json({"error": "no such record"}, status=404)
            existing = self._by_key.get(key) if key else None
            if existing is not None:
                self._replays += 1
                if self.replay_status == 409:
                    return Response.json(
                        {"error": "duplicate idempotency key", "id": existing["id"]}, status=409
                    )
                return Response.json(_summary(existing), status=self.replay_status)
            update = {
                "id": f"WHU-{len(self._updates) + 1:06d}",
                "idempotency_key": key,
                "reference": data["reference"],
                "received_at": datetime.now(UTC).isoformat(),
                "data": data,
                "files": files,
            }
            self._updates.append(update)
            if key:
                self._by_key[key] = update
            for entry in files:
                if entry["status"] == "pending" and self.fetch_files:
                    self._fetcher.fetch(entry)
            return Response.json(_summary(update), status=201)

    def _store(
        self, key: str | None, data: dict[str, Any], files: list[dict[str, Any]]
    ) -> Response:
        with self._store_lock:
            existing = self._by_key.get(key) if key else None
            if existing is not None:
                self._replays += 1
                if self.replay_status == 409:
                    return Response.json(
                        {"error": "duplicate idempotency key", "id": existing["id"]}, status=409
                    )
                return Response.json(_summary(existing), status=self.replay_status)
            record = {
                "id": f"WH-{len(self._records) + 1:06d}",
                "idempotency_key": key,
                "received_at": datetime.now(UTC).isoformat(),
                "data": data,
                "files": files,
            }
            self._records.append(record)
            if key:
                self._by_key[key] = record
            for entry in files:
                if entry["status"] == "pending" and self.fetch_files:
                    self._fetcher.fetch(entry)
            return Response.json(_summary(record), status=201)

    def _credentials_ok(self, headers: Mapping[str, str]) -> bool:
        if self.api_key is not None:
            given = headers.get(self.api_key_header.lower(), "")
            return hmac.compare_digest(given.encode(), self.api_key.encode())
        if self.oauth2_issuer is not None:
            return self.oauth2_issuer.bearer_is_valid(headers)
        if self.bearer_token is not None:
            expected = f"Bearer {self.bearer_token}"
            return hmac.compare_digest(headers.get("authorization", "").encode(), expected.encode())
        if self.basic is not None:
            scheme, _, encoded = headers.get("authorization", "").partition(" ")
            try:
                given = base64.b64decode(encoded, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = f"{self.basic[0]}:{self.basic[1]}"
            return scheme == "Basic" and hmac.compare_digest(given.encode(), expected.encode())
        return True

    def _signature_problem(self, request: RecordedRequest, secret: str) -> str | None:
        timestamp = request.headers.get("x-portal-timestamp", "")
        signature = request.headers.get("x-portal-signature", "")
        if not timestamp.isdigit():
            return "missing or malformed X-Portal-Timestamp"
        if abs(time.time() - int(timestamp)) > self.max_skew:
            return "X-Portal-Timestamp is too far from now"
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(signature.encode(), f"sha256={expected}".encode()):
            return "signature mismatch"
        return None

    # --- Control ---------------------------------------------------------------------------------

    def control(self, request: RecordedRequest) -> Response | None:
        if request.path != "/_records":
            return super().control(request)
        if request.method == "DELETE":
            self.clear_records()
            return Response(204)
        if request.method != "GET":
            return Response.json({"error": "use GET or DELETE"}, status=405)
        key = request.param("key")
        with self._store_lock:
            records = [r for r in self._records if key is None or r["idempotency_key"] == key]
            updates = [u for u in self._updates if key is None or u["idempotency_key"] == key]
            return Response.json(
                {
                    "count": len(records),
                    "replays": self._replays,
                    "records": records,
                    "updates": updates,
                }
            )


def _received_files(listed: Any) -> list[dict[str, Any]] | Response:
    """An entry for each file of a body's `files` list (inline ones decoded and checked), or the
    422 that refuses the body."""
    if listed is None:
        return []
    if not isinstance(listed, list):
        return _unprocessable("files must be a list")
    entries = []
    for number, item in enumerate(listed):
        where = f"files[{number}]"
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("name", "content_type", "sha256", "url")
        ):
            return _unprocessable(f"{where} needs name, content_type, sha256 and url")
        content = item.get("content")
        if content is None:
            entries.append(linked(item["url"], source=where))
            continue
        try:
            data = base64.b64decode(str(content), validate=True)
        except (binascii.Error, ValueError):
            return _unprocessable(f"{where}.content is not base64")
        entry = received(data, source=where, name=item["name"], content_type=item["content_type"])
        if entry["sha256"] != item["sha256"]:
            return _unprocessable(f"{where}.content does not match its sha256")
        entries.append(entry)
    return entries


def _without_content(item: Any) -> Any:
    return {k: v for k, v in item.items() if k != "content"} if isinstance(item, dict) else item


def _unprocessable(problem: str) -> Response:
    return Response.json({"error": problem}, status=422)


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], "status": "received", "received_at": record["received_at"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--path", default=DEFAULT_PATH, help="where records are POSTed")
    parser.add_argument("--secret", default=DEFAULT_SECRET, help="the signing secret")
    parser.add_argument("--unsigned", action="store_true", help="accept unsigned requests")
    credentials = parser.add_mutually_exclusive_group()
    credentials.add_argument("--api-key", help="expect this API key (header: --api-key-header)")
    credentials.add_argument("--bearer-token", help="expect this bearer token")
    credentials.add_argument("--basic", metavar="USER:PASSWORD", help="expect basic auth")
    parser.add_argument("--api-key-header", default="X-API-Key")
    parser.add_argument("--replay-status", type=int, choices=(200, 201, 409), default=200)
    parser.add_argument(
        "--no-fetch-files", action="store_true", help="record links to files without fetching"
    )
    add_fault_arguments(parser)
    args = parser.parse_args(argv)

    basic = None
    if args.basic:
        user, colon, password = args.basic.partition(":")
        if not colon:
            parser.error("--basic takes USER:PASSWORD")
        basic = (user, password)
    simulator = WebhookSimulator(
        None if args.unsigned else args.secret,
        path=args.path,
        api_key=args.api_key,
        api_key_header=args.api_key_header,
        bearer_token=args.bearer_token,
        basic=basic,
        replay_status=args.replay_status,
        fetch_files=not args.no_fetch_files,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    faults = apply_fault_arguments(simulator, parser, args)
    print(f"Webhook address: http://{args.host}:{args.port}{args.path}  faults: {faults or 'none'}")
    simulator.serve_forever()


if __name__ == "__main__":
    main()
