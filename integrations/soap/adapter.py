"""A SOAP case system (waste, highways): zeep against the WSDL the system publishes.

Each call carries a session token from Authenticate(Username, Password), cached per connection
in the process until shortly before its ExpiresAt; a Client.SessionExpired fault signs in again
once and repeats the call. With WS-Security on, every call also carries a wsse:UsernameToken
(PasswordText). A submission becomes CreateServiceRequest with ClientReference = the delivery's
idempotency key. Most case systems keep a ClientReference but do not make it unique, so every
attempt after the first (the one before may have made the case unseen) whose progress does not
already name the case asks FindCasesByClientReference first and adopts the case it finds; only
if there is none is the case created; a create that got no answer puts the next attempt off for
`unanswered_wait` seconds, since the system may still be working on it. A system whose WSDL
offers no such lookup must refuse a repeated ClientReference itself (docs/idempotency.md).
Status comes back through GetCaseUpdatesSince(Since).

Files (every DeliveryFile in the payload, wherever the mapping put it: map file questions to
Attachments; one mapped to a field.<name> is attached too, and the field carries its name) go
after the case, one AddAttachment(CaseReference, ClientReference, FileName, ContentType,
Content as base64) each, in payload order. The case reference is kept in the delivery's Progress
before any file is sent and each accepted file's AttachmentId after it, so a retry resumes at
the first file not yet accepted and never makes the case again. A file's ClientReference is the
SHA-256 of the delivery's key and the file's SHA-256 (the two side by side would not fit the
system's 100 characters): the same on every attempt. Since case systems keep it without making
it unique, an attempt working on a case an earlier attempt made first asks GetCaseAttachments
and adopts the attachments carrying its files' references, then sends only the rest; a system
without that lookup must refuse or answer a repeated ClientReference itself. A delivery with
files to a system whose WSDL offers no AddAttachment is refused before the case is made.

Case updates. What the resident later says (a reply, a reopening, "not fixed") is
AddNote(CaseReference, ClientReference = the update's key, NoteType = its kind, Text, SentAt) on
the case, then one AddAttachment per file as for a submission (each ClientReference made of the
update's key and the file's hash). The note's id is kept in the progress before any file is
sent, each accepted file's after it. ClientReference is not unique here either, so every attempt
after the first (`resend_update`) asks GetCaseNotes and adopts the note carrying its key, and
GetCaseAttachments for the files, before sending; a failed lookup sends nothing. A system
without GetCaseNotes must refuse a repeated ClientReference itself; one without AddNote refuses
updates (permanently, so people are told).

What a failure means:
    soap:Client.* faults (validation)      permanent: the case system refused the request
    Client.Authentication, wsse:* faults   permanent: the user name or password is wrong
    soap:Server.* faults                   transient: the system's own trouble
    HTTP answers that are not SOAP         as for every HTTP adapter (integrations.http):
                                           5xx/408/425/429 transient, others permanent
    timeouts, refused, reset or dropped    transient (the case or the attachment may exist: the
                                           retry looks it up, after unanswered_wait)
    an answer zeep cannot read             permanent: the address or the WSDL is wrong
    a fault refusing a file (Client.*)     permanent, naming the file's question and the case
                                           (which stays made; staff see which file failed)
    a file gone (retention) or changed     permanent (DeliveryFile.read)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.wsdl import Document
from zeep.wsse.username import UsernameToken

from integrations.base import (
    EXCERPT_LENGTH,
    Adapter,
    CaseUpdateOut,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    Progress,
    Redelivered,
    StatusUpdate,
    TargetField,
    TransientError,
    files_in,
    lookup_failed,
    unanswered,
)
from integrations.files import is_item_list, items_text
from integrations.http import USER_AGENT, error_for, redacted
from integrations.registry import registry
from integrations.soap import config as options
from integrations.soap.config import SoapCaseConfig

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200  # what a delivery can store
FIELD_PREFIX = "field."
# A parsed WSDL is reused for this long: parsing takes far longer than a call, and a system's
# WSDL changes only with a release. "Test connection" always reads it afresh.
WSDL_CACHE_SECONDS = 3600
# A session is renewed this long before the system says it expires, so that a call never sets
# out with a token that runs out on the way.
SESSION_MARGIN = timedelta(seconds=30)
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
OPERATIONS = ("Authenticate", "CreateServiceRequest", "GetCaseUpdatesSince")
# Optional: how a retry finds the case an earlier attempt made.
LOOKUP_OPERATION = "FindCasesByClientReference"
# Needed only by deliveries that carry files; the lookup is optional, as for cases.
ATTACH_OPERATION = "AddAttachment"
ATTACHMENTS_LOOKUP_OPERATION = "GetCaseAttachments"
ATTACHMENTS_FIELD = "Attachments"
# Needed only by case updates (a resident's reply), with its lookup.
NOTE_OPERATION = "AddNote"
NOTES_LOOKUP_OPERATION = "GetCaseNotes"
# WS-Security 1.0 fault codes (section 12): all mean the token was refused or missing.
WS_SECURITY_FAULTS = frozenset(
    {
        "UnsupportedSecurityToken",
        "UnsupportedAlgorithm",
        "InvalidSecurity",
        "InvalidSecurityToken",
        "FailedAuthentication",
        "FailedCheck",
        "SecurityTokenUnavailable",
    }
)
# DTDs, entities and network fetches off: a WSDL must never make us read anything else.
_SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)


@registry.register
class SoapCaseAdapter(Adapter):
    id = "soap_case"
    name = "SOAP case system"
    config_serializer = SoapCaseConfig
    target_fields = (
        TargetField(
            "ServiceCode",
            description="The system's code for the service, if not the "
            "connection's default (MISSED_BIN)",
        ),
        TargetField("Description", required=True, description="What the resident reported"),
        TargetField("UPRN", description="Unique Property Reference Number, up to 12 digits"),
        TargetField("Easting", type="number", description="British National Grid, metres"),
        TargetField("Northing", type="number", description="British National Grid, metres"),
        TargetField("Latitude", type="number", description="WGS84 degrees"),
        TargetField("Longitude", type="number", description="WGS84 degrees"),
        TargetField("ContactName"),
        TargetField("ContactEmail"),
        TargetField("ContactPhone"),
        TargetField(
            ATTACHMENTS_FIELD,
            type="array",
            description="Files the resident sent (file answers): each is attached to the case "
            "once it is made, one AddAttachment call per file",
        ),
    )

    sends_updates = True

    @classmethod
    def accepts_target_field(cls, name: str) -> bool:
        """The declared fields, and "field.<name>" for the system's generic Field list."""
        extra = name.removeprefix(FIELD_PREFIX)
        return super().accepts_target_field(name) or (
            extra != name and 0 < len(extra) <= 100 and extra.strip() == extra
        )

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self._service_proxy: Any = None

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        progress = progress if progress is not None else Progress()
        request = self._checked_request(payload, idempotency_key)
        made_before = progress.reference
        reference = made_before or self._create_case(payload, request)
        progress.record_reference(reference)
        self._attach_files(
            reference, payload, idempotency_key, progress, case_is_new=not made_before
        )
        return reference

    def redeliver(
        self,
        payload: Mapping[str, Any],
        idempotency_key: str,
        first_attempt_at: datetime,
        progress: Progress | None = None,
    ) -> Redelivered:
        progress = progress if progress is not None else Progress()
        # A payload the system would refuse is refused before anything is asked.
        request = self._checked_request(payload, idempotency_key)
        case_is_new = False
        if progress.reference:
            outcome = Redelivered(
                progress.reference, note=f"resumed case {progress.reference}, made earlier"
            )
        elif not self._offers(LOOKUP_OPERATION):
            outcome = Redelivered(
                self._create_case(payload, request),
                note="ambiguous: no lookup offered, sent again with the same ClientReference",
            )
        elif found := self._find_case(payload, idempotency_key):
            logger.info("soap case adopted", extra={"host": self._host})
            outcome = Redelivered.adopted(found)
        else:
            outcome = Redelivered.sent(self._create_case(payload, request))
            case_is_new = True
        progress.record_reference(outcome.reference)
        adopted = self._attach_files(
            outcome.reference, payload, idempotency_key, progress, case_is_new=case_is_new
        )
        if adopted:
            note = f"{outcome.note}; looked up its files, adopted {adopted} already attached"
            return Redelivered(outcome.reference, note=note)
        return outcome

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        return self._send_update(reference, update, idempotency_key, progress, first=True)

    def resend_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        return self._send_update(reference, update, idempotency_key, progress, first=False)

    def _send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        key: str,
        progress: Progress | None,
        *,
        first: bool,
    ) -> str:
        """AddNote, unless an earlier attempt's note is known or found, then the files; the
        note's id. `first`: no earlier attempt can have reached the system."""
        progress = progress if progress is not None else Progress()
        # What excerpts are redacted of, and where _attach_files finds the files.
        payload = {"Text": update.text, ATTACHMENTS_FIELD: list(update.files)}
        if not self._offers(NOTE_OPERATION):
            raise PermanentError(
                f"The case system's WSDL offers no {NOTE_OPERATION}, so what the resident said "
                "cannot be added to the case: tell the team by another channel"
            )
        if update.files and not self._offers(ATTACH_OPERATION):
            raise PermanentError(
                f"The case system's WSDL offers no {ATTACH_OPERATION}, so the resident's files "
                "cannot be added to the case"
            )
        note_id = progress.reference
        if not note_id:
            found = None
            if not first and self._offers(NOTES_LOOKUP_OPERATION):
                found = self._find_note(reference, key, payload)
            note_id = found or self._add_note(reference, update, key, payload)
            progress.record_reference(note_id)
        self._attach_files(reference, payload, key, progress, case_is_new=first)
        return note_id

    def _add_note(
        self, reference: str, update: CaseUpdateOut, key: str, payload: Mapping[str, Any]
    ) -> str:
        request = {
            "CaseReference": reference,
            "ClientReference": key,
            "NoteType": update.kind,
            "Text": update.text,
            "SentAt": _aware(update.sent_at),
        }
        try:
            answer = self._call(NOTE_OPERATION, payload, request)
        except DeliveryError as exc:
            unanswered(exc, self._unanswered_wait)
            raise
        note_id = str(_value(answer, "NoteId") or "").strip()
        if not 0 < len(note_id) <= MAX_REFERENCE_LENGTH:
            raise PermanentError(
                "The case system answered AddNote without a usable NoteId, so the note cannot "
                "be confirmed"
            )
        logger.info(
            "soap note added",
            extra={"host": self._host, "replayed": _value(answer, "Created") is False},
        )
        return note_id

    def _find_note(self, reference: str, key: str, payload: Mapping[str, Any]) -> str | None:
        """The oldest note on the case carrying our ClientReference, or None."""
        try:
            answer = self._call(NOTES_LOOKUP_OPERATION, payload, {"CaseReference": reference})
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc
        for item in _items(answer, "Note"):
            note_id = str(_value(item, "NoteId") or "").strip()
            if str(_value(item, "ClientReference") or "") == key and note_id:
                logger.info("soap note adopted", extra={"host": self._host})
                return note_id
        return None

    def fetch_updates(self, since: datetime | None) -> list[StatusUpdate]:
        since = _aware(since) if since is not None else None
        answer = self._call("GetCaseUpdatesSince", {}, {"Since": since} if since else {})
        updates = []
        for item in _items(answer, "CaseUpdate"):
            occurred_at = _value(item, "UpdatedAt")
            if not isinstance(occurred_at, datetime):
                raise PermanentError("The case system sent an update without its UpdatedAt")
            update = StatusUpdate(
                update_id=str(_value(item, "UpdateId")),
                external_reference=str(_value(item, "CaseReference")),
                status=str(_value(item, "Status")),
                occurred_at=_aware(occurred_at),
                description=str(_value(item, "Notes") or ""),
            )
            if since is None or update.occurred_at > since:
                updates.append(update)
        return sorted(updates, key=lambda u: (u.occurred_at, u.update_id))

    def check_connection(self) -> None:
        """Read the WSDL afresh, check it offers the operations, and sign in afresh."""
        _cache().forget(self.config["wsdl_url"], self._session_key)
        self._service_proxy = None
        self._guarded(self._read_wsdl, {})
        binding = self._service()._binding
        missing = [name for name in OPERATIONS if name not in binding.all()]
        if missing:
            raise PermanentError(
                f"The WSDL offers no {', '.join(missing)}: is this the case system's address?"
            )
        self._session_token()

    # --- The case and its files ------------------------------------------------------------------

    def _checked_request(self, payload: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        """CreateServiceRequest's elements, or PermanentError before anything is sent: for a
        payload the system would refuse, or files for a system that takes none (a case made
        without them could never get them)."""
        request = _create_request(payload, idempotency_key, self.config.get("service_code") or "")
        if next(files_in(payload), None) is not None and not self._offers(ATTACH_OPERATION):
            raise PermanentError(
                f"The case system's WSDL offers no {ATTACH_OPERATION}, so the files cannot be "
                "sent: map no file question to this connection, or ask the supplier for it"
            )
        return request

    def _create_case(self, payload: Mapping[str, Any], request: dict[str, Any]) -> str:
        try:
            answer = self._call("CreateServiceRequest", payload, request)
        except DeliveryError as exc:
            unanswered(exc, self._unanswered_wait)
            raise
        reference = str(_value(answer, "CaseReference") or "").strip()
        if not 0 < len(reference) <= MAX_REFERENCE_LENGTH:
            raise PermanentError(
                "The case system answered without a usable CaseReference, so the case cannot "
                "be confirmed"
            )
        logger.info(
            "soap case created",
            extra={"host": self._host, "replayed": _value(answer, "Created") is False},
        )
        return reference

    def _find_case(self, payload: Mapping[str, Any], idempotency_key: str) -> str | None:
        """The oldest case carrying our ClientReference (should doubles already exist)."""
        try:
            answer = self._call(LOOKUP_OPERATION, payload, {"ClientReference": idempotency_key})
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc
        found = [str(case).strip() for case in _items(answer, "CaseReference") if case]
        found = [case for case in found if 0 < len(case) <= MAX_REFERENCE_LENGTH]
        return found[0] if found else None

    def _attach_files(
        self,
        reference: str,
        payload: Mapping[str, Any],
        idempotency_key: str,
        progress: Progress,
        *,
        case_is_new: bool,
    ) -> int:
        """Attach each file of `payload` not yet in `progress` to the case, in payload order;
        returns how many a lookup found already attached. A case an earlier attempt made may
        hold a file whose answer was lost, so its attachments are looked up first."""
        pending = [upload for upload in files_in(payload) if not progress.done(upload)]
        adopted = 0
        if pending and not case_is_new:
            adopted = self._adopt_attached(reference, pending, payload, idempotency_key, progress)
        for upload in pending:
            if not progress.done(upload):
                attachment_id = self._attach(reference, upload, payload, idempotency_key)
                progress.record_file(upload, attachment_id)
        return adopted

    def _adopt_attached(
        self,
        reference: str,
        pending: list[DeliveryFile],
        payload: Mapping[str, Any],
        idempotency_key: str,
        progress: Progress,
    ) -> int:
        """Record as done each of `pending` the case already holds (by its ClientReference).
        Without the lookup the system must refuse or answer a repeated ClientReference itself
        (docs/idempotency.md), so nothing is recorded and every file is sent."""
        if not self._offers(ATTACHMENTS_LOOKUP_OPERATION):
            return 0
        try:
            answer = self._call(ATTACHMENTS_LOOKUP_OPERATION, payload, {"CaseReference": reference})
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc
        attached: dict[str, str] = {}
        for item in _items(answer, "Attachment"):
            client_reference = str(_value(item, "ClientReference") or "")
            attached.setdefault(client_reference, _attachment_id(item))  # the oldest
        adopted = 0
        for upload in pending:
            found = attached.get(attachment_reference(idempotency_key, upload))
            if found is not None:
                progress.record_file(upload, found)
                adopted += 1
        if adopted:
            logger.info("soap attachments adopted", extra={"host": self._host, "count": adopted})
        return adopted

    def _attach(
        self,
        reference: str,
        upload: DeliveryFile,
        payload: Mapping[str, Any],
        idempotency_key: str,
    ) -> str:
        """One AddAttachment; the system's id for the attachment ("" if it gives none)."""
        request = {
            "CaseReference": reference,
            "ClientReference": attachment_reference(idempotency_key, upload),
            "FileName": upload.name,
            "ContentType": upload.content_type,
            "Content": upload.read(),  # zeep sends bytes as base64
        }
        try:
            answer = self._call(ATTACH_OPERATION, payload, request)
        except DeliveryError as exc:
            unanswered(exc, self._unanswered_wait)
            # Which file (by its question, never its name) and which case: for staff.
            raise type(exc)(
                f"Attaching file {upload.id!r} to case {reference}: {exc.message}",
                status_code=exc.status_code,
                retry_after=exc.retry_after,
                excerpt=exc.excerpt,
            ) from exc
        logger.info(
            "soap attachment added",
            extra={"host": self._host, "replayed": _value(answer, "Created") is False},
        )
        return _attachment_id(answer)

    def _offers(self, operation: str) -> bool:
        """Whether the system's WSDL has `operation`."""
        return operation in self._guarded(lambda: self._service()._binding.all(), {})

    @property
    def _unanswered_wait(self) -> float:
        return float(self.config.get("unanswered_wait", options.DEFAULT_UNANSWERED_WAIT))

    # --- Calls -----------------------------------------------------------------------------------

    def _call(self, operation: str, payload: Mapping[str, Any], request: dict[str, Any]) -> Any:
        """`operation` with a session token; a SessionExpired fault signs in again, once."""
        token = self._session_token()
        try:
            return self._invoke(operation, payload, {"SessionToken": token, **request})
        except _SessionExpired:
            _cache().forget_token(self._session_key, token)
        token = self._session_token()
        try:
            return self._invoke(operation, payload, {"SessionToken": token, **request})
        except _SessionExpired:
            raise TransientError(
                "The case system said the session had expired just after signing in",
                status_code="Client.SessionExpired",
            ) from None

    def _session_token(self) -> str:
        cache = _cache()
        token = cache.token(self._session_key)
        if token is not None:
            return token
        credentials = {"Username": self.config["username"], "Password": self.config["password"]}
        try:
            answer = self._invoke("Authenticate", credentials, credentials)
        except _SessionExpired:  # no session is involved in signing in
            raise PermanentError("The case system refused to sign in") from None
        token = str(_value(answer, "SessionToken") or "")
        if not token:
            raise PermanentError("The case system signed us in without a SessionToken")
        expires = _value(answer, "ExpiresAt")
        cache.keep_token(self._session_key, token, _aware(expires) if expires else None)
        return token

    def _invoke(self, operation: str, payload: Mapping[str, Any], request: dict[str, Any]) -> Any:
        service = self._service()
        try:
            return self._guarded(lambda: getattr(service, operation)(**request), payload)
        except zeep.exceptions.Fault as fault:
            code = _fault_code(fault)
            if code == "Client.SessionExpired" and operation != "Authenticate":
                raise _SessionExpired from None
            # Not chained: a fault's text and detail may repeat what we sent.
            raise _fault_error(
                code, fault, payload, signing_in=operation == "Authenticate"
            ) from None
        except zeep.exceptions.ValidationError as exc:
            raise PermanentError(
                f"The request does not fit the case system's WSDL at {exc.path or operation}"
            ) from None
        except zeep.exceptions.TransportError as exc:
            kind = TransientError if exc.status_code >= 500 else PermanentError
            raise kind(
                f"The case system answered {exc.status_code} with something that is not SOAP",
                status_code=exc.status_code,
            ) from None
        except zeep.exceptions.Error as exc:
            raise PermanentError(
                f"The case system's answer could not be read ({exc.__class__.__name__})"
            ) from None

    def _guarded(self, call: Callable[[], Any], payload: Mapping[str, Any]) -> Any:
        """`call()`, with what the network can do to it turned into DeliveryErrors."""
        started = time.monotonic()
        try:
            return call()
        except _HttpAnswer as answer:
            raise error_for(answer.as_httpx(), payload) from None
        except requests.Timeout as exc:
            kind = "connect" if isinstance(exc, requests.ConnectTimeout) else "read"
            raise TransientError(
                f"No answer within the {kind} timeout ({time.monotonic() - started:.1f} s)"
            ) from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # Refused, reset, or hung up before answering: the case may have been made, which
            # is what the ClientReference is for.
            raise TransientError(f"Connection failed: {exc.__class__.__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"The request could not be sent: {exc}") from exc

    # --- The client ------------------------------------------------------------------------------

    @property
    def _host(self) -> str:
        return httpx.URL(self.config.get("endpoint_url") or self.config["wsdl_url"]).host

    @property
    def _session_key(self) -> tuple[str, ...]:
        """One session per system and account; the password's hash, so a new one signs in."""
        password = hashlib.sha256(str(self.config["password"]).encode()).hexdigest()
        return (
            self.config["wsdl_url"],
            self.config.get("endpoint_url") or "",
            self.config["username"],
            password,
        )

    @property
    def _transport(self) -> _Transport:
        timeout = (
            float(self.config.get("connect_timeout") or options.DEFAULT_CONNECT_TIMEOUT),
            float(self.config.get("read_timeout") or options.DEFAULT_READ_TIMEOUT),
        )
        return _Transport(session=_cache().session, timeout=timeout, operation_timeout=timeout)

    def _service(self) -> Any:
        if self._service_proxy is not None:
            return self._service_proxy
        transport = self._transport
        wsdl_url = self.config["wsdl_url"]
        document = self._guarded(lambda: _cache().document(wsdl_url, transport), {})
        wsse = None
        if self.config.get("use_ws_security"):
            wsse = UsernameToken(self.config["username"], self.config["password"])
        client = zeep.Client(document, wsse=wsse, transport=transport, settings=_SETTINGS)
        try:
            service = client.service
            if self.config.get("endpoint_url"):
                service = client.create_service(service._binding.name, self.config["endpoint_url"])
        except (ValueError, AttributeError) as exc:
            raise PermanentError(f"The WSDL at {wsdl_url} names no SOAP service: {exc}") from None
        self._service_proxy = service
        return service

    def _read_wsdl(self) -> None:
        url = self.config["wsdl_url"]
        transport = self._transport
        response = transport.session.get(url, timeout=transport.load_timeout)
        with closing(response):
            if response.status_code != 200:
                raise _HttpAnswer(response)
            try:
                root = etree.fromstring(response.content, _SAFE_PARSER)
            except etree.XMLSyntaxError:
                root = None
        if root is None or root.tag != f"{{{WSDL_NS}}}definitions":
            raise PermanentError(f"{url} does not serve a WSDL")


# --- zeep's transport, and what is kept per process ----------------------------------------------

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class _SessionExpired(Exception):
    pass


class _HttpAnswer(Exception):
    """An HTTP answer that is not SOAP: a gateway's 503 or 429, a proxy's 401, a 404."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response

    def as_httpx(self) -> httpx.Response:
        # Only the headers the shared mapping reads: the content is already decoded.
        headers = {
            k: v for k, v in self.response.headers.items() if k in ("Retry-After", "Location")
        }
        return httpx.Response(
            self.response.status_code, headers=headers, content=self.response.content
        )


class _Transport(zeep.Transport):
    """zeep's transport, but envelopes are never logged (they hold residents' answers and the
    password), and an HTTP answer that is not SOAP keeps its status and Retry-After."""

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Any:
        response = self.session.post(
            address, data=message, headers=headers, timeout=self.operation_timeout
        )
        if response.status_code != 200 and not _is_xml(response):
            raise _HttpAnswer(response)
        return response

    def _load_remote_data(self, url: str) -> bytes:
        response = self.session.get(url, timeout=self.load_timeout)
        with closing(response):
            if response.status_code != 200:
                raise _HttpAnswer(response)
            return bytes(response.content)


def _is_xml(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return bool(response.content) and content_type in ("text/xml", "application/soap+xml")


@dataclass
class _ProcessCache:
    """One HTTP pool, the parsed WSDLs and the session tokens of one process."""

    session: requests.Session
    lock: threading.Lock = field(default_factory=threading.Lock)
    documents: dict[str, tuple[float, Document]] = field(default_factory=dict)
    tokens: dict[tuple[str, ...], tuple[str, datetime | None]] = field(default_factory=dict)

    def document(self, wsdl_url: str, transport: _Transport) -> Document:
        with self.lock:
            cached = self.documents.get(wsdl_url)
        if cached is not None and time.monotonic() - cached[0] < WSDL_CACHE_SECONDS:
            return cached[1]
        try:
            # zeep annotates `transport` as a class; it takes (and needs) an instance.
            document = Document(wsdl_url, transport, settings=_SETTINGS)  # type: ignore[arg-type]
        except (zeep.exceptions.Error, etree.XMLSyntaxError, ValueError) as exc:
            raise PermanentError(
                f"The WSDL at {wsdl_url} could not be read: {exc.__class__.__name__}"
            ) from None
        with self.lock:
            self.documents[wsdl_url] = (time.monotonic(), document)
        return document

    def token(self, key: tuple[str, ...]) -> str | None:
        with self.lock:
            token, expires = self.tokens.get(key, (None, None))
        if token is not None and (expires is None or datetime.now(UTC) < expires - SESSION_MARGIN):
            return token
        return None

    def keep_token(self, key: tuple[str, ...], token: str, expires: datetime | None) -> None:
        with self.lock:
            self.tokens[key] = (token, expires)

    def forget_token(self, key: tuple[str, ...], token: str) -> None:
        """Forget `token`, unless another call has already replaced it."""
        with self.lock:
            if self.tokens.get(key, (None,))[0] == token:
                del self.tokens[key]

    def forget(self, wsdl_url: str, key: tuple[str, ...]) -> None:
        with self.lock:
            self.documents.pop(wsdl_url, None)
            self.tokens.pop(key, None)


# Keyed by pid: a pool and a session must never cross a fork (Celery's prefork pool forks after
# import), and each worker process signs in for itself.
_caches: dict[int, _ProcessCache] = {}
_caches_lock = threading.Lock()


def _cache() -> _ProcessCache:
    pid = os.getpid()
    cache = _caches.get(pid)
    if cache is None:
        with _caches_lock:
            cache = _caches.get(pid)
            if cache is None:
                _caches.clear()
                session = requests.Session()
                session.headers["User-Agent"] = USER_AGENT
                cache = _caches[pid] = _ProcessCache(session)
    return cache


# --- Mapping the payload and the answers ---------------------------------------------------------


def _create_request(
    payload: Mapping[str, Any], client_reference: str, default_service_code: str
) -> dict[str, Any]:
    """CreateServiceRequest's elements for `payload`. Messages name fields, never values."""
    service_code = _text(payload.get("ServiceCode")) or default_service_code
    if not service_code:
        raise PermanentError(
            "No ServiceCode: map one, or set the connection's default service code"
        )
    description = _text(payload.get("Description"))
    if not description:
        raise PermanentError("The Description is empty, and the case system requires one")
    request: dict[str, Any] = {
        "ClientReference": client_reference,
        "ServiceCode": service_code,
        "Description": description,
    }
    if uprn := _text(payload.get("UPRN")):
        request["UPRN"] = uprn
    for name in ("Easting", "Northing", "Latitude", "Longitude"):
        value = payload.get(name)
        if value is None or value == "":
            continue
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise PermanentError(f"{name} is not a number") from None
        if not number.is_finite():
            raise PermanentError(f"{name} is not a number")
        request[name] = number
    contact = {
        part: text
        for part in ("Name", "Email", "Phone")
        if (text := _text(payload.get(f"Contact{part}")))
    }
    if contact:
        request["Contact"] = contact
    fields = []
    for name, value in payload.items():
        if not name.startswith(FIELD_PREFIX) or value is None:
            continue
        field_name = name.removeprefix(FIELD_PREFIX)
        if is_item_list(value):
            # The WSDL's Field list repeats: each item's answers become "items.1.size" and so on.
            fields += [
                {"Name": f"{field_name}.{number}.{key}", "Value": _text(answer)}
                for number, item in enumerate(value, start=1)
                for key, answer in item.items()
            ]
        else:
            fields.append({"Name": field_name, "Value": _text(value)})
    if fields:
        request["Fields"] = {"Field": fields}
    return request


def attachment_reference(idempotency_key: str, upload: DeliveryFile) -> str:
    """The ClientReference of `upload`'s attachment: the same on every attempt of a delivery,
    different for each file. The delivery's key and the file's SHA-256 side by side would be
    101 characters for a UUID key, longer than case systems' reference fields (100 in the
    simulator), so the two are hashed together: 64 hex digits. Identical bytes sent twice in
    one delivery (two questions, one photo) are therefore attached once."""
    return hashlib.sha256(f"{idempotency_key}:{upload.sha256}".encode()).hexdigest()


def _attachment_id(answer: Any) -> str:
    attachment_id = str(_value(answer, "AttachmentId") or "").strip()
    return attachment_id if len(attachment_id) <= MAX_REFERENCE_LENGTH else ""


def _text(value: Any) -> str:
    """A payload value as the text a SOAP element carries (a file: its name; the file itself
    goes as an attachment)."""
    if value is None:
        return ""
    if isinstance(value, DeliveryFile):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_item_list(value):  # a list question's items: one numbered line each
        return items_text(value)
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value).strip()


