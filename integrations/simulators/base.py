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
    slow_rate           this fraction of requests wait a further slow_latency seconds (30 by
                        default), then carry on: a client with a shorter timeout gives up while
                        the back office may still go on to commit
    rate_limit          answer 429 with Retry-After: rate_limit (seconds), in the body the
                        system gives (`rate_limited`)
    auth_failure        answer 401 as if the credentials were wrong
    reset_rate          this fraction of requests are read and then reset (TCP RST) before
                        being handled: no response, and nothing committed
    error_rate          this fraction of requests (0.0-1.0) get error_status (503 by default)
    drop_response       run the handler (so any change it makes happens), then close the
                        connection without a response: the "back office committed but the
                        answer was lost" case that idempotency keys exist for
    drop_rate           the same for this fraction of requests
    times               if set, the faults apply to this many requests and then clear themselves

Other processes (a benchmark, the fault-injection suite's workers) change faults over HTTP;
these requests are neither recorded nor subject to faults:
    GET /_faults                    the current faults as JSON
    POST /_faults {"error_rate": 0.3, "drop_rate": 0.05}   change some, keep the others
    DELETE /_faults                 clear them all
    GET /_stats                     {"requests": n, "injected": {"reset": n, "drop": n, ...},
                                    "injected_by_call": {"POST /cases": {"drop": n, ...}, ...}}:
                                    how many requests came and which faults each kind hit, in
                                    all and by kind of call (`call_name`: method and path, or
                                    the simulator's own name for them, e.g. a SOAP operation)
Subclasses add their own control endpoints by overriding `control` (calling super()).

Production code never imports this package.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import random
import socket
import struct
import sys
import threading
from collections import Counter, defaultdict
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
    reset_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_latency: float = 30.0

    @classmethod
    def check(cls, changes: Mapping[str, Any]) -> dict[str, Any]:
        """`changes` (e.g. parsed JSON) with each name and value checked, or ValueError."""
        kinds = {f.name: f.default for f in dataclasses.fields(cls)}
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in kinds:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(kinds))}")
            default = kinds[name]
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif name in ("rate_limit", "times", "error_status"):
                ok = (value is None and name != "error_status") or (
                    isinstance(value, int) and not isinstance(value, bool) and value >= 0
                )
            else:
                ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
                if ok and name.endswith("_rate"):
                    ok = value <= 1
            if not ok:
                raise ValueError(f"bad value for {name}: {value!r}")
            checked[name] = value
        if "error_status" in checked:
            HTTPStatus(checked["error_status"])  # ValueError if not a status
        return checked


def add_fault_arguments(parser: argparse.ArgumentParser, *, rate_limit: bool = True) -> None:
    """The command-line options of Faults (and --seed) every simulator takes."""
    parser.add_argument("--seed", type=int)
    for name in ("latency", "error_rate", "reset_rate", "drop_rate", "slow_rate", "slow_latency"):
        parser.add_argument("--" + name.replace("_", "-"), type=float)
    parser.add_argument("--error-status", type=int)
    if rate_limit:
        parser.add_argument("--rate-limit", type=int, metavar="SECONDS")


def apply_fault_arguments(
    simulator: Simulator, parser: argparse.ArgumentParser, args: argparse.Namespace
) -> dict[str, Any]:
    """Set the faults given on the command line (a bad value ends the program with its message);
    returns them."""
    names = set(Faults.__dataclass_fields__)
    faults = {k: v for k, v in vars(args).items() if k in names and v is not None}
    try:
        simulator.set_faults(**Faults.check(faults))
    except ValueError as exc:
        parser.error(str(exc))
    return faults


class Hangup(enum.Enum):
    """Ways to end a request without a response (what `_receive` returns instead of one)."""

    DROP = "drop"  # close the connection cleanly: the client sees it hang up
    RESET = "reset"  # abort it with a TCP RST: the client sees "connection reset by peer"


