"""How a search term and an indexed value are put in the same shape, in one place for both."""

from __future__ import annotations

import re

import phonenumbers

from services.forms.normalise import normalise_postcode


def phone_key(value: str) -> str | None:
    """Any UK way of writing a number -> E.164 ('07700 900982' -> '+447700900982'); None if it
    is not a number at all. Validity is not checked: a search finds what was stored."""
    if len(value) > 40 or not re.search(r"[0-9]{5}", re.sub(r"[\s\-().]", "", value)):
        return None
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def postcode_key(value: str) -> str | None:
    """'sw1a 1aa' -> 'SW1A1AA'; None if it is not a postcode in shape."""
    postcode = normalise_postcode(value)
    return postcode.replace(" ", "") if postcode else None


def text_key(value: str) -> str:
    """Lower case with runs of white space as one space: how names and addresses are compared."""
    return " ".join(value.split()).lower()
