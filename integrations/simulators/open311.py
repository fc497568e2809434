"""An Open311 GeoReport v2 server, as a council's highways or street-care system runs one.

Under its endpoint (`prefix`, /open311/v2 by default):
    GET  services.json                  the services it offers (pothole, streetlight, graffiti, ...)
    POST requests.json                  form-encoded; checks api_key (403), jurisdiction_id (404),
                                        service_code (400 missing, 404 unknown), a location (lat and
                                        long, address_string or address_id: 400) and that an email
                                        looks like one (400, echoing it as many servers do). Answers
                                        [{"service_request_id": "100001"}], or with token_polls=N
                                        [{"token": "TOK-000001"}] that tokens/{token} resolves on
                                        the Nth poll. Like a real GeoReport v2 server,
                                        every POST makes a new request, repeats included;
                                        only with dedupe_client_reference (a server with the
                                        "client reference" extension) does a repeat carrying
                                        the same attribute[portal_reference] answer with the
                                        request already made.
    GET  tokens/{token}.json            [{"token": ...}], then [{"token", "service_request_id"}]
    GET  requests.json                  requests, start_date/end_date filtering updated_datetime
                                        (as many servers do; the spec says requested_datetime),
                                        status, service_code and service_request_id (a, b, c)
    GET  requests/{id}.json             one request, as a one-item array
    GET  servicerequestupdates.json     the updates extension, filtered by start_date/end_date
                                        and service_request_id (a, b, c); the updates clients
                                        posted are listed too, as a server lists them all
    POST servicerequestupdates.json     the extension's other half (FixMyStreet's), form-encoded:
                                        api_key (403), service_request_id (404 unknown),
                                        update_id (the client's), status (OPEN or CLOSED),
                                        description, updated_datetime (400 if one is missing or
                                        bad), media_url. Answers [{"update_id": "UPD-000002"}]
                                        (the server's id). OPEN reopens a closed request. Like a
                                        real server it never de-duplicates: a repeated POST,
                                        same update_id and all, makes a second update.
Errors are the spec's arrays, [{"code": 400, "description": "..."}], fault answers included.

Files. A real server downloads a request's media_url once, when the request arrives, in the
background; this one does the same, and also fetches each link in an attribute its services
define for files (`file_attributes`) and each "name (type, size): link" line of the description
(standing in for the officer who opens them). Each request's `files` lists what came of each
link (simulators.received_files): the bytes' SHA-256, size, name and type, or why the fetch
failed. A failed fetch never undoes the request. `fetch_files=False` records the links only.

For tests, in Python: `records`, `count_for(portal_reference)`, `replays`, `add_update(...)`,
`client_updates` (what clients POSTed, each with its "files"), `client_update_count(update_id)`,
`wait_for_files()` (until every fetch started is done); over
HTTP, for other processes (neither recorded nor subject to faults):
    GET  /_records[?key=K]   {"count": n, "replays": r, "records": [...], "updates": [...]}:
                             the requests, each with its "files", and the updates clients
                             POSTed on them, each with its "files"
    DELETE /_records         forget every request and update
    POST /_updates           {"service_request_id", "status", "description", "external_status_code",
                              "updated_datetime"} adds a status update; 201 with it
    GET/POST/DELETE /_faults see the base Simulator

Standalone:
    python -m integrations.simulators.open311 --port 8103 --api-key K [--token-polls 2]
        [--file-attribute CODE] [--no-fetch-files]
        [--error-rate 0.3 --reset-rate 0.05 --drop-rate 0.05 --slow-rate 0.02 --latency 0.05]
"""

from __future__ import annotations

import argparse
import copy
import hmac
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from integrations.simulators.base import (
    Hangup,
    RecordedRequest,
    Response,
    Simulator,
    add_fault_arguments,
    apply_fault_arguments,
)
from integrations.simulators.received_files import LinkFetcher, linked

