"""A real HTTP server on loopback that pretends to be a back-office system, for tests and demos.

A simulator subclasses Simulator and answers requests in `handle`; the base serves them on
127.0.0.1 in a background thread, records every request it receives, and misbehaves on demand:

    with OSPlacesSimulator(...) as sim:              # port 0: the system picks a free port
        sim.set_faults(error_rate=1.0)               # every request gets a 503
        ...
        sim.set_faults(drop_response=True)           # handled, then hung up unanswered
        sim.clear_faults()
        assert sim.requests[-1].query["postcode"] == ["ZZ99 1AB"]

Faults, checked in this order for each request after it is recorded:
    latency             seconds to wait before doing anything else
    rate_limit          answer 429 with Retry-After: rate_limit (seconds)
    auth_failure        answer 401 as if the credentials were wrong
    error_rate          this fraction of requests (0.0-1.0) get error_status (503 by default)
    drop_response       run the handler (so any change it makes happens), then close the
                        connection without a response: the "back office committed but the
                        answer was lost" case that idempotency keys exist for
    times               if set, the faults apply to this many requests and then clear themselves

Production code never imports this package.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Self:
        return cls(
            status,
            json.dumps(data).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


@dataclass(frozen=True)
class Faults:
    latency: float = 0.0
    rate_limit: int | None = None
    auth_failure: bool = False
    error_rate: float = 0.0
    error_status: int = 503
    drop_response: bool = False
    times: int | None = None


class Simulator:
    """Subclass and implement `handle`; override `authorise` to check credentials."""

    name = "simulator"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed: int | None = None) -> None:
        self._address = (host, port)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults = Faults()
        self._faulty_left: int | None = None
        # Not for security: decides which requests an error_rate below 1 picks.
        self._random = random.Random(seed)  # noqa: S311
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- What subclasses provide -----------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        raise NotImplementedError

    def authorise(self, request: RecordedRequest) -> Response | None:
        """None to let the request through, or the response that refuses it."""
        return None

    def unauthorised(self, request: RecordedRequest) -> Response:
        """What the system answers to wrong credentials (used by the auth_failure fault)."""
        return Response.json({"error": "unauthorised"}, status=401)

    # --- Running ---------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError(f"{self.name} is already running")
        self._stopping.clear()
        server = _Server(self._address, _handler_for(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"{self.name}-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a latency fault
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Run in the foreground until Ctrl-C (for `python -m integrations.simulators...`)."""
        self.start()
        print(f"{self.name} listening on {self.url} (Ctrl-C stops it)", flush=True)
        try:
            self._stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{self.name} is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self._address[0] if self._address[0] not in ("", "0.0.0.0") else "127.0.0.1"  # noqa: S104
        return f"http://{host}:{self.port}"

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, **changes: Any) -> None:
        """Change some faults, keeping the others: set_faults(latency=2, error_rate=0.5)."""
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **changes)
            self._faulty_left = self._faults.times

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = Faults()
            self._faulty_left = None

    def reset(self) -> None:
        self.clear_faults()
        self.clear_requests()

    # --- Serving ---------------------------------------------------------------------------------

    def _receive(self, request: RecordedRequest) -> Response | None:
        """The response to send, or None to close the connection without one."""
        with self._lock:
            self._requests.append(request)
            faults = self._faults
            if self._faulty_left is not None:
                self._faulty_left -= 1
                if self._faulty_left <= 0:
                    self._faults, self._faulty_left = Faults(), None
            error = faults.error_rate > 0 and self._random.random() < faults.error_rate

        if faults.latency and self._stopping.wait(faults.latency):
            return None  # shutting down
        if faults.rate_limit is not None:
            return Response.json(
                {"error": "too many requests"},
                status=429,
                headers={"Retry-After": str(faults.rate_limit)},
            )
        if faults.auth_failure:
            return self.unauthorised(request)
        if error:
            status = HTTPStatus(faults.error_status)
            return Response.json({"error": status.phrase}, status=status)
        response = self.authorise(request) or self.handle(request)
        return None if faults.drop_response else response


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping on a latency fault must not block stop()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (its timeout, a test's dropped connection): expected
        super().handle_error(request, client_address)


def _handler_for(simulator: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real clients pool connections
        # Headers and body go out in two writes; without this, Nagle's algorithm and delayed
        # ACKs hold every answer back by about 40 ms.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            url = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=url.path,
                query=parse_qs(url.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            try:
                response = simulator._receive(request)
            except Exception:
                self._send(Response.json({"error": "simulator bug"}, status=500))
                raise  # printed by the server: a bug in a simulator should be loud
            self._send(response)

        def _send(self, response: Response | None) -> None:
            if response is None:
                self.close_connection = True
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests read sim.requests; a line per request on stderr is only noise

    return Handler
