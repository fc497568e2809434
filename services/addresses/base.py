"""What every address provider returns and promises.

A provider answers two questions: which addresses share this postcode, and which address has this
UPRN. "None found" is an ordinary answer (an empty list, or None); a provider that cannot answer at
all (network down, bad API key) raises AddressLookupError, whose message is safe to show a resident
and tells them the way round it.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable

from services.forms.normalise import normalise_postcode as forms_normalise_postcode


class AddressLookupError(Exception):
    """The provider could not answer. `message` can be shown to a resident as it is."""

    # An en dash, as GOV.UK content uses.
    DEFAULT_MESSAGE = "We could not look up addresses just now – enter the address manually"

    def __init__(self, message: str = DEFAULT_MESSAGE) -> None:
        super().__init__(message)
        self.message = message


class InvalidPostcodeError(ValueError):
    """What was asked for is not shaped like a UK postcode, so no provider was asked."""

    def __init__(self, postcode: str) -> None:
        super().__init__(f"{postcode!r} is not a UK postcode")
        self.message = "Enter a full UK postcode, like SW1A 2AA"


def normalise_postcode(value: str) -> str:
    """Any spacing and case to the standard form: "sw1a2aa" and " Sw1A  2aa " become "SW1A 2AA".

    Raises InvalidPostcodeError for anything not shaped like a full UK postcode.
    """
    normalised = forms_normalise_postcode(value)
    if normalised is None:
        raise InvalidPostcodeError(value)
    return normalised


def is_postcode(value: str) -> bool:
    try:
        normalise_postcode(value)
    except InvalidPostcodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Address:
    """One addressable property. `uprn` is the Unique Property Reference Number, as text.

    slots: a whole council's gazetteer (a few hundred thousand of these) is held in memory.
    """

    uprn: str
    line1: str
    line2: str
    town: str
    postcode: str
    lat: float | None = None
    lng: float | None = None

    @property
    def single_line(self) -> str:
        """For a list to choose from: "Flat 2, Mill House, 3 Mill Lane, Middlehampton, ZZ99 1AB"."""
        parts = (self.line1, self.line2, self.town, self.postcode)
        return ", ".join(part for part in parts if part)


@runtime_checkable
class AddressProvider(Protocol):
    def find_by_postcode(self, postcode: str) -> list[Address]:
        """Every address with this postcode, in the order a resident expects to read them.

        The postcode is normalised first; raises InvalidPostcodeError if it is not one, and
        AddressLookupError if the provider cannot answer. An unknown postcode gives [].
        """
        ...

    def get(self, uprn: str) -> Address | None:
        """The address with this UPRN, or None. Raises AddressLookupError if it cannot answer."""
        ...


# --- Ordering -------------------------------------------------------------------------------------
# Residents scan for their house number, so "2 High Street" comes before "10 High Street", flats
# follow their building in number order (Flat 2 before Flat 10), houses are grouped by street, and
# named houses come after the numbered ones on the same street.

_LEADING_NUMBER = re.compile(r"^(\d+)([A-Z]?)(?:\s*-\s*\d+[A-Z]?)?\s+(.*)$", re.IGNORECASE)
_CHUNKS = re.compile(r"(\d+)")
_NO_NUMBER = sys.maxsize

_Token: TypeAlias = tuple[int, int, str]
_PartKey: TypeAlias = tuple[tuple[_Token, ...], int, str]


@functools.lru_cache(maxsize=8192)  # street names recur throughout a gazetteer
def _natural(text: str) -> tuple[_Token, ...]:
    """Numbers compare as numbers and text without case: "Flat 10" sorts after "Flat 2"."""
    tokens: list[_Token] = []
    for chunk in _CHUNKS.split(text.casefold()):
        if chunk.isdigit():
            tokens.append((0, int(chunk), ""))
        elif chunk.strip():
            tokens.append((1, 0, chunk.strip()))
    return tuple(tokens)


def _part_key(part: str) -> _PartKey:
    """Street first, then number, then suffix: "12A Mill Lane" → (natural("Mill Lane"), 12, "a")."""
    match = _LEADING_NUMBER.match(part)
    if match:
        return (_natural(match[3]), int(match[1]), match[2].casefold())
    return (_natural(part), _NO_NUMBER, "")


def address_sort_key(address: Address) -> tuple[tuple[_PartKey, ...], str]:
    # The most significant part of an address is its last: the street (or locality), then the
    # building on it, then the flat in the building.
    parts = [p.strip() for line in (address.line1, address.line2) for p in line.split(",")]
    return (tuple(_part_key(p) for p in reversed(parts) if p), address.uprn)


def sort_addresses(addresses: list[Address]) -> list[Address]:
    return sorted(addresses, key=address_sort_key)
