"""Giving a typed address the UPRN the gazetteer has for it.

A resident who types their address instead of choosing it from the look-up still lives at a
property the gazetteer knows; back offices match on the UPRN, not on lines of text. When the
typed postcode and first line match exactly one address at that postcode (ignoring case,
punctuation and spacing), that address's UPRN is attached. Anything less certain (no match, two
flats with the same first line, the look-up unavailable) leaves the address as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.addresses.base import AddressLookupError, InvalidPostcodeError, normalise_postcode
from services.addresses.providers import get_provider

_NOT_WORD = re.compile(r"[^\w]+")


def _line_key(line: str) -> str:
    """'12, High St.' and '12 high st' compare equal."""
    return " ".join(_NOT_WORD.sub(" ", line.casefold()).split())


def with_uprn(address: Mapping[str, Any]) -> dict[str, Any]:
    """`address` (line1, line2, town, postcode, uprn) with the UPRN of its one exact match."""
    typed = dict(address)
    if typed.get("uprn") or not typed.get("line1"):
        return typed
    try:
        found = get_provider().find_by_postcode(normalise_postcode(str(typed.get("postcode", ""))))
    except (InvalidPostcodeError, AddressLookupError):
        return typed
    key = _line_key(str(typed["line1"]))
    matches = [candidate for candidate in found if _line_key(candidate.line1) == key]
    if len(matches) != 1:
        return typed
    return {**typed, "uprn": matches[0].uprn}
