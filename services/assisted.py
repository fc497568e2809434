"""Assisted digital: an agent fills a service's form in for a resident who phoned or came in.

The agent's draft is an ordinary draft, filled in through the resident's own journey (the same
form engine, pages and checks), marked with who fills it in (`created_by`), how the resident is
in touch (`channel`), the language they want to be written to in (`language`) and who it is
for: their account (`user`), or the caller's details as the agent typed them. It is sent by
`submit_draft` like any other, so it is routed and delivered exactly as a web submission is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from services.drafts import prefilled_answers
from services.models import Draft, FormVersion, Submission
from services.models.submissions import ASSISTED_CHANNELS
from services.submissions import submit_draft


@dataclass(frozen=True)
class Caller:
    """Who an agent acts for: a resident's account (`user`), or a caller's details.

    It reads like a signed-in resident's profile (full_name, email, phone, address), so "tell
    us once" prefills the form from what the agent typed as it would from an account.
    """

    full_name: str
    email: str = ""
    phone: str = ""
    user: Any = None
    address: dict[str, Any] = field(default_factory=dict)

    # profile_value reads a profile only from someone signed in; the caller is vouched for.
    is_authenticated = True

    @classmethod
    def of_resident(cls, user: Any) -> Caller:
        return cls(user.full_name, user.email, user.phone, user, dict(user.address or {}))

    @property
    def name(self) -> str:
        """What the agent sees them called: an account without a name shows its e-mail."""
        return self.full_name or self.email


def is_assisted(draft: Draft) -> bool:
    return draft.created_by_id is not None


def acting_for(draft: Draft) -> Caller | None:
    """Who the agent filling `draft` in acts for; None for a resident's own draft."""
    if not is_assisted(draft):
        return None
    if draft.user is not None:
        return Caller.of_resident(draft.user)
    return Caller(
        draft.contact_name,
        draft.guest_email,
        draft.contact_phone,
        address=dict(draft.contact_address or {}),
    )


def start_assisted_draft(
    version: FormVersion, *, agent: Any, caller: Caller, channel: str, language: str
) -> Draft:
    """A new draft that `agent` fills in for `caller`, prefilled from what is known of them.

    Who may do so (services/staff/scope.py `may_assist_with`) is the caller's to check."""
    if channel not in ASSISTED_CHANNELS:
        raise ValueError(f"not a channel agents work in: {channel!r}")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the portal: {language!r}")
    typed = caller.user is None
    return Draft.objects.create(
        form_version=version,
        user=caller.user,
        channel=channel,
        created_by=agent,
        language=language,
        contact_name=caller.full_name if typed else "",
        guest_email=caller.email if typed else "",
        contact_phone=caller.phone if typed else "",
        contact_address=caller.address if typed else {},
        answers=prefilled_answers(version.parsed, caller),
    )


def submit_assisted(draft: Draft, *, agent: Any, link: str = "") -> Submission:
    """Send an assisted draft for the resident, as `agent`: `submit_draft`'s one transaction,
    the acknowledgement going to the resident in their language. Raises what it raises."""
    caller = acting_for(draft)
    if caller is None:
        raise ValueError("not an assisted draft")
    return submit_draft(
        draft,
        user=caller.user,
        contact_email=caller.email,
        language=draft.language or "en",
        submitted_by=agent,
        link=link,
    )
