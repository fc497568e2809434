"""A real SMTP server on loopback (aiosmtpd) that plays a service team's mail server.

    with SMTPSimulator(username="portal", password="s3cret") as sim:   # port 0: any free port
        ...                                          # send to 127.0.0.1:sim.port
        sim.messages[-1].message["Subject"]          # parsed with email.policy.default
        sim.count_for("<key@council.example>")       # messages stored with this Message-ID
        sim.replies_to("<key@council.example>")      # the case's updates, threaded on it
        sim.records()                                # each message's id, subject and files
                                                     # (name, type, size, SHA-256 of the bytes)
        sim.set_faults(reject=451, times=1)          # the next message is refused, then all is well

Faults, for each message at the end of DATA unless said otherwise:
    latency             seconds to wait before answering DATA
    reject              answer this code instead of 250: 451 (try later) or 550 (refused), or
                        any 4xx/5xx; nothing is stored
    reject_recipients   answer RCPT TO with this code (450, 550, ...)
    drop_after_data     store the message, then hang up without answering: the "server took it
                        but the answer was lost" case
    times               the faults apply to this many messages and then clear themselves
With a username and password, AUTH is required (over plain SMTP, which is fine on loopback) and
wrong credentials get 535.

Standalone: python -m integrations.simulators.smtp --port 8025 [--username U --password P]
Production code never imports this module.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import email
import email.policy
import hashlib
import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

# aiosmtpd logs every command at INFO (and a deprecation at each AUTH): errors are enough.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message.get("Message-ID", ""))

    def attachments(self) -> dict[str, bytes]:
        """Each attachment's file name and decoded content."""
        found: dict[str, bytes] = {}
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            found[str(part.get_filename())] = payload if isinstance(payload, bytes) else b""
        return found

    def files(self) -> list[dict[str, Any]]:
        """Each attachment as it arrived: its name, type, size and the SHA-256 of its bytes."""
        found = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            found.append(
                {
                    "name": str(part.get_filename()),
                    "content_type": part.get_content_type(),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        return found

    def record(self) -> dict[str, Any]:
        """The message as the HTTP simulators' /_records shows what they received."""
        return {
            "message_id": self.message_id,
            "subject": str(self.message.get("Subject", "")),
            "in_reply_to": str(self.message.get("In-Reply-To", "")),
            "references": str(self.message.get("References", "")),
            "recipients": list(self.recipients),
            "files": self.files(),
        }

    def body(self, subtype: str) -> str:
        """The text of the "plain" or "html" body, with the wire's CRLF line ends as \\n."""
        part = self.message.get_body(preferencelist=(subtype,))
        if not isinstance(part, EmailMessage):
            raise LookupError(f"no text/{subtype} body")
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass(frozen=True)
class SMTPFaults:
    latency: float = 0.0
    reject: int | None = None
    reject_recipients: int | None = None
    drop_after_data: bool = False
    times: int | None = None


class _Handler:
    def __init__(self, simulator: SMTPSimulator) -> None:
        self.simulator = simulator

    async def handle_MAIL(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.simulator.username is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        code = self.simulator.faults.reject_recipients
        if code is not None:
            self.simulator._count("reject_recipients")
            return f"{code} {'4.2.0 Mailbox busy' if code < 500 else '5.1.1 No such mailbox'}"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        faults = self.simulator._take_faults()
        if faults.latency:
            self.simulator._count("latency")
            await asyncio.sleep(faults.latency)
        if faults.reject is not None:
            self.simulator._count("reject")
            code = faults.reject
            if code < 500:
                return f"{code} 4.3.0 Temporary failure, try again later"
            return f"{code} 5.7.1 Message refused"
        data = envelope.original_content or b""
        if isinstance(data, str):  # pragma: no cover - only with decode_data=True
            data = data.encode()
        self.simulator._store(
            ReceivedMessage(
                mail_from=str(envelope.mail_from),
                recipients=tuple(envelope.rcpt_tos),
                data=data,
                message=email.message_from_bytes(data, policy=email.policy.default),
            )
        )
        if faults.drop_after_data:
            self.simulator._count("drop")
            if isinstance(server.transport, asyncio.Transport):
                server.transport.abort()  # stored, and the client never hears so
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """aiosmtpd's Controller, but port 0 works: the port is read back from the bound socket."""

    def _create_server(self) -> Any:
        async def create() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=self.port, ssl=self.ssl_context
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()


class SMTPSimulator:
    name = "smtp-simulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self._host, self._port = host, port
        self.username, self.password = username, password
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._faults = SMTPFaults()
        self._faulty_left: int | None = None
        self._injected: Counter[str] = Counter()
        self._auth_failures = 0
        self._controller: _Controller | None = None

    # --- Running ---------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._controller is not None:
            raise RuntimeError(f"{self.name} is already running")
        guarded = self.username is not None
        controller = _Controller(
            _Handler(self),
            hostname=self._host,
            port=self._port,
            # AUTH over plain SMTP (loopback only). Requiring it is done in handle_MAIL, since
            # aiosmtpd's own auth_required warns about the missing TLS on every connection.
            auth_require_tls=False,
            authenticator=self._authenticate if guarded else None,
            ready_timeout=10.0,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

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
        if self._controller is None:
            raise RuntimeError(f"{self.name} is not running")
        return int(self._controller.port)

    @property
    def host(self) -> str:
        return self._host

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def records(self) -> list[dict[str, Any]]:
        """Every message received, oldest first, with the files it carried."""
        return [message.record() for message in self.messages]

    def replies_to(self, message_id: str) -> list[ReceivedMessage]:
        """The messages threaded on `message_id` (In-Reply-To it): a case's updates."""
        with self._lock:
            return [m for m in self._messages if m.message.get("In-Reply-To") == message_id]

    def count_for(self, message_id: str) -> int:
        with self._lock:
            return sum(1 for m in self._messages if m.message_id == message_id)

    @property
    def injected(self) -> dict[str, int]:
        with self._lock:
            return dict(self._injected)

    @property
    def auth_failures(self) -> int:
        with self._lock:
            return self._auth_failures

    @property
    def faults(self) -> SMTPFaults:
        return self._faults

    def set_faults(self, **changes: Any) -> None:
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **changes)
            self._faulty_left = self._faults.times

    def clear_faults(self) -> None:
        with self._lock:
            self._faults, self._faulty_left = SMTPFaults(), None

    def reset(self) -> None:
        self.clear_faults()
        with self._lock:
            self._messages.clear()
            self._injected.clear()
            self._auth_failures = 0

    # --- Serving ---------------------------------------------------------------------------------

    def _take_faults(self) -> SMTPFaults:
        """The faults for this message, counting it against `times`."""
        with self._lock:
            faults = self._faults
            if self._faulty_left is not None:
                self._faulty_left -= 1
                if self._faulty_left <= 0:
                    self._faults, self._faulty_left = SMTPFaults(), None
            return faults

    def _store(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def _count(self, fault: str) -> None:
        with self._lock:
            self._injected[fault] += 1

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.username is not None
            and self.password is not None
            and auth_data.login == self.username.encode()
            and auth_data.password == self.password.encode()
        )
        if not ok:
            with self._lock:
                self._auth_failures += 1
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A service team's SMTP server, on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--username")
    parser.add_argument("--password")
    args = parser.parse_args(argv)
    simulator = SMTPSimulator(
        args.host, args.port, username=args.username, password=args.password
    ).start()
    print(
        f"{simulator.name} listening on {args.host}:{simulator.port} (Ctrl-C stops it)", flush=True
    )
    stopping = threading.Event()
    shown = 0
    try:
        while not stopping.wait(5):
            # Each new message's record, one JSON line each: what /_records shows elsewhere.
            records = simulator.records()
            for record in records[shown:]:
                print(json.dumps(record), flush=True)
            shown = len(records)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


if __name__ == "__main__":
    main()
