"""The profile ("tell us once") and guest tracking forms.

Phone numbers and addresses are checked by the form engine's own question types, so a number or
postcode the profile accepts is one every form accepts, normalised the same way.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from services.forms.base import AnswerError
from services.forms.normalise import UnsafeTextError, clean_text
from services.forms.questions import QUESTION_TYPES
from services.forms.schema import Question
from services.forms.text import Text

_PHONE = Question(id="phone", type="phone", label=Text("Phone number"), required=False)
_ADDRESS = Question(id="address", type="address", label=Text("Address"), required=False)
# The profile form's field for each of the address question's inputs.
_ADDRESS_FIELDS = {
    "address-line1": "address_line1",
    "address-line2": "address_line2",
    "address-town": "address_town",
    "address-postcode": "address_postcode",
}
_FIELDS = tuple(_ADDRESS_FIELDS.values())
_NULL_CHARACTERS = "null_characters_not_allowed"


def _phone_for_display(stored: str) -> str:
    """A stored E.164 number as residents write it; anything unparseable as it was stored."""
    try:
        return QUESTION_TYPES["phone"].display(_PHONE, stored)
    except phonenumbers.NumberParseException:
        return stored


def _messages(**messages: Any) -> dict[str, Any]:
    return {_NULL_CHARACTERS: _("Remove the special characters from your answer"), **messages}


class _OneErrorPerField(forms.Form):
    """GOV.UK shows one message per field: the first problem found is the one to fix first."""

    def full_clean(self) -> None:
        super().full_clean()
        for errors in self.errors.values():
            del errors[1:]


class ProfileForm(_OneErrorPerField):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages=_messages(
            required=_("Enter your full name"),
            max_length=_("Full name must be 200 characters or less"),
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("UK telephone number (optional)"),
        help_text=_("For international numbers include the country code"),
        required=False,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address_line1 = forms.CharField(
        label=_("Address line 1"),
        required=False,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label=_("Address line 2 (optional)"),
        required=False,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    address_town = forms.CharField(
        label=_("Town or city"),
        required=False,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    address_postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        address = user.address if isinstance(user.address, dict) else {}
        kwargs.setdefault(
            "initial",
            {
                "full_name": user.full_name,
                "phone": _phone_for_display(user.phone),
                **{field: address.get(field.removeprefix("address_")) or "" for field in _FIELDS},
            },
        )
        super().__init__(*args, **kwargs)

    def clean_full_name(self) -> str:
        try:
            return clean_text(self.cleaned_data["full_name"])
        except UnsafeTextError:
            raise forms.ValidationError(
                _("Remove the special characters from your answer"), code="invalid"
            ) from None

    def clean_phone(self) -> str:
        try:
            phone = QUESTION_TYPES["phone"].clean(
                _PHONE, {"phone": self.cleaned_data["phone"]}, get_language()
            )
        except AnswerError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return phone or ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(field in self.errors for field in _FIELDS):
            return cleaned
        data = {name: cleaned.get(field, "") for name, field in _ADDRESS_FIELDS.items()}
        try:
            address = QUESTION_TYPES["address"].clean(_ADDRESS, data, get_language())
        except AnswerError as exc:
            self.add_error(_ADDRESS_FIELDS.get(exc.field, "address_line1"), exc.message)
            return cleaned
        cleaned["address"] = self._keep_uprn(address) if address else {}
        return cleaned

    def _keep_uprn(self, address: dict[str, Any]) -> dict[str, Any]:
        """A UPRN (from an address lookup in a form) stays only while the address is unchanged."""
        stored = self.user.address if isinstance(self.user.address, dict) else {}
        parts = ("line1", "line2", "town", "postcode")
        unchanged = all((stored.get(p) or "") == (address.get(p) or "") for p in parts)
        return {**address, "uprn": stored.get("uprn") if unchanged else None}

    def save(self) -> None:
        self.user.full_name = self.cleaned_data["full_name"]
        self.user.phone = self.cleaned_data["phone"]
        self.user.address = self.cleaned_data["address"]
        self.user.save(update_fields=["full_name", "phone", "address"])


class TrackForm(_OneErrorPerField):
    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("It is in the email we sent you, for example K7WP-3XMR"),
        error_messages=_messages(required=_("Enter your reference number")),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The email address you gave when you sent the form"),
        error_messages=_messages(
            required=_("Enter your email address"),
            invalid=_("Enter an email address in the correct format, like name@example.com"),
            max_length=_("Enter an email address in the correct format, like name@example.com"),
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
