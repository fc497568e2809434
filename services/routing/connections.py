"""How a connection's options and secrets are checked and stored: the one rule.

The admin's connection form and `routing import` (and anything else that configures a
connection) call `apply_connection_options`, so the same options give the same stored row
whichever way they came in:

- the adapter's own schema checks them (Adapter.validate_config) and what is stored is its
  cleaned values, defaults included, never the options as written;
- secret options (those the schema marks secret) go, encrypted, into `Connection.secrets`, all
  others into `Connection.config`; a secret among the plain options, or a plain option given
  as a secret, is refused rather than stored in the wrong place;
- a secret given blank or left out keeps its stored value, as long as the adapter is the same
  (another adapter's secrets mean nothing to the new one, so they are dropped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from rest_framework import serializers

from integrations.base import Adapter
from services.models import Connection


@dataclass(frozen=True)
class OptionProblem:
    """One reason the options cannot be stored.

    `option` names the option ("" for the options as a whole); `secret` says whether it belongs
    with the secret options, so a form can show the message beside the right box."""

    option: str
    secret: bool
    message: str
    # True when the message itself names the option (it was given in the wrong box).
    misplaced: bool = False

    def __str__(self) -> str:
        if self.misplaced or not self.option:
            return self.message
        return f"{self.option}: {self.message}"


class ConnectionOptionsInvalid(Exception):
    def __init__(self, problems: list[OptionProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CleanedOptions:
    config: dict[str, Any]
    secrets: dict[str, Any]


def kept_secrets(connection: Connection, adapter_class: type[Adapter]) -> dict[str, Any]:
    """The stored secrets that still apply if `connection` now uses `adapter_class`."""
    if connection.pk is None or connection.adapter != adapter_class.id:
        return {}
    return dict(connection.secrets or {})


def clean_connection_options(
    adapter_class: type[Adapter],
    options: Mapping[str, Any],
    secrets: Mapping[str, Any],
    *,
    stored_secrets: Mapping[str, Any],
    secrets_may_be_unset: bool = False,
) -> CleanedOptions:
    """The config and secrets to store; ConnectionOptionsInvalid listing every problem.

    `secrets` are new values (blank ones keep the stored value); `stored_secrets` are those
    kept from before (see kept_secrets). `secrets_may_be_unset` lets a secret be missing for
    now (a connection imported from a file gets its secrets later)."""
    secret_names = adapter_class.secret_option_names()
    problems = [
        OptionProblem(
            str(name),
            False,
            _("“%s” is secret: enter it under secret options instead.") % name,
            misplaced=True,
        )
        for name in sorted(set(options) & secret_names, key=str)
    ]
    problems += [
        OptionProblem(
            str(name),
            True,
            _("“%(name)s” is not a secret option of %(adapter)s.")
            % {"name": name, "adapter": adapter_class.name},
            misplaced=True,
        )
        for name in sorted(set(secrets) - secret_names, key=str)
    ]
    if problems:
        raise ConnectionOptionsInvalid(problems)
    merged_secrets = {
        **stored_secrets,
        **{k: v for k, v in secrets.items() if v not in (None, "")},
    }
    try:
        validated = adapter_class.validate_config(
            {**options, **merged_secrets}, secrets_may_be_unset=secrets_may_be_unset
        )
    except serializers.ValidationError as error:
        detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
        raise ConnectionOptionsInvalid(
            [
                OptionProblem(str(name), name in secret_names, message)
                for name, messages in detail.items()
                for message in _messages(messages)
            ]
        ) from None
    # Stored as JSON: what a serializer cleaned to (a Decimal, a date) is kept as JSON would.
    stored = json.loads(json.dumps(validated, cls=DjangoJSONEncoder))
    return CleanedOptions(
        config={k: v for k, v in stored.items() if k not in secret_names},
        secrets={k: v for k, v in stored.items() if k in secret_names},
    )


def apply_connection_options(
    connection: Connection,
    adapter_class: type[Adapter],
    options: Mapping[str, Any],
    secrets: Mapping[str, Any],
    *,
    secrets_may_be_unset: bool = False,
) -> None:
    """Check the options and set `connection`'s adapter, config and secrets (not saved).

    ConnectionOptionsInvalid, and `connection` unchanged, if anything is wrong."""
    cleaned = clean_connection_options(
        adapter_class,
        options,
        secrets,
        stored_secrets=kept_secrets(connection, adapter_class),
        secrets_may_be_unset=secrets_may_be_unset,
    )
    connection.adapter = adapter_class.id
    connection.config = cleaned.config
    connection.secrets = cleaned.secrets


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, Mapping):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]
