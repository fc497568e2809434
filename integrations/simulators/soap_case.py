"""A SOAP 1.1 case system, in the style of the waste and highways systems councils run.

    GET  /CaseService?wsdl      (or /CaseService.wsdl) the WSDL (soap_case_wsdl.py):
                                document/literal, one inline XSD
    POST /CaseService           a SOAP 1.1 envelope carrying one of these operations:
        Authenticate(Username, Password) -> SessionToken, ExpiresAt (session_minutes from now)
        CreateServiceRequest(SessionToken, ClientReference, ServiceCode, Description, UPRN?,
            Easting?, Northing?, Latitude?, Longitude?, Contact(Name?, Email?, Phone?)?,
            Fields(Field(Name, Value)*)?) -> CaseReference, Created
        GetCaseUpdatesSince(SessionToken, Since?) -> Updates(CaseUpdate(UpdateId, CaseReference,
            Status, Notes?, UpdatedAt)*), oldest first, only those after Since
        FindCasesByClientReference(SessionToken, ClientReference) -> Cases(CaseReference*),
            oldest first
        AddAttachment(SessionToken, CaseReference, ClientReference, FileName, ContentType,
            Content (xsd:base64Binary)) -> AttachmentId, Created
        GetCaseAttachments(SessionToken, CaseReference) -> Attachments(Attachment(AttachmentId,
            ClientReference, FileName, ContentType, Size, AddedAt)*), oldest first
        AddNote(SessionToken, CaseReference, ClientReference, NoteType, Text, SentAt?)
            -> NoteId, Created: what the resident said later (NoteType reply, reopen or
            not_fixed)
        GetCaseNotes(SessionToken, CaseReference) -> Notes(Note(NoteId, ClientReference,
            NoteType, Text, SentAt?, AddedAt)*), oldest first

CreateServiceRequest keeps the ClientReference on the case but, like most such systems, does not
make it unique: the same reference again makes a second case. AddAttachment treats its
ClientReference the same way: kept on the attachment, not unique, so the same call again attaches
the file a second time; GetCaseAttachments is how a client finds what a lost answer attached.
AddNote is the same again: a repeated ClientReference adds a second note; GetCaseNotes finds it.
With unique_client_reference (a system that does make them unique) a repeated ClientReference is
answered with the case, or the case's attachment, made the first time (Created false) instead.
Each attachment is kept as its name, type, size and the SHA-256 of the decoded bytes (not the
bytes); one larger than max_attachment_bytes is refused with a Client.Validation fault.
Faults are SOAP 1.1 faults with HTTP 500:
    soap:Client.Authentication      wrong user name or password on Authenticate (and the
                                    base simulator's auth_failure fault, on any operation)
    soap:Client.SessionExpired      the SessionToken is unknown or has expired
    soap:Client.Validation          the request breaks a rule; the faultstring echoes the
                                    offending value, as real systems do
    soap:Server.Unavailable         forced with `set_soap_fault` (the system's own trouble)
    wsse:InvalidSecurity / wsse:FailedAuthentication
                                    with ws_security on: the wsse:Security UsernameToken
                                    (PasswordText) is missing, or its user name or password wrong
The base simulator's faults (error_rate, latency, reset_rate, drop_response, ...) apply too, to
every operation (AddAttachment and GetCaseAttachments as much as CreateServiceRequest; /_stats
counts them by operation); its error_rate answers are JSON, like a load balancer in front of a
system that is down.

For tests, in Python: `records`, `count_for(client_reference)`, `record_for(client_reference)`,
`attachments`, `attachments_of(case_reference)`, `notes`, `notes_of(case_reference)`,
`add_update(case_reference, status, notes)`,
`updates`, `expire_sessions()`, `calls(operation)`, `set_soap_fault(code, ...)`; over HTTP, for
other processes (neither recorded nor faulted):
    GET /_records[?client_reference=R]   {"count": n, "replays": r, "records": [...],
                                         "attachments": [...], "notes": [...]} (those of the
                                         cases listed)
    DELETE /_records                     forget every record, attachment, update and session
    GET /_updates                        {"updates": [...]}
    POST /_updates {"case_reference": C, "status": S, "notes": N}   add one; 201 with it
    POST /_soap_fault {"code": "Server.Unavailable", "times": 1}     DELETE /_soap_fault
    GET/POST/DELETE /_faults             see the base Simulator

Standalone:
    python -m integrations.simulators.soap_case --port 8104 [--username U --password P]
        [--ws-security] [--session-minutes 20] [--unique-client-reference]
        [--max-attachment-mb 20] [--error-rate 0.3 --drop-rate 0.05 ...]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from integrations.simulators.base import (
    RecordedRequest,
    Response,
    Simulator,
    add_fault_arguments,
    apply_fault_arguments,
)
from integrations.simulators.soap_case_wsdl import (
    ATTACHMENT_OPERATIONS,
    LOOKUPS,
    NOTE_OPERATIONS,
    NS,
    OPERATIONS,
    wsdl,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_WSS = "http://docs.oasis-open.org/wss/2004/01/"
WSSE = f"{_WSS}oasis-200401-wss-wssecurity-secext-1.0.xsd"
# A token type's URI, not a password.
PASSWORD_TEXT = f"{_WSS}oasis-200401-wss-username-token-profile-1.0#PasswordText"
PATH = "/CaseService"
DEFAULT_USERNAME = "portal"
DEFAULT_PASSWORD = "simulator-password"  # noqa: S105 - a demo's, known to all
DEFAULT_SERVICE_CODES = (
    "MISSED_BIN",
    "BULKY_WASTE",
    "POTHOLE",
    "STREET_LIGHT",
    "FLY_TIPPING",
    "RESIDENT_PERMIT",
)
DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_UPRN = re.compile(r"^\d{1,12}$")
# Entities and network access off: a SOAP server must never fetch what an envelope points at.
# huge_tree: an attachment's base64 text may be longer than libxml2's default 10 MB limit.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=True
)
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


class _Fault(Exception):
    def __init__(self, code: str, message: str, prefix: str = "soap") -> None:
        super().__init__(message)
        self.code, self.message, self.prefix = code, message, prefix


@dataclass
class _ForcedFault:
    code: str
    message: str
    times: int | None
    operation: str | None


class SoapCaseSimulator(Simulator):
    name = "soap-case-simulator"

    def __init__(
        self,
        *,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        ws_security: bool = False,
        session_minutes: float = 20,
        service_codes: Iterable[str] | None = DEFAULT_SERVICE_CODES,
        reference_prefix: str = "CS",
        unique_client_reference: bool = False,
        lookup: bool = True,
        attachments: bool = True,
        notes: bool = True,
        max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
    ) -> None:
        """`service_codes` None accepts any code; `ws_security` demands a UsernameToken with
        the same user name and password on every call; `unique_client_reference` answers a
        repeated ClientReference with the case (or attachment) already made instead of making
        another; `lookup` False is a system without FindCasesByClientReference and
        GetCaseAttachments (and GetCaseNotes); `attachments` False one that takes no files at
        all; `notes` False one without AddNote and GetCaseNotes."""
        super().__init__(host=host, port=port, seed=seed)
        self.username, self.password = username, password
        self.ws_security = ws_security
        self.session_minutes = session_minutes
        self.service_codes = None if service_codes is None else frozenset(service_codes)
        self.reference_prefix = reference_prefix
        self.unique_client_reference = unique_client_reference
        left_out = (
            (() if lookup else LOOKUPS)
            + (() if attachments else ATTACHMENT_OPERATIONS)
            + (() if notes else NOTE_OPERATIONS)
        )
        self.operations = tuple(name for name in OPERATIONS if name not in left_out)
        self.max_attachment_bytes = max_attachment_bytes
        self._store_lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._attachments: list[dict[str, Any]] = []
        self._notes: list[dict[str, Any]] = []
        self._by_reference: dict[str, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._sessions: dict[str, datetime] = {}
        self._replays = 0
        self._forced: _ForcedFault | None = None

    @property
    def service_url(self) -> str:
        return f"{self.url}{PATH}"

    @property
    def wsdl_url(self) -> str:
        """The address to configure on a SOAP connection."""
        return f"{self.url}{PATH}?wsdl"

    # --- What tests look at and change -----------------------------------------------------------

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every case made, oldest first: {"case_reference", "client_reference", "service_code",
        "description", "uprn", "easting", "northing", "latitude", "longitude", "contact",
        "fields", "created_at"}."""
        with self._store_lock:
            return copy.deepcopy(self._records)

    def record_for(self, client_reference: str) -> dict[str, Any] | None:
        with self._store_lock:
            return copy.deepcopy(self._by_reference.get(client_reference))

    def count_for(self, client_reference: str) -> int:
        """How many cases carry this client reference: 1 when delivery worked, never 2."""
        with self._store_lock:
            return sum(1 for r in self._records if r["client_reference"] == client_reference)

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """Every attachment added, oldest first: {"attachment_id", "case_reference",
        "client_reference", "file_name", "content_type", "size", "sha256", "added_at"}, where
        size and sha256 are those of the decoded bytes."""
        with self._store_lock:
            return copy.deepcopy(self._attachments)

    def attachments_of(self, case_reference: str) -> list[dict[str, Any]]:
        """The attachments of one case, oldest first."""
        return [a for a in self.attachments if a["case_reference"] == case_reference]

    @property
    def notes(self) -> list[dict[str, Any]]:
        """Every note added, oldest first: {"note_id", "case_reference", "client_reference",
        "note_type", "text", "sent_at", "added_at"}."""
        with self._store_lock:
            return copy.deepcopy(self._notes)

    def notes_of(self, case_reference: str) -> list[dict[str, Any]]:
        """The notes of one case, oldest first."""
        return [n for n in self.notes if n["case_reference"] == case_reference]

    @property
    def replays(self) -> int:
        """How many CreateServiceRequests repeated a client reference and got the first case."""
        with self._store_lock:
            return self._replays

    @property
    def updates(self) -> list[dict[str, Any]]:
        with self._store_lock:
            return copy.deepcopy(self._updates)

    def add_update(
        self, case_reference: str, status: str, notes: str = "", at: datetime | None = None
    ) -> dict[str, Any]:
        """A change to a case, as a case officer would make it; KeyError for an unknown case."""
        with self._store_lock:
            if not any(r["case_reference"] == case_reference for r in self._records):
                raise KeyError(f"no case {case_reference!r}")
            update = {
                "update_id": f"UPD-{len(self._updates) + 1:06d}",
                "case_reference": case_reference,
                "status": status,
                "notes": notes,
                "updated_at": (at or datetime.now(UTC)).astimezone(UTC),
            }
            self._updates.append(update)
            return copy.deepcopy(update)

    def expire_sessions(self) -> None:
        """Every session token handed out so far is now expired (as after a night's restart)."""
        with self._store_lock:
            past = datetime.now(UTC) - timedelta(seconds=1)
            self._sessions = dict.fromkeys(self._sessions, past)

    @property
    def sessions(self) -> int:
        """How many session tokens were handed out."""
        with self._store_lock:
            return len(self._sessions)

    def calls(self, operation: str) -> int:
        """How many requests for `operation` arrived (whatever became of them)."""
        return sum(1 for r in self.requests if _operation_name(r.body) == operation)

    def set_soap_fault(
        self,
        code: str = "Server.Unavailable",
        message: str = "The case system is unavailable; try again later",
        *,
        times: int | None = None,
        operation: str | None = None,
    ) -> None:
        """Answer this fault (to `operation`, or to every operation) `times` times, or until
        `clear_soap_fault`."""
        with self._store_lock:
            self._forced = _ForcedFault(code, message, times, operation)

    def clear_soap_fault(self) -> None:
        with self._store_lock:
            self._forced = None

    def clear_records(self) -> None:
        with self._store_lock:
            self._records.clear()
            self._attachments.clear()
            self._notes.clear()
            self._by_reference.clear()
            self._updates.clear()
            self._sessions.clear()
            self._replays = 0

    def reset(self) -> None:
        super().reset()
        self.clear_soap_fault()
        self.clear_records()

    # --- The system ------------------------------------------------------------------------------

    def unauthorised(self, request: RecordedRequest) -> Response:
        return _fault_response(_Fault("Client.Authentication", "The credentials were refused"))

    def call_name(self, request: RecordedRequest) -> str:
        """Every operation is POSTed to one address: a call is named by its operation
        (AddAttachment, GetCaseAttachments...), a GET by its method and path (the WSDL)."""
        operation = _operation_name(request.body) if request.method == "POST" else None
        return operation or f"{request.method} {request.path}"

    def handle(self, request: RecordedRequest) -> Response:
        if request.path not in (PATH, f"{PATH}.wsdl"):
            return Response(404, b"Not found", {"Content-Type": "text/plain"})
        if request.method == "GET" and (
            request.path.endswith(".wsdl") or any(k.lower() == "wsdl" for k in request.query)
        ):
            host = request.headers.get("host") or f"127.0.0.1:{self.port}"
            document = wsdl(f"http://{host}{PATH}", self.operations)
            return Response(200, document.encode(), {"Content-Type": "text/xml"})
        if request.method != "POST" or request.path != PATH:
            return Response(405, b"POST a SOAP envelope", {"Allow": "GET, POST"})
        try:
            body = self._answer(request.body)
        except _Fault as fault:
            return _fault_response(fault)
        return Response(200, _envelope(body), {"Content-Type": "text/xml; charset=utf-8"})

    def _answer(self, content: bytes) -> str:
        try:
            envelope = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError:
            raise _Fault("Client", "The request is not well-formed XML") from None
        if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
            raise _Fault("VersionMismatch", "Expected a SOAP 1.1 Envelope")
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        operation = body[0] if body is not None and len(body) else None
        if operation is None or etree.QName(operation).namespace != NS:
            raise _Fault("Client", "The Body holds no operation of this service")
        name = etree.QName(operation).localname
        if name not in self.operations:
            raise _Fault("Client", f"Unknown operation {name}")
        if self.ws_security:
            self._check_ws_security(envelope.find(f"{{{SOAP_ENV}}}Header"))
        self._forced_fault(name)
        if name == "Authenticate":
            return self._authenticate(operation)
        self._check_session(_text(operation, "SessionToken"))
        if name == "CreateServiceRequest":
            return self._create(operation)
        if name == "FindCasesByClientReference":
            return self._find(operation)
        if name == "AddAttachment":
            return self._add_attachment(operation)
        if name == "GetCaseAttachments":
            return self._case_attachments(operation)
        if name == "AddNote":
            return self._add_note(operation)
        if name == "GetCaseNotes":
            return self._case_notes(operation)
        return self._updates_since(operation)

    def _forced_fault(self, operation: str) -> None:
        with self._store_lock:
            forced = self._forced
            if forced is None or forced.operation not in (None, operation):
                return
            if forced.times is not None:
                forced.times -= 1
                if forced.times <= 0:
                    self._forced = None
        raise _Fault(forced.code, forced.message)

    def _check_ws_security(self, header: Any) -> None:
        token = None
        if header is not None:
            token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None:
            raise _Fault("InvalidSecurity", "A wsse:UsernameToken is required", prefix="wsse")
        password = token.find(f"{{{WSSE}}}Password")
        given_type = password.get("Type", PASSWORD_TEXT) if password is not None else None
        if (
            password is None
            or given_type != PASSWORD_TEXT
            or not _same(token.findtext(f"{{{WSSE}}}Username") or "", self.username)
            or not _same(password.text or "", self.password)
        ):
            raise _Fault(
                "FailedAuthentication", "The security token could not be authenticated", "wsse"
            )

    def _authenticate(self, operation: Any) -> str:
        username, password = _text(operation, "Username"), _text(operation, "Password")
        if not (_same(username or "", self.username) and _same(password or "", self.password)):
            raise _Fault("Client.Authentication", "The user name or password is wrong")
        token = secrets.token_urlsafe(24)
        expires = datetime.now(UTC) + timedelta(minutes=self.session_minutes)
        with self._store_lock:
            self._sessions[token] = expires
        return (
            f'<c:AuthenticateResponse xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
            f"<c:ExpiresAt>{_iso(expires)}</c:ExpiresAt></c:AuthenticateResponse>"
        )

    def _check_session(self, token: str | None) -> None:
        with self._store_lock:
            expires = self._sessions.get(token or "")
        if expires is None or expires <= datetime.now(UTC):
            raise _Fault("Client.SessionExpired", "The session has expired or is not known")

    def _create(self, operation: Any) -> str:
        record = _validated(operation, self.service_codes)
        with self._store_lock:
            existing = self._by_reference.get(record["client_reference"])
            if existing is not None and self.unique_client_reference:
                self._replays += 1
                reference, created = existing["case_reference"], "false"
            else:
                reference = f"{self.reference_prefix}-{len(self._records) + 1:06d}"
                record = {"case_reference": reference, **record}
                record["created_at"] = datetime.now(UTC).isoformat()
                self._records.append(record)
                self._by_reference.setdefault(record["client_reference"], record)
                created = "true"
        return (
            f'<c:CreateServiceRequestResponse xmlns:c="{NS}">'
            f"<c:CaseReference>{escape(reference)}</c:CaseReference>"
            f"<c:Created>{created}</c:Created></c:CreateServiceRequestResponse>"
        )

    def _find(self, operation: Any) -> str:
        wanted = _text(operation, "ClientReference") or ""
        with self._store_lock:
            found = [r["case_reference"] for r in self._records if r["client_reference"] == wanted]
        items = "".join(f"<c:CaseReference>{escape(r)}</c:CaseReference>" for r in found)
        return (
            f'<c:FindCasesByClientReferenceResponse xmlns:c="{NS}"><c:Cases>{items}</c:Cases>'
            "</c:FindCasesByClientReferenceResponse>"
        )

    def _add_attachment(self, operation: Any) -> str:
        attachment = _validated_attachment(operation, self.max_attachment_bytes)
        with self._store_lock:
            case_reference = attachment["case_reference"]
            if not any(r["case_reference"] == case_reference for r in self._records):
                raise _Fault("Client.Validation", f"Case '{case_reference}' is not known")
            existing = next(
                (
                    a
                    for a in self._attachments
                    if a["case_reference"] == case_reference
                    and a["client_reference"] == attachment["client_reference"]
                ),
                None,
            )
            if existing is not None and self.unique_client_reference:
                attachment_id, created = existing["attachment_id"], "false"
            else:
                attachment_id = f"ATT-{len(self._attachments) + 1:06d}"
                self._attachments.append(
                    {
                        "attachment_id": attachment_id,
                        **attachment,
                        "added_at": datetime.now(UTC).isoformat(),
                    }
                )
                created = "true"
        return (
            f'<c:AddAttachmentResponse xmlns:c="{NS}">'
            f"<c:AttachmentId>{attachment_id}</c:AttachmentId>"
            f"<c:Created>{created}</c:Created></c:AddAttachmentResponse>"
        )

    def _case_attachments(self, operation: Any) -> str:
        case_reference = _text(operation, "CaseReference") or ""
        with self._store_lock:
            if not any(r["case_reference"] == case_reference for r in self._records):
                raise _Fault("Client.Validation", f"Case '{case_reference}' is not known")
            found = [a for a in self._attachments if a["case_reference"] == case_reference]
        items = "".join(
            "<c:Attachment>"
            f"<c:AttachmentId>{a['attachment_id']}</c:AttachmentId>"
            f"<c:ClientReference>{escape(a['client_reference'])}</c:ClientReference>"
            f"<c:FileName>{escape(a['file_name'])}</c:FileName>"
            f"<c:ContentType>{escape(a['content_type'])}</c:ContentType>"
            f"<c:Size>{a['size']}</c:Size>"
            f"<c:AddedAt>{a['added_at']}</c:AddedAt>"
            "</c:Attachment>"
            for a in found
        )
        return (
            f'<c:GetCaseAttachmentsResponse xmlns:c="{NS}"><c:Attachments>{items}</c:Attachments>'
            "</c:GetCaseAttachmentsResponse>"
        )

    def _add_note(self, operation: Any) -> str:
        note = _validated_note(operation)
        with self._store_lock:
            case_reference = note["case_reference"]
            if not any(r["case_reference"] == case_reference for r in self._records):
                raise _Fault("Client.Validation", f"Case '{case_reference}' is not known")
            existing = next(
                (
                    n
                    for n in self._notes
                    if n["case_reference"] == case_reference
                    and n["client_reference"] == note["client_reference"]
                ),
                None,
            )
            if existing is not None and self.unique_client_reference:
                note_id, created = existing["note_id"], "false"
            else:
                note_id = f"NOTE-{len(self._notes) + 1:06d}"
                self._notes.append(
                    {"note_id": note_id, **note, "added_at": datetime.now(UTC).isoformat()}
                )
                created = "true"
        return (
            f'<c:AddNoteResponse xmlns:c="{NS}"><c:NoteId>{note_id}</c:NoteId>'
            f"<c:Created>{created}</c:Created></c:AddNoteResponse>"
        )

    def _case_notes(self, operation: Any) -> str:
        case_reference = _text(operation, "CaseReference") or ""
        with self._store_lock:
            if not any(r["case_reference"] == case_reference for r in self._records):
                raise _Fault("Client.Validation", f"Case '{case_reference}' is not known")
            found = [n for n in self._notes if n["case_reference"] == case_reference]
        items = "".join(
            "<c:Note>"
            f"<c:NoteId>{n['note_id']}</c:NoteId>"
            f"<c:ClientReference>{escape(n['client_reference'])}</c:ClientReference>"
            f"<c:NoteType>{escape(n['note_type'])}</c:NoteType>"
            f"<c:Text>{escape(n['text'])}</c:Text>"
            + (f"<c:SentAt>{n['sent_at']}</c:SentAt>" if n["sent_at"] else "")
            + f"<c:AddedAt>{n['added_at']}</c:AddedAt>"
            "</c:Note>"
            for n in found
        )
        return (
            f'<c:GetCaseNotesResponse xmlns:c="{NS}"><c:Notes>{items}</c:Notes>'
            "</c:GetCaseNotesResponse>"
        )

    def _updates_since(self, operation: Any) -> str:
        since_text = _text(operation, "Since")
        since = None
        if since_text:
            try:
                since = _parse_datetime(since_text)
            except ValueError:
                raise _Fault(
                    "Client.Validation", f"Since '{since_text}' is not a date and time"
                ) from None
        with self._store_lock:
            updates = [u for u in self._updates if since is None or u["updated_at"] > since]
        updates.sort(key=lambda u: (u["updated_at"], u["update_id"]))
        items = "".join(
            "<c:CaseUpdate>"
            f"<c:UpdateId>{escape(u['update_id'])}</c:UpdateId>"
            f"<c:CaseReference>{escape(u['case_reference'])}</c:CaseReference>"
            f"<c:Status>{escape(u['status'])}</c:Status>"
            f"<c:Notes>{escape(u['notes'])}</c:Notes>"
            f"<c:UpdatedAt>{_iso(u['updated_at'])}</c:UpdatedAt>"
            "</c:CaseUpdate>"
            for u in updates
        )
        return (
            f'<c:GetCaseUpdatesSinceResponse xmlns:c="{NS}"><c:Updates>{items}</c:Updates>'
            "</c:GetCaseUpdatesSinceResponse>"
        )

    # --- Control ---------------------------------------------------------------------------------

    def control(self, request: RecordedRequest) -> Response | None:
        if request.path == "/_records":
            return self._control_records(request)
        if request.path == "/_updates":
            return self._control_updates(request)
        if request.path == "/_soap_fault":
            return self._control_soap_fault(request)
        return super().control(request)

    def _control_records(self, request: RecordedRequest) -> Response:
        if request.method == "DELETE":
            self.clear_records()
            return Response(204)
        if request.method != "GET":
            return Response.json({"error": "use GET or DELETE"}, status=405)
        wanted = request.param("client_reference")
        with self._store_lock:
            records = [
                r for r in self._records if wanted is None or r["client_reference"] == wanted
            ]
            cases = {r["case_reference"] for r in records}
            attachments = [a for a in self._attachments if a["case_reference"] in cases]
            notes = [n for n in self._notes if n["case_reference"] in cases]
            answer = {
                "count": len(records),
                "replays": self._replays,
                "records": records,
                "attachments": attachments,
                "notes": notes,
            }
            return Response.json(json.loads(json.dumps(answer, default=str)))

    def _control_updates(self, request: RecordedRequest) -> Response:
        if request.method == "GET":
            return Response.json({"updates": json.loads(json.dumps(self.updates, default=str))})
        if request.method != "POST":
            return Response.json({"error": "use GET or POST"}, status=405)
        try:
            data = request.json()
            update = self.add_update(
                str(data["case_reference"]), str(data["status"]), str(data.get("notes", ""))
            )
        except (ValueError, TypeError, AttributeError):
            return Response.json({"error": "send case_reference, status and notes"}, status=400)
        except KeyError as exc:
            return Response.json({"error": f"unknown or missing {exc}"}, status=400)
        return Response.json(json.loads(json.dumps(update, default=str)), status=201)

    def _control_soap_fault(self, request: RecordedRequest) -> Response:
        if request.method == "DELETE":
            self.clear_soap_fault()
            return Response(204)
        if request.method != "POST":
            return Response.json({"error": "use POST or DELETE"}, status=405)
        try:
            data = request.json()
            times = data.get("times")
            if times is not None and (not isinstance(times, int) or times < 1):
                raise ValueError
            self.set_soap_fault(
                str(data.get("code", "Server.Unavailable")),
                str(data.get("message", "The case system is unavailable; try again later")),
                times=times,
                operation=data.get("operation"),
            )
        except (ValueError, AttributeError):
            return Response.json({"error": "send code, message, times, operation"}, status=400)
        return Response(204)


