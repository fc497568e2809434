"""A file drop connection's options are checked when an admin saves them, with clear messages."""

import asyncssh
import pytest
from rest_framework.exceptions import ValidationError

from integrations.registry import registry
from integrations.sftp.adapter import SFTPAdapter

KEY_LINE = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
VALID = {
    "host": "sftp.council.example",
    "host_key": KEY_LINE,
    "username": "portal",
    "password": "p",
}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        SFTPAdapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_the_smallest_valid_options_get_defaults():
    assert SFTPAdapter.validate_config(VALID) == {
        **VALID,
        "port": 22,
        "directory": ".",
        "prefix": "",
        "format": "csv",
        "schedule_minutes": 15,
        "timeout": 20.0,
    }


def test_the_host_key_is_required_so_an_unknown_server_is_never_trusted():
    without = {name: value for name, value in VALID.items() if name != "host_key"}

    assert errors_for(**without) == {"host_key": ["This field is required."]}


@pytest.mark.parametrize("host_key", ["yes", "ssh-ed25519 not-base64!", "SHA256:short", "MD5:aa"])
def test_a_host_key_that_cannot_be_read_is_refused(host_key):
    assert "host_key" in errors_for(**{**VALID, "host_key": host_key})


def test_a_host_key_naming_the_wrong_type_is_refused():
    blob = KEY_LINE.split()[1]

    assert "host_key" in errors_for(**{**VALID, "host_key": f"ssh-rsa {blob}"})


def test_a_password_or_a_private_key_is_needed_and_a_key_must_be_readable():
    assert errors_for(**{**VALID, "password": ""}) == {
        "password": ["Enter a password or a private key."]
    }
    assert "private_key" in errors_for(**{**VALID, "private_key": "-----BEGIN nonsense"})


@pytest.mark.parametrize(("name", "value"), [("prefix", "a/b"), ("directory", "../etc")])
def test_names_that_would_leave_the_folder_are_refused(name, value):
    assert name in errors_for(**{**VALID, name: value})


def test_secrets_are_the_password_and_the_private_key():
    assert SFTPAdapter.secret_option_names() == frozenset({"password", "private_key"})


def test_the_adapter_is_registered_and_batched():
    assert registry.get("sftp") is SFTPAdapter
    assert SFTPAdapter.batched