DEFAULT_API_KEY = "simulator-open311-key"
DEFAULT_PREFIX = "/open311/v2"
REFERENCE_ATTRIBUTE = "portal_reference"
FORM_TYPE = "application/x-www-form-urlencoded"
# Update statuses (the extension's) after which the request itself is closed.
CLOSED_STATUSES = frozenset(
    {"closed", "fixed", "duplicate", "not_councils_responsibility", "no_further_action"}
)

SERVICES: tuple[dict[str, Any], ...] = (
    {
        "service_code": "POTHOLE",
        "service_name": "Pothole",
        "description": "A hole or crack in a road or pavement",
        "metadata": True,
        "type": "realtime",
        "keywords": "road, pavement, hole",
        "group": "Highways",
    },
    {
        "service_code": "STREETLIGHT",
        "service_name": "Street light not working",
        "description": "A street light that is out, flickering or on in the day",
        "metadata": True,
        "type": "realtime",
        "keywords": "lamp, light",
        "group": "Highways",
    },
    {
        "service_code": "GRAFFITI",
        "service_name": "Graffiti",
        "description": "Graffiti on public property",
        "metadata": False,
        "type": "realtime",
        "keywords": "paint, tag",
        "group": "Street care",
    },
    {
        "service_code": "FLYTIP",
        "service_name": "Fly-tipping",
        "description": "Rubbish dumped on public land",
        "metadata": True,
        "type": "realtime",
        "keywords": "dumping, rubbish",
        "group": "Street care",
    },
)

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_TOKEN_PATH = re.compile(r"^/tokens/([^/]+)\.json$")
_REQUEST_PATH = re.compile(r"^/requests/([^/]+)\.json$")
# A description line linking a file: "<name> (<type>, <size>): <link>".
_FILE_LINE = re.compile(r"\([^(),]+, [^()]+\): (https?://\S+)$")


def error(code: int, description: str, status: int | None = None) -> Response:
    """An answer in the spec's error format."""
    return Response.json([{"code": code, "description": description}], status=status or code)


