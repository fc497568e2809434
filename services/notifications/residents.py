"""A submission's resident as someone to write to: where, in which language, as they chose.

A signed-in resident is written to at their account's e-mail address and the UK mobile number
on their profile, in the language they chose (on the notifications page, with the language
switcher, or by default the language of their first request), on the channels they chose per
kind. A guest has no account: the contact details and the language of their request are used,
by e-mail, or by text message when they gave only a mobile number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.models import NotificationPreference, Submission
from services.notifications.rules import (
    ACKNOWLEDGEMENT,
    DEFAULT_CHOICE,
    Channel,
    acknowledgement_channels,
    channels_for,
    language_of,
    uk_mobile,
)


@dataclass(frozen=True)
class Resident:
    email: str
    mobile: str  # E.164, or "" when there is no UK mobile number to text
    language: str  # "en" or "cy"
    choices: Mapping[str, str] = field(default_factory=dict)  # kind -> choice; none: default

    def choice(self, kind: str) -> str:
        return self.choices.get(kind, DEFAULT_CHOICE)

    def channels(self, kind: str) -> list[str]:
        reach = {"has_email": bool(self.email), "has_mobile": bool(self.mobile)}
        if kind == ACKNOWLEDGEMENT:
            return acknowledgement_channels(**reach)
        return channels_for(kind, self.choice(kind), **reach)

    def address(self, channel: str) -> str:
        return self.mobile if channel == Channel.SMS else self.email


def choices_of(user: Any) -> dict[str, str]:
    """The resident's saved choice per kind; a kind with no row has the default."""
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


def account_language(user: Any) -> str:
    """The language a signed-in resident chose ("" when they have not: then their request's)."""
    return str(getattr(user, "language", "") or "")


def language_for(submission: Submission) -> str:
    """The language everything about `submission` is written to its resident in: the one the
    account holder chose, else the request's (a guest's, or an account's first)."""
    user = submission.user
    return language_of(account_language(user) if user is not None else "", submission.language)


def resident_of(submission: Submission) -> Resident:
    user = submission.user
    if user is None:
        return Resident(
            email=submission.contact_email,
            mobile=uk_mobile(submission.contact_phone),
            language=language_for(submission),
        )
    return Resident(
        email=user.email or submission.contact_email,
        mobile=uk_mobile(user.phone) or uk_mobile(submission.contact_phone),
        language=language_for(submission),
        choices=choices_of(user),
    )
