"""A CRM over its REST API: Dynamics 365 (Dataverse Web API) or Salesforce, with OAuth2.

Each submission is created or updated by an alternate key holding the delivery's idempotency key,
in one request, so a retry after a lost answer updates the record the first attempt made instead
of making a second:

    Dynamics    PATCH {base}/api/data/v9.2/{entity_set}({alternate_key_name}='{key}')
                201/204 created, 200/204 updated; the record's id is read from OData-EntityId
                (or the representation asked for with Prefer: return=representation)
    Salesforce  PATCH {base}/services/data/v60.0/sobjects/{sobject}/{external_id_field}/{key}
                201 {"id"} created, 200 {"id"} updated (API 46+) or 204 updated, after which the
                id is read with a GET of the same address

A bearer token comes from the connection's OAuth2 token endpoint (client credentials), cached by
the worker and fetched afresh once when the CRM answers 401. 429 (Dynamics service protection
limits) and 5xx are retried, honouring Retry-After; so is Salesforce's 403 REQUEST_LIMIT_EXCEEDED.
Any other refusal is permanent and names the CRM's own error code.

Files (Dynamics). Each of the resident's files (a DeliveryFile mapped onto the `files` field, or
anywhere else in the payload: never a column) becomes a note on the case, one per file, after the
case is saved:

    POST {base}/api/data/v9.2/annotations   {"subject", "notetext", "filename", "mimetype",
                "documentbody": <base64>, "isdocument": true,
                "objectid_<table>@odata.bind": "/{entity_set}(<case id>)"}
                204 with OData-EntityId naming the note; <table> is the table's logical name,
                which is `id_attribute` without its "id" (incidentid: objectid_incident)

The case's id is kept on the delivery's Progress before any file is sent, and each accepted file
with its note's id, so a retry neither saves the case again nor re-sends an accepted file: it
resumes at the first file not yet accepted. Dynamics has no idempotency key for a note (every POST
makes a new one), so each note's subject is made of the delivery's key, the file's id and its hash,
and before sending a file to a case it did not create in the same call the adapter asks
    GET {base}/api/data/v9.2/annotations?$select=annotationid
        &$filter=_objectid_value eq <case id> and subject eq '<subject>'
and adopts the note it finds (its answer may have been lost, or the progress never kept). If that
lookup fails nothing is sent (`lookup_failed`); a note POST that got no answer puts the next
attempt off for `unanswered_wait` seconds, since the CRM may still be saving it. A file deleted by
retention, or one the CRM refuses (Dynamics refuses attachments over its configured size, 5 MB by
default), fails the delivery permanently, naming the file by its question, not its name.

Files (Salesforce). Each file becomes a Salesforce File published to the case, after the case is
saved, with the same progress, lookups and failures as Dynamics' notes (see salesforce_files.py):

    POST {base}/services/data/v60.0/sobjects/ContentVersion   {"Title", "PathOnClient" (the
                resident's name for it), "VersionData": <base64>, "FirstPublishLocationId":
                <case id>, "Description" and the `file_key_field`: the file's key}   201 {"id"}

The key is a Dynamics note's subject (the delivery's key, the file's id and its hash), kept in
`file_key_field` (Description, or a custom External ID field the admin names), and found with
    GET {base}/services/data/v60.0/query?q=SELECT Id FROM ContentVersion
        WHERE FirstPublishLocationId = '<case id>' AND <file_key_field> = '<key>'
A case the upsert just created (201) holds no files, so nothing is looked up for it. A JSON body
carries at most 37.5 MB of base64 (about 28 MB of file); Salesforce refuses more, permanently.

Case updates (Dynamics). What the resident later says (a reply, a reopening, "not fixed") is a
note on the case, its subject "Portal update (<kind>) <the update's key>" and its text what they
said; each of its files is a note like a submission's files, its subject made of the update's key.
The text note's id is kept on the progress, then each file's, so a retry resumes where the last
attempt stopped. Every attempt after the first (`resend_update`) looks each note up by its subject
before POSTing it and adopts what it finds; a failed lookup sends nothing. Salesforce: a Note on
the record (POST sobjects/Note: ParentId, Title = that subject, Body), looked up on a retry with
SELECT Id FROM Note WHERE ParentId = '..' AND Title = '..', then each file a Salesforce File like
a submission's, keyed by the update's key.

Status updates are polled: records whose modifiedon (LastModifiedDate) is at or after `since`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.core.serializers.json import DjangoJSONEncoder

from integrations.base import (
    Adapter,
    CaseUpdateOut,
    DeliveryError,
    DeliveryFile,
    PermanentError,
    Progress,
    StatusUpdate,
    TargetField,
    TransientError,
    files_in,
    lookup_failed,
    unanswered,
)
from integrations.crm import config as options
from integrations.crm import notes
from integrations.crm import salesforce_files as sf_files
from integrations.crm.config import CRMConfig
from integrations.files import is_item_list
from integrations.http import client, error_for, excerpt_of, retry_after_seconds, send_errors
from integrations.oauth2 import TokenSource, bearer, send_with_token
from integrations.registry import registry

logger = logging.getLogger(__name__)

MAX_REFERENCE_LENGTH = 200
# A poll reads at most this many pages; the rest wait for the next poll, which starts from the
# newest change it was given (oldest first, so nothing is skipped).
MAX_PAGES = 20
PAGE_SIZE = 500
FORMATTED = "OData.Community.Display.V1.FormattedValue"

# The id between the parentheses of an OData-EntityId: .../incidents(7d9b...-...-...)
_ENTITY_ID = re.compile(
    r"\(([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\)$"
)
# A CRM error code is put into the message people see, so only when it looks like one.
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")


@registry.register
class CRMAdapter(Adapter):
    id = "crm"
    name = "CRM (Dynamics 365 or Salesforce)"
    config_serializer = CRMConfig
    # Any column of the table can be written; these are the common ones, for mapping help.
    accepts_any_fields = True
    sends_updates = True
    target_fields = (
        TargetField("title", description="Dynamics case title (Salesforce: Subject)"),
        TargetField("description", description="The details (Salesforce: Description)"),
        TargetField("emailaddress", description="Contact email (Salesforce: SuppliedEmail)"),
        TargetField("telephone", description="Contact phone (Salesforce: SuppliedPhone)"),
        TargetField("address", description="The location's address"),
        TargetField("postcode", description="The location's postcode"),
        TargetField("uprn", description="Unique Property Reference Number"),
        TargetField("latitude", type="number"),
        TargetField("longitude", type="number"),
        TargetField(
            notes.FILES_FIELD,
            type="array",
            description="Photos and documents: each becomes a note on the case (Dynamics) or a "
            "file on it (Salesforce)",
        ),
    )

    def deliver(
        self, payload: Mapping[str, Any], idempotency_key: str, progress: Progress | None = None
    ) -> str:
        progress = progress or Progress()
        uploads = list(files_in(payload))
        columns = item_lists_as_json(notes.split_payload(payload))
        self._check_file_keys(idempotency_key, uploads)
        # A case an earlier attempt made is not saved again, and may already hold some files.
        reference, created = progress.reference, False
        if not reference:
            reference, created = self._save_case(columns, idempotency_key)
        progress.record_reference(reference)  # kept before any file is sent
        if uploads:
            case_id = self._case_id(reference)
            for upload in uploads:
                if not progress.done(upload):
                    # A case this very call created holds no files yet: nothing to look up.
                    file_id = self._attach(case_id, upload, idempotency_key, look_up=not created)
                    progress.record_file(upload, file_id)
        return reference

    def send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        # The first attempt: no earlier one can have made a note, so nothing to look up.
        return self._send_update(reference, update, idempotency_key, progress, look_up=False)

    def resend_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        idempotency_key: str,
        progress: Progress | None = None,
    ) -> str:
        # An earlier attempt may have made the notes unseen: each is looked up before it is sent.
        return self._send_update(reference, update, idempotency_key, progress, look_up=True)

    def _send_update(
        self,
        reference: str,
        update: CaseUpdateOut,
        key: str,
        progress: Progress | None,
        *,
        look_up: bool,
    ) -> str:
        """The update as a note on the case (its text), then each file as the case's files are
        sent; the text note's id. Each is made findable by the update's key, so a lookup finds
        what an earlier attempt made."""
        progress = progress or Progress()
        case_id = self._case_id(reference)
        self._check_file_keys(key, update.files)
        if not progress.reference:
            progress.record_reference(self._update_note(case_id, update, key, look_up=look_up))
        for upload in update.files:
            if not progress.done(upload):
                progress.record_file(upload, self._attach(case_id, upload, key, look_up=look_up))
        logger.info("crm update sent", extra={"files": len(update.files)})
        return progress.reference

    def _update_note(self, case_id: str, update: CaseUpdateOut, key: str, *, look_up: bool) -> str:
        """The note that carries what the resident said, unless an earlier attempt made it (found
        by its subject when `look_up`); its id."""
        subject = notes.update_subject(key, update.kind)
        if not self._dynamics and len(subject) > notes.SALESFORCE_TITLE_LENGTH:
            raise PermanentError("The update's key is too long for a Salesforce note's title")
        if look_up:
            found = (
                self._find_note(case_id, subject)
                if self._dynamics
                else self._find_salesforce(sf_files.note_query(case_id, subject))
            )
            if found is not None:
                logger.info("crm adopted an update note an earlier attempt made")
                return found
        if not self._dynamics:
            note = {"ParentId": case_id, "Title": subject, "Body": notes.update_text(update)}
            return self._create_salesforce("Note", note, what="the update's note")
        case_path = f"/{self.config['entity_set']}({case_id})"
        note_id = self._post_note(
            notes.update_note_for(update, key, self._note_binding, case_path),
            what="the update's note",
        )
        # A CRM that names no note: the subject still finds it, so keep something.
        return note_id or subject

    def _create_salesforce(self, sobject: str, record: Mapping[str, Any], *, what: str) -> str:
        """POST `record` as a new `sobject`; its id. Salesforce has no idempotency key: every POST
        makes a new record, so callers look theirs up before sending again."""
        # The file's bytes never go into an excerpt; everything else sent is blanked out of it.
        sent = {name: value for name, value in record.items() if name != "VersionData"}
        try:
            response = self._send(
                "POST", f"{self._api}/sobjects/{sobject}", body=json.dumps(record).encode()
            )
        except DeliveryError as exc:
            # Unanswered, it may still be being saved: a lookup too soon would miss it.
            wait = self.config.get("unanswered_wait", options.DEFAULT_UNANSWERED_WAIT)
            unanswered(exc, float(wait))
            raise
        if response.status_code not in (200, 201):
            raise self._error(response, sent, what=what)
        created = _field(response, "id")
        if created is None:
            raise PermanentError(
                f"Salesforce answered {response.status_code} without the id of {what}",
                status_code=response.status_code,
                excerpt=excerpt_of(response, sent),
            )
        return created

    def _find_salesforce(self, soql: str) -> str | None:
        """The Id of the first record `soql` finds, or None; if Salesforce cannot say, the
        lookup's error (nothing may be sent blind: it could make a second record)."""
        try:
            page = self._read(f"{self._api}/query", {"q": soql}, {})
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc
        for row in page.get("records", []):
            if isinstance(row, dict) and isinstance(row.get("Id"), str):
                return str(row["Id"])
        return None

    def _save_case(self, columns: Mapping[str, Any], key: str) -> tuple[str, bool]:
        """The case's id, and whether this request created it (False if it updated it or
        cannot tell)."""
        # The key travels in the address; the CRM refuses a body that sets it again differently.
        record = {name: value for name, value in columns.items() if name != self._key_field}
        try:
            body = json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            raise PermanentError(
                f"The payload cannot be written as JSON: {exc.__class__.__name__}"
            ) from None
        if self._dynamics:
            reference, created = self._upsert_dynamics(body, key, columns)
        else:
            reference, created = self._upsert_salesforce(body, key, columns)
        logger.info("crm record saved", extra={"style": self.config["api_style"]})
        return reference, created

    def check_connection(self) -> None:
        endpoint = "WhoAmI" if self._dynamics else "limits"
        response = self._send("GET", f"{self._api}/{endpoint}")
        if not 200 <= response.status_code < 300:
            raise self._error(response, {})

    def fetch_updates(self, since: datetime | None) -> list[StatusUpdate]:
        rows = self._dynamics_changes(since) if self._dynamics else self._salesforce_changes(since)
        updates = [update for row in rows if (update := self._update_from(row)) is not None]
        return sorted(updates, key=lambda update: update.occurred_at)

    # --- Dynamics --------------------------------------------------------------------------------

    def _upsert_dynamics(
        self, body: bytes, key: str, payload: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """The case's id, and whether this request created it (rather than updated it)."""
        id_attribute = self.config["id_attribute"]
        url = f"{self._api}/{self.config['entity_set']}({self._key_field}='{_odata_string(key)}')"
        # No If-Match / If-None-Match: that is what makes the PATCH an upsert.
        response = self._send(
            "PATCH",
            url,
            body=body,
            params={"$select": id_attribute},
            headers={"Prefer": "return=representation"},
        )
        if response.status_code not in (200, 201, 204):
            raise self._error(response, payload)
        match = _ENTITY_ID.search(response.headers.get("OData-EntityId", ""))
        reference = match.group(1) if match else _field(response, id_attribute)
        if reference is None:
            raise PermanentError(
                f"The CRM saved the record ({response.status_code}) but named neither an "
                f"OData-EntityId nor its {id_attribute}; check the primary id column",
                status_code=response.status_code,
                excerpt=excerpt_of(response, payload),
            )
        # Only with Prefer: return=representation does Dynamics tell a create (201) from an
        # update (200); a bare 204 could be either.
        return reference, response.status_code == 201

    def _add_note(self, case_id: str, upload: DeliveryFile, key: str, *, look_up: bool) -> str:
        """Add `upload` to the case as a note, unless an earlier attempt did (found by its
        subject when `look_up`); the note's id."""
        subject = notes.note_subject(key, upload)
        if look_up and (existing := self._find_note(case_id, subject)) is not None:
            logger.info("crm adopted a note an earlier attempt made")
            return existing
        case_path = f"/{self.config['entity_set']}({case_id})"
        note = notes.note_for(upload, key, self._note_binding, case_path)
        note_id = self._post_note(note, what=f"the note for file {upload.id!r}")
        logger.info("crm note added", extra={"size": upload.size})
        return note_id

    def _post_note(self, note: Mapping[str, Any], *, what: str) -> str:
        """POST `note` (an annotation); its id ("" if the CRM names none)."""
        sent = {name: value for name, value in note.items() if name != "documentbody"}
        try:
            response = self._send(
                "POST", f"{self._api}/annotations", body=json.dumps(note).encode()
            )
        except DeliveryError as exc:
            # Unanswered, the note may still be being saved: a lookup too soon would miss it.
            wait = self.config.get("unanswered_wait", options.DEFAULT_UNANSWERED_WAIT)
            unanswered(exc, float(wait))
            raise
        if response.status_code not in (200, 201, 204):
            raise self._error(response, sent, what=what)
        match = _ENTITY_ID.search(response.headers.get("OData-EntityId", ""))
        return match.group(1) if match else (_field(response, "annotationid") or "")

    def _find_note(self, case_id: str, subject: str) -> str | None:
        """The id of the note on the case with this subject, or None; if the CRM cannot say,
        the lookup's error (nothing may be sent blind: it could add a second note)."""
        query = {"$select": "annotationid", "$filter": notes.note_filter(case_id, subject)}
        try:
            page = self._read(f"{self._api}/annotations", query, {})
        except DeliveryError as exc:
            raise lookup_failed(exc) from exc
        for row in page.get("value", []):
            if isinstance(row, dict) and isinstance(row.get("annotationid"), str):
                return str(row["annotationid"])
        return None

    def _dynamics_changes(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        status_field = self.config["status_field"]
        columns = [self.config["id_attribute"], status_field, "modifiedon", self._key_field]
        query = {"$select": ",".join(dict.fromkeys(columns)), "$orderby": "modifiedon asc"}
        if since is not None:
            # At or after, not after: modifiedon has whole seconds, and a change committed later
            # in the second of the last one seen must not be missed. Repeats share an update id.
            query["$filter"] = f"modifiedon ge {_utc(since)}"
        headers = {
            "Prefer": f'odata.maxpagesize={PAGE_SIZE},odata.include-annotations="{FORMATTED}"'
        }
        url: str | None = f"{self._api}/{self.config['entity_set']}"
        params: dict[str, str] | None = query
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._read(url, params, headers)
            yield from (row for row in page.get("value", []) if isinstance(row, dict))
            # The next link carries the whole query; params, even empty, would replace it.
            url, params = self._next_page(page.get("@odata.nextLink")), None

    # --- Salesforce ------------------------------------------------------------------------------

    def _upsert_salesforce(
        self, body: bytes, key: str, payload: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """The record's id, and whether this request created it (201) rather than updated it."""
        url = (
            f"{self._api}/sobjects/{self.config['sobject']}/{self._key_field}/{quote(key, safe='')}"
        )
        response = self._send("PATCH", url, body=body)
        if response.status_code in (200, 201):
            reference = _field(response, "id")
        elif response.status_code == 204:
            # Updated, and older API versions say nothing more: ask for the record's id.
            found = self._send("GET", url, params={"fields": "Id"})
            if found.status_code != 200:
                raise self._error(found, payload)
            reference = _field(found, "Id")
        elif response.status_code == 300:
            raise PermanentError(
                f"More than one {self.config['sobject']} has this {self._key_field}: mark the "
                "field Unique in Salesforce",
                status_code=300,
                excerpt=excerpt_of(response, payload),
            )
        else:
            raise self._error(response, payload)
        if reference is None:
            raise PermanentError(
                f"Salesforce answered {response.status_code} without the record's id",
                status_code=response.status_code,
                excerpt=excerpt_of(response, payload),
            )
        return reference, response.status_code == 201

    def _add_content_version(
        self, case_id: str, upload: DeliveryFile, key: str, *, look_up: bool
    ) -> str:
        """Publish `upload` to the case as a Salesforce File (a ContentVersion), unless an earlier
        attempt did (found by its key when `look_up`); the ContentVersion's id."""
        key_field = self._file_key_field
        if look_up:
            query = sf_files.lookup_query(case_id, key_field, sf_files.file_key(key, upload))
            if (existing := self._find_salesforce(query)) is not None:
                logger.info("crm adopted a file an earlier attempt made")
                return existing
        version = sf_files.content_version_for(upload, key, case_id, key_field)
        version_id = self._create_salesforce(
            "ContentVersion", version, what=f"the file {upload.id!r}"
        )
        logger.info("crm file added", extra={"size": upload.size})
        return version_id

    def _salesforce_changes(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        status_field = self.config["status_field"]
        # Both names were checked to be API names when the connection was saved.
        soql = f"SELECT Id, {status_field}, LastModifiedDate FROM {self.config['sobject']}"  # noqa: S608
        if since is not None:
            soql += f" WHERE LastModifiedDate >= {_utc(since)}"
        soql += " ORDER BY LastModifiedDate ASC"
        url: str | None = f"{self._api}/query"
        params: dict[str, str] | None = {"q": soql}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._read(url, params, {})
            for row in page.get("records", []):
                if isinstance(row, dict):
                    yield {
                        "id": row.get("Id"),
                        "status": row.get(status_field),
                        "modified": row.get("LastModifiedDate"),
                    }
            next_url = page.get("nextRecordsUrl") if page.get("done") is False else None
            url, params = self._next_page(next_url), None

    # --- Shared ----------------------------------------------------------------------------------

    def _case_id(self, reference: str) -> str:
        """The case's reference, checked fit to attach files and notes to: Dynamics names it by a
        GUID, Salesforce by a record id; anything else would go into an address unchecked."""
        if self._dynamics:
            return notes.checked_case_id(reference)
        return sf_files.checked_record_id(reference)

    def _check_file_keys(self, key: str, uploads: Iterable[DeliveryFile]) -> None:
        """Refuse, before anything is sent, files whose key Salesforce could not hold."""
        if not self._dynamics:
            for upload in uploads:
                sf_files.file_key(key, upload)

    def _attach(self, case_id: str, upload: DeliveryFile, key: str, *, look_up: bool) -> str:
        """Send `upload` to the case in the CRM's own way (a note with the file in Dynamics, a
        File in Salesforce), unless `look_up` finds an earlier attempt's; the CRM's id for it."""
        if self._dynamics:
            return self._add_note(case_id, upload, key, look_up=look_up)
        return self._add_content_version(case_id, upload, key, look_up=look_up)

    @property
    def _file_key_field(self) -> str:
        return str(self.config.get("file_key_field") or options.DEFAULT_FILE_KEY_FIELD)

    @property
    def _dynamics(self) -> bool:
        return bool(self.config.get("api_style", options.DYNAMICS) == options.DYNAMICS)

    @property
    def _key_field(self) -> str:
        return str(
            self.config["alternate_key_name"]
            if self._dynamics
            else self.config["external_id_field"]
        )

    @property
    def _note_binding(self) -> str:
        # Dataverse names a note's link to a row of table T objectid_T, and a table's primary
        # id column is always T + "id" (incidentid: objectid_incident).
        return f"objectid_{self.config['id_attribute'].removesuffix('id')}@odata.bind"

    @property
    def _api(self) -> str:
        base, version = self.config["base_url"], self.config["api_version"]
        if self._dynamics:
            return f"{base}/api/data/v{version}"
        return f"{base}/services/data/v{version}"

    def _update_from(self, row: Mapping[str, Any]) -> StatusUpdate | None:
        if self._dynamics:
            status_field = self.config["status_field"]
            record_id, status = row.get(self.config["id_attribute"]), row.get(status_field)
            modified = row.get("modifiedon")
            description = row.get(f"{status_field}@{FORMATTED}") or ""
        else:
            record_id, status, modified = row.get("id"), row.get("status"), row.get("modified")
            description = ""
        if not isinstance(record_id, str) or status is None or not isinstance(modified, str):
            return None
        try:
            occurred_at = _parse_datetime(modified)
        except ValueError:
            logger.warning("crm update with an unreadable date skipped")
            return None
        return StatusUpdate(
            update_id=f"{record_id}:{modified}",
            external_reference=record_id,
            status=str(status),
            occurred_at=occurred_at,
            description=str(description),
        )

    def _read(self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str]) -> Any:
        response = self._send("GET", url, params=params, headers=headers)
        if response.status_code != 200:
            raise self._error(response, {})
        try:
            page = response.json()
        except ValueError:
            page = None
        if not isinstance(page, dict):
            raise PermanentError(
                "The CRM answered a query with something other than a JSON object",
                status_code=response.status_code,
                excerpt=excerpt_of(response, {}),
            )
        return page

    def _next_page(self, link: Any) -> str | None:
        if not isinstance(link, str) or not link:
            return None
        if link.startswith("/"):
            link = self.config["base_url"] + link
        # The token goes wherever the link points: only ever to the CRM itself.
        if urlsplit(link).netloc != urlsplit(self.config["base_url"]).netloc:
            raise PermanentError("The CRM pointed the next page at another host; not followed")
        return link

    def _send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        common = {"Accept": "application/json", **(headers or {})}
        if self._dynamics:
            common.update({"OData-MaxVersion": "4.0", "OData-Version": "4.0"})
        if body is not None:
            common["Content-Type"] = "application/json; charset=utf-8"
        timeout = self._timeout()

        def request(token: str) -> httpx.Response:
            return client().request(
                method,
                url,
                content=body,
                params=params,
                headers={**common, **bearer(token)},
                timeout=timeout,
            )

        # The CRM may have saved the record before the connection went: the retry upserts it.
        with send_errors():
            return send_with_token(self._tokens(), request)

    def _tokens(self) -> TokenSource:
        return TokenSource(
            self.config["token_url"],
            self.config["client_id"],
            self.config["client_secret"],
            scope=self.config.get("scope") or None,
            timeout=self._timeout(),
        )

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            float(self.config.get("read_timeout") or options.DEFAULT_READ_TIMEOUT),
            connect=float(self.config.get("connect_timeout") or options.DEFAULT_CONNECT_TIMEOUT),
        )

    def _error(
        self, response: httpx.Response, payload: Mapping[str, Any], what: str = "the record"
    ) -> DeliveryError:
        status = response.status_code
        code = _crm_error_code(response)
        if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            # Salesforce's daily API allowance is used up: it comes back, so wait and retry.
            return TransientError(
                "Salesforce's API request limit is used up (403 REQUEST_LIMIT_EXCEEDED); "
                "trying again later",
                status_code=status,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                excerpt=excerpt_of(response, payload),
            )
        if code and 400 <= status < 500 and status not in (401, 403, 408, 425, 429):
            return PermanentError(
                f"The CRM refused {what} ({status} {code})",
                status_code=status,
                excerpt=excerpt_of(response, payload),
            )
        return error_for(response, payload)


def _odata_string(value: str) -> str:
    """A value for an OData string literal in a URL path: quotes doubled, then percent-encoded."""
    return quote(value.replace("'", "''"), safe="")


def _utc(moment: datetime) -> str:
    """An OData / SOQL date-time literal, whole seconds, UTC: 2026-03-01T09:30:00Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: str) -> datetime:
    # Dynamics: 2026-03-01T09:30:00Z; Salesforce: 2026-03-01T09:30:00.000+0000.
    if re.search(r"[+-]\d{4}$", value):
        value = f"{value[:-2]}:{value[-2:]}"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _field(response: httpx.Response, name: str) -> str | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    value = answer.get(name) if isinstance(answer, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    reference = str(value).strip()
    return reference if 0 < len(reference) <= MAX_REFERENCE_LENGTH else None


def _crm_error_code(response: httpx.Response) -> str:
    """Dynamics {"error": {"code", "message"}}; Salesforce [{"errorCode", "message"}]."""
    try:
        answer = response.json()
    except ValueError:
        return ""
    code: Any = None
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        code = answer["error"].get("code")
    elif isinstance(answer, list) and answer and isinstance(answer[0], dict):
        code = answer[0].get("errorCode")
    return code if isinstance(code, str) and _ERROR_CODE.match(code) else ""


def item_lists_as_json(columns: Mapping[str, Any]) -> dict[str, Any]:
    """The columns, with each list of items (a list question's answer) as JSON text: CRM columns
    hold single values, so a multi-line text column takes the list whole, still structured."""
    return {
        name: json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        if is_item_list(value)
        else value
        for name, value in columns.items()
    }
