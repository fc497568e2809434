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
sorted as they are read, so a lookup is a dictionary read (about 15 µs). 200,000 addresses (a large
district) took 2.5-3 s to load and kept about 63 MB on a busy two-core machine; measure yours with
`python -m services.benchmarks.addresses --rows 200000`. The file is read on the first lookup in
each process, so that first lookup is the slow one.
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
                reader = csv.reader(file, strict=True)
                header = [name.strip().upper() for name in next(reader, [])]
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise GazetteerFormatError(
                        f"{self.path}, line 1: the header lacks {', '.join(missing)} "
                        f"(expected {', '.join(COLUMNS)})"
                    )
                where = [header.index(c) for c in COLUMNS]
                postcodes: dict[str, str] = {}  # as written → normalised; each recurs ~15 times
                for row in reader:
                    if not row:
                        continue
                    line = reader.line_num
                    if len(row) != len(header):
                        raise self._error(line, f"expected {len(header)} columns as in the header")
                    address = self._address([row[i].strip() for i in where], line, postcodes)
                    if address.uprn in self._by_uprn:
                        raise self._error(line, f"UPRN {address.uprn} appears more than once")
                    self._by_uprn[address.uprn] = address
                    by_postcode[address.postcode].append(address)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise GazetteerFormatError(f"{self.path}: cannot be read as CSV: {exc}") from exc
        self._by_postcode = {pc: tuple(sort_addresses(found)) for pc, found in by_postcode.items()}

    def _address(self, value: list[str], line: int, postcodes: dict[str, str]) -> Address:
        uprn, line1, line2, town, written_postcode, lat, lng = value
        if not (uprn.isascii() and uprn.isdigit() and len(uprn) <= 12):
            raise self._error(line, f"UPRN {uprn!r} is not 1 to 12 digits")
        if not line1:
            raise self._error(line, "ADDRESS_LINE_1 is empty")
        if not town:
            raise self._error(line, "TOWN is empty")
        postcode = postcodes.get(written_postcode)
        if postcode is None:
            try:
                postcode = postcodes[written_postcode] = sys.intern(
                    normalise_postcode(written_postcode)
                )
            except InvalidPostcodeError:
                problem = f"POSTCODE {written_postcode!r} is not a UK postcode"
                raise self._error(line, problem) from None
        if bool(lat) != bool(lng):
            raise self._error(line, "LATITUDE and LONGITUDE must both be given or both be empty")

        # Many addresses share a town and a street: keep one copy of each.
        return Address(
            uprn=uprn,
            line1=line1,
            line2=sys.intern(line2),
            town=sys.intern(town),
            postcode=postcode,
            lat=self._degrees(lat, "LATITUDE", _LATITUDES, line),
            lng=self._degrees(lng, "LONGITUDE", _LONGITUDES, line),
        )

    def _degrees(
        self, text: str, column: str, bounds: tuple[float, float], line: int
    ) -> float | None:
        if not text:
            return None
        try:
            degrees = float(text)
        except ValueError:
            raise self._error(line, f"{column} {text!r} is not a number") from None
        if not bounds[0] <= degrees <= bounds[1]:
            raise self._error(line, f"{column} {degrees} is outside the United Kingdom")
        return degrees

    def _error(self, line: int, problem: str) -> GazetteerFormatError:
        return GazetteerFormatError(f"{self.path}, line {line}: {problem}")
