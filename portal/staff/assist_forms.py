"""The forms of "submit for a resident": what to start, whom to find, a caller's details.

E-mail addresses and phone numbers are checked by the form engine's own question types, so what
an agent types for a caller is accepted and normalised exactly as a resident's own answer is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.staff.forms import GovukRadioSelect
from services.forms.base import AnswerError
from services.forms.normalise import UnsafeTextError, clean_text
from services.forms.questions import QUESTION_TYPES
from services.forms.schema import Question
from services.forms.text import Text
from services.models import Service
from services.models.submissions import (
    ASSISTED_CHANNELS,
    CONTACT_NAME_MAX_LENGTH,
    CONTACT_PHONE_MAX_LENGTH,
)
from services.staff.resident_accounts import resident_accounts
from services.staff.scope import services_assistable_by
from services.staff.search import MAX_QUERY_LENGTH

LANGUAGE_CHOICES = [("en", _("English")), ("cy", _("Welsh (Cymraeg)"))]
_EMAIL = Question(id="email", type="email", label=Text("Email address"), required=False)
_PHONE = Question(id="phone", type="phone", label=Text("Phone number"), required=False)
# The caller's postal address: the journey's address question (find by postcode, or type it
# in), as the resident's own details page asks for theirs (portal/dashboard/profile_address.py).
CALLER_ADDRESS = Question(
    id="address",
    type="address",
    label=Text("Postal address (optional)", "Cyfeiriad post (dewisol)"),
    hint=Text(
        "We post the reference and updates here if they give no email address or mobile number",
        "Rydym yn postio’r cyfeirnod a’r diweddariadau yma os nad ydynt yn rhoi cyfeiriad e-bost "
        "na rhif ffôn symudol",
    ),
    required=False,
)
_UNSAFE = _("Remove the special characters from your answer")


def _clean_line(value: str) -> str:
    try:
        return clean_text(value)
    except UnsafeTextError:
        raise forms.ValidationError(_UNSAFE, code="unsafe") from None


def _clean_by_question(question: Question, value: str) -> str:
    try:
        clean = QUESTION_TYPES[question.type].clean(question, {question.id: value}, get_language())
    except AnswerError as error:
        raise forms.ValidationError(error.message, code=error.code) from None
    return str(clean or "")


class StartForm(forms.Form):
    """Which service, how the resident is in touch, and the language to write to them in.
    Read from the query string, so every later step carries it and a refresh repeats nothing."""

    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        to_field_name="slug",
        empty_label=str(_("Choose a service")),
        error_messages={
            "required": _("Select the service"),
            "invalid_choice": _("Select a service from the list"),
        },
    )
    channel = forms.ChoiceField(
        label=_("How is the resident in touch?"),
        choices=[(channel.value, channel.label) for channel in ASSISTED_CHANNELS],
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select how the resident is in touch"),
            "invalid_choice": _("Select how the resident is in touch"),
        },
    )
    language = forms.ChoiceField(
        label=_("Which language should we write to them in?"),
        choices=LANGUAGE_CHOICES,
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select the language to write to them in"),
            "invalid_choice": _("Select the language to write to them in"),
        },
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        # Only the services this agent may fill in: those their teams cover.
        self.fields["service"].queryset = services_assistable_by(user).order_by("name")  # type: ignore[attr-defined]

    def query_string(self) -> str:
        """The choices as the next step's query string; only for a valid form."""
        data = self.cleaned_data
        return urlencode(
            {
                "service": data["service"].slug,
                "channel": data["channel"],
                "language": data["language"],
            }
        )


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email or phone number"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Search for %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from your search"),
        },
    )

    def clean_q(self) -> str:
        try:
            return clean_text(self.cleaned_data["q"])
        except UnsafeTextError:
            raise forms.ValidationError(
                _("Remove the special characters from your search"), code="unsafe"
            ) from None


class PickResidentForm(forms.Form):
    resident = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("Select the resident you are acting for"),
            "invalid_choice": _("Select the resident you are acting for"),
        },
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.fields["resident"].queryset = resident_accounts()  # type: ignore[attr-defined]


class CallerForm(forms.Form):
    """A caller without an account (or who cannot be found): a name, and a way to reach them:
    an e-mail address, a phone number, or a postal address (CALLER_ADDRESS, posted beside this
    form; `has_address` says whether one was given)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=CONTACT_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Enter the caller’s full name"),
            "max_length": _("Full name must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _UNSAFE,
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("Email address (optional)"),
        help_text=_("We send the reference and updates here, in the language you chose"),
        required=False,
        max_length=254,
        error_messages={"null_characters_not_allowed": _UNSAFE},
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    phone = forms.CharField(
        label=_("UK telephone number (optional)"),
        help_text=_("For international numbers include the country code"),
        required=False,
        max_length=CONTACT_PHONE_MAX_LENGTH,
        error_messages={"null_characters_not_allowed": _UNSAFE},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, has_address: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_address = has_address

    def full_clean(self) -> None:
        super().full_clean()
        for errors in self.errors.values():  # GOV.UK: one message per field
            del errors[1:]

    def clean_full_name(self) -> str:
        return _clean_line(self.cleaned_data["full_name"])

    def clean_email(self) -> str:
        return _clean_by_question(_EMAIL, _clean_line(self.cleaned_data["email"]))

    def clean_phone(self) -> str:
        return _clean_by_question(_PHONE, _clean_line(self.cleaned_data["phone"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            "email" in cleaned
            and "phone" in cleaned
            and not (cleaned["email"] or cleaned["phone"] or self.has_address)
        ):
            # On the first of the three ways, which the error summary links to.
            self.add_error("email", _("Enter an email address, a phone number or a postal address"))
        return cleaned
