"""Addresses from a gazetteer file the council exports, held in memory.

The file is CSV, UTF-8 (a byte-order mark from Excel is fine), with a header row naming at least
these columns, in any order (other columns are ignored):

    UPRN            the Unique Property Reference Number: 1 to 12 digits
    ADDRESS_LINE_1  required, e.g. "12 Mill Lane" or "Flat 2, Mill House"
    ADDRESS_LINE_2  may be empty, e.g. "3 Mill Lane" under "Flat 2, Mill House"
    TOWN            required, the post town
    POSTCODE        required, any spacing or case: "zz991ab" is read as "ZZ99 1AB"
    LATITUDE        WGS84 decimal degrees, may be empty (then so must LONGITUDE be)
    LONGITUDE       WGS84 decimal degrees, may be empty

A row that breaks these rules stops the load with an error naming the file and line, so a bad export
is noticed when the portal starts rather than when a resident cannot find their home.

The whole file is read once and indexed by postcode and by UPRN; the addresses of a postcode are
sorted as they are read, so a lookup is two dictionary reads. About 200,000 addresses (a large
district) take well under a second and some tens of megabytes: `python -m
services.addresses.benchmark` measures it.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from services.addresses.base import (
    Address,
    InvalidPostcodeError,
    normalise_postcode,
    sort_addresses,
)

COLUMNS = (
    "UPRN",
    "ADDRESS_LINE_1",
    "ADDRESS_LINE_2",
    "TOWN",
    "POSTCODE",
    "LATITUDE",
    "LONGITUDE",
)
DEMO_GAZETTEER = Path(__file__).resolve().parent / "data" / "demo_gazetteer.csv"

# Generous bounds around the United Kingdom: catches swapped or eastings/northings columns.
_LATITUDES = (49.0, 61.5)
_LONGITUDES = (-9.0, 2.5)


class GazetteerFormatError(ValueError):
    """The gazetteer file cannot be used; the message names the file and line."""


class LocalGazetteerProvider:
    def __init__(self, path: str | Path = DEMO_GAZETTEER) -> None:
        self.path = Path(path)
        self._by_uprn: dict[str, Address] = {}
        self._by_postcode: dict[str, tuple[Address, ...]] = {}
        self._load()

    def __len__(self) -> int:
        return len(self._by_uprn)

    def find_by_postcode(self, postcode: str) -> list[Address]:
        return list(self._by_postcode.get(normalise_postcode(postcode), ()))

    def get(self, uprn: str) -> Address | None:
        return self._by_uprn.get(uprn.strip())

    def _load(self) -> None:
        by_postcode: defaultdict[str, list[Address]] = defaultdict(list)
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as file:
                reader = csv.DictReader(file, strict=True)
                missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
                if missing:
                    raise GazetteerFormatError(
                        f"{self.path}, line 1: the header lacks {', '.join(missing)} "
                        f"(expected {', '.join(COLUMNS)})"
                    )
                for row in reader:
                    address = self._address(row, reader.line_num)
                    if address.uprn in self._by_uprn:
                        raise GazetteerFormatError(
                            f"{self.path}, line {reader.line_num}: UPRN {address.uprn} "
                            "appears more than once"
                        )
                    self._by_uprn[address.uprn] = address
                    by_postcode[address.postcode].append(address)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise GazetteerFormatError(f"{self.path}: cannot be read as CSV: {exc}") from exc
        self._by_postcode = {pc: tuple(sort_addresses(found)) for pc, found in by_postcode.items()}

    def _address(self, row: dict[str, str | None], line: int) -> Address:
        if None in row or any(row[c] is None for c in COLUMNS):
            raise self._error(line, f"expected {len(COLUMNS)} columns as in the header")
        value = {c: (row[c] or "").strip() for c in COLUMNS}

        uprn = value["UPRN"]
        if not (uprn.isascii() and uprn.isdigit() and len(uprn) <= 12):
            raise self._error(line, f"UPRN {uprn!r} is not 1 to 12 digits")
        for required in ("ADDRESS_LINE_1", "TOWN"):
            if not value[required]:
                raise self._error(line, f"{required} is empty")
        try:
            postcode = normalise_postcode(value["POSTCODE"])
        except InvalidPostcodeError:
            problem = f"POSTCODE {value['POSTCODE']!r} is not a UK postcode"
            raise self._error(line, problem) from None
        if bool(value["LATITUDE"]) != bool(value["LONGITUDE"]):
            raise self._error(line, "LATITUDE and LONGITUDE must both be given or both be empty")

        # Many addresses share a town, a postcode and a street: keep one copy of each.
        return Address(
            uprn=uprn,
            line1=value["ADDRESS_LINE_1"],
            line2=sys.intern(value["ADDRESS_LINE_2"]),
            town=sys.intern(value["TOWN"]),
            postcode=sys.intern(postcode),
            lat=self._degrees(value, "LATITUDE", _LATITUDES, line),
            lng=self._degrees(value, "LONGITUDE", _LONGITUDES, line),
        )

    def _degrees(
        self, value: dict[str, str], column: str, bounds: tuple[float, float], line: int
    ) -> float | None:
        if not value[column]:
            return None
        try:
            degrees = float(value[column])
        except ValueError:
            raise self._error(line, f"{column} {value[column]!r} is not a number") from None
        if not bounds[0] <= degrees <= bounds[1]:
            raise self._error(line, f"{column} {degrees} is outside the United Kingdom")
        return degrees

    def _error(self, line: int, problem: str) -> GazetteerFormatError:
        return GazetteerFormatError(f"{self.path}, line {line}: {problem}")
