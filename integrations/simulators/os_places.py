"""A simulator of the Ordnance Survey Places API, serving the addresses of a gazetteer CSV.

    GET /search/places/v1/postcode?postcode=ZZ99 1AB&key=...[&offset=0&maxresults=100]
    GET /search/places/v1/uprn?uprn=999900001017&key=...

It answers as the real API does: a header with totalresults, offset and maxresults; "results"
left out when nothing matched; DPA records in capitals split into PAF fields; LAT and LNG only
when output_srs=WGS84 (it has no eastings and northings to give otherwise); 400 with an "error"
object for a malformed postcode or UPRN; 401 with a "fault" object for a missing or wrong key.

The CSV has the columns of the portal's local gazetteer (services/addresses/local.py), by default
the demo file. Address lines are split back into PAF fields by their shape: "Flat 2" is a
sub-building, "3 Mill Lane" a number and street, anything before them a building or organisation
name, anything after them a locality.

Standalone: python -m integrations.simulators.os_places --port 8101 [--csv FILE] [--key KEY]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from integrations.simulators.base import RecordedRequest, Response, Simulator

PREFIX = "/search/places/v1"
DEFAULT_KEY = "simulator-key"
# Read as a data file, not imported: integrations never depend on services.
DEMO_GAZETTEER = (
    Path(__file__).resolve().parents[2] / "services" / "addresses" / "data" / "demo_gazetteer.csv"
)

_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_NUMBERED_STREET = re.compile(r"^(\d+[A-Z]?(?:-\d+[A-Z]?)?)\s+(\S.*)$", re.IGNORECASE)
_SUB_BUILDING = re.compile(r"^(flat|apartment|unit|room|suite|maisonette)\b", re.IGNORECASE)


class OSPlacesSimulator(Simulator):
    name = "os-places-simulator"

    def __init__(
        self,
        gazetteer_csv: str | Path = DEMO_GAZETTEER,
        api_key: str = DEFAULT_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.api_key = api_key
        self._by_postcode: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._by_uprn: dict[str, dict[str, Any]] = {}
        with Path(gazetteer_csv).open(newline="", encoding="utf-8-sig") as file:
            for row in csv.DictReader(file):
                dpa = delivery_point(row)
                self._by_postcode[_compact(dpa["POSTCODE"])].append(dpa)
                self._by_uprn[dpa["UPRN"]] = dpa

    @property
    def api_url(self) -> str:
        """What OS_PLACES_API_URL is set to, to use this simulator."""
        return f"{self.url}{PREFIX}"

    def authorise(self, request: RecordedRequest) -> Response | None:
        if request.param("key") == self.api_key:
            return None
        return self.unauthorised(request)

    def unauthorised(self, request: RecordedRequest) -> Response:
        return Response.json(
            {
                "fault": {
                    "faultstring": "Invalid ApiKey",
                    "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
                }
            },
            status=401,
        )

    def handle(self, request: RecordedRequest) -> Response:
        if request.method != "GET":
            return _error(405, f"Method {request.method} is not allowed")
        if request.path == f"{PREFIX}/postcode":
            return self._postcode(request)
        if request.path == f"{PREFIX}/uprn":
            return self._uprn(request)
        return _error(404, f"Resource {request.path} not found")

    def _postcode(self, request: RecordedRequest) -> Response:
        postcode = request.param("postcode") or ""
        if not _FULL_POSTCODE.match(_compact(postcode)):
            return _error(
                400,
                "Requested postcode must contain a minimum of the sector plus 1 digit of the "
                f"district e.g. SO1 6. Requested postcode was {postcode}",
            )
        try:
            offset = int(request.param("offset") or 0)
            maxresults = int(request.param("maxresults") or 100)
        except ValueError:
            return _error(400, "offset and maxresults must be whole numbers")
        if offset < 0 or not 1 <= maxresults <= 100:
            return _error(400, "Requested maxresults must be between 1 and 100")
        found = self._by_postcode.get(_compact(postcode), [])
        return self._answer(request, found, offset, maxresults)

    def _uprn(self, request: RecordedRequest) -> Response:
        uprn = request.param("uprn") or ""
        if not (uprn.isascii() and uprn.isdigit()):
            return _error(400, "Requested UPRN must only contain numbers")
        found = self._by_uprn.get(uprn)
        return self._answer(request, [found] if found else [], 0, 100)

    def _answer(
        self, request: RecordedRequest, found: list[dict[str, Any]], offset: int, maxresults: int
    ) -> Response:
        srs = (request.param("output_srs") or "EPSG:27700").upper()
        wgs84 = srs in ("WGS84", "EPSG:4326")
        page = found[offset : offset + maxresults]
        body: dict[str, Any] = {
            "header": {
                "uri": f"https://api.os.uk{request.path}",
                "query": "&".join(
                    f"{k}={v[0]}" for k, v in request.query.items() if k != "key" and v
                ),
                "offset": offset,
                "totalresults": len(found),
                "format": "JSON",
                "dataset": "DPA",
                "lr": "EN,CY",
                "maxresults": maxresults,
                "epoch": "117",
                "lastupdate": "2026-11-01",
                "output_srs": srs,
            }
        }
        if page:
            body["results"] = [{"DPA": dpa if wgs84 else _without_lat_lng(dpa)} for dpa in page]
        return Response.json(body)


def delivery_point(row: dict[str, str]) -> dict[str, Any]:
    """A gazetteer row as the DPA record OS Places would give for it."""
    parts = [
        p.strip().upper()
        for line in (row["ADDRESS_LINE_1"], row.get("ADDRESS_LINE_2") or "")
        for p in line.split(",")
        if p.strip()
    ]
    numbered = [(i, m) for i, p in enumerate(parts) if (m := _NUMBERED_STREET.match(p))]
    number = street = ""
    if numbered:
        i, match = numbered[-1]
        number, street = match[1], match[2]
        premises, localities = parts[:i], parts[i + 1 :]
    elif len(parts) > 1:
        premises, street, localities = parts[:-1], parts[-1], []
    else:
        premises, localities = parts, []

    dpa: dict[str, Any] = {"UPRN": row["UPRN"].strip()}
    dpa["UDPRN"] = str(int(dpa["UPRN"]) % 100_000_000)
    subs = [p for p in premises if _SUB_BUILDING.match(p)]
    names = [p for p in premises if not _SUB_BUILDING.match(p)]
    if len(names) > 1:
        dpa["ORGANISATION_NAME"] = names.pop(0)
    if subs:
        dpa["SUB_BUILDING_NAME"] = ", ".join(subs)
    if names:
        dpa["BUILDING_NAME"] = ", ".join(names)
    if number.isdigit():
        dpa["BUILDING_NUMBER"] = number
    elif number:  # PAF keeps "12A" as a building name
        dpa["BUILDING_NAME"] = ", ".join(filter(None, [dpa.get("BUILDING_NAME"), number]))
    if street:
        dpa["THOROUGHFARE_NAME"] = street
    if len(localities) > 1:
        dpa["DOUBLE_DEPENDENT_LOCALITY"] = localities[0]
    if localities:
        dpa["DEPENDENT_LOCALITY"] = localities[-1]
    town = row["TOWN"].strip().upper()
    postcode = _compact(row["POSTCODE"])
    postcode = f"{postcode[:-3]} {postcode[-3:]}"
    dpa["POST_TOWN"] = town
    dpa["POSTCODE"] = postcode
    lines = [*premises, number, street, *localities, town, postcode]
    dpa["ADDRESS"] = ", ".join(line for line in lines if line)
    dpa.update(
        {
            "RPC": "1",
            "STATUS": "APPROVED",
            "LOGICAL_STATUS_CODE": "1",
            "CLASSIFICATION_CODE": "CR" if len(names) > 1 else "RD04",
            "LOCAL_CUSTODIAN_CODE": 9999,
            "COUNTRY_CODE": "E",
            "POSTAL_ADDRESS_CODE": "D",
            "LANGUAGE": "EN",
            "MATCH": 1.0,
            "MATCH_DESCRIPTION": "EXACT",
        }
    )
    if row.get("LATITUDE") and row.get("LONGITUDE"):
        dpa["LAT"] = float(row["LATITUDE"])
        dpa["LNG"] = float(row["LONGITUDE"])
    return dpa


def _compact(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def _without_lat_lng(dpa: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dpa.items() if k not in ("LAT", "LNG")}


def _error(status: int, message: str) -> Response:
    return Response.json({"error": {"statuscode": status, "message": message}}, status=status)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--csv", default=str(DEMO_GAZETTEER), help="gazetteer CSV to serve")
    parser.add_argument("--key", default=DEFAULT_KEY, help="the API key to accept")
    args = parser.parse_args(argv)
    simulator = OSPlacesSimulator(args.csv, api_key=args.key, host=args.host, port=args.port)
    print(f"OS_PLACES_API_URL=http://{args.host}:{args.port}{PREFIX} OS_PLACES_API_KEY={args.key}")
    simulator.serve_forever()


if __name__ == "__main__":
    main()
