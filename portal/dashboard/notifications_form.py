"""The notifications page's form: a channel per kind of message, and the resident's language.

What is offered comes from services/notifications/rules.py `offered`: text messages only with a
UK mobile number on the profile, "do not contact me" only where the council need not reach the
resident. A choice that is not offered (a forged post, or a number removed in another tab) gets
the field's error, never a 500, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import LANGUAGE_CHOICES, User
from portal.dashboard.forms import _OneErrorPerField
from services.models import NotificationPreference
from services.notifications.preferences import (
    can_text,
    current_choices,
    current_language,
    save_preferences,
)
from services.notifications.rules import offered

Kind = NotificationPreference.Kind
Choice = NotificationPreference.Choice

# Each kind's message when nothing, or something not offered, is chosen; and its hint.
_REQUIRED = {
    Kind.STATUS_UPDATE: _("Select how we should tell you when the status of your request changes"),
    Kind.INFORMATION_REQUEST: _("Select how we should tell you when we need more information"),
    Kind.REMINDER: _("Select how we should send you reminders"),
}
_HINTS = {
    Kind.STATUS_UPDATE: _("You can always see the status of your requests in your account."),
    Kind.INFORMATION_REQUEST: _(
        "We need to be able to reach you when we ask about your request, so you cannot turn "
        "these off."
    ),
    Kind.REMINDER: _("For example, when we are still waiting for your reply."),
}


class NotificationsForm(_OneErrorPerField):
    language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        help_text=_("We write every email and text message to you in this language."),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the language we should write to you in"),
            "invalid_choice": _("Select the language we should write to you in"),
        },
    )

    def __init__(self, *args: Any, user: User, page_language: str, **kwargs: Any) -> None:
        self.user = user
        self.can_text = can_text(user)
        kwargs.setdefault(
            "initial",
            {**current_choices(user), "language": current_language(user, page_language)},
        )
        super().__init__(*args, **kwargs)
        for kind in Kind:
            message = _REQUIRED[kind]
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                help_text=_HINTS[kind],
                choices=[(c, Choice(c).label) for c in offered(kind, has_mobile=self.can_text)],
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
        # The kinds first, the language last, as the page asks them.
        self.order_fields([*Kind.values, "language"])

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in Kind.values]

    def save(self) -> str:
        """Keep the choices; returns the language chosen."""
        language = self.cleaned_data["language"]
        save_preferences(
            self.user, {kind: self.cleaned_data[kind] for kind in Kind.values}, language
        )
        return str(language)
