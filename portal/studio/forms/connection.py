"""A connection's page: its name and owner, and its adapter's options as real inputs.

The inputs are made from the adapter's declared options (services/routing/option_fields.py):
a checkbox for a yes/no, radios for choices, a number or address input, a password input for a
secret. They check nothing themselves: every option goes to `configure_connection`, which checks
and stores them through `apply_connection_options` (the one owner), and each problem it finds is
shown beside its input.

Secrets are write-only: an input never shows a stored or a typed secret (not even after an
error), its hint says whether one is set, and leaving it blank keeps the stored one. The same
goes for the callback secret, with which a back office proves the status updates it sends are
its own (the admin's rule: at least 32 characters); it can also be removed, which refuses
callbacks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from services.models import Connection
from services.routing.connections import ConnectionOptionsInvalid
from services.routing.option_fields import Kind, OptionField, configure_connection

OPTION_PREFIX = "option_"
# DRF's words for a missing option, said the GOV.UK way ("Enter the address") instead.
_REQUIRED = str(serializers.Field.default_error_messages["required"])


class SecretTextarea(forms.Textarea):
    """A multi-line secret (a private key): like a password input, it never shows a value."""

    def format_value(self, value: Any) -> None:
        return None


def _widget(option: OptionField) -> forms.Widget:
    off = {"autocomplete": "off", "spellcheck": "false"}
    if option.secret:
        if option.kind is Kind.MULTILINE:
            return SecretTextarea(attrs={"rows": 4, **off})
        return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
    if option.kind is Kind.MULTILINE:
        return forms.Textarea(attrs={"rows": 4, **off})
    if option.kind is Kind.CHOICE:
        return forms.RadioSelect(choices=option.choices)
    if option.kind is Kind.URL:
        return forms.URLInput(attrs=off)
    if option.kind is Kind.EMAIL:
        return forms.EmailInput(attrs=off)
    if option.kind is Kind.INTEGER:
        return forms.TextInput(attrs={"inputmode": "numeric", **off})
    if option.kind is Kind.NUMBER:
        return forms.TextInput(attrs={"inputmode": "decimal", **off})
    return forms.TextInput(attrs=off)


def _shown(value: Any) -> Any:
    """A stored option as its input shows it: a list (of addresses) as text, as it is typed."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


