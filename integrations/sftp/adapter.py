"""Batch file drop: due submissions written as one CSV or JSON-lines file over SFTP, on a schedule.

For back offices that import files rather than take calls. The delivery engine collects a
connection's due deliveries every `schedule_minutes` (services/delivery/batch.py) and calls
`deliver_batch`, which writes, in this order, into the configured folder:

    {batch_id}/files/{row}-{name}           each of the resident's files, named by the row's
                                            reference ({batch_id}#{row}) and the resident's
                                            name for it; its bytes checked against the SHA-256
                                            taken when it was uploaded
    {prefix}{batch_id}.csv | .jsonl         one row per submission: portal_key (the delivery's
                                            idempotency key) first, then every mapped field;
                                            a file (or each of a list of files) becomes its
                                            path above; a value a spreadsheet would run as a
                                            formula is prefixed with ' (integrations/spreadsheet)
    {prefix}{batch_id}.manifest.json        written last: the rows, the keys in row order, and
                                            every file's path, size and SHA-256

Each file is uploaded under a hidden temporary name (.{name}.part) and renamed into place
(posix-rename, atomic on the server), so a consumer that waits for the manifest never reads a
half-written file. Idempotency: `batch_id` is derived from the deliveries in the batch, so a
retry of the same set rewrites the same names, and a consumer sees one batch, not two. A
delivery that comes back in a different batch after a failure that left a complete batch behind
(the answer to the manifest's rename was lost) appears in both, with the same portal_key: the
consumer de-duplicates on it. References are "{batch_id}#{row}".

Case updates. What the resident later says about a case (a reply, a reopening, "not fixed") is
written beside the case's batch, one update at a time (`send_update`, not batched):

    {batch_id}/updates/{update}/{name}      each of the update's files, checked as above
    {batch_id}/updates/{update}.json        written last: the case's reference, its portal_key
                                            is in the batch; the update's id, kind, text and
                                            time, and each file's path, size and SHA-256

`{update}` is the update's id where it is a safe file name, else its SHA-256. Each file goes up
under a hidden name and is renamed into place, so a retry rewrites the same names (one update,
never two) and a consumer that waits for the .json never reads half of one. Files an earlier
attempt wrote (the progress) are not sent again.

The server's host key must be configured; an unknown or changed key is refused, never accepted.
Errors: refused credentials, a host key mismatch, permission denied and a missing folder are
permanent; refused, dropped or timed-out connections and other server failures are transient.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import posixpath
import re
import socket
import stat
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import paramiko  # type: ignore[import-untyped,unused-ignore]  # ships no types
from django.core.serializers.json import DjangoJSONEncoder

from integrations.base import (
    Adapter,
    CaseUpdateOut,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    Progress,
    TransientError,
    files_in,
)
from integrations.files import unique_names
from integrations.registry import registry
from integrations.sftp import config as options
from integrations.sftp.config import HostKey, SFTPConfig, load_private_key, parse_host_key
from integrations.spreadsheet import spreadsheet_safe

logger = logging.getLogger(__name__)

KEY_COLUMN = "portal_key"
BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@registry.register
class SFTPAdapter(Adapter):
    id = "sftp"
    name = "Batch file drop (SFTP)"
    config_serializer = SFTPConfig
    target_fields = ()
    accepts_any_fields = True
    batched = True
    sends_updates = True

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        raise PermanentError(
            "The batch file drop sends submissions in batches on a schedule: use deliver_batch"
        )

    def deliver_batch(
        self, items: Sequence[tuple[Mapping[str, Any], str]], batch_id: str
    ) -> dict[str, str]:
        if not BATCH_ID.match(batch_id):
            raise PermanentError(f"A batch id must be letters, digits, . _ and -: {batch_id!r}")
        if not items:
            return {}
        folder = str(self.config.get("directory") or ".")
        prefix = str(self.config.get("prefix") or "")
        fmt = str(self.config.get("format") or options.FORMAT_CSV)
        rows, uploads = _rows(items, batch_id)
        data_name = f"{prefix}{batch_id}.{fmt}"
        data = _csv(rows) if fmt == options.FORMAT_CSV else _jsonl(rows)

        with self._session() as sftp:
            written: list[dict[str, Any]] = []
            if uploads:
                _make_folders(sftp, folder, f"{batch_id}/files")
            for path, upload in uploads:
                content = upload.read()
                _put(sftp, posixpath.join(folder, path), content)
                written.append(_entry(path, content))
            _put(sftp, posixpath.join(folder, data_name), data)
            written.append(_entry(data_name, data))
            manifest = {
                "batch_id": batch_id,
                "format": fmt,
                "data_file": data_name,
                "rows": len(rows),
                "keys": [key for _, key in items],
                "files": written,
            }
            manifest_bytes = json.dumps(manifest, indent=2).encode()
            _put(sftp, posixpath.join(folder, f"{prefix}{batch_id}.manifest.json"), manifest_bytes)

        logger.info(
            "sftp batch delivered",
            extra={"host": self.config["host"], "rows": len(rows), "files": len(uploads)},
        )
        return {key: f"{batch_id}#{row}" for row, (_, key) in enumerate(items, start=1)}

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        progress = progress or Progress()
        if progress.reference:
            return progress.reference  # an earlier attempt wrote it all
        batch_id, hash_sign, row = reference.rpartition("#")
        if not hash_sign or not BATCH_ID.match(batch_id) or not row.isdigit():
            raise PermanentError(
                "The case's reference is not one this file drop made ({batch_id}#{row}), "
                "so there is no batch to write its update beside"
            )
        folder = str(self.config.get("directory") or ".")
        name = _update_name(update.update_id)
        base = f"{batch_id}/updates"
        files = list(update.files)
        paths = {
            upload.id: f"{base}/{name}/{file_name}"
            for upload, file_name in zip(files, unique_names(files), strict=True)
        }
        with self._session() as sftp:
            _make_folders(sftp, folder, f"{base}/{name}" if files else base)
            for upload in files:
                if not progress.done(upload):
                    _put(sftp, posixpath.join(folder, paths[upload.id]), upload.read())
                    progress.record_file(upload, paths[upload.id])
            record = {
                "reference": reference,
                "portal_key": idempotency_key,
                "update_id": update.update_id,
                "kind": update.kind,
                "text": update.text,
                "sent_at": update.sent_at,
                "files": [
                    {"path": paths[u.id], "bytes": u.size, "sha256": u.sha256} for u in files
                ],
            }
            path = f"{base}/{name}.json"
            content = json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            _put(sftp, posixpath.join(folder, path), content.encode())
        progress.record_reference(path)
        logger.info("sftp update written", extra={"host": self.config["host"], "files": len(files)})
        return path

    def check_connection(self) -> None:
        folder = str(self.config.get("directory") or ".")
        with self._session() as sftp:
            attributes = sftp.stat(folder)
            if attributes.st_mode is not None and not stat.S_ISDIR(attributes.st_mode):
                raise PermanentError(f"{folder!r} on the server is not a folder")

    # --- The session -----------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[paramiko.SFTPClient]:
        """A logged-in SFTP session with a server whose host key is the configured one; every
        failure inside comes out as a TransientError or PermanentError."""
        host, port = str(self.config["host"]), int(self.config.get("port") or 22)
        timeout = float(self.config.get("timeout") or options.DEFAULT_TIMEOUT)
        expected = parse_host_key(str(self.config["host_key"]))
        transport: paramiko.Transport | None = None
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
            transport = paramiko.Transport(sock)
            transport.banner_timeout = transport.auth_timeout = timeout
            transport.handshake_timeout = timeout
            transport.start_client(timeout=timeout)
            _check_host_key(transport.get_remote_server_key(), expected, host)
            self._log_in(transport)
            sftp = paramiko.SFTPClient.from_transport(transport)
            if sftp is None:
                raise TransientError("The server would not open an SFTP session")
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(timeout)
            yield sftp
        except Exception as exc:
            raise error_for(exc) from exc
        finally:
            if transport is not None:
                transport.close()

    def _log_in(self, transport: paramiko.Transport) -> None:
        username = str(self.config["username"])
        private_key = str(self.config.get("private_key") or "")
        if private_key.strip():
            transport.auth_publickey(username, load_private_key(private_key))
        else:
            transport.auth_password(username, str(self.config.get("password") or ""))


def _check_host_key(key: paramiko.PKey, expected: HostKey, host: str) -> None:
    if not expected.matches(key):
        raise PermanentError(
            f"The server at {host} presented host key {HostKey.fingerprint(key)}, which is not "
            "the one configured: nothing was sent. If the server's key really changed, check "
            "with its owners and enter the new one."
        )


# --- Writing -------------------------------------------------------------------------------------


def _rows(
    items: Sequence[tuple[Mapping[str, Any], str]], batch_id: str
) -> tuple[list[dict[str, Any]], list[tuple[str, DeliveryFile]]]:
    """Each item's row (files replaced by their paths), and the files to upload."""
    rows: list[dict[str, Any]] = []
    uploads: list[tuple[str, DeliveryFile]] = []
    for number, (payload, key) in enumerate(items, start=1):
        files = list(files_in(payload))
        paths = {
            upload.id: f"{batch_id}/files/{number}-{name}"
            for upload, name in zip(files, unique_names(files), strict=True)
        }
        uploads.extend((paths[upload.id], upload) for upload in files)

        def to_path(value: Any, paths: dict[str, str] = paths) -> Any:
            if isinstance(value, list):
                return [to_path(item) for item in value]
            return paths[value.id] if isinstance(value, DeliveryFile) else value

        row: dict[str, Any] = {KEY_COLUMN: key}
        row.update((str(field), to_path(value)) for field, value in payload.items())
        rows.append(row)
    return rows, uploads


