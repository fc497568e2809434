"""What a resident may choose for each kind of message, and which channels a message goes by.

A resident chooses, per kind, e-mail, text message (SMS), both, or none. "None" is not offered
where the council needs to reach the resident for their case to go on: a request for
information is the council waiting for their answer (the case may be closed for want of one), so
it always goes by at least one channel. Status changes and reminders are also shown on the
resident's request page, so the resident may turn them off. The acknowledgement ("we have your
request", with the reference) is the resident's receipt, not a choice.

A resident with neither an e-mail address nor a UK mobile number (a caller who gave the contact
centre a landline) but with a known postal address is written to by letter, through GOV.UK
Notify: a letter is not a choice offered (it costs the council postage and takes days), it is
the way left to reach someone who has no other.

Everything here is a plain function of plain values, tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

from services.models import NotificationPreference, OutgoingMessage

Kind = NotificationPreference.Kind
Choice = NotificationPreference.Choice
Channel = OutgoingMessage.Channel

# Sent whatever the resident chose (there is no choice to make for it).
ACKNOWLEDGEMENT = "acknowledgement"
# Kinds the council must be able to reach the resident about: "none" is refused for them.
CONTACT_REQUIRED = frozenset({Kind.INFORMATION_REQUEST.value})
# What a resident who has not chosen gets, and what a guest gets.
DEFAULT_CHOICE = Choice.EMAIL.value
LANGUAGES = ("en", "cy")
DEFAULT_LANGUAGE = "en"
# Ofcom's range of mobile numbers for drama (07700 900000 to 900999), which GOV.UK's own examples
# and our tests use; the library calls them invalid because no network will ever have them.
_DRAMA_MOBILES = "7700900"
# The parts of an address (an address question's answer, or an account's `address`) a letter is
# addressed with, in order; Notify reads the postcode from the last line.
_ADDRESS_LINES = ("line1", "line2", "town", "postcode")
_ADDRESS_REQUIRED = ("line1", "town", "postcode")


def allows_none(kind: str) -> bool:
    return kind not in CONTACT_REQUIRED


def offered(kind: str, *, has_mobile: bool) -> list[str]:
    """The choices a resident is offered for `kind`: text messages only with a UK mobile number
    on their profile, "none" only where the council need not reach them."""
    choices = [Choice.EMAIL.value]
    if has_mobile:
        choices += [Choice.SMS.value, Choice.BOTH.value]
    if allows_none(kind):
        choices.append(Choice.NONE.value)
    return choices


def channels_for(
    kind: str, choice: str, *, has_email: bool, has_mobile: bool, has_address: bool = False
) -> list[str]:
    """The channels one message of `kind` goes by, for a resident who chose `choice`.

    What was chosen and can be used is used. A chosen channel the resident can no longer be
    reached on (the mobile number was removed from their profile) falls back to the other, so
    a message they asked for is never dropped in silence; so does "none" for a kind that must
    reach them (a choice made before the rule changed). With neither an e-mail address nor a
    mobile number, a letter goes to their postal address (`has_address`), unless they chose
    "none" where that is allowed.
    """
    if not (has_email or has_mobile):
        declined = choice == Choice.NONE.value and allows_none(kind)
        return [Channel.LETTER.value] if has_address and not declined else []
    wanted = {
        Choice.EMAIL.value: [Channel.EMAIL.value],
        Choice.SMS.value: [Channel.SMS.value],
        Choice.BOTH.value: [Channel.EMAIL.value, Channel.SMS.value],
        Choice.NONE.value: [],
    }.get(choice, [Channel.EMAIL.value])
    reachable = {Channel.EMAIL.value: has_email, Channel.SMS.value: has_mobile}
    chosen = [channel for channel in wanted if reachable[channel]]
    if chosen or (not wanted and allows_none(kind)):
        return chosen
    return [channel for channel in (Channel.EMAIL.value, Channel.SMS.value) if reachable[channel]][
        :1
    ]


def acknowledgement_channels(
    *, has_email: bool, has_mobile: bool, has_address: bool = False
) -> list[str]:
    """The receipt goes by e-mail; to a caller who gave the contact centre only a mobile number,
    by text message; to one with neither, by letter to their postal address."""
    if has_email:
        return [Channel.EMAIL.value]
    if has_mobile:
        return [Channel.SMS.value]
    return [Channel.LETTER.value] if has_address else []


def letter_address(name: str, address: Mapping[str, Any] | None) -> list[str]:
    """The lines a letter is addressed with: the name (when known), then the address's lines,
    the postcode last; [] when `address` lacks what a letter needs (a first line, a town and
    a postcode, as the address question requires them)."""
    if not isinstance(address, Mapping):
        return []
    parts = {part: _line(address.get(part)) for part in _ADDRESS_LINES}
    if not all(parts[part] for part in _ADDRESS_REQUIRED):
        return []
    lines = [_line(name), *(parts[part] for part in _ADDRESS_LINES)]
    return [line for line in lines if line]


def _line(value: Any) -> str:
    # One printed line: whatever whitespace (a newline typed into a name) becomes one space.
    return " ".join(value.split()) if isinstance(value, str) else ""


def uk_mobile(number: str) -> str:
    """`number` in E.164 if it is a UK mobile number a text message can go to, else ""."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return ""
    national = str(parsed.national_number)
    mobile = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    drama = len(national) == 10 and national.startswith(_DRAMA_MOBILES)
    if parsed.country_code != 44 or not (mobile or drama):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def language_of(*candidates: str | None) -> str:
    """The first of `candidates` that is one of the portal's languages ("en-gb" is English);
    English if none is."""
    for candidate in candidates:
        code = (candidate or "").lower().split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
