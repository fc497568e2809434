"""The profile ("tell us once") and tracking ("check the progress of a request") forms.

Phone numbers are checked by the form engine's own question type, so a number the profile
accepts is one every form accepts, normalised the same way; the address is the journey's own
address question (profile_address.py).
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.staff.forms import GovukRadioSelect
from services.conversations.files import ReplyFileError, accept_files, refusal
from services.conversations.resident import StoredFile
from services.forms.base import AnswerError
from services.forms.normalise import UnsafeTextError, clean_text
from services.forms.questions import QUESTION_TYPES
from services.forms.references import normalise_reference
from services.forms.schema import Question
from services.forms.text import Text
from services.models.conversations import MESSAGE_TEXT_MAX_LENGTH
from services.staff.normalise import phone_key, postcode_key

_PHONE = Question(id="phone", type="phone", label=Text("Phone number"), required=False)
_NULL_CHARACTERS = "null_characters_not_allowed"
# Only enough of an e-mail address's shape to tell the resident they typed something else;
# whether it is the address on a request is decided by comparing, not by this.
_EMAIL_SHAPE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")


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

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault(
            "initial", {"full_name": user.full_name, "phone": _phone_for_display(user.phone)}
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

    def save(self, address: dict[str, Any]) -> None:
        """Save the name and phone number, and `address` (the address question's clean value)."""
        self.user.full_name = self.cleaned_data["full_name"]
        self.user.phone = self.cleaned_data["phone"]
        self.user.address = address
        self.user.save(update_fields=["full_name", "phone", "address"])


_BAD_REFERENCE = _("Enter the reference number as it is on your letter or email, like K7WP-3XMR")
_BAD_POSTCODE = _("Enter a postcode, like CF10 1EP, or an email address or phone number")


class TrackForm(_OneErrorPerField):
    """A request named by its reference and the postcode (or, without an address, the e-mail
    address or phone number) given with it. Only the shape of each answer is checked here;
    whether they name a request is services/tracking.py's, answered the same way for either
    part being wrong."""

    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_(
            "For example, K7WP-3XMR. It is on the letter, email or text message we sent you."
        ),
        max_length=40,
        error_messages=_messages(
            required=_("Enter your reference number"), max_length=_BAD_REFERENCE
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_(
            "The postcode of the address in your request. If your request had no address, "
            "enter the email address or phone number you gave instead."
        ),
        max_length=254,
        error_messages=_messages(
            required=_("Enter the postcode, or the email address or phone number you gave"),
            max_length=_BAD_POSTCODE,
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(_BAD_REFERENCE, code="invalid")
        return reference

    def clean_postcode(self) -> str:
        answer = " ".join(self.cleaned_data["postcode"].split())
        if not (
            postcode_key(answer) or phone_key(answer) or _EMAIL_SHAPE.fullmatch(answer.lower())
        ):
            raise forms.ValidationError(_BAD_POSTCODE, code="invalid")
        return answer


class DeleteAccountForm(forms.Form):
    """The one thing deleting an account asks: that the resident understands it is final."""

    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and that this cannot be undone"),
        error_messages={"required": _("Confirm that you want to delete your account")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the list is checked by content in the form's clean."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        return [f for f in (data or []) if f]


def _clean_reply_text(value: str) -> str:
    try:
        return clean_text(value, multiline=True)
    except UnsafeTextError:
        raise forms.ValidationError(
            _("Remove the special characters from your answer"), code="unsafe"
        ) from None


class ReplyForm(_OneErrorPerField):
    """The resident's answer to the council's question: words, and photos or documents."""

    text = forms.CharField(
        label=_("Your reply"),
        max_length=MESSAGE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_messages(
            required=_("Enter your reply"),
            max_length=_("Your reply must be %(limit_value)d characters or fewer"),
        ),
    )
    attachments = MultipleFileField(
        label=_("Add photos or documents (optional)"),
        help_text=_("JPG, PNG, WebP or PDF, up to 5 files, each smaller than 10MB"),
        required=False,
    )

    def __init__(self, *args: Any, too_big: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.stored: list[StoredFile] = []

    def clean_text(self) -> str:
        return _clean_reply_text(self.cleaned_data["text"])

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data["attachments"]
        lang = get_language() or "en"
        if self.too_big:
            raise forms.ValidationError(refusal("too_big", lang), code="too_big")
        try:
            self.stored = accept_files(
                [(f, f.name or "") for f in files], lang, store="text" in self.cleaned_data
            )
        except ReplyFileError as exc:
            raise forms.ValidationError(exc.message, code="file") from None
        return list(files)


class ReopenForm(_OneErrorPerField):
    """Reopening a closed request, or saying it is not fixed (where it was closed as done)."""

    kind = forms.ChoiceField(
        label=_("What do you want to tell us?"),
        choices=[
            ("not_fixed", _("It has not been fixed")),
            ("reopen", _("Something else: I want the council to look at it again")),
        ],
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select what you want to tell us"),
            "invalid_choice": _("Select what you want to tell us"),
        },
    )
    text = forms.CharField(
        label=_("Tell us why"),
        help_text=_("For example, what you can still see and where."),
        max_length=MESSAGE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_messages(
            required=_("Tell us why you want to reopen this request"),
            max_length=_("Your reason must be %(limit_value)d characters or fewer"),
        ),
    )

    def __init__(self, *args: Any, not_fixed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not not_fixed:
            # Only a request closed as done can be "not fixed": nothing to choose then.
            del self.fields["kind"]

    def clean_text(self) -> str:
        return _clean_reply_text(self.cleaned_data["text"])

    @property
    def chosen_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or "reopen")
