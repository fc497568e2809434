"""Reading and saving a signed-in resident's choices: what the notifications page shows and
keeps. The page checks the answers against `offered`; saving checks them again, so no caller
can store a choice the rules refuse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from services.models import NotificationPreference
from services.notifications.residents import account_language, choices_of
from services.notifications.rules import (
    DEFAULT_CHOICE,
    LANGUAGES,
    Kind,
    language_of,
    offered,
    uk_mobile,
)


def can_text(user: Any) -> bool:
    """Text messages are offered only to a resident with a UK mobile number on their profile."""
    return bool(uk_mobile(getattr(user, "phone", "")))


def current_choices(user: Any) -> dict[str, str]:
    """Every kind's choice as the page shows it: the saved one, or the default. A saved SMS
    choice whose number has since gone is shown as what the resident now gets: e-mail."""
    saved = choices_of(user)
    texting = can_text(user)
    shown = {}
    for kind in Kind.values:
        choice = saved.get(kind, DEFAULT_CHOICE)
        shown[kind] = choice if choice in offered(kind, has_mobile=texting) else DEFAULT_CHOICE
    return shown


def current_language(user: Any, fallback: str) -> str:
    """The language the resident chose, or `fallback` (the page's) if they have not yet."""
    return language_of(account_language(user), fallback)


def save_preferences(user: Any, choices: Mapping[str, str], language: str) -> None:
    """Keep the resident's choice for every kind and their language, all or nothing.

    Raises ValueError for a kind, choice or language the rules do not offer this resident."""
    if language not in LANGUAGES:
        raise ValueError(f"not a language of the portal: {language!r}")
    texting = can_text(user)
    if set(choices) != set(Kind.values):
        raise ValueError("a choice is needed for every kind")
    for kind, choice in choices.items():
        if choice not in offered(kind, has_mobile=texting):
            raise ValueError(f"{choice!r} is not offered for {kind!r}")
    with transaction.atomic():
        for kind, choice in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": choice}
            )
        remember_language(user, language)


def remember_language(user: Any, language: str) -> bool:
    """Store `language` as the resident's, if it is one of ours and not theirs already."""
    if language not in LANGUAGES or account_language(user) == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


def remember_first_language(user: Any, language: str) -> bool:
    """A resident who has not chosen a language is written to in that of their first request."""
    if account_language(user):
        return False
    return remember_language(user, language_of(language))
