"""The workspace's forms: the case search box and its filters (read from the query string)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.forms.normalise import UnsafeTextError, clean_text
from services.models import CaseActivity, Channel, Service, Submission
from services.models.casework import CASEWORK_TEXT_MAX_LENGTH
from services.models.updates import DESCRIPTION_MAX_LENGTH, PUBLIC_TEXT_MAX_LENGTH
from services.staff.casework import CONTACT_KINDS
from services.staff.scope import services_visible_to
from services.staff.search import MAX_QUERY_LENGTH, SORTS, CaseQuery

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
_ANY = ("", _("Any"))
DELIVERY_CHOICES = [
    ("delivered", _("Delivered")),
    ("retrying", _("Waiting or retrying")),
    ("failed", _("Failed")),
]


def _clean_search(value: str) -> str:
    try:
        return clean_text(value)
    except UnsafeTextError:
        raise forms.ValidationError(
            _("Remove the special characters from your search"), code="unsafe"
        ) from None


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, name, email, phone, postcode or address"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Search for %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from your search"),
        },
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=str(_("Any")),
        error_messages={"invalid_choice": _("Select a service from the list")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[_ANY, *Submission.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("Select a status from the list")},
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[_ANY, *Channel.choices],
        required=False,
        error_messages={"invalid_choice": _("Select a channel from the list")},
    )
    delivery = forms.ChoiceField(
        label=_("Delivery to the back office"),
        choices=[_ANY, *DELIVERY_CHOICES],
        required=False,
        error_messages={"invalid_choice": _("Select a delivery state from the list")},
    )
    submitted_from = forms.DateField(
        label=_("Sent on or after"),
        help_text=_("For example, 27/3/2026"),
        input_formats=DATE_FORMATS,
        required=False,
        error_messages={"invalid": _("Enter a real date, like 27/3/2026")},
    )
    submitted_to = forms.DateField(
        label=_("Sent on or before"),
        help_text=_("For example, 27/3/2026"),
        input_formats=DATE_FORMATS,
        required=False,
        error_messages={"invalid": _("Enter a real date, like 27/3/2026")},
    )
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        # Only the services whose cases this person may see: the list says what they can find.
        self.fields["service"].queryset = services_visible_to(user).order_by("name")  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        return _clean_search(self.cleaned_data["q"])

    def clean_sort(self) -> str:
        return str(self.cleaned_data["sort"] or "newest")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error(
                "submitted_to",
                _("The ‘sent on or before’ date must be the same as or after the other"),
            )
        return cleaned

    def query(self) -> CaseQuery:
        """The search as the domain reads it; only for a valid form."""
        data = self.cleaned_data
        service = data["service"]
        return CaseQuery(
            text=data["q"],
            service_id=service.pk if service is not None else None,
            status=data["status"],
            channel=data["channel"],
            submitted_from=data["submitted_from"],
            submitted_to=data["submitted_to"],
            delivery=data["delivery"],
            sort=data["sort"],
        )


def _clean_multiline(value: str, message: Any) -> str:
    try:
        return clean_text(value, multiline=True)
    except UnsafeTextError:
        raise forms.ValidationError(message, code="unsafe") from None


class GovukRadioSelect(forms.RadioSelect):
    """Radios whose first input carries the field's own id, which GOV.UK's error summary links
    to (Django's RadioSelect gives the field no id of its own, so the link would go nowhere)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None or index == "0":
            return id_
        return super().id_for_label(id_, index)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        help_text=_(
            "Only council staff see notes, but a resident may ask for a copy of their data: "
            "write nothing you would not want them to read."
        ),
        max_length=CASEWORK_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Enter the note"),
            "max_length": _("The note must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from the note"),
        },
    )

    def clean_text(self) -> str:
        return _clean_multiline(
            self.cleaned_data["text"], _("Remove the special characters from the note")
        )


class ContactForm(NoteForm):
    kind = forms.ChoiceField(
        label=_("How did you contact them, or they you?"),
        choices=[(kind.value, kind.label) for kind in CONTACT_KINDS],
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select how you were in contact"),
            "invalid_choice": _("Select how you were in contact"),
        },
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=CaseActivity.Outcome.choices,
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select the outcome"),
            "invalid_choice": _("Select the outcome"),
        },
    )

    field_order = ("kind", "outcome", "text")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("What was said")
        self.fields["text"].help_text = ""
        self.fields["text"].error_messages["required"] = _("Enter what was said")


class StatusChangeForm(forms.Form):
    """A new status for a case and what the resident is told (services/staff/status.py)."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=Submission.Status.choices,
        widget=GovukRadioSelect,
        error_messages={
            "required": _("Select the new status"),
            "invalid_choice": _("Select the new status"),
        },
    )
    message = forms.CharField(
        label=_("Message to the resident"),
        help_text=_(
            "They will read this on their request page, and in a message by e-mail, text or "
            "letter as they chose. Say what has happened and what happens next, in plain words."
        ),
        max_length=PUBLIC_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Enter a message to the resident"),
            "max_length": _("The message must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from the message"),
        },
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        help_text=_("Only council staff see this."),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("The note must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from the note"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # GOV.UK's character count lets people type past the limit and then says by how much;
        # a maxlength attribute would cut their words off silently instead.
        self.fields["message"].widget.attrs.pop("maxlength", None)

    def clean_message(self) -> str:
        return _clean_multiline(
            self.cleaned_data["message"], _("Remove the special characters from the message")
        )

    def clean_note(self) -> str:
        return _clean_multiline(
            self.cleaned_data["note"], _("Remove the special characters from the note")
        )


class ResidentSearchForm(forms.Form):
    """The resident search box; it matches what the case search matches (services/staff)."""

    q = forms.CharField(
        label=_("Name, email, phone, postcode or address"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Search for %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from your search"),
        },
    )

    def clean_q(self) -> str:
        return _clean_search(self.cleaned_data["q"])


class QuestionForm(forms.Form):
    """A question to the resident (services/conversations/ask.py)."""

    question = forms.CharField(
        label=_("Your question"),
        help_text=_(
            "The resident reads this on their request page, and in a message by e-mail, text or "
            "letter, and answers it there. Ask one clear thing, in plain words."
        ),
        max_length=PUBLIC_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Enter your question"),
            "max_length": _("The question must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from the question"),
        },
    )

    def clean_question(self) -> str:
        return _clean_multiline(
            self.cleaned_data["question"], _("Remove the special characters from the question")
        )
