"""`manage.py simulate`: every back-office simulator in one process, on fixed loopback ports.

A developer and demo tool, not part of the portal: `make run` starts it (Procfile.dev) so the demo
routing (services/seed/demo/routing.yaml) has a back office behind every service, and a
developer can run it alone to try a connection by hand. It is the one place outside the tests
that imports integrations.simulators; production code never does.

    name        port   plays
    os_places   8101   Ordnance Survey Places API (address lookups)
    webhook     8102   a generic case system that takes the portal's signed JSON webhook
    open311     8103   the highways team's Open311 GeoReport v2 server
    soap_case   8104   the waste and parking permits case system (SOAP, session sign-in)
    crm         8105   the council's CRM (Dynamics 365 Web API) and its OAuth2 token endpoint
    smtp        8106   the noise team's mail server
    sftp        8107   the Council Tax system's file drop (files under VAR_DIR/sftp-drop)
    notify      8108   GOV.UK Notify: the portal's e-mail and text messages (make run sets
                       NOTIFY_API_KEY to its demo key), receipts to PORTAL_URL/callbacks/notify/

Ports are --base-port (8100) plus the offset above; `--only soap_case --only crm` starts some.
The credentials are the demo's, known to all (seed_demo_routing gives the demo connections the
same): they guard nothing but loopback. Each HTTP simulator answers GET /_records (what it
received), POST /_updates where it has them (a case officer moves a case on) and /_faults; see
each module's docstring. Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

HOST = "127.0.0.1"
DEFAULT_BASE_PORT = 8100
# The demo's own credentials for the two simulators that have no defaults of their own.
SMTP_USERNAME, SMTP_PASSWORD = "portal", "simulator-smtp-password"
SFTP_USERNAME, SFTP_PASSWORD = "portal", "simulator-sftp-password"
# The SFTP host key is made from this seed, so its fingerprint (which the demo connection
# pins) is the same on every run and every machine. Known to all: a demo's key, never a real one.
SFTP_HOST_KEY_SEED = b"my-council demo sftp host key"


class Running(Protocol):
    def stop(self) -> None: ...


@dataclass(frozen=True)
class Spec:
    name: str
    offset: int
    plays: str
    start: Callable[[int], tuple[Running, str]]  # port -> (the running simulator, its address)


def _os_places(port: int) -> tuple[Running, str]:
    from integrations.simulators.os_places import DEFAULT_KEY, OSPlacesSimulator

    sim = OSPlacesSimulator(host=HOST, port=port).start()
    return sim, f"{sim.api_url}  (key {DEFAULT_KEY})"


def _webhook(port: int) -> tuple[Running, str]:
    from integrations.simulators.webhook import DEFAULT_PATH, WebhookSimulator

    sim = WebhookSimulator(host=HOST, port=port).start()
    return sim, f"{sim.url}{DEFAULT_PATH}"


def _open311(port: int) -> tuple[Running, str]:
    from integrations.simulators.open311 import Open311Simulator

    sim = Open311Simulator(host=HOST, port=port).start()
    return sim, f"{sim.url}{sim.prefix}"


def _soap_case(port: int) -> tuple[Running, str]:
    from integrations.simulators.soap_case import SoapCaseSimulator

    sim = SoapCaseSimulator(host=HOST, port=port).start()
    return sim, sim.wsdl_url


def _crm(port: int) -> tuple[Running, str]:
    from integrations.simulators.crm import CRMSimulator

    sim = CRMSimulator(host=HOST, port=port).start()
    return sim, f"{sim.url}  (token endpoint {sim.token_url})"


def _smtp(port: int) -> tuple[Running, str]:
    from integrations.simulators.smtp import SMTPSimulator

    sim = SMTPSimulator(HOST, port, username=SMTP_USERNAME, password=SMTP_PASSWORD).start()
    return sim, f"smtp://{HOST}:{sim.port}  (user {SMTP_USERNAME!r})"


def _sftp(port: int) -> tuple[Running, str]:
    from integrations.simulators.sftp import SFTPSimulator

    root = Path(settings.VAR_DIR) / "sftp-drop"
    sim = SFTPSimulator(
        root,
        HOST,
        port,
        username=SFTP_USERNAME,
        password=SFTP_PASSWORD,
        host_key=demo_sftp_host_key(),
    ).start()
    return sim, f"sftp://{SFTP_USERNAME}@{HOST}:{sim.port}  ({sim.host_key_fingerprint}, {root})"


def _notify(port: int) -> tuple[Running, str]:
    from integrations.simulators.notify import NotifySimulator

    # Receipts go back to the portal two seconds after each message, as Notify's would, with
    # the token the portal expects (make run sets both to the demo's).
    sim = NotifySimulator(
        host=HOST,
        port=port,
        callback_url=f"{settings.PORTAL_URL.rstrip('/')}/callbacks/notify/"
        if settings.PORTAL_URL
        else "",
        callback_token=settings.NOTIFY_CALLBACK_TOKEN or "",
        callback_delay=2.0,
        echo=True,
    ).start()
    return sim, f"{sim.url}  (GET /_notifications lists what it sent)"


def demo_sftp_host_key() -> Any:
    """The demo SFTP server's Ed25519 host key (asyncssh), the same on every run."""
    import asyncssh
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(SFTP_HOST_KEY_SEED).digest()
    pem = Ed25519PrivateKey.from_private_bytes(seed).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return asyncssh.import_private_key(pem)


