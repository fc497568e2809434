"""A real SFTP server on loopback (asyncssh) that plays a back office's file drop.

    with SFTPSimulator(root, password="s3cret") as sim:     # port 0: any free port
        ...                                  # connect to 127.0.0.1:sim.port as "portal"
        sim.host_key_fingerprint             # "SHA256:...", what the adapter is told to expect
        sim.files()                          # {"drop/batch-1.csv": b"...", ...} under the root
        sim.records()                        # each file's path, size and SHA-256
        sim.case_updates()                   # each case update's JSON file, parsed, by path
        [e.kind for e in sim.events]         # "mkdir", "open", "write", "close", "rename", ...
        sim.set_faults(drop_after_bytes=100) # hang up once 100 more bytes have been written

It serves an SFTP subsystem rooted in `root` (clients cannot leave it) with a host key generated
at start, for one user, by password and/or public key. Every request that changes something is
logged in `events`, in the order the server saw it, so tests can check that data files arrive
before their manifest and are renamed into place.

Faults:
    latency             seconds to wait before answering each open, write and rename
    refuse_auth         refuse every login as if the credentials were wrong
    read_only           refuse every write, folder and rename with "permission denied"
    drop_after_bytes    once this many more bytes have been written, write no more and abort
                        the connection (the file is left half-written); applies once
    drop_after_rename   do the next rename, then abort the connection without answering: the
                        "server did it but the answer was lost" case; applies once
    times               with refuse_auth: refuse this many logins, then let them in

Standalone: python -m integrations.simulators.sftp --port 8022 --root DIR [--password P]
Production code never imports this module.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import asyncssh

# asyncssh logs each connection and request at INFO; errors are enough for tests and demos.
logging.getLogger("asyncssh").setLevel(logging.ERROR)


@dataclass(frozen=True)
class SFTPEvent:
    kind: str  # "mkdir", "open", "write", "close", "rename", "remove"
    path: str  # as the client named it, relative to the root
    target: str = ""  # rename: the new path
    size: int = 0  # write: bytes written


@dataclass(frozen=True)
class SFTPFaults:
    latency: float = 0.0
    refuse_auth: bool = False
    read_only: bool = False
    drop_after_bytes: int | None = None
    drop_after_rename: bool = False
    times: int | None = None


class SFTPSimulator:
    name = "sftp-simulator"

    def __init__(
        self,
        root: str | os.PathLike[str],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        username: str = "portal",
        password: str | None = None,
        authorized_key: str | None = None,
        host_key: asyncssh.SSHKey | None = None,
    ) -> None:
        """`authorized_key` is an OpenSSH public key line the user may log in with; without a
        `host_key`, a new one is generated."""
        self.root = Path(root)
        self._host, self._port = host, port
        self.username, self.password = username, password
        self._authorized = (
            asyncssh.import_public_key(authorized_key) if authorized_key is not None else None
        )
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self._lock = threading.Lock()
        self._events: list[SFTPEvent] = []
        self._faults = SFTPFaults()
        self._faulty_left: int | None = None
        self._bytes_until_drop: int | None = None
        self._auth_failures = 0
        self._drops = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()  # used in the loop only
        self._server: asyncssh.SSHAcceptor | None = None
        self._thread: threading.Thread | None = None

    # --- Running ---------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already running")
        self.root.mkdir(parents=True, exist_ok=True)
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(self._listen())
            except BaseException as exc:  # reported to start() below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(10) or failure:
            self._thread = None
            raise RuntimeError(f"{self.name} did not start") from (failure[0] if failure else None)
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = self._server = self._loop = None

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
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def host(self) -> str:
        return self._host

    @property
    def host_key_line(self) -> str:
        """The server's public key as a known_hosts entry would hold it: 'ssh-ed25519 AAAA...'."""
        return self.host_key.export_public_key("openssh").decode().strip()

    @property
    def host_key_fingerprint(self) -> str:
        """'SHA256:...', as `ssh-keygen -lf` prints it."""
        return str(self.host_key.get_fingerprint("sha256"))

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def events(self) -> list[SFTPEvent]:
        with self._lock:
            return list(self._events)

    def files(self) -> dict[str, bytes]:
        """Every file under the root, by its path relative to the root."""
        return {
            path.relative_to(self.root).as_posix(): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file()
        }

    def records(self) -> list[dict[str, Any]]:
        """Every file under the root with its size and SHA-256, as the HTTP simulators'
        /_records shows what they received (temporary .part files included: half-written
        uploads are what a consumer must never read)."""
        return [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in self.files().items()
        ]

    def case_updates(self) -> dict[str, Any]:
        """Each case update the portal wrote ({batch}/updates/{update}.json), parsed, by path."""
        return {
            path: json.loads(data)
            for path, data in self.files().items()
            if "/updates/" in path
            and path.endswith(".json")
            and not path.rsplit("/", 1)[-1].startswith(".")
        }

    @property
    def auth_failures(self) -> int:
        with self._lock:
            return self._auth_failures

    @property
    def drops(self) -> int:
        with self._lock:
            return self._drops

    @property
    def faults(self) -> SFTPFaults:
        return self._faults

    def set_faults(self, **changes: Any) -> None:
        with self._lock:
            self._faults = dataclasses.replace(self._faults, **changes)
            self._faulty_left = self._faults.times
            self._bytes_until_drop = self._faults.drop_after_bytes

    def clear_faults(self) -> None:
        with self._lock:
            self._faults, self._faulty_left, self._bytes_until_drop = SFTPFaults(), None, None

    def clear_events(self) -> None:
        with self._lock:
            self._events.clear()

    # --- Serving ---------------------------------------------------------------------------------

    async def _shutdown(self) -> None:
        """Stop listening, hang up on every client, and let their tasks finish."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for connection in list(self._connections):
            connection.abort()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _listen(self) -> asyncssh.SSHAcceptor:
        simulator = self

        class Server(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                self._conn = conn
                simulator._connections.add(conn)

            def connection_lost(self, exc: Exception | None) -> None:
                simulator._connections.discard(self._conn)

            def begin_auth(self, username: str) -> bool:
                return True  # every login needs credentials

            def password_auth_supported(self) -> bool:
                return simulator.password is not None

            def validate_password(self, username: str, password: str) -> bool:
                return simulator._login(
                    username == simulator.username and password == simulator.password
                )

            def public_key_auth_supported(self) -> bool:
                return simulator._authorized is not None

            def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                authorized = simulator._authorized
                return simulator._login(
                    username == simulator.username
                    and authorized is not None
                    and key.public_data == authorized.public_data
                )

        return await asyncssh.listen(
            self._host,
            self._port,
            server_host_keys=[self.host_key],
            server_factory=Server,
            sftp_factory=lambda chan: _Files(chan, self),
            allow_scp=False,
        )

    def _login(self, ok: bool) -> bool:
        with self._lock:
            if ok and self._faults.refuse_auth:
                ok = False
                if self._faulty_left is not None:
                    self._faulty_left -= 1
                    if self._faulty_left <= 0:
                        self._faults, self._faulty_left = SFTPFaults(), None
            if not ok:
                self._auth_failures += 1
        return ok

    def _log(self, event: SFTPEvent) -> None:
        with self._lock:
            self._events.append(event)

    def _take_rename_drop(self) -> bool:
        """Whether this rename's answer is to be lost (once per drop_after_rename)."""
        with self._lock:
            if not self._faults.drop_after_rename:
                return False
            self._faults = dataclasses.replace(self._faults, drop_after_rename=False)
            self._drops += 1
            return True

    def _allowance(self, size: int) -> int | None:
        """How many of `size` bytes may be written before the drop, or None for all of them."""
        with self._lock:
            if self._bytes_until_drop is None:
                return None
            allowed = min(size, self._bytes_until_drop)
            self._bytes_until_drop -= allowed
            if self._bytes_until_drop > 0:
                return None if allowed == size else allowed
            self._bytes_until_drop = None
            self._faults = dataclasses.replace(self._faults, drop_after_bytes=None)
            self._drops += 1
            return allowed


