"""The options of a batch file drop (SFTP) connection, checked when an admin saves it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any

import paramiko  # type: ignore[import-untyped,unused-ignore]  # ships no types
from rest_framework import serializers

from integrations.options import SECRET

FORMAT_CSV, FORMAT_JSONL = "csv", "jsonl"
FORMAT_CHOICES = [
    (FORMAT_CSV, "CSV (one row per submission, a header of every field)"),
    (FORMAT_JSONL, "JSON lines (one JSON object per submission)"),
]
DEFAULT_TIMEOUT = 20.0
DEFAULT_SCHEDULE_MINUTES = 15

_FINGERPRINT = re.compile(r"^SHA256:([A-Za-z0-9+/]{43})=?$")
_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
# Names the batch and its files are made from: no path separators, nothing a shell would mind.
_PREFIX = re.compile(r"^[A-Za-z0-9._-]*$")
_PRIVATE_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (
    paramiko.Ed25519Key,
    paramiko.ECDSAKey,
    paramiko.RSAKey,
)


@dataclass(frozen=True)
class HostKey:
    """What the server's host key must be: a SHA-256 fingerprint, or the key itself."""

    sha256: bytes | None = None  # the digest of the key's wire form
    key_type: str = ""
    key_blob: bytes | None = None

    def matches(self, key: paramiko.PKey) -> bool:
        blob = key.asbytes()
        if self.sha256 is not None:
            return hashlib.sha256(blob).digest() == self.sha256
        return blob == self.key_blob

    @staticmethod
    def fingerprint(key: paramiko.PKey) -> str:
        digest = hashlib.sha256(key.asbytes()).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def parse_host_key(value: str) -> HostKey:
    """A fingerprint ('SHA256:...', as `ssh-keygen -lf` prints it), a public key line
    ('ssh-ed25519 AAAA...'), or a known_hosts line ('sftp.example.gov.uk ssh-ed25519 AAAA...').
    ValueError if it is none of these."""
    value = value.strip()
    found = _FINGERPRINT.match(value)
    if found:
        return HostKey(sha256=base64.b64decode(found.group(1) + "="))
    parts = value.split()
    for i, part in enumerate(parts[:-1]):
        if part in _KEY_TYPES:
            try:
                blob = base64.b64decode(parts[i + 1], validate=True)
            except (binascii.Error, ValueError):
                break
            if _blob_type(blob) != part:
                break
            return HostKey(key_type=part, key_blob=blob)
    raise ValueError("not a host key")


def _blob_type(blob: bytes) -> str:
    """The key type named at the start of an SSH public key blob."""
    if len(blob) < 4:
        return ""
    length = int.from_bytes(blob[:4], "big")
    return blob[4 : 4 + length].decode("ascii", "replace")


def load_private_key(pem: str) -> paramiko.PKey:
    """The private key in `pem` (OpenSSH or PEM; Ed25519, ECDSA or RSA), or ValueError."""
    for cls in _PRIVATE_KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(pem.strip() + "\n"))
        except (paramiko.SSHException, ValueError, TypeError, IndexError):
            continue
    raise ValueError("not a private key")


class SFTPConfig(serializers.Serializer[Any]):
    host = serializers.CharField(label="SFTP server", max_length=255)
    port = serializers.IntegerField(label="Port", default=22, min_value=1, max_value=65535)
    host_key = serializers.CharField(
        label="Server's host key",
        max_length=2000,
        help_text="Required: the portal never trusts a server it does not know. Paste the "
        "fingerprint (SHA256:..., from `ssh-keygen -lf`), the public key (ssh-ed25519 AAAA...) "
        "or its known_hosts line.",
    )
    username = serializers.CharField(label="User name", max_length=200)
    password = serializers.CharField(
        label="Password", style=SECRET, write_only=True, required=False, allow_blank=True
    )
    private_key = serializers.CharField(
        label="Private key",
        style={**SECRET, "base_template": "textarea.html"},
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Instead of a password: a PEM or OpenSSH private key without a passphrase.",
    )
    directory = serializers.CharField(
        label="Folder", default=".", max_length=500, help_text="Where batches are put."
    )
    prefix = serializers.CharField(
        label="File name prefix",
        default="",
        allow_blank=True,
        max_length=50,
        help_text="Put before each batch's file names, e.g. 'moving-home-'.",
    )
    format = serializers.ChoiceField(label="Format", choices=FORMAT_CHOICES, default=FORMAT_CSV)
    schedule_minutes = serializers.IntegerField(
        label="Send a batch every (minutes)",
        default=DEFAULT_SCHEDULE_MINUTES,
        min_value=1,
        max_value=24 * 60,
    )
    timeout = serializers.FloatField(
        label="Timeout (seconds)", default=DEFAULT_TIMEOUT, min_value=0.1, max_value=300
    )

    def validate_host_key(self, value: str) -> str:
        try:
            parse_host_key(value)
        except ValueError:
            raise serializers.ValidationError(
                "Enter the server's key fingerprint (SHA256:...), its public key "
                "(ssh-ed25519 AAAA...) or its known_hosts line."
            ) from None
        return value.strip()

    def validate_private_key(self, value: str) -> str:
        if value.strip():
            try:
                load_private_key(value)
            except ValueError:
                raise serializers.ValidationError(
                    "Enter an unencrypted private key in PEM or OpenSSH format."
                ) from None
        return value

    def validate_directory(self, value: str) -> str:
        value = value.strip()
        if "\x00" in value or any(part == ".." for part in value.split("/")):
            raise serializers.ValidationError("Enter a folder path without '..'.")
        return value.rstrip("/") or "/"

    def validate_prefix(self, value: str) -> str:
        if not _PREFIX.match(value):
            raise serializers.ValidationError(
                "Use only letters, digits, dots, hyphens and underscores."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("password") and not (attrs.get("private_key") or "").strip():
            raise serializers.ValidationError({"password": ["Enter a password or a private key."]})
        return attrs
