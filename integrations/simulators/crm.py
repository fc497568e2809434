"""A CRM with its OAuth2 token endpoint: Dynamics 365's Web API, or Salesforce's REST API.

Both styles keep one table whose records are created or updated by an alternate key:

    POST /oauth2/token     client credentials (see simulators.oauth2): a bearer token that lives
                           `token_lifetime` seconds; every other request needs a live one (401)

    style="dynamics"
    PATCH /api/data/v9.2/{entity_set}({alternate_key}='{value}')   upsert: 204 (or 201 with
                           Prefer: return=representation) on create, 204 (or 200) on update, with
                           OData-EntityId naming the record's GUID; a body column outside
                           `columns` (when given) is a 400 {"error": {"code", "message"}}
    GET /api/data/v9.2/{entity_set}?$select=..&$filter=modifiedon gt|ge <date>&$orderby=..
                           {"value": [...]}, paged by Prefer: odata.maxpagesize (@odata.nextLink)
    GET /api/data/v9.2/WhoAmI
    POST /api/data/v9.2/annotations   a note, e.g. a file on a case: {"subject", "notetext",
                           "filename", "mimetype", "documentbody" (base64), "isdocument",
                           "objectid_<table>@odata.bind": "/{entity_set}(<id>)"}; 204 with
                           OData-EntityId naming the note. Refused (400 {"error"}): an unknown
                           property, a body that is not base64, a file without a name, one over
                           `max_attachment_bytes` (Dynamics' default 5 MB), a note bound to
                           nothing or to another table (Dynamics would keep a note on nothing;
                           the simulator does not, so a note that misses its case cannot pass);
                           404 if the case does not exist. Like Dynamics, every POST makes a new
                           note: a repeat is not recognised.
    GET /api/data/v9.2/annotations?$select=..&$filter=_objectid_value eq <id>[ and subject eq '..']
                           {"value": [...]}: the notes on a case, oldest first (no documentbody)

    style="salesforce"
    PATCH /services/data/v60.0/sobjects/{sobject}/{external_id_field}/{value}   upsert: 201
                           {"id", "created": true}; on update 200 {"id", "created": false}, or 204
                           with update_status=204 (API versions before 46)
    GET   the same address ?fields=Id                                   {"Id": ...}
    GET /services/data/v60.0/query?q=SELECT Id, Status, LastModifiedDate FROM {sobject}
                           [WHERE LastModifiedDate > | >= <date>] ORDER BY LastModifiedDate ASC
    GET /services/data/v60.0/limits
    POST /services/data/v60.0/sobjects/Note   a note on a record: {"ParentId", "Title" (at most
                           80 characters), "Body" (32,000), "IsPrivate"}; 201 {"id", "success"};
                           400 INVALID_CROSS_REFERENCE_KEY if the parent does not exist. Every
                           POST makes a new note, as Salesforce does.
    GET /services/data/v60.0/query?q=SELECT Id FROM Note WHERE ParentId = '<id>' AND Title = '..'
                           the notes on a record with that title, oldest first
    POST /services/data/v60.0/sobjects/ContentVersion   a Salesforce File: {"Title",
                           "PathOnClient" (its name, required), "VersionData" (base64, required),
                           "FirstPublishLocationId" (the record it is published to),
                           "Description", and any of `content_version_fields` (custom fields)};
                           201 {"id", "success"}. Refused (400 [{"errorCode", "message"}]): an
                           unknown field, data that is not base64, more than
                           `max_attachment_bytes` (by default what Salesforce takes in a JSON
                           body: 37.5 MB of base64), text over its field's length, and a file
                           published to nothing or to a record that does not exist (Salesforce
                           would keep a file on nothing in the user's own library; the simulator
                           does not, so a file that misses its case cannot pass). Every POST makes
                           a new file, as Salesforce does: a repeat is not recognised.
    GET /services/data/v60.0/query?q=SELECT Id FROM ContentVersion WHERE FirstPublishLocationId
                           = '<id>' AND <Description or a custom field> = '..'
                           the files published to a record with that value, oldest first

In Python, for tests: `records`, `record_for(key)`, `creates`, `updates`, `notes` (each note's
case, subject, file name, type, size and the SHA-256 of its decoded body), `files` (each
Salesforce File's case, title and fields, with its name, size and SHA-256 as received_files
records them), `set_status(key_or_id,
status)`, `revoke_tokens()`, `token_requests`, `tokens_accepted = False` (tokens are issued but
the CRM refuses them: an app registration with no application user). Over HTTP, for other
processes (neither recorded nor subject to faults):
    GET /_records[?key=K]   {"count", "creates", "updates", "records": [...], "notes": [...],
                            "files": [...]} (with key, only that record, its notes and files);
                            DELETE /_records
    POST /_updates {"key" or "id": ..., "status": ...}   a caseworker moves a case on
    DELETE /_tokens         revoke every token
    GET/POST/DELETE /_faults   see the base Simulator (faults apply to every call above: the
                            token endpoint, the upserts, the notes' and files' POSTs and lookups
                            alike;
                            /_stats counts them by call, a record's address as <key>)

Standalone: python -m integrations.simulators.crm --port 8105 [--style salesforce]
            [--max-attachment-bytes N] [--content-version-field Portal_Key__c]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import json
import mimetypes
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from integrations.simulators.base import (
    RecordedRequest,
    Response,
    Simulator,
    add_fault_arguments,
    apply_fault_arguments,
)
from integrations.simulators.oauth2 import TOKEN_PATH, TokenIssuer
from integrations.simulators.received_files import received

DEFAULT_CLIENT_ID = "portal-crm-client"
DEFAULT_CLIENT_SECRET = "simulator-crm-secret"  # noqa: S105 - a demo's, known to all
DYNAMICS_VERSION, SALESFORCE_VERSION = "9.2", "60.0"
FORMATTED = "OData.Community.Display.V1.FormattedValue"
DYNAMICS_STATUSES = {1: "In Progress", 2: "On Hold", 3: "Waiting for Details", 5: "Problem Solved"}

_UPSERT = re.compile(r"^/api/data/v9\.2/(\w+)\((\w+)='((?:[^']|'')*)'\)$")
_FILTER = re.compile(r"^modifiedon (gt|ge) (\S+)$")
_NOTES_FILTER = re.compile(
    r"^_objectid_value eq ([0-9A-Fa-f-]{36})(?: and subject eq '((?:[^']|'')*)')?$"
)
# Dynamics' default "maximum file size for attachments" (System Settings, Email tab): 5,120 KB.
DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# The columns of Dynamics' annotation (note) table a client may set, with their maximum lengths.
NOTE_TEXT_COLUMNS = {"subject": 500, "notetext": 100_000, "filename": 255, "mimetype": 256}
# Salesforce's Note: the longest Title and Body it takes.
SALESFORCE_NOTE_LIMITS = {"Title": 80, "Body": 32_000}
# A JSON (not multipart) body carries at most 37.5 MB of base64: this many bytes of file.
SALESFORCE_MAX_JSON_FILE_BYTES = int(37.5 * 1024 * 1024) * 3 // 4
# The ContentVersion fields a client may set, with their longest values; a custom text field
# holds at most 255 characters.
CONTENT_VERSION_TEXT = {"Title": 255, "PathOnClient": 500, "Description": 1000}
CUSTOM_TEXT_LENGTH = 255
_SOQL_FILES = re.compile(
    r"^SELECT Id FROM ContentVersion WHERE FirstPublishLocationId = '(?P<parent>\w+)' "
    r"AND (?P<field>\w+) = '(?P<value>(?:[^'\\]|\\.)*)'$",
    re.IGNORECASE,
)
_SOQL_NOTES = re.compile(
    r"^SELECT Id FROM Note WHERE ParentId = '(?P<parent>\w+)' "
    r"AND Title = '(?P<title>(?:[^'\\]|\\.)*)'$",
    re.IGNORECASE,
)
_SOQL = re.compile(
    r"^SELECT (?P<fields>[\w, ]+) FROM (?P<sobject>\w+)"
    r"(?: WHERE LastModifiedDate (?P<op>>=?) (?P<since>\S+))?"
    r" ORDER BY LastModifiedDate ASC$",
    re.IGNORECASE,
)


class CRMSimulator(Simulator):
    name = "crm-simulator"

    def __init__(
        self,
        *,
        style: str = "dynamics",
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_lifetime: float = 3600,
        entity_set: str = "incidents",
        alternate_key: str = "mc_portalreference",
        id_attribute: str = "incidentid",
        sobject: str = "Case",
        external_id_field: str = "Portal_Reference__c",
        columns: Iterable[str] | None = None,
        update_status: int = 200,
        max_attachment_bytes: int | None = None,
        content_version_fields: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
    ) -> None:
        super().__init__(host=host, port=port, seed=seed)
        if style not in ("dynamics", "salesforce"):
            raise ValueError(f"unknown style {style!r}")
        self.style = style
        self.issuer = TokenIssuer(client_id, client_secret, lifetime=token_lifetime)
        self.entity_set, self.alternate_key, self.id_attribute = (
            entity_set,
            alternate_key,
            id_attribute,
        )
        self.sobject, self.external_id_field = sobject, external_id_field
        self.columns = frozenset(columns) if columns is not None else None
        self.update_status = update_status
        if max_attachment_bytes is None:
            max_attachment_bytes = (
                DEFAULT_MAX_ATTACHMENT_BYTES
                if style == "dynamics"
                else SALESFORCE_MAX_JSON_FILE_BYTES
            )
        self.max_attachment_bytes = max_attachment_bytes
        # Custom fields an admin added to ContentVersion (an External ID for the file's key).
        self.content_version_fields = frozenset(content_version_fields)
        self.tokens_accepted = True
        self._store_lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}  # by key
        self._notes: list[dict[str, Any]] = []  # oldest first
        self._files: list[dict[str, Any]] = []  # Salesforce Files (ContentVersions), oldest first
        self._creates = self._updates = 0

    @property
    def token_url(self) -> str:
        return f"{self.url}{TOKEN_PATH}"

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record, oldest first: {"id", "key", "data", "status", "createdon", "modifiedon",
        "saves"}."""
        with self._store_lock:
            return copy.deepcopy(list(self._records.values()))

    def record_for(self, key: str) -> dict[str, Any] | None:
        with self._store_lock:
            return copy.deepcopy(self._records.get(key))

    @property
    def notes(self) -> list[dict[str, Any]]:
        """Every note (annotation), oldest first: {"id", "case_id", "case_key", "subject",
        "notetext", "filename", "mimetype", "size", "sha256", "createdon"}; size and sha256 are
        of the decoded documentbody (None without one)."""
        with self._store_lock:
            return copy.deepcopy(self._notes)

    @property
    def files(self) -> list[dict[str, Any]]:
        """Every Salesforce File, oldest first: {"id", "content_document_id", "case_id",
        "case_key", "title", "description", "fields" (custom fields), "createdon"} and what
        received_files records of it ("name" is its PathOnClient, "size", "sha256")."""
        with self._store_lock:
            return copy.deepcopy(self._files)

    @property
    def creates(self) -> int:
        with self._store_lock:
            return self._creates

    @property
    def updates(self) -> int:
        with self._store_lock:
            return self._updates

    @property
    def token_requests(self) -> int:
        """Tokens issued: one for many deliveries when the client caches them."""
        return self.issuer.issued

    def revoke_tokens(self) -> None:
        self.issuer.revoke_tokens()

    def set_status(self, key_or_id: str, status: int | str) -> dict[str, Any]:
        """A caseworker moves a record on: its status and modified time change."""
        with self._store_lock:
            record = self._records.get(key_or_id) or next(
                (r for r in self._records.values() if r["id"] == key_or_id), None
            )
            if record is None:
                raise KeyError(key_or_id)
            record["status"] = status
            self._touch(record)
            return copy.deepcopy(record)

    def clear_records(self) -> None:
        with self._store_lock:
            self._records.clear()
            self._notes.clear()
            self._files.clear()
            self._creates = self._updates = 0

    def reset(self) -> None:
        super().reset()
        self.clear_records()
        self.tokens_accepted = True

    # --- The system ------------------------------------------------------------------------------

    def authorise(self, request: RecordedRequest) -> Response | None:
        if request.path == TOKEN_PATH:
            return None
        if self.tokens_accepted and self.issuer.bearer_is_valid(request.headers):
            return None
        return self.unauthorised(request)

    def unauthorised(self, request: RecordedRequest) -> Response:
        if request.path == TOKEN_PATH:
            return Response.json({"error": "invalid_client"}, status=401)
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        if self.style == "salesforce":
            return Response.json(
                [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}],
                status=401,
                headers=challenge,
            )
        return Response(401, headers=challenge)

    def call_name(self, request: RecordedRequest) -> str:
        """A record's save or read is one kind of call whatever its key: the key in its address
        is named <key> (Dynamics' (mc_portalreference=<key>), Salesforce's last segment)."""
        path = unquote(request.path)
        if match := _UPSERT.match(path):
            path = f"/api/data/v{DYNAMICS_VERSION}/{match.group(1)}({match.group(2)}=<key>)"
        elif path.count("/") == 7 and "/sobjects/" in path:
            # /services/data/v60.0/sobjects/Case/Portal_Reference__c/<key>; a Note or a
            # ContentVersion is named by its object alone.
            path = path.rsplit("/", 1)[0] + "/<key>"
        return f"{request.method} {path}"

    def handle(self, request: RecordedRequest) -> Response:
        if request.path == TOKEN_PATH:
            return self.issuer.handle(request)
        if self.style == "dynamics":
            return self._dynamics(request)
        return self._salesforce(request)

    # --- Dynamics --------------------------------------------------------------------------------

    def _dynamics(self, request: RecordedRequest) -> Response:
        path = unquote(request.path)
        prefix = f"/api/data/v{DYNAMICS_VERSION}"
        if path == f"{prefix}/WhoAmI" and request.method == "GET":
            return Response.json(
                {
                    "BusinessUnitId": "9f4c2a4e-1d6b-4b7a-9d61-0c1f5b2c6a11",
                    "UserId": "2b7d8a0e-5f3c-4e61-8a2f-6c9d0e1f2a33",
                    "OrganizationId": "5e1a9c3b-7d2f-4a80-b6e4-3f0c8d1a2b44",
                }
            )
        if path == f"{prefix}/{self.entity_set}" and request.method == "GET":
            return self._dynamics_query(request)
        if path == f"{prefix}/annotations":
            if request.method == "POST":
                return self._create_note(request)
            if request.method == "GET":
                return self._query_notes(request)
            return _dynamics_error(405, "0x80060888", "Use POST to add a note or GET to read.")
        match = _UPSERT.match(path)
        if match is None or match.group(1) != self.entity_set:
            segment = path.rsplit("/", 1)[-1].split("(")[0]
            return _dynamics_error(
                404, "0x80060888", f"Resource not found for the segment '{segment}'."
            )
        if request.method != "PATCH":
            return _dynamics_error(405, "0x80060888", "Use PATCH to create or update by key.")
        if match.group(2) != self.alternate_key:
            return _dynamics_error(
                400,
                "0x80060892",
                f"No alternate key on {self.entity_set} named '{match.group(2)}'.",
            )
        data, problem = self._body(request)
        if problem:
            return _dynamics_error(400, "0x80060888", problem)
        record, created = self._upsert(match.group(3).replace("''", "'"), data)
        headers = {
            "OData-Version": "4.0",
            "OData-EntityId": f"{self.url}{prefix}/{self.entity_set}({record['id']})",
        }
        if "return=representation" in request.headers.get("prefer", ""):
            row = self._dynamics_row(record, request.param("$select"), annotate=False)
            return Response.json(row, status=201 if created else 200, headers=headers)
        return Response(204, headers=headers)

    def _dynamics_query(self, request: RecordedRequest) -> Response:
        rows = self.records
        if (expression := request.param("$filter")) is not None:
            match = _FILTER.match(expression)
            if match is None:
                return _dynamics_error(
                    400, "0x8006088a", "The simulator filters on modifiedon only."
                )
            since = _parse(match.group(2))
            keep = (lambda m: m > since) if match.group(1) == "gt" else (lambda m: m >= since)
            rows = [r for r in rows if keep(_parse(r["modifiedon"]))]
        rows.sort(key=lambda r: r["modifiedon"])
        prefer = request.headers.get("prefer", "")
        size = re.search(r"odata\.maxpagesize=(\d+)", prefer)
        skip = int(request.param("$skiptoken") or 0)
        page_size = int(size.group(1)) if size else 5000
        page = rows[skip : skip + page_size]
        annotate = FORMATTED in prefer or "odata.include-annotations" in prefer
        answer: dict[str, Any] = {
            "@odata.context": f"{self.url}{request.path.rsplit('/', 1)[0]}/$metadata"
            f"#{self.entity_set}",
            "value": [self._dynamics_row(r, request.param("$select"), annotate) for r in page],
        }
        if skip + page_size < len(rows):
            query = {k: v[0] for k, v in request.query.items()} | {"$skiptoken": skip + page_size}
            answer["@odata.nextLink"] = f"{self.url}{request.path}?{urlencode(query)}"
        return Response.json(answer)

    def _dynamics_row(
        self, record: Mapping[str, Any], select: str | None, annotate: bool
    ) -> dict[str, Any]:
        row = {
            **record["data"],
            self.id_attribute: record["id"],
            self.alternate_key: record["key"],
            "statuscode": record["status"],
            "createdon": record["createdon"],
            "modifiedon": record["modifiedon"],
        }
        if select:
            wanted = {name.strip() for name in select.split(",")} | {self.id_attribute}
            row = {name: value for name, value in row.items() if name in wanted}
        if annotate and "statuscode" in row:
            row[f"statuscode@{FORMATTED}"] = DYNAMICS_STATUSES.get(
                record["status"], str(record["status"])
            )
        return {"@odata.etag": f'W/"{record["saves"]}"', **row}

    # --- Dynamics notes (annotations) ------------------------------------------------------------

    @property
    def _note_binding(self) -> str:
        # Dataverse names a note's link to a row of table T objectid_T, and a table's primary id
        # column is always T + "id" (incident, incidentid).
        return f"objectid_{self.id_attribute.removesuffix('id')}@odata.bind"

    def _create_note(self, request: RecordedRequest) -> Response:
        try:
            note = self._checked_note(request)
        except _Refused as refusal:
            return _dynamics_error(refusal.status, refusal.code, refusal.message)
        with self._store_lock:
            note["id"] = str(uuid.UUID(int=self._random.getrandbits(128), version=4))
            note["createdon"] = _now()
            self._notes.append(note)
        entity_id = f"{self.url}/api/data/v{DYNAMICS_VERSION}/annotations({note['id']})"
        headers = {"OData-Version": "4.0", "OData-EntityId": entity_id}
        if "return=representation" in request.headers.get("prefer", ""):
            return Response.json(self._note_row(note, request.param("$select")), 201, headers)
        return Response(204, headers=headers)

    def _checked_note(self, request: RecordedRequest) -> dict[str, Any]:
        """The note a request asks for, or _Refused saying why not."""
        data, problem = _json_object(request)
        if problem:
            raise _Refused(400, problem)
        binding = self._note_binding
        for name in data:
            if name not in (*NOTE_TEXT_COLUMNS, "documentbody", "isdocument", binding):
                raise _Refused(400, _no_property(name, "annotation"))
        bound = re.fullmatch(
            rf"(?:.*/)?{self.entity_set}\(([0-9A-Fa-f-]{{36}})\)", str(data.get(binding, ""))
        )
        if bound is None:
            raise _Refused(400, f"Bind the note to its case: {binding}: /{self.entity_set}(<id>).")
        case = next((r for r in self.records if r["id"] == bound.group(1).lower()), None)
        if case is None:
            table = self.id_attribute.removesuffix("id")
            raise _Refused(404, f"{table} With Id = {bound.group(1)} Does Not Exist", "0x80040217")
        for column, longest in NOTE_TEXT_COLUMNS.items():
            value = data.get(column)
            if value is not None and (not isinstance(value, str) or len(value) > longest):
                raise _Refused(400, f"{column} must be text of at most {longest} characters.")
        if not isinstance(data.get("isdocument", False), bool):
            raise _Refused(400, "isdocument must be true or false.")
        size = digest = None
        if (body := data.get("documentbody")) is not None:
            content = _base64(body)
            if content is None:
                raise _Refused(400, "documentbody must be the file's bytes in base64.")
            if not data.get("filename"):
                raise _Refused(400, "A note with a documentbody needs a filename.")
            if len(content) > self.max_attachment_bytes:
                raise _Refused(
                    400,
                    "The attachment is either not a valid type or is too large. It cannot be "
                    "uploaded or downloaded.",
                    "0x80044a02",
                )
            size, digest = len(content), hashlib.sha256(content).hexdigest()
        return {
            "case_id": case["id"],
            "case_key": case["key"],
            **{column: data.get(column) for column in NOTE_TEXT_COLUMNS},
            "size": size,
            "sha256": digest,
        }

    def _query_notes(self, request: RecordedRequest) -> Response:
        match = _NOTES_FILTER.match(request.param("$filter") or "")
        if match is None:
            return _dynamics_error(
                400,
                "0x8006088a",
                "The simulator filters notes on _objectid_value eq <id> [and subject eq '...'].",
            )
        case_id, subject = match.group(1).lower(), match.group(2)
        notes = [
            note
            for note in self.notes
            if note["case_id"] == case_id
            and (subject is None or note["subject"] == subject.replace("''", "'"))
        ]
        return Response.json(
            {"value": [self._note_row(note, request.param("$select")) for note in notes]}
        )

    def _note_row(self, note: Mapping[str, Any], select: str | None) -> dict[str, Any]:
        row = {
            "annotationid": note["id"],
            **{column: note[column] for column in NOTE_TEXT_COLUMNS},
            "filesize": note["size"] or 0,
            "isdocument": note["size"] is not None,
            "_objectid_value": note["case_id"],
            "objecttypecode": self.id_attribute.removesuffix("id"),
            "createdon": note["createdon"],
        }
        if select:
            wanted = {name.strip() for name in select.split(",")} | {"annotationid"}
            row = {name: value for name, value in row.items() if name in wanted}
        return {"@odata.etag": 'W/"1"', **row}

    # --- Salesforce ------------------------------------------------------------------------------

    def _salesforce(self, request: RecordedRequest) -> Response:
        prefix = f"/services/data/v{SALESFORCE_VERSION}"
        if request.path == f"{prefix}/limits" and request.method == "GET":
            return Response.json({"DailyApiRequests": {"Max": 15000, "Remaining": 14999}})
        if request.path == f"{prefix}/query" and request.method == "GET":
            soql = " ".join((request.param("q") or "").split())
            if match := _SOQL_NOTES.match(soql):
                return self._salesforce_notes(match["parent"], _soql_unescape(match["title"]))
            if match := _SOQL_FILES.match(soql):
                return self._salesforce_files(
                    match["parent"], match["field"], _soql_unescape(match["value"])
                )
            return self._salesforce_query(soql)
        if request.path == f"{prefix}/sobjects/Note":
            if request.method != "POST":
                return _salesforce_error(405, "METHOD_NOT_ALLOWED", "Use POST to add a note")
            return self._create_salesforce_note(request)
        if request.path == f"{prefix}/sobjects/ContentVersion":
            if request.method != "POST":
                return _salesforce_error(405, "METHOD_NOT_ALLOWED", "Use POST to add a file")
            return self._create_content_version(request)
        parts = request.path.removeprefix(f"{prefix}/sobjects/").split("/")
        if not request.path.startswith(f"{prefix}/sobjects/") or len(parts) != 3:
            return _salesforce_error(404, "NOT_FOUND", "The requested resource does not exist")
        sobject, field, value = parts[0], parts[1], unquote(parts[2])
        if sobject != self.sobject:
            return _salesforce_error(404, "NOT_FOUND", "The requested resource does not exist")
        if field != self.external_id_field:
            return _salesforce_error(
                400,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field}",
            )
        if request.method == "GET":
            record = self.record_for(value)
            if record is None:
                return _salesforce_error(404, "NOT_FOUND", "The requested resource does not exist")
            return Response.json({"attributes": {"type": sobject}, "Id": record["id"]})
        if request.method != "PATCH":
            return _salesforce_error(405, "METHOD_NOT_ALLOWED", "Use PATCH to upsert")
        data, problem = self._body(request)
        if problem:
            return _salesforce_error(400, "INVALID_FIELD", problem)
        record, created = self._upsert(value, data)
        answer = {"id": record["id"], "success": True, "errors": [], "created": created}
        if created:
            return Response.json(answer, status=201)
        if self.update_status == 204:
            return Response(204)
        return Response.json(answer, status=200)

    def _create_salesforce_note(self, request: RecordedRequest) -> Response:
        data, problem = _json_object(request)
        if problem:
            return _salesforce_error(400, "JSON_PARSER_ERROR", problem)
        for name in data:
            if name not in ("ParentId", "Title", "Body", "IsPrivate"):
                return _salesforce_error(
                    400, "INVALID_FIELD", f"No such column '{name}' on sobject of type Note"
                )
        for name, longest in SALESFORCE_NOTE_LIMITS.items():
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                return _salesforce_error(400, "INVALID_TYPE", f"{name} must be text")
            if value is not None and len(value) > longest:
                return _salesforce_error(
                    400, "STRING_TOO_LONG", f"{name}: data value too large (max {longest})"
                )
        if not data.get("Title"):
            return _salesforce_error(400, "REQUIRED_FIELD_MISSING", "Required fields: [Title]")
        with self._store_lock:
            case = next(
                (r for r in self._records.values() if r["id"] == data.get("ParentId")), None
            )
            if case is None:
                return _salesforce_error(
                    400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"
                )
            note = {
                "id": f"002{len(self._notes) + 1:015d}",
                "case_id": case["id"],
                "case_key": case["key"],
                "subject": data["Title"],
                "notetext": data.get("Body"),
                "filename": None,
                "mimetype": None,
                "size": None,
                "sha256": None,
                "createdon": _now(),
            }
            self._notes.append(note)
        return Response.json({"id": note["id"], "success": True, "errors": []}, status=201)

    def _create_content_version(self, request: RecordedRequest) -> Response:
        try:
            version = self._checked_content_version(request)
        except _Refused as refusal:
            return _salesforce_error(refusal.status, refusal.code, refusal.message)
        with self._store_lock:
            number = len(self._files) + 1
            version["id"] = f"068{number:015d}"
            version["content_document_id"] = f"069{number:015d}"
            version["createdon"] = _now()
            self._files.append(version)
        return Response.json({"id": version["id"], "success": True, "errors": []}, status=201)

    def _checked_content_version(self, request: RecordedRequest) -> dict[str, Any]:
        """The file a request asks for, or _Refused saying why not (Salesforce's error codes)."""
        data, problem = _json_object(request)
        if problem:
            raise _Refused(400, problem, "JSON_PARSER_ERROR")
        text_fields = CONTENT_VERSION_TEXT | dict.fromkeys(
            self.content_version_fields, CUSTOM_TEXT_LENGTH
        )
        for name, value in data.items():
            if name not in (*text_fields, "VersionData", "FirstPublishLocationId"):
                no_column = f"No such column '{name}' on sobject of type ContentVersion"
                raise _Refused(400, no_column, "INVALID_FIELD")
            if value is not None and not isinstance(value, str):
                raise _Refused(400, f"{name} must be text", "INVALID_TYPE")
            if name in text_fields and value is not None and len(value) > text_fields[name]:
                too_long = f"{name}: data value too large (max {text_fields[name]})"
                raise _Refused(400, too_long, "STRING_TOO_LONG")
        missing = [name for name in ("PathOnClient", "VersionData") if not data.get(name)]
        if missing:
            raise _Refused(
                400,
                f"Required fields are missing: [{', '.join(missing)}]",
                "REQUIRED_FIELD_MISSING",
            )
        content = _base64(data["VersionData"])
        if content is None:
            raise _Refused(400, "VersionData: the value is not valid base64", "INVALID_FIELD")
        if len(content) > self.max_attachment_bytes:
            raise _Refused(
                400,
                f"VersionData: data value too large (max {self.max_attachment_bytes} bytes)",
                "STRING_TOO_LONG",
            )
        parent = data.get("FirstPublishLocationId")
        case = next((r for r in self.records if parent and r["id"] == parent), None)
        if case is None:
            raise _Refused(
                400,
                "FirstPublishLocationId: invalid cross reference id",
                "INVALID_CROSS_REFERENCE_KEY",
            )
        path_on_client = data["PathOnClient"]
        return {
            "case_id": case["id"],
            "case_key": case["key"],
            "title": data.get("Title") or path_on_client.rsplit(".", 1)[0],
            "description": data.get("Description"),
            "fields": {
                field: data[field] for field in self.content_version_fields if field in data
            },
            # Salesforce takes no type: it tells the file's type from its name (FileType).
            **received(
                content,
                source="VersionData",
                name=path_on_client,
                content_type=mimetypes.guess_type(path_on_client)[0] or "application/octet-stream",
            ),
        }

    def _salesforce_files(self, parent: str, field: str, value: str) -> Response:
        if field != "Description" and field not in self.content_version_fields:
            return _salesforce_error(
                400, "INVALID_FIELD", f"No such column '{field}' on entity 'ContentVersion'"
            )
        rows = [
            {"attributes": {"type": "ContentVersion"}, "Id": version["id"]}
            for version in self.files
            if version["case_id"] == parent
            and (version["description"] if field == "Description" else version["fields"].get(field))
            == value
        ]
        return Response.json({"totalSize": len(rows), "done": True, "records": rows})

    def _salesforce_notes(self, parent: str, title: str) -> Response:
        rows = [
            {"attributes": {"type": "Note"}, "Id": note["id"]}
            for note in self.notes
            if note["case_id"] == parent and note["subject"] == title
        ]
        return Response.json({"totalSize": len(rows), "done": True, "records": rows})

    def _salesforce_query(self, soql: str) -> Response:
        match = _SOQL.match(" ".join(soql.split()))
        if match is None or match.group("sobject") != self.sobject:
            return _salesforce_error(
                400, "MALFORMED_QUERY", "The simulator reads status changes only"
            )
        rows = self.records
        if match.group("since"):
            since = _parse(match.group("since"))
            strict = match.group("op") == ">"
            rows = [
                r
                for r in rows
                if (m := _parse(r["modifiedon"])) > since or (not strict and m == since)
            ]
        rows.sort(key=lambda r: r["modifiedon"])
        fields = [name.strip() for name in match.group("fields").split(",")]
        values = {"Id": "id", "Status": "status", "LastModifiedDate": "modifiedon"}
        records = [
            {"attributes": {"type": self.sobject}}
            | {
                name: _salesforce_date(r[values[name]])
                if name == "LastModifiedDate"
                else r.get(values.get(name, ""))
                for name in fields
            }
            for r in rows
        ]
        return Response.json({"totalSize": len(records), "done": True, "records": records})

    # --- The table -------------------------------------------------------------------------------

    def _body(self, request: RecordedRequest) -> tuple[dict[str, Any], str | None]:
        """The record a request's body holds, or a problem with it."""
        data, problem = _json_object(request)
        if problem is None and self.columns is not None:
            unknown = sorted(set(data) - self.columns)
            if unknown:
                table = self.entity_set if self.style == "dynamics" else self.sobject
                return {}, _no_property(unknown[0], table)
        return data, problem

    def _upsert(self, key: str, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        with self._store_lock:
            record = self._records.get(key)
            created = record is None
            if record is None:
                self._creates += 1
                now = _now()
                record = self._records[key] = {
                    "id": self._new_id(),
                    "key": key,
                    "data": {},
                    "status": 1 if self.style == "dynamics" else "New",
                    "createdon": now,
                    "modifiedon": now,
                    "saves": 0,
                }
            else:
                self._updates += 1
                self._touch(record)
            record["data"].update(data)
            record["saves"] += 1
            return copy.deepcopy(record), created

    def _new_id(self) -> str:
        if self.style == "dynamics":
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))
        return f"500{len(self._records) + 1:015d}"[:18]

    @staticmethod
    def _touch(record: dict[str, Any]) -> None:
        # modifiedon has whole seconds, as in Dynamics; a record changed twice within a second
        # gets the next second, so each change of one record has its own update id.
        now = _parse(_now())
        last = _parse(record["modifiedon"])
        record["modifiedon"] = _format(max(now, last + timedelta(seconds=1)))

    # --- Control ---------------------------------------------------------------------------------

    def control(self, request: RecordedRequest) -> Response | None:
        if request.path == "/_tokens" and request.method == "DELETE":
            self.revoke_tokens()
            return Response(204)
        if request.path == "/_updates" and request.method == "POST":
            try:
                change = request.json()
                record = self.set_status(str(change.get("key") or change["id"]), change["status"])
            except (ValueError, AttributeError, KeyError, TypeError) as exc:
                return Response.json({"error": f"bad update: {exc}"}, status=400)
            return Response.json(record)
        if request.path != "/_records":
            return super().control(request)
        if request.method == "DELETE":
            self.clear_records()
            return Response(204)
        if request.method != "GET":
            return Response.json({"error": "use GET or DELETE"}, status=405)
        key = request.param("key")
        records = [r for r in self.records if key is None or r["key"] == key]
        notes = [n for n in self.notes if key is None or n["case_key"] == key]
        files = [f for f in self.files if key is None or f["case_key"] == key]
        return Response.json(
            {
                "count": len(records),
                "creates": self.creates,
                "updates": self.updates,
                "records": records,
                "notes": notes,
                "files": files,
            }
        )


