"""Addresses from the Ordnance Survey Places API (https://api.os.uk/search/places/v1).

    GET {base}/postcode?postcode=ZZ99 1AB&key=...&output_srs=WGS84&dataset=DPA&maxresults=100
    GET {base}/uprn?uprn=999900001017&key=...&output_srs=WGS84&dataset=DPA

Both answer {"header": {..., "totalresults": N}, "results": [{"DPA": {...}}, ...]}, leaving out
"results" when nothing matched. DPA records are Royal Mail delivery points in capitals, split into
PAF fields (ORGANISATION_NAME, SUB_BUILDING_NAME, BUILDING_NAME, BUILDING_NUMBER,
THOROUGHFARE_NAME, ...), which address_from_dpa turns into readable lines.

A resident waits on this call, so it is given a short timeout and is never retried: on any failure
the resident is told to type the address in, and operators learn why from the log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from services.addresses.base import (
    Address,
    AddressLookupError,
    normalise_postcode,
    sort_addresses,
)

logger = logging.getLogger(__name__)


class _HideQueryStrings(logging.Filter):
    """httpx logs every request's URL at INFO; ours carry the API key and a resident's postcode.

    Attached to the "httpx" logger, it keeps the method, path and status but drops the query
    string of any URL that carries a key.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, httpx.URL) and "key" in arg.params for arg in record.args
        ):
            record.args = tuple(
                arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HideQueryStrings())

PAGE_SIZE = 100  # the most the API returns at once
MAX_PAGES = 20  # no postcode has 2,000 delivery points; stops a confused server looping us

_HOUSE_NUMBER = re.compile(r"^\d+[A-Z]?(?:\s*-\s*\d+[A-Z]?)?$")
_SMALL_WORDS = frozenset({"and", "of", "on", "upon", "under", "in", "by", "de", "la", "le", "cum"})


class OSPlacesProvider:
    def __init__(self, base_url: str, api_key: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        # One client per provider, shared by every request (and thread): connections are reused.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "my-council-portal"},
        )

    def close(self) -> None:
        self._client.close()

    def find_by_postcode(self, postcode: str) -> list[Address]:
        postcode = normalise_postcode(postcode)
        addresses: list[Address] = []
        for page in range(MAX_PAGES):
            query: dict[str, str | int] = {
                "postcode": postcode,
                "offset": page * PAGE_SIZE,
                "maxresults": PAGE_SIZE,
            }
            body = self._get("postcode", query)
            results = self._results(body)
            addresses.extend(results)
            total = self._total(body)
            if not results or len(addresses) >= total:
                break
        return sort_addresses(addresses)

    def get(self, uprn: str) -> Address | None:
        uprn = uprn.strip()
        if not (uprn.isascii() and uprn.isdigit() and len(uprn) <= 12):
            return None  # the API would answer 400; no address has such a UPRN
        results = self._results(self._get("uprn", {"uprn": uprn}))
        return results[0] if results else None

    def _get(self, resource: str, params: dict[str, str | int]) -> dict[str, Any]:
        query = {**params, "dataset": "DPA", "output_srs": "WGS84", "key": self._api_key}
        try:
            response = self._client.get(f"{self.base_url}/{resource}", params=query)
        except httpx.HTTPError as exc:
            # The URL carries the key and a postcode: log only what went wrong.
            logger.warning("OS Places %s lookup failed: %s", resource, type(exc).__name__)
            raise AddressLookupError() from exc
        if response.status_code != httpx.codes.OK:
            if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
                logger.error("OS Places refused the API key (HTTP %s)", response.status_code)
            else:
                logger.warning(
                    "OS Places %s lookup failed: HTTP %s", resource, response.status_code
                )
            raise AddressLookupError()
        try:
            body = response.json()
        except ValueError as exc:
            logger.warning("OS Places %s lookup returned something other than JSON", resource)
            raise AddressLookupError() from exc
        if not isinstance(body, dict):
            logger.warning("OS Places %s lookup returned unexpected JSON", resource)
            raise AddressLookupError()
        return body

    @staticmethod
    def _total(body: dict[str, Any]) -> int:
        header = body.get("header")
        total = header.get("totalresults") if isinstance(header, dict) else None
        return total if isinstance(total, int) else 0

    @staticmethod
    def _results(body: dict[str, Any]) -> list[Address]:
        addresses = []
        for result in body.get("results") or []:
            dpa = result.get("DPA") if isinstance(result, dict) else None
            if not isinstance(dpa, dict):
                continue  # an LPI record, when asked for; we ask for DPA only
            try:
                addresses.append(address_from_dpa(dpa))
            except (KeyError, TypeError, ValueError) as exc:
                logger.warning("OS Places returned a delivery point we cannot read: %r", exc)
                raise AddressLookupError() from exc
        return addresses


def address_from_dpa(dpa: dict[str, Any]) -> Address:
    """One DPA record as lines a resident reads, following the Royal Mail PAF rules:
    organisation and building names first, then the number with its street, then the locality.

    "FLAT 2", "MILL HOUSE", 3, "MILL LANE" → line1 "Flat 2, Mill House", line2 "3 Mill Lane".
    """

    def field(name: str) -> str:
        value = dpa.get(name)
        return str(value).strip() if value not in (None, "") else ""

    number = field("BUILDING_NUMBER")
    building = field("BUILDING_NAME")
    if building and not number and _HOUSE_NUMBER.match(building):
        # PAF keeps "12A" and "12-14" as building names; they read as numbers.
        number, building = building, ""

    names = (field("DEPARTMENT_NAME"), field("ORGANISATION_NAME"), field("SUB_BUILDING_NAME"))
    premises = [_title(name) for name in (*names, building) if name]
    if field("PO_BOX_NUMBER"):
        premises.append(f"PO Box {field('PO_BOX_NUMBER')}")
    streets = [s for s in (field("DEPENDENT_THOROUGHFARE_NAME"), field("THOROUGHFARE_NAME")) if s]
    if number:
        streets = [f"{number} {streets[0]}", *streets[1:]] if streets else [number]
    localities = [field("DOUBLE_DEPENDENT_LOCALITY"), field("DEPENDENT_LOCALITY")]

    lines = [", ".join(premises)] if premises else []
    lines += [_title(part) for part in (*streets, *localities) if part]
    if not lines:
        raise ValueError("a delivery point with no premises and no street")

    lat, lng = dpa.get("LAT"), dpa.get("LNG")
    return Address(
        uprn=str(dpa["UPRN"]).strip(),
        line1=lines[0],
        line2=", ".join(lines[1:]),
        town=_title(field("POST_TOWN")),
        postcode=normalise_postcode(field("POSTCODE")),
        lat=float(lat) if lat is not None else None,
        lng=float(lng) if lng is not None else None,
    )


def _title(text: str) -> str:
    """Royal Mail capitals made readable: "ST MARY'S CHURCH" → "St Mary's Church", "12A" kept."""
    words = []
    for position, word in enumerate(text.split()):
        pieces = []
        for index, piece in enumerate(word.split("-")):
            lower = piece.lower()
            if any(c.isdigit() for c in piece):
                pieces.append(piece.upper())
            elif (position or index) and lower in _SMALL_WORDS:
                pieces.append(lower)
            elif len(piece) > 2 and piece[1] == "'":  # O'NEILL, D'ARCY
                pieces.append(piece[:2].upper() + piece[2:].capitalize())
            else:
                pieces.append(piece.capitalize())
        words.append("-".join(pieces))
    return " ".join(words)