def _text(path: bytes) -> str:
    return path.decode("utf-8", "replace").lstrip("/")


class _Files(asyncssh.SFTPServer):
    """An SFTP server confined to the simulator's root, which logs what clients change."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], simulator: SFTPSimulator) -> None:
        super().__init__(chan, chroot=os.fsencode(simulator.root))
        self.simulator = simulator
        self._names: dict[int, str] = {}

    async def _wait(self, writing: bool = True) -> None:
        if self.simulator.faults.latency:
            await asyncio.sleep(self.simulator.faults.latency)
        if writing and self.simulator.faults.read_only:
            raise asyncssh.SFTPPermissionDenied("read-only (simulated)")

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        await self._wait(writing=bool(pflags & asyncssh.FXF_WRITE))
        file_obj = super().open(path, pflags, attrs)
        self._names[id(file_obj)] = _text(path)
        if pflags & asyncssh.FXF_WRITE:
            self.simulator._log(SFTPEvent("open", _text(path)))
        return file_obj

    async def write(self, file_obj: object, offset: int, data: bytes) -> int:
        await self._wait()
        allowed = self.simulator._allowance(len(data))
        name = self._names.get(id(file_obj), "?")
        if allowed is not None:
            if allowed:
                super().write(file_obj, offset, data[:allowed])
                self.simulator._log(SFTPEvent("write", name, size=allowed))
            self.connection.abort()  # mid-upload: the file stays half-written
            raise asyncssh.SFTPConnectionLost("dropped by the simulator")
        written = super().write(file_obj, offset, data)
        self.simulator._log(SFTPEvent("write", name, size=len(data)))
        return written if isinstance(written, int) else len(data)

    def close(self, file_obj: object) -> None:
        name = self._names.pop(id(file_obj), None)
        super().close(file_obj)
        if name is not None:
            self.simulator._log(SFTPEvent("close", name))

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self._wait()
        super().rename(oldpath, newpath)
        self.simulator._log(SFTPEvent("rename", _text(oldpath), target=_text(newpath)))
        self._drop_after_rename()

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self._wait()
        super().posix_rename(oldpath, newpath)
        self.simulator._log(SFTPEvent("rename", _text(oldpath), target=_text(newpath)))
        self._drop_after_rename()

    def _drop_after_rename(self) -> None:
        if not self.simulator._take_rename_drop():
            return
        self.connection.abort()  # renamed: the client never hears so
        raise asyncssh.SFTPConnectionLost("dropped by the simulator")

    async def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        await self._wait()
        super().mkdir(path, attrs)
        self.simulator._log(SFTPEvent("mkdir", _text(path)))

    def remove(self, path: bytes) -> None:
        super().remove(path)
        self.simulator._log(SFTPEvent("remove", _text(path)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A back office's SFTP file drop, on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8022)
    parser.add_argument("--root", help="the folder it serves (a new temporary one if not given)")
    parser.add_argument("--username", default="portal")
    parser.add_argument("--password", default="portal")
    parser.add_argument(
        "--host-key",
        help="a private key file to serve with, created if missing, so the "
        "fingerprint stays the same between runs (a new key each run if not given)",
    )
    args = parser.parse_args(argv)
    root = args.root or tempfile.mkdtemp(prefix="sftp-drop-")
    host_key = None
    if args.host_key:
        key_file = Path(args.host_key)
        if not key_file.exists():
            asyncssh.generate_private_key("ssh-ed25519").write_private_key(key_file)
        host_key = asyncssh.read_private_key(key_file)
    simulator = SFTPSimulator(
        root,
        args.host,
        args.port,
        username=args.username,
        password=args.password,
        host_key=host_key,
    ).start()
    print(
        f"{simulator.name} listening on {args.host}:{simulator.port}, serving {root}\n"
        f"user {args.username!r}; host key {simulator.host_key_fingerprint}\n"
        f"  {simulator.host_key_line}\n(Ctrl-C stops it)",
        flush=True,
    )
    shown: set[tuple[str, str]] = set()
    try:
        while not threading.Event().wait(5):
            # Each new file's record, one JSON line each: what /_records shows elsewhere.
            for record in simulator.records():
                if (record["path"], record["sha256"]) not in shown:
                    shown.add((record["path"], record["sha256"]))
                    print(json.dumps(record), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


if __name__ == "__main__":
    main()