class _Refused(Exception):
    """A request the CRM refuses: its status, message and Dynamics error code."""

    def __init__(self, status: int, message: str, code: str = "0x80060888") -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _base64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        return None


def _json_object(request: RecordedRequest) -> tuple[dict[str, Any], str | None]:
    try:
        data = request.json()
    except ValueError:
        return {}, "The request body is not valid JSON."
    if not isinstance(data, dict):
        return {}, "The request body must be a JSON object."
    return data, None


def _no_property(name: str, table: str) -> str:
    return f"The property '{name}' does not exist on type '{table}'."


def _dynamics_error(status: int, code: str, message: str) -> Response:
    return Response.json({"error": {"code": code, "message": message}}, status=status)


def _soql_unescape(literal: str) -> str:
    """A SOQL string literal's text: backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", literal)


def _salesforce_error(status: int, code: str, message: str) -> Response:
    return Response.json([{"errorCode": code, "message": message}], status=status)


def _now() -> str:
    return _format(datetime.now(UTC))


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    if re.search(r"[+-]\d{4}$", value):
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _salesforce_date(value: str) -> str:
    return _parse(value).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--style", choices=("dynamics", "salesforce"), default="dynamics")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--token-lifetime", type=float, default=3600)
    parser.add_argument(
        "--max-attachment-bytes",
        type=int,
        default=None,
        metavar="BYTES",
        help=f"the largest file taken (Dynamics {DEFAULT_MAX_ATTACHMENT_BYTES}, Salesforce "
        f"{SALESFORCE_MAX_JSON_FILE_BYTES})",
    )
    parser.add_argument(
        "--content-version-field",
        action="append",
        default=[],
        metavar="NAME",
        help="a custom field on Salesforce's ContentVersion, e.g. Portal_Key__c (repeatable)",
    )
    add_fault_arguments(parser)
    args = parser.parse_args(argv)

    simulator = CRMSimulator(
        style=args.style,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        max_attachment_bytes=args.max_attachment_bytes,
        content_version_fields=args.content_version_field,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    faults = apply_fault_arguments(simulator, parser, args)
    base = f"http://{args.host}:{args.port}"
    print(
        f"CRM ({args.style}) at {base}, token endpoint {base}{TOKEN_PATH}, client "
        f"{args.client_id!r}: {json.dumps(faults) if faults else 'no faults'}"
    )
    simulator.serve_forever()


if __name__ == "__main__":
    main()