class Simulator:
    """Subclass and implement `handle`; override `authorise` to check credentials."""

    name = "simulator"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed: int | None = None) -> None:
        self._address = (host, port)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults = Faults()
        self._faulty_left: int | None = None
        self._injected: Counter[str] = Counter()
        self._injected_by_call: defaultdict[str, Counter[str]] = defaultdict(Counter)
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

    def rate_limited(self, request: RecordedRequest, retry_after: int) -> Response:
        """What the system answers when over its rate limit (used by the rate_limit fault):
        override to give the system's own error body."""
        return Response.json(
            {"error": "too many requests"},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )

    def call_name(self, request: RecordedRequest) -> str:
        """The kind of call `request` is, under which its faults are counted (`injected_by_call`):
        its method and path. Override where calls share a path (SOAP's operations) or a path
        carries an id, so that calls of one kind are counted together."""
        return f"{request.method} {request.path}"

    def control(self, request: RecordedRequest) -> Response | None:
        """Answer a request to the simulator itself (not to the system it plays), or None.

        Control requests are not recorded and no fault applies to them.
        """
        if request.path == "/_stats" and request.method == "GET":
            with self._lock:
                count, injected = len(self._requests), dict(self._injected)
            return Response.json(
                {"requests": count, "injected": injected, "injected_by_call": self.injected_by_call}
            )
        if request.path != "/_faults":
            return None
        if request.method == "POST":
            try:
                changes = Faults.check(request.json())
            except (ValueError, AttributeError) as exc:  # bad JSON, not an object, bad value
                return Response.json({"error": str(exc)}, status=400)
            self.set_faults(**changes)
        elif request.method == "DELETE":
            self.clear_faults()
        elif request.method != "GET":
            return Response.json({"error": "use GET, POST or DELETE"}, status=405)
        return Response.json(dataclasses.asdict(self.faults))

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
            self._injected.clear()
            self._injected_by_call.clear()

    @property
    def injected(self) -> dict[str, int]:
        """How many requests each kind of fault hit (latency, slow, rate_limit, auth_failure,
        reset, error, drop) since the request log was last cleared."""
        with self._lock:
            return dict(self._injected)

    @property
    def injected_by_call(self) -> dict[str, dict[str, int]]:
        """The same, by kind of call (`call_name`): {"POST /cases": {"drop": 2, ...}, ...}."""
        with self._lock:
            return {call: dict(faults) for call, faults in self._injected_by_call.items()}

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

    def _receive(self, request: RecordedRequest) -> Response | Hangup:
        """The response to send, or how to hang up without one."""
        if request.path.startswith("/_") and (answer := self.control(request)) is not None:
            return answer
        with self._lock:
            self._requests.append(request)
            faults = self._faults
            if self._faulty_left is not None:
                self._faulty_left -= 1
                if self._faulty_left <= 0:
                    self._faults, self._faulty_left = Faults(), None
            rates = (faults.slow_rate, faults.reset_rate, faults.error_rate, faults.drop_rate)
            slow, reset, error, drop = (rate > 0 and self._random.random() < rate for rate in rates)

        if faults.latency:
            self._count("latency", request)
            if self._stopping.wait(faults.latency):
                return Hangup.DROP  # shutting down
        if slow:
            self._count("slow", request)
            if self._stopping.wait(faults.slow_latency):
                return Hangup.DROP
        if faults.rate_limit is not None:
            self._count("rate_limit", request)
            return self.rate_limited(request, faults.rate_limit)
        if faults.auth_failure:
            self._count("auth_failure", request)
            return self.unauthorised(request)
        if reset:
            self._count("reset", request)
            return Hangup.RESET
        if error:
            self._count("error", request)
            status = HTTPStatus(faults.error_status)
            return Response.json({"error": status.phrase}, status=status)
        response = self.authorise(request) or self.handle(request)
        if faults.drop_response or drop:
            self._count("drop", request)
            return Hangup.DROP
        return response

    def _count(self, fault: str, request: RecordedRequest) -> None:
        call = self.call_name(request)
        with self._lock:
            self._injected[fault] += 1
            self._injected_by_call[call][fault] += 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping on a latency fault must not block stop()
    # socketserver's default backlog of 5 drops connections when many workers post at once
    # (the fault suite, benchmarks); their SYN retries then look like a slow back office.
    request_queue_size = 128

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

        def _send(self, response: Response | Hangup) -> None:
            if response is Hangup.RESET:
                # Linger on, timeout 0: closing sends RST instead of FIN. The socket is closed
                # here (its buffered reader first, which holds it open) because socketserver
                # would shut it down with a FIN first.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.rfile.close()
                self.connection.close()
                self.close_connection = True
                return
            if isinstance(response, Hangup):
                self.close_connection = True
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests read sim.requests; a line per request on stderr is only noise

    return Handler