# --- Envelopes -----------------------------------------------------------------------------------


def _envelope(body: str, header: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}">{header}<soap:Body>{body}</soap:Body>'
        "</soap:Envelope>"
    ).encode()


def _fault_response(fault: _Fault) -> Response:
    namespace = WSSE if fault.prefix == "wsse" else SOAP_ENV
    body = (
        f'<soap:Fault xmlns:{fault.prefix}="{namespace}">'
        if fault.prefix != "soap"
        else "<soap:Fault>"
    ) + (
        f"<faultcode>{fault.prefix}:{escape(fault.code)}</faultcode>"
        f"<faultstring>{escape(fault.message)}</faultstring></soap:Fault>"
    )
    return Response(500, _envelope(body), {"Content-Type": "text/xml; charset=utf-8"})


def _operation_name(content: bytes) -> str | None:
    try:
        envelope = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError:
        return None
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    return etree.QName(body[0]).localname if body is not None and len(body) else None


def _text(element: Any, name: str) -> str | None:
    found = element.find(f"{{{NS}}}{name}")
    if found is None:
        return None
    return (found.text or "").strip()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_datetime(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _validated(operation: Any, service_codes: frozenset[str] | None) -> dict[str, Any]:
    """The new case's fields, or a Client.Validation fault naming (and echoing) the first
    problem, as real case systems do."""
    client_reference = _text(operation, "ClientReference")
    service_code = _text(operation, "ServiceCode")
    description = _text(operation, "Description")
    if not client_reference or len(client_reference) > 100:
        raise _Fault("Client.Validation", "ClientReference is required (at most 100 characters)")
    if not service_code:
        raise _Fault("Client.Validation", "ServiceCode is required")
    if service_codes is not None and service_code not in service_codes:
        raise _Fault("Client.Validation", f"ServiceCode '{service_code}' is not known")
    if not description:
        raise _Fault("Client.Validation", "Description is required")
    if len(description) > 4000:
        raise _Fault("Client.Validation", "Description is longer than 4000 characters")
    uprn = _text(operation, "UPRN")
    if uprn is not None and not _UPRN.match(uprn):
        raise _Fault("Client.Validation", f"UPRN '{uprn}' is not a UPRN")
    numbers: dict[str, Decimal | None] = {}
    bounds = {
        "Easting": (0, 700000),
        "Northing": (0, 1300000),
        "Latitude": (49, 61),
        "Longitude": (-9, 2.5),
    }
    for name, (low, high) in bounds.items():
        text = _text(operation, name)
        try:
            number = None if text is None else Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if number is not None and not low <= number <= high:
            raise _Fault("Client.Validation", f"{name} '{text}' is outside the council's area")
        numbers[name] = number
    contact_node = operation.find(f"{{{NS}}}Contact")
    contact = {}
    if contact_node is not None:
        contact = {
            name.lower(): value
            for name in ("Name", "Email", "Phone")
            if (value := _text(contact_node, name))
        }
        if "email" in contact and "@" not in contact["email"]:
            raise _Fault("Client.Validation", f"Email '{contact['email']}' is not an address")
    fields: dict[str, str] = {}
    for field_node in operation.findall(f"{{{NS}}}Fields/{{{NS}}}Field"):
        field_name = _text(field_node, "Name")
        if not field_name:
            raise _Fault("Client.Validation", "Every Field needs a Name")
        fields[field_name] = _text(field_node, "Value") or ""
    return {
        "client_reference": client_reference,
        "service_code": service_code,
        "description": description,
        "uprn": uprn,
        **{name.lower(): None if n is None else str(n) for name, n in numbers.items()},
        "contact": contact,
        "fields": fields,
    }


NOTE_TYPES = frozenset({"reply", "reopen", "not_fixed"})
MAX_NOTE_LENGTH = 20_000


def _validated_note(operation: Any) -> dict[str, Any]:
    """AddNote's fields, or a Client.Validation fault."""
    case_reference = _text(operation, "CaseReference") or ""
    client_reference = _text(operation, "ClientReference") or ""
    note_type = _text(operation, "NoteType") or ""
    text = _text(operation, "Text") or ""
    if not case_reference or not client_reference:
        raise _Fault("Client.Validation", "CaseReference and ClientReference are required")
    if len(client_reference) > 100:
        raise _Fault("Client.Validation", "ClientReference is longer than 100 characters")
    if note_type not in NOTE_TYPES:
        known = ", ".join(sorted(NOTE_TYPES))
        raise _Fault("Client.Validation", f"NoteType '{note_type}' is not one of: {known}")
    if not text.strip() or len(text) > MAX_NOTE_LENGTH:
        raise _Fault("Client.Validation", f"Text must be 1 to {MAX_NOTE_LENGTH} characters")
    sent_at = _text(operation, "SentAt")
    if sent_at:
        try:
            sent_at = _iso(_parse_datetime(sent_at))
        except ValueError:
            raise _Fault("Client.Validation", f"SentAt '{sent_at}' is not a dateTime") from None
    return {
        "case_reference": case_reference,
        "client_reference": client_reference,
        "note_type": note_type,
        "text": text,
        "sent_at": sent_at or None,
    }


def _validated_attachment(operation: Any, max_bytes: int) -> dict[str, Any]:
    """A new attachment's fields (the content decoded, kept only as its size and SHA-256), or a
    Client.Validation fault naming the first problem."""
    case_reference = _text(operation, "CaseReference")
    client_reference = _text(operation, "ClientReference")
    file_name = _text(operation, "FileName")
    content_type = _text(operation, "ContentType")
    if not case_reference:
        raise _Fault("Client.Validation", "CaseReference is required")
    if not client_reference or len(client_reference) > 100:
        raise _Fault("Client.Validation", "ClientReference is required (at most 100 characters)")
    if not file_name or len(file_name) > 255 or any(c in file_name for c in "/\\\0"):
        raise _Fault("Client.Validation", f"FileName '{file_name}' is not a file name")
    if not content_type or not _CONTENT_TYPE.match(content_type):
        raise _Fault("Client.Validation", f"ContentType '{content_type}' is not a media type")
    try:
        encoded = "".join((_text(operation, "Content") or "").split())
        content = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise _Fault("Client.Validation", "Content is not base64") from None
    if not content:
        raise _Fault("Client.Validation", "Content is empty")
    if len(content) > max_bytes:
        raise _Fault(
            "Client.Validation",
            f"The attachment is {len(content)} bytes; the most this system takes is {max_bytes}",
        )
    return {
        "case_reference": case_reference,
        "client_reference": client_reference,
        "file_name": file_name,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--ws-security", action="store_true", help="demand a UsernameToken")
    parser.add_argument("--session-minutes", type=float, default=20)
    parser.add_argument("--any-service-code", action="store_true")
    parser.add_argument(
        "--unique-client-reference",
        action="store_true",
        help="answer a repeated ClientReference with the case (attachment, note) already made",
    )
    parser.add_argument(
        "--max-attachment-mb",
        type=float,
        default=DEFAULT_MAX_ATTACHMENT_BYTES / 1024 / 1024,
        help="refuse attachments larger than this",
    )
    add_fault_arguments(parser, rate_limit=False)
    args = parser.parse_args(argv)

    simulator = SoapCaseSimulator(
        username=args.username,
        password=args.password,
        ws_security=args.ws_security,
        session_minutes=args.session_minutes,
        service_codes=None if args.any_service_code else DEFAULT_SERVICE_CODES,
        unique_client_reference=args.unique_client_reference,
        max_attachment_bytes=int(args.max_attachment_mb * 1024 * 1024),
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    faults = apply_fault_arguments(simulator, parser, args)
    print(f"WSDL: http://{args.host}:{args.port}{PATH}?wsdl  faults: {faults or 'none'}")
    simulator.serve_forever()


if __name__ == "__main__":
    main()
