"""Encrypt the TOTP secrets and recovery-code seeds stored in plain text before MFAAdapter
encrypted them (portal/accounts/adapter.py). Safe to run again: a value that already decrypts
is left alone. Uses django-fernet-encrypted-fields directly, as the adapter does, so the keys
are the same (a migration imports nothing from portal)."""

from collections.abc import Callable
from typing import Any

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from encrypted_fields.fields import EncryptedTextField


def _is_encrypted(cipher: EncryptedTextField, value: str) -> bool:
    return cipher.to_python(value) != value


def _encrypt(cipher: EncryptedTextField, value: str) -> str:
    return value if _is_encrypted(cipher, value) else str(cipher.get_prep_value(value))


def _decrypt(cipher: EncryptedTextField, value: str) -> str:
    return str(cipher.to_python(value))


def _convert(data: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    converted = dict(data)
    for key in ("secret", "seed"):
        if converted.get(key):
            converted[key] = change(converted[key])
    if converted.get("migrated_codes"):
        converted["migrated_codes"] = [change(code) for code in converted["migrated_codes"]]
    return converted


def _rewrite(apps: Apps, change: Callable[[EncryptedTextField, str], str]) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    cipher = EncryptedTextField()
    for authenticator in Authenticator.objects.filter(type__in=("totp", "recovery_codes")):
        data = _convert(authenticator.data, lambda value: change(cipher, value))
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_secrets(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, _encrypt)


def decrypt_secrets(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, _decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_profile"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