class ConnectionForm(forms.ModelForm):
    class Meta:
        model = Connection
        fields = ("name", "slug", "owner_email", "is_active", "max_concurrency", "callback_auth")
        widgets = {"callback_auth": forms.RadioSelect}
        labels = {
            "callback_auth": _("How the back office proves a status update is its own"),
            "name": _("Name"),
            "slug": _("Short name"),
            "owner_email": _("Owner’s e-mail address"),
            "is_active": _("Active: send submissions to it"),
            "max_concurrency": _("Deliveries at once"),
        }
        help_texts = {
            "slug": _(
                "Lower case letters, numbers and hyphens. Back offices send status updates to "
                "an address ending in it."
            ),
        }
        error_messages = {
            "callback_auth": {
                "invalid_choice": _("Choose how the back office proves its updates from the list")
            },
            "name": {"required": _("Enter a name for the connection")},
            "slug": {
                "required": _("Enter a short name"),
                "invalid": _("Enter a short name of lower case letters, numbers and hyphens"),
                "unique": _("Another connection has this short name: choose another"),
            },
            "owner_email": {
                "required": _("Enter the e-mail address of the connection’s owner"),
                "invalid": _("Enter an e-mail address, like name@council.gov.uk"),
            },
            "max_concurrency": {
                "required": _("Enter how many deliveries may be sent at once"),
                "invalid": _("Enter a whole number of deliveries, like 4"),
            },
        }

    # About the connection; the callback's fields are asked under "Status updates".
    ABOUT = ("name", "slug", "owner_email", "is_active", "max_concurrency")

    new_callback_secret = forms.CharField(
        label=_("New callback secret"),
        required=False,
        min_length=32,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        error_messages={
            "min_length": _("Enter a callback secret of at least 32 characters"),
            "max_length": _("Enter a callback secret of 200 characters or fewer"),
        },
    )
    remove_callback_secret = forms.BooleanField(
        label=_("Remove the callback secret: refuse status updates sent to us"),
        required=False,
    )

    def __init__(
        self, *args: Any, adapter_id: str, options: list[OptionField], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["callback_auth"].choices = Connection.CallbackAuth.choices  # type: ignore[attr-defined]
        self.fields["callback_auth"].required = False  # left out: HMAC, the model's default
        self.fields["new_callback_secret"].help_text = " ".join(
            [
                gettext(
                    "The back office signs each status update with it (or sends it as a bearer "
                    "token). At least 32 characters; never shown again."
                ),
                gettext("Set: leave blank to keep it, or enter a new one to replace it.")
                if self.instance.callback_secret
                else gettext("Not set: callbacks are refused"),
            ]
        )
        self.adapter_id = adapter_id
        self.options = options
        self.fields["max_concurrency"].widget.attrs.update(inputmode="numeric")
        stored = self.instance.config if self.instance.pk else {}
        for option in options:
            self.fields[OPTION_PREFIX + option.name] = self._option_field(option, stored)

    def _option_field(self, option: OptionField, stored: dict[str, Any]) -> forms.Field:
        help_text = option.help_text
        if option.secret:
            help_text = " ".join(filter(None, [help_text, self.secret_state(option)]))
        field_class = forms.BooleanField if option.kind is Kind.BOOLEAN else forms.CharField
        field = field_class(
            label=option.label, help_text=help_text, required=False, widget=_widget(option)
        )
        if isinstance(field, forms.CharField) and (option.secret or option.kind is Kind.MULTILINE):
            field.strip = False  # a key's trailing new line is part of it
        if not option.secret:
            field.initial = _shown(stored.get(option.name, option.default))
        return field

    def secret_state(self, option: OptionField) -> str:
        if (
            option.name in (self.instance.secrets or {})
            and self.instance.adapter == self.adapter_id
        ):
            return gettext("Set: leave blank to keep it, or enter a new one to replace it.")
        return gettext("Not set.")

    def about_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ABOUT]

    def callback_fields(self) -> list[forms.BoundField]:
        fields = [self["callback_auth"], self["new_callback_secret"]]
        if self.instance.callback_secret:
            fields.append(self["remove_callback_secret"])
        return fields

    def option_fields(self) -> list[tuple[OptionField, forms.BoundField]]:
        return [(option, self[OPTION_PREFIX + option.name]) for option in self.options]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.before = _Snapshot.of(self.instance)
        self.callback_auth_before = self.instance.callback_auth
        if not cleaned.get("callback_auth"):
            cleaned["callback_auth"] = self.instance.callback_auth = Connection.CallbackAuth.HMAC
        new_secret = cleaned.get("new_callback_secret")
        if new_secret and cleaned.get("remove_callback_secret"):
            self.add_error(
                "remove_callback_secret",
                gettext("Either enter a new callback secret or remove it, not both"),
            )
        elif new_secret:
            self.instance.callback_secret = new_secret
        elif cleaned.get("remove_callback_secret"):
            self.instance.callback_secret = ""
        options: dict[str, Any] = {}
        secrets: dict[str, Any] = {}
        for option in self.options:
            value = cleaned.get(OPTION_PREFIX + option.name)
            if option.kind is not Kind.BOOLEAN:
                value = str(value or "")
                value = value if option.secret or option.kind is Kind.MULTILINE else value.strip()
                if value == "":
                    continue  # left blank: the option's default, or a stored secret kept
            (secrets if option.secret else options)[option.name] = value
        try:
            configure_connection(self.instance, self.adapter_id, options, secrets)
        except ConnectionOptionsInvalid as invalid:
            labels = {option.name: option.label for option in self.options}
            for problem in invalid.problems:
                if problem.option in labels and not problem.misplaced:
                    message = problem.message
                    if message == _REQUIRED:
                        message = gettext("Enter the %s") % labels[problem.option].lower()
                    self.add_error(OPTION_PREFIX + problem.option, message)
                else:
                    self.add_error(None, str(problem))
        return cleaned

    def changed_labels(self) -> list[str]:
        """What this save changed, as people know the fields: never a value (secrets)."""
        model_fields = [
            str(self.fields[name].label)
            for name in self.changed_data
            if name in self.ABOUT
            or (
                name == "callback_auth" and self.instance.callback_auth != self.callback_auth_before
            )
        ]
        if (self.instance.callback_secret or "") != self.before.callback_secret:
            model_fields.append(gettext("callback secret"))
        return model_fields + self.before.changed_options(self.instance, self.options)


class _Snapshot:
    """A connection's options and secrets before a save, to say which ones it changed."""

    def __init__(
        self,
        adapter: str,
        config: dict[str, Any],
        secrets: dict[str, Any],
        callback_secret: str = "",
    ) -> None:
        self.adapter, self.config, self.secrets = adapter, config, secrets
        self.callback_secret = callback_secret

    @classmethod
    def of(cls, connection: Connection) -> _Snapshot:
        return cls(
            connection.adapter,
            dict(connection.config or {}),
            dict(connection.secrets or {}),
            connection.callback_secret or "",
        )

    def changed_options(self, connection: Connection, options: list[OptionField]) -> list[str]:
        return [
            option.label
            for option in options
            if (connection.secrets if option.secret else connection.config).get(option.name)
            != (self.secrets if option.secret else self.config).get(option.name)
        ]


class ChooseAdapterForm(forms.Form):
    """Step one of a new connection: which kind of back-office system it is."""

    adapter = forms.ChoiceField(
        label=_("Which kind of system is it?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the kind of system"),
            "invalid_choice": _("Choose the kind of system from the list"),
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adapter"].choices = choices  # type: ignore[attr-defined]