class Open311Simulator(Simulator):
    name = "open311-simulator"

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        prefix: str = DEFAULT_PREFIX,
        jurisdiction_id: str | None = None,
        services: Sequence[Mapping[str, Any]] = SERVICES,
        token_polls: int = 0,
        dedupe_client_reference: bool = False,
        file_attributes: Iterable[str] = (),
        fetch_files: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
    ) -> None:
        """`token_polls` 0 answers a new request with its id; N with a token, resolved on poll N.
        `dedupe_client_reference` makes it one of the few servers that answer a repeated
        attribute[portal_reference] with the request already made (the spec has no such rule).
        `file_attributes` are the codes of attributes whose values are links to files."""
        super().__init__(host=host, port=port, seed=seed)
        self.api_key = api_key
        self.prefix = prefix.rstrip("/")
        self.jurisdiction_id = jurisdiction_id
        self.services = [dict(s) for s in services]
        self.token_polls = token_polls
        self.dedupe_client_reference = dedupe_client_reference
        self.file_attributes = frozenset(file_attributes)
        self.fetch_files = fetch_files
        self._store_lock = threading.Lock()
        self._fetcher = LinkFetcher(self._store_lock)
        self._records: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._replays = 0

    @property
    def endpoint(self) -> str:
        """The address to configure on an Open311 connection."""
        return f"{self.url}{self.prefix}"

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every request made, oldest first: {"service_request_id", "token", "portal_reference",
        "service_code", "fields" (each form field: a value, or a list for name[]), "attributes",
        "files" (what came of each link to a file: received_files), "status", "status_notes",
        "requested_datetime", "updated_datetime", "polls"}."""
        with self._store_lock:
            return copy.deepcopy(self._records)

    @property
    def updates(self) -> list[dict[str, Any]]:
        with self._store_lock:
            return copy.deepcopy(self._updates)

    @property
    def client_updates(self) -> list[dict[str, Any]]:
        """The updates clients POSTed, oldest first: the feed's fields plus "client_update_id"
        (the update_id they sent) and "files" (what came of each link, as for requests)."""
        with self._store_lock:
            return copy.deepcopy([u for u in self._updates if u.get("client_update_id")])

    def client_update_count(self, client_update_id: str) -> int:
        """How many updates a client POSTed with this update_id: 1 when sending worked."""
        with self._store_lock:
            return sum(1 for u in self._updates if u.get("client_update_id") == client_update_id)

    def wait_for_files(self, timeout: float = 15.0) -> None:
        """Return once every file fetch started so far is done; TimeoutError if one is not."""
        if not self._fetcher.wait(timeout):
            raise TimeoutError(f"file fetches still running after {timeout} s")

    def stop(self) -> None:
        super().stop()
        self._fetcher.stop()

    def count_for(self, portal_reference: str) -> int:
        """How many requests carry this portal reference: 1 when delivery worked, never 2."""
        with self._store_lock:
            return sum(1 for r in self._records if r["portal_reference"] == portal_reference)

    @property
    def replays(self) -> int:
        """How many POSTs repeated a portal reference and were given the request already made
        (only with dedupe_client_reference)."""
        with self._store_lock:
            return self._replays

    def add_update(
        self,
        service_request_id: str,
        status: str,
        description: str = "",
        *,
        external_status_code: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """The back office moves a request on: a new update, and the request's status follows.

        KeyError if there is no such request.
        """
        moment = _stamp(at or datetime.now(UTC))
        with self._store_lock:
            record = next(
                (r for r in self._records if r["service_request_id"] == service_request_id), None
            )
            if record is None:
                raise KeyError(service_request_id)
            update = {
                "update_id": f"UPD-{len(self._updates) + 1:06d}",
                "service_request_id": service_request_id,
                "status": status,
                "description": description,
                "updated_datetime": moment,
                "external_status_code": external_status_code,
                "media_url": None,
            }
            self._updates.append(update)
            record["status"] = "closed" if status.lower() in CLOSED_STATUSES else "open"
            record["status_notes"] = description
            record["updated_datetime"] = moment
            return dict(update)

    def clear_records(self) -> None:
        with self._store_lock:
            self._records.clear()
            self._updates.clear()
            self._replays = 0

    def reset(self) -> None:
        super().reset()
        self.clear_records()

    # --- The system ------------------------------------------------------------------------------

    def _receive(self, request: RecordedRequest) -> Response | Hangup:
        # The base answers faults with {"error": ...}; an Open311 server says it as an array.
        answer = super()._receive(request)
        if not isinstance(answer, Response) or answer.status < 400:
            return answer
        if request.path.startswith("/_"):
            return answer
        try:
            body = json.loads(answer.body)
        except ValueError:
            return answer
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
            return Response.json(
                [{"code": answer.status, "description": body["error"]}],
                status=answer.status,
                headers=headers,
            )
        return answer

    def unauthorised(self, request: RecordedRequest) -> Response:
        return error(401, "Authentication failed")

    def authorise(self, request: RecordedRequest) -> Response | None:
        if request.method == "POST" and _content_type(request) != FORM_TYPE:
            return error(400, f"Send the request as {FORM_TYPE}")  # else no api_key to read
        if self.jurisdiction_id is not None:
            given = (
                _form(request).get("jurisdiction_id")
                if request.method == "POST"
                else request.param("jurisdiction_id")
            )
            if given != self.jurisdiction_id:
                return error(404, "jurisdiction_id not found")
        if request.method == "POST":
            key = _first(_form(request).get("api_key")) or ""
            if not hmac.compare_digest(key.encode(), self.api_key.encode()):
                return error(403, "Invalid api_key")
        return None

    def handle(self, request: RecordedRequest) -> Response:
        if not request.path.startswith(self.prefix + "/"):
            return error(404, "Not found")
        path = request.path[len(self.prefix) :]
        if request.method == "POST":
            if path == "/servicerequestupdates.json":
                return self._create_update(request)
            if path != "/requests.json":
                return error(405, "Method not allowed")
            return self._create(request)
        if request.method != "GET":
            return error(405, "Method not allowed")
        if path == "/services.json":
            return Response.json(self.services)
        if path == "/requests.json":
            return self._list_requests(request)
        if path == "/servicerequestupdates.json":
            return self._updates_since(request)
        if match := _TOKEN_PATH.match(path):
            return self._token(match[1])
        if match := _REQUEST_PATH.match(path):
            with self._store_lock:
                found = [r for r in self._records if r["service_request_id"] == match[1]]
                if not found:
                    return error(404, "Service request not found")
                return Response.json([_public(found[0])])
        return error(404, "Not found")

    def _create(self, request: RecordedRequest) -> Response:
        form = _form(request)
        fields = {k: v for k, v in form.items() if not _ATTRIBUTE.match(k) and k != "api_key"}
        attributes: dict[str, Any] = {}
        for name, value in form.items():
            if match := _ATTRIBUTE.match(name):
                attributes[match[1]] = value
        service_code = _first(fields.get("service_code"))
        if not service_code:
            return error(400, "service_code was not provided")
        service = next((s for s in self.services if s["service_code"] == service_code), None)
        if service is None:
            return error(404, f"Service {service_code} not found")
        has_position = _first(fields.get("lat")) and _first(fields.get("long"))
        if not has_position and not (fields.get("address_string") or fields.get("address_id")):
            return error(400, "A location is required: lat and long, address_string or address_id")
        if has_position:
            try:
                float(_first(fields["lat"]) or ""), float(_first(fields["long"]) or "")
            except ValueError:
                return error(400, "lat and long must be numbers")
        email = _first(fields.get("email"))
        if email and "@" not in email:
            return error(400, f"email '{email}' is not a valid email address")
        reference = _first(attributes.get(REFERENCE_ATTRIBUTE))
        return self._store(reference, service, fields, attributes)

    def _store(
        self,
        reference: str | None,
        service: Mapping[str, Any],
        fields: dict[str, Any],
        attributes: dict[str, Any],
    ) -> Response:
        with self._store_lock:
            existing = next(
                (
                    r
                    for r in self._records
                    if self.dedupe_client_reference
                    and reference
                    and r["portal_reference"] == reference
                ),
                None,
            )
            if existing is not None:
                self._replays += 1
                return Response.json([_created(existing)])
            now = _stamp(datetime.now(UTC))
            number = len(self._records) + 1
            record = {
                "service_request_id": str(100000 + number),
                "token": f"TOK-{number:06d}" if self.token_polls else None,
                "polls": 0,
                "portal_reference": reference,
                "service_code": service["service_code"],
                "service_name": service["service_name"],
                "fields": fields,
                "attributes": attributes,
                "files": self._links_to_files(fields, attributes),
                "status": "open",
                "status_notes": "",
                "requested_datetime": now,
                "updated_datetime": now,
                "token_polls": self.token_polls,
            }
            self._records.append(record)
            if self.fetch_files:
                for entry in record["files"]:
                    self._fetcher.fetch(entry)
            return Response.json([_created(record)])

    def _create_update(self, request: RecordedRequest) -> Response:
        """POST servicerequestupdates.json: a client's update on a request."""
        form = {k: _first(v) for k, v in _form(request).items()}
        for name in ("service_request_id", "update_id", "status", "updated_datetime"):
            if not form.get(name):
                return error(400, f"{name} was not provided")
        if form.get("description") is None:
            return error(400, "description was not provided")
        status = str(form["status"]).upper()
        if status not in ("OPEN", "CLOSED"):
            return error(400, "status must be OPEN or CLOSED")
        try:
            stamped = datetime.fromisoformat(str(form["updated_datetime"]).replace("Z", "+00:00"))
        except ValueError:
            return error(400, "updated_datetime is not a W3C datetime")
        if stamped.tzinfo is None:
            return error(400, "updated_datetime needs a time zone")
        fields = {"media_url": form.get("media_url"), "description": form["description"]}
        with self._store_lock:
            record = next(
                (r for r in self._records if r["service_request_id"] == form["service_request_id"]),
                None,
            )
            if record is None:
                return error(404, "Service request not found")
            now = _stamp(datetime.now(UTC))
            update = {
                "update_id": f"UPD-{len(self._updates) + 1:06d}",
                "service_request_id": record["service_request_id"],
                "status": status.lower(),
                "description": form["description"],
                "updated_datetime": now,
                "external_status_code": None,
                "media_url": form.get("media_url") or None,
                "client_update_id": form["update_id"],
                "client_datetime": _stamp(stamped),
                "files": self._links_to_files(fields, {}),
            }
            self._updates.append(update)
            if status == "OPEN":
                record["status"] = "open"  # a resident's reopening or reply reopens it
            record["updated_datetime"] = now
            if self.fetch_files:
                for entry in update["files"]:
                    self._fetcher.fetch(entry)
            return Response.json([{"update_id": update["update_id"]}])

    def _links_to_files(
        self, fields: Mapping[str, Any], attributes: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """An entry for each link to a file the request carries, in the order sent."""
        entries = [linked(url, source="media_url") for url in _values(fields.get("media_url"))]
        for code in sorted(self.file_attributes & set(attributes)):
            source = f"attribute[{code}]"
            entries += [linked(url, source=source) for url in _values(attributes[code])]
        for line in (_first(fields.get("description")) or "").splitlines():
            if match := _FILE_LINE.search(line.strip()):
                entries.append(linked(match[1], source="description"))
        return entries

    def _token(self, token: str) -> Response:
        with self._store_lock:
            record = next((r for r in self._records if r["token"] == token), None)
            if record is None:
                return error(404, "Token not found")
            record["polls"] += 1
            return Response.json([_created(record, {"token": token})])

    def _list_requests(self, request: RecordedRequest) -> Response:
        window = _window(request)
        if isinstance(window, Response):
            return window
        ids = request.param("service_request_id")
        wanted = {i.strip() for i in ids.split(",")} if ids else None
        status, code = request.param("status"), request.param("service_code")
        with self._store_lock:
            found = [
                _public(r)
                for r in self._records
                if _within(r["updated_datetime"], window)
                and (wanted is None or r["service_request_id"] in wanted)
                and (status is None or r["status"] == status)
                and (code is None or r["service_code"] == code)
            ]
        return Response.json(found)

    def _updates_since(self, request: RecordedRequest) -> Response:
        window = _window(request)
        if isinstance(window, Response):
            return window
        ids = request.param("service_request_id")
        wanted = {i.strip() for i in ids.split(",")} if ids else None
        with self._store_lock:
            found = [
                _public_update(u)
                for u in self._updates
                if _within(u["updated_datetime"], window)
                and (wanted is None or u["service_request_id"] in wanted)
            ]
        return Response.json(found)

    # --- Control ---------------------------------------------------------------------------------

    def control(self, request: RecordedRequest) -> Response | None:
        if request.path == "/_updates":
            if request.method != "POST":
                return Response.json({"error": "use POST"}, status=405)
            return self._control_update(request)
        if request.path != "/_records":
            return super().control(request)
        if request.method == "DELETE":
            self.clear_records()
            return Response(204)
        if request.method != "GET":
            return Response.json({"error": "use GET or DELETE"}, status=405)
        key = request.param("key")
        with self._store_lock:
            records = [r for r in self._records if key is None or r["portal_reference"] == key]
            listed = {r["service_request_id"] for r in records}
            updates = [
                u
                for u in self._updates
                if u.get("client_update_id") and u["service_request_id"] in listed
            ]
            return Response.json(
                {
                    "count": len(records),
                    "replays": self._replays,
                    "records": records,
                    "updates": updates,
                }
            )

    def _control_update(self, request: RecordedRequest) -> Response:
        try:
            data = request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) and data[k] for k in ("service_request_id", "status")
        ):
            return Response.json(
                {"error": "send a JSON object with service_request_id and status"}, status=400
            )
        at = None
        if data.get("updated_datetime"):
            try:
                at = datetime.fromisoformat(str(data["updated_datetime"]))
            except ValueError:
                return Response.json({"error": "updated_datetime is not a datetime"}, status=400)
            if at.tzinfo is None:
                return Response.json({"error": "updated_datetime needs a time zone"}, status=400)
        try:
            update = self.add_update(
                data["service_request_id"],
                data["status"],
                str(data.get("description") or ""),
                external_status_code=data.get("external_status_code") or None,
                at=at,
            )
        except KeyError:
            return Response.json({"error": "no such service request"}, status=404)
        return Response.json(update, status=201)