SIMULATORS: tuple[Spec, ...] = (
    Spec("os_places", 1, "Ordnance Survey Places API", _os_places),
    Spec("webhook", 2, "generic case system (JSON webhook)", _webhook),
    Spec("open311", 3, "highways (Open311 GeoReport v2)", _open311),
    Spec("soap_case", 4, "waste and parking permits case system (SOAP)", _soap_case),
    Spec("crm", 5, "CRM (Dynamics 365 Web API, OAuth2)", _crm),
    Spec("smtp", 6, "noise team's mail server (SMTP)", _smtp),
    Spec("sftp", 7, "Council Tax file drop (SFTP)", _sftp),
    Spec("notify", 8, "GOV.UK Notify (e-mail, text messages)", _notify),
)
NAMES = tuple(spec.name for spec in SIMULATORS)


class Command(BaseCommand):
    help = "Run the back-office simulators on loopback until Ctrl-C (a developer and demo tool)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only",
            action="append",
            choices=NAMES,
            metavar="NAME",
            help=f"Start only this simulator (repeat for more): {', '.join(NAMES)}.",
        )
        parser.add_argument(
            "--base-port",
            type=int,
            default=DEFAULT_BASE_PORT,
            help=f"Each simulator listens on this plus its offset (default {DEFAULT_BASE_PORT}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_port"]
        if not 1 <= base <= 65535 - len(SIMULATORS):
            raise CommandError(f"--base-port must leave room for {len(SIMULATORS)} ports")
        wanted = set(options["only"] or NAMES)
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        # honcho (make run) stops its processes with SIGTERM, perhaps after the terminal's SIGINT:
        # both only set the event, so a second signal while stopping does not cut that short.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, stop)
        running: list[tuple[str, Running]] = []
        try:
            for spec in SIMULATORS:
                if spec.name not in wanted:
                    continue
                try:
                    simulator, address = spec.start(base + spec.offset)
                except (OSError, RuntimeError) as error:
                    raise CommandError(
                        f"{spec.name} could not listen on {HOST}:{base + spec.offset}: {error}"
                    ) from error
                running.append((spec.name, simulator))
                self.stdout.write(f"{spec.name:<10} {spec.plays:<38} {address}")
            self.stdout.write(f"{len(running)} simulators running; Ctrl-C stops them.")
            self.stdout.flush()
            while not stopping.wait(1):
                pass
        finally:
            for name, simulator in reversed(running):
                simulator.stop()
                self.stdout.write(f"{name} stopped")
