"""A service's start page, topic and flags, with its English and Welsh text side by side.

The form only presents the model: what a service must have (an English name and summary), how
long each text may be, a web address no other service has, and whether it may be live
(`Service.clean`, which asks `Service.unrouted_reason`, the one rule) are the model's own checks,
run by the ModelForm; the form adds only messages in GOV.UK's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from services.models import Service, Topic
from services.models.catalogue import MAX_TARGET_WORKING_DAYS

ENGLISH, WELSH = "en", "cy"
LANGUAGE_NAMES = {ENGLISH: _("English"), WELSH: _("Welsh")}


@dataclass(frozen=True)
class TranslatedText:
    """One text of the start page, asked in English and in Welsh."""

    name: str
    label: Promise
    hint: Promise | str
    multiline: bool


TEXTS = (
    TranslatedText(
        "name", _("Name"), _("What the resident wants to do, like “Report a missed bin”."), False
    ),
    TranslatedText(
        "summary", _("Summary"), _("One or two sentences, shown in the list of services."), True
    ),
    TranslatedText(
        "what_you_need", _("What you need"), _("What to have ready before starting."), True
    ),
    TranslatedText(
        "how_long", _("How long it takes"), _("For example, “It takes about 5 minutes.”"), False
    ),
    TranslatedText(
        "other_ways_phone", _("Other ways to do it: by phone"), _("Number and opening hours."), True
    ),
    TranslatedText("other_ways_in_person", _("Other ways to do it: in person"), "", True),
)
REQUIRED_IN_ENGLISH = {
    "name": _("Enter the service’s name in English"),
    "summary": _("Enter a summary in English"),
}


@dataclass(frozen=True)
class TextPair:
    """What the template shows for one text: its English and Welsh inputs side by side."""

    text: TranslatedText
    english: BoundField
    welsh: BoundField

    @property
    def welsh_missing(self) -> bool:
        """English written, Welsh not: a Welsh speaker would read the English."""
        return _filled(self.english.value()) and not _filled(self.welsh.value())


def _filled(value: Any) -> bool:
    return bool(str(value or "").strip())


class ServiceForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("Web address"),
        required=False,
        max_length=100,
        help_text=_(
            "The end of the service’s address, in lower case letters, numbers and hyphens. "
            "Leave it blank to make it from the English name."
        ),
        error_messages={
            "invalid": _("Enter a web address of lower case letters, numbers and hyphens"),
            "max_length": _("Web address must be 100 characters or fewer"),
            "unique": _("Another service has this web address: choose another"),
        },
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        empty_label=str(_("Choose a topic")),
        error_messages={
            "required": _("Choose the topic the service is listed under"),
            "invalid_choice": _("Choose a topic from the list"),
        },
    )
    allow_guests = forms.BooleanField(
        label=_("Residents may use it without signing in"),
        help_text=_("Guests give an e-mail address instead of signing in."),
        required=False,
    )
    target_working_days = forms.IntegerField(
        label=_("Target time to respond, in working days (optional)"),
        help_text=_(
            "Residents see it on each request, with the date it gives: “We aim to respond within "
            "10 working days, by Friday 18 December 2026”. Working days are Monday to Friday, "
            "except bank holidays. Leave it blank to promise no time."
        ),
        required=False,
        min_value=1,
        max_value=MAX_TARGET_WORKING_DAYS,
        # GOV.UK asks for a text input that brings up the number keypad, not type="number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter the target time as a whole number of working days, like 10"),
            "min_value": _("Target time must be at least 1 working day"),
            "max_value": _("Target time must be %(limit_value)s working days or fewer"),
        },
    )
    is_live = forms.BooleanField(
        label=_("Live: residents can find it and send it"),
        help_text=_("A service can only be live once its form is routed somewhere."),
        required=False,
    )

    class Meta:
        model = Service
        fields = (
            *(f"{text.name}_{language}" for text in TEXTS for language in (ENGLISH, WELSH)),
            "slug",
            "topic",
            "allow_guests",
            "target_working_days",
            "is_live",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A service's address is in residents' bookmarks and in printed letters: it is
            # chosen once, when the service is made.
            del self.fields["slug"]
        for text in TEXTS:
            for language in (ENGLISH, WELSH):
                field = self.fields[f"{text.name}_{language}"]
                field.label = LANGUAGE_NAMES[language]
                field.help_text = ""
                if text.multiline:
                    field.widget = forms.Textarea(attrs={"rows": 3})
                max_length = getattr(field, "max_length", None)
                if max_length:
                    field.error_messages["max_length"] = _(
                        "%(text)s in %(language)s must be %(limit)d characters or fewer"
                    ) % {
                        "text": text.label,
                        "language": LANGUAGE_NAMES[language],
                        "limit": max_length,
                    }
            required = REQUIRED_IN_ENGLISH.get(text.name)
            if required is not None:
                self.fields[f"{text.name}_{ENGLISH}"].required = True
                self.fields[f"{text.name}_{ENGLISH}"].error_messages["required"] = required

    def text_pairs(self) -> list[TextPair]:
        return [
            TextPair(text, self[f"{text.name}_{ENGLISH}"], self[f"{text.name}_{WELSH}"])
            for text in TEXTS
        ]

    def welsh_missing_count(self) -> int:
        return sum(pair.welsh_missing for pair in self.text_pairs())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "slug" in self.fields and not cleaned.get("slug") and "slug" not in self.errors:
            derived = slugify(cleaned.get(f"name_{ENGLISH}") or "")[:100].strip("-")
            if derived:
                cleaned["slug"] = derived
            elif f"name_{ENGLISH}" not in self.errors:
                self.add_error("slug", _("Enter a web address for the service"))
        return cleaned

    def changed_labels(self) -> list[str]:
        """The changed fields as people know them ("Summary (Welsh)"), for the change log."""
        labels: dict[str, str] = {
            f"{text.name}_{language}": f"{text.label} ({LANGUAGE_NAMES[language]})"
            for text in TEXTS
            for language in (ENGLISH, WELSH)
        }
        return [labels.get(name, str(self.fields[name].label)) for name in self.changed_data]


def welsh_missing(service: Service) -> int:
    """How many of a service's texts have English but no Welsh (the services list shows it)."""
    return sum(
        _filled(getattr(service, f"{text.name}_{ENGLISH}"))
        and not _filled(getattr(service, f"{text.name}_{WELSH}"))
        for text in TEXTS
    )