# --- Helpers -------------------------------------------------------------------------------------


def _form(request: RecordedRequest) -> dict[str, Any]:
    """A form body: name -> value, or -> [values] for repeated names and name[] lists."""
    try:
        parsed = parse_qs(request.body.decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return {}
    form: dict[str, Any] = {}
    for name, values in parsed.items():
        if name.endswith("[]"):
            form[name[:-2]] = values
        else:
            form[name] = values[0] if len(values) == 1 else values
    return form


def _values(value: Any) -> list[str]:
    """A form value as a list of its non-empty texts."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v]


def _content_type(request: RecordedRequest) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, str) else None


def _created(record: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What POST requests.json (and tokens/) says about a request: its id, or its token first."""
    if record["token"] and record["polls"] < record["token_polls"]:
        return {"token": record["token"]}
    return {
        "service_request_id": record["service_request_id"],
        "service_notice": "Thank you: we aim to respond within 5 working days",
        "account_id": None,
        **(extra or {}),
    }


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    fields = record["fields"]
    return {
        "service_request_id": record["service_request_id"],
        "status": record["status"],
        "status_notes": record["status_notes"],
        "service_name": record["service_name"],
        "service_code": record["service_code"],
        "description": _first(fields.get("description")),
        "requested_datetime": record["requested_datetime"],
        "updated_datetime": record["updated_datetime"],
        "address": _first(fields.get("address_string")),
        "address_id": _first(fields.get("address_id")),
        "lat": _first(fields.get("lat")),
        "long": _first(fields.get("long")),
        "media_url": _first(fields.get("media_url")),
    }


def _public_update(update: Mapping[str, Any]) -> dict[str, Any]:
    """An update as the feed lists it: what the extension defines, not what we keep of it."""
    keep = (
        "update_id",
        "service_request_id",
        "status",
        "description",
        "updated_datetime",
        "external_status_code",
        "media_url",
    )
    return {name: update.get(name) for name in keep}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _window(request: RecordedRequest) -> tuple[datetime | None, datetime | None] | Response:
    bounds: list[datetime | None] = []
    for name in ("start_date", "end_date"):
        raw = request.param(name)
        if not raw:
            bounds.append(None)
            continue
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return error(400, f"{name} is not a W3C datetime")
        bounds.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return bounds[0], bounds[1]


def _within(stamp: str, window: tuple[datetime | None, datetime | None]) -> bool:
    moment = datetime.fromisoformat(stamp)
    start, end = window
    return (start is None or moment >= start) and (end is None or moment <= end)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="where the endpoint is served")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--jurisdiction-id")
    parser.add_argument(
        "--token-polls", type=int, default=0, help="answer with a token, resolved on poll N"
    )
    parser.add_argument(
        "--dedupe-client-reference",
        action="store_true",
        help="answer a repeated attribute[portal_reference] with the request already made "
        "(real GeoReport v2 servers do not)",
    )
    parser.add_argument(
        "--file-attribute",
        action="append",
        default=[],
        metavar="CODE",
        help="an attribute whose values are links to files, fetched on receipt (repeatable)",
    )
    parser.add_argument(
        "--no-fetch-files", action="store_true", help="record links to files without fetching"
    )
    add_fault_arguments(parser)
    args = parser.parse_args(argv)

    simulator = Open311Simulator(
        args.api_key,
        prefix=args.prefix,
        jurisdiction_id=args.jurisdiction_id,
        token_polls=args.token_polls,
        dedupe_client_reference=args.dedupe_client_reference,
        file_attributes=args.file_attribute,
        fetch_files=not args.no_fetch_files,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    faults = apply_fault_arguments(simulator, parser, args)
    print(
        f"Open311 endpoint: http://{args.host}:{args.port}{simulator.prefix}  "
        f"faults: {faults or 'none'}",
        flush=True,
    )
    simulator.serve_forever()


if __name__ == "__main__":
    main()