def _update_name(update_id: str) -> str:
    """A case update's file name: its id where that is a safe name, else the id's SHA-256."""
    if BATCH_ID.match(update_id):
        return update_id
    return hashlib.sha256(update_id.encode()).hexdigest()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    columns = list(dict.fromkeys(field for row in rows for field in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({field: spreadsheet_safe(_cell(value)) for field, value in row.items()})
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return str(value)


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    lines = [json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _entry(path: str, content: bytes) -> dict[str, Any]:
    return {"path": path, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def _make_folders(sftp: paramiko.SFTPClient, folder: str, relative: str) -> None:
    path = folder
    for part in relative.split("/"):
        path = posixpath.join(path, part)
        try:
            sftp.mkdir(path)
        except OSError:
            # Already there (a re-run of the batch), or truly refused: stat tells which.
            if not stat.S_ISDIR(sftp.stat(path).st_mode or 0):
                raise


def _put(sftp: paramiko.SFTPClient, path: str, content: bytes) -> None:
    """Upload under a hidden temporary name, then rename into place in one step."""
    folder, name = posixpath.split(path)
    temporary = posixpath.join(folder, f".{name}.part")
    sftp.putfo(io.BytesIO(content), temporary, file_size=len(content), confirm=True)
    try:
        sftp.posix_rename(temporary, path)
    except OSError as exc:
        if "unsupported" not in str(exc).lower():
            raise
        # A server without posix-rename: SFTP's plain rename will not replace a file.
        with suppress(FileNotFoundError):
            sftp.remove(path)
        sftp.rename(temporary, path)


# --- Errors --------------------------------------------------------------------------------------


def error_for(exc: Exception) -> DeliveryError:
    """What an SSH or SFTP failure means for retrying."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, paramiko.BadAuthenticationType):
        allowed = ", ".join(exc.allowed_types)
        return PermanentError(
            f"The server does not accept this kind of login (it takes: {allowed})"
        )
    if isinstance(exc, paramiko.AuthenticationException):
        return PermanentError("The server refused the user name, password or key")
    if isinstance(exc, PermissionError):
        return PermanentError(f"The server refused permission: {exc.strerror or exc}")
    if isinstance(exc, FileNotFoundError):
        return PermanentError(f"The folder or file does not exist on the server: {exc}")
    if isinstance(exc, socket.timeout | TimeoutError):
        return TransientError("The server did not answer in time")
    if isinstance(exc, paramiko.SSHException | EOFError | OSError):
        # Refused, reset, dropped mid-upload, or a server-side failure (a full disk): the
        # batch is written again under the same names.
        return TransientError(f"The connection failed: {exc.__class__.__name__}: {exc}")
    return TransientError(f"Unexpected error: {exc.__class__.__name__}")
