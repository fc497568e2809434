"""Normalising what residents type: Unicode, whitespace, UK postcodes, vehicle registrations.

Pure functions that return None (or raise ValueError) for input they cannot accept; the question
types turn that into a GOV.UK-style message.
"""

from __future__ import annotations

import re
import unicodedata

# Line separators other than \n are folded into \n so a pasted Windows or Mac text is not refused.
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


class UnsafeTextError(ValueError):
    """The text holds control characters (or lone surrogates) that have no place in an answer."""


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise, strip, and refuse control characters.

    Short answers may not contain line breaks or tabs at all; long answers keep newlines and tabs
    (a pasted list is fine) but nothing else from Unicode category Cc, nor surrogates (which
    PostgreSQL cannot store).
    """
    value = unicodedata.normalize("NFC", _NEWLINES.sub("\n", value)).strip()
    allowed = {"\n", "\t"} if multiline else set()
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise UnsafeTextError(f"control character U+{ord(char):04X}")
    if not multiline:
        value = _SPACES.sub(" ", value)
    return value


# The shape of a UK postcode (no area starts with Q, V or X), deliberately no stricter: Royal Mail
# adds and retires postcodes, a stricter pattern turns away real residents, and the ZZ99
# pseudo-postcodes of the demo gazetteer must pass.
_POSTCODE = re.compile(r"^(GIR0AA|[A-PR-UWYZ][A-Z]?[0-9][A-Z0-9]?[0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None if it is not a UK postcode in shape."""
    compact = re.sub(r"[\s\-]+", "", value).upper()
    if not compact.isascii() or not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


# UK registration formats. Each pattern captures the two parts shown either side of the space.
_REGISTRATION_FORMATS = (
    re.compile(r"^([A-Z]{2}[0-9]{2})([A-Z]{3})$"),  # current, since 2001: AB12 CDE
    re.compile(r"^([A-Z][0-9]{1,3})([A-Z]{3})$"),  # prefix, 1983-2001: A123 BCD
    re.compile(r"^([A-Z]{3})([0-9]{1,3}[A-Z])$"),  # suffix, 1963-1983: ABC 123D
    re.compile(r"^([A-Z]{1,3})([0-9]{1,4})$"),  # dateless: ABC 123, also Northern Ireland
    re.compile(r"^([0-9]{1,4})([A-Z]{1,3})$"),  # dateless reversed: 1234 AB
)


def normalise_vehicle_registration(value: str) -> str | None:
    """'ab12cde' -> 'AB12 CDE', 'a123bcd' -> 'A123 BCD'; None if it matches no UK format."""
    compact = re.sub(r"[\s\-]+", "", value).upper()
    if not compact.isascii():
        return None
    for pattern in _REGISTRATION_FORMATS:
        match = pattern.match(compact)
        if match:
            return f"{match.group(1)} {match.group(2)}"
    return None
