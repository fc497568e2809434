"""An adapter's options described for a form: what the studio's connection page asks.

The portal may not import adapters (the layers), and should not guess at them: this reads the
options each adapter declares (its `config_serializer`) and describes each one as people are
asked it — label, help text, kind of input, choices, default, whether required, whether secret.
It describes and never checks: what is allowed is the serializer's to say, through
`configure_connection` -> `apply_connection_options` (services/routing/connections.py), the one
owner of how options are checked and stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from integrations.registry import UnknownAdapter, registry
from services.models import Connection
from services.routing.connections import apply_connection_options


class Kind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    URL = "url"
    EMAIL = "email"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class OptionField:
    name: str
    label: str
    help_text: str
    kind: Kind
    required: bool
    secret: bool
    default: Any  # None when the option has none
    choices: tuple[tuple[str, str], ...] = ()


def _kind(field: serializers.Field[Any, Any, Any, Any]) -> Kind:
    # Subclasses before their parents: a URLField is a CharField.
    if isinstance(field, serializers.BooleanField):
        return Kind.BOOLEAN
    if isinstance(field, serializers.ChoiceField):
        return Kind.CHOICE
    if isinstance(field, serializers.IntegerField):
        return Kind.INTEGER
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return Kind.NUMBER
    if isinstance(field, serializers.URLField):
        return Kind.URL
    if isinstance(field, serializers.EmailField):
        return Kind.EMAIL
    if field.style.get("base_template") == "textarea.html":
        return Kind.MULTILINE
    # Anything else (a CharField, an adapter's own field such as a list of addresses) is typed
    # as text and read by the adapter's field.
    return Kind.TEXT


def _describe(name: str, field: serializers.Field[Any, Any, Any, Any]) -> OptionField:
    default = None if field.default is empty else field.default
    choices: tuple[tuple[str, str], ...] = ()
    if isinstance(field, serializers.ChoiceField):
        choices = tuple((str(value), str(label)) for value, label in field.choices.items())
    return OptionField(
        name=name,
        label=str(field.label or name),
        help_text=str(field.help_text or ""),
        kind=_kind(field),
        required=bool(field.required),
        secret=bool(field.style.get("secret")),
        default=default,
        choices=choices,
    )


def adapter_choices() -> list[tuple[str, str]]:
    """Every back-office system a connection may use: (adapter id, its name)."""
    return registry.choices()


def adapter_name(adapter_id: str) -> str | None:
    try:
        return registry.get(adapter_id).name
    except UnknownAdapter:
        return None


def option_fields(adapter_id: str) -> list[OptionField] | None:
    """The adapter's options in the order it declares them; None for no such adapter."""
    try:
        adapter_class = registry.get(adapter_id)
    except UnknownAdapter:
        return None
    fields = adapter_class.config_serializer().fields
    return [_describe(name, field) for name, field in fields.items()]


def configure_connection(
    connection: Connection,
    adapter_id: str,
    options: Mapping[str, Any],
    secrets: Mapping[str, Any],
) -> None:
    """Set the connection's adapter, options and secrets (not saved) through the one rule,
    `apply_connection_options`: ConnectionOptionsInvalid, and `connection` unchanged, if wrong.
    Raises UnknownAdapter for no such adapter."""
    apply_connection_options(connection, registry.get(adapter_id), options, secrets)