def _fault_code(fault: zeep.exceptions.Fault) -> str:
    """The faultcode without its prefix: "soap:Client.Validation" -> "Client.Validation"."""
    return str(fault.code or "").strip().rpartition(":")[2][:100] or "unknown"


def _fault_error(
    code: str, fault: zeep.exceptions.Fault, payload: Mapping[str, Any], *, signing_in: bool
) -> DeliveryError:
    excerpt = redacted(f"{code}: {fault.message or ''}", payload)[:EXCERPT_LENGTH]
    head = code.partition(".")[0]
    if (
        code in WS_SECURITY_FAULTS
        or code.startswith("Client.Auth")
        or (signing_in and head == "Client")
    ):
        return PermanentError(
            f"The case system refused the user name or password ({code}): check the "
            "connection's credentials and WS-Security setting",
            status_code=code,
            excerpt=excerpt,
        )
    if head in ("Server", "Receiver"):
        return TransientError(
            f"The case system reported trouble of its own ({code}); trying again later",
            status_code=code,
            excerpt=excerpt,
        )
    return PermanentError(
        f"The case system refused the request ({code})", status_code=code, excerpt=excerpt
    )


def _value(answer: Any, name: str) -> Any:
    """An element of a zeep answer, which zeep unwraps when it has only one."""
    if answer is None or isinstance(answer, str | bytes | datetime | bool | int | Decimal):
        return None
    try:
        return answer[name]
    except (KeyError, TypeError, IndexError, AttributeError):
        return getattr(answer, name, None)


def _items(answer: Any, name: str) -> Iterable[Any]:
    """The repeated `name` elements in an answer, however much zeep unwrapped it."""
    if answer is None:
        return []
    if isinstance(answer, list):
        return answer
    for key in (name, "Updates", "Cases", "Attachments", "Notes"):
        inner = _value(answer, key)
        if inner is not None:
            return _items(inner, name)
    return []


def _aware(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
