"""A submission's resident as someone to write to: where, in which language, as they chose.

A signed-in resident is written to at their account's e-mail address and the UK mobile number
on their profile, in the language they chose (on the notifications page, with the language
switcher, or by default the language of their first request), on the channels they chose per
kind. A guest has no account: the contact details and the language of their request are used,
by e-mail, or by text message when they gave only a mobile number.

Someone with neither (a caller who gave the contact centre a landline, or only a postal
address) is written to by letter when their postal address is known. Where it comes from: an
account holder's address on their profile ("tell us once"), else the address a caller gave the
agent (`contact_address`), else the answer to the request's own question for the resident's
address, the address question that asks to be prefilled from the profile address
(`"prefill": "address"`). Any other address question is where something is (the pothole, the
missed bin) and is never written to. The name on the letter is the account's full name, else
the caller's name as the agent typed it, else the answer to the question for the resident's
name (`"prefill": "full_name"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.forms.schema import SchemaError
from services.models import NotificationPreference, Submission
from services.notifications.rules import (
    ACKNOWLEDGEMENT,
    DEFAULT_CHOICE,
    Channel,
    acknowledgement_channels,
    channels_for,
    language_of,
    letter_address,
    uk_mobile,
)


@dataclass(frozen=True)
class Resident:
    email: str
    mobile: str  # E.164, or "" when there is no UK mobile number to text
    language: str  # "en" or "cy"
    choices: Mapping[str, str] = field(default_factory=dict)  # kind -> choice; none: default
    # A letter's address lines (the name first when known, the postcode last); () when unknown.
    postal_address: tuple[str, ...] = ()

    def choice(self, kind: str) -> str:
        return self.choices.get(kind, DEFAULT_CHOICE)

    def channels(self, kind: str) -> list[str]:
        reach = {
            "has_email": bool(self.email),
            "has_mobile": bool(self.mobile),
            "has_address": bool(self.postal_address),
        }
        if kind == ACKNOWLEDGEMENT:
            return acknowledgement_channels(**reach)
        return channels_for(kind, self.choice(kind), **reach)

    def address(self, channel: str) -> str:
        """Who a message on `channel` is for: the number, the e-mail address, or for a letter
        its first line (the name, or the first line of the address when no name is known)."""
        if channel == Channel.LETTER:
            return self.postal_address[0] if self.postal_address else ""
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
            postal_address=postal_address_of(submission),
        )
    return Resident(
        email=user.email or submission.contact_email,
        mobile=uk_mobile(user.phone) or uk_mobile(submission.contact_phone),
        language=language_for(submission),
        choices=choices_of(user),
        postal_address=postal_address_of(submission),
    )


def postal_address_of(submission: Submission) -> tuple[str, ...]:
    """Where a letter to `submission`'s resident goes (see the module's docstring); ()
    when no usable postal address is known."""
    user = submission.user
    answers = _answers_asking_for(submission, "address", "full_name")
    name = (
        (getattr(user, "full_name", "") if user is not None else "")
        or submission.contact_name
        or _text(answers.get("full_name"))
    )
    for address in (
        getattr(user, "address", None) if user is not None else None,
        submission.contact_address,
        answers.get("address"),
    ):
        lines = letter_address(name, address)
        if lines:
            return tuple(lines)
    return ()


def _answers_asking_for(submission: Submission, *sources: str) -> dict[str, Any]:
    """The answers to the questions prefilled from each of `sources` (the resident's own
    details, as the form asked for them), by source; the first such question's for each."""
    try:
        questions = submission.form_version.parsed.questions
    except SchemaError:
        return {}
    answers = submission.answers or {}
    found: dict[str, Any] = {}
    for question in questions:
        if question.prefill in sources and question.prefill not in found:
            value = answers.get(question.id)
            if value:
                found[question.prefill] = value
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
