"""The resident's files as Salesforce Files on the case: what each ContentVersion says, and how a
retry finds the one an earlier attempt made.

Salesforce keeps a file as a ContentVersion (one version of a ContentDocument). Created with
`FirstPublishLocationId` set to the case's id, the file is published to the case: it shows in the
case's Files, linked by a ContentDocumentLink Salesforce makes itself. Like a Dynamics note it has
no idempotency key (every POST makes a new file), so each carries a key made of the delivery's
key, the file's id and its hash (`notes.note_subject`, the same as a Dynamics note's subject) in
a field a retry queries with SOQL before sending the file again (see adapter.py).

That field is the connection's `file_key_field`: by default the standard `Description`, which
every org has and SOQL can filter on; an admin may instead name a custom text field marked
External ID on ContentVersion (e.g. Portal_Key__c), which Salesforce indexes, so the lookup stays
quick in an org holding millions of files, and which leaves Description to people.
"""

from __future__ import annotations

import base64
import re
from pathlib import PurePosixPath
from typing import Any

from integrations.base import DeliveryFile, PermanentError
from integrations.crm import notes

# A custom text field (External ID or not) holds at most 255 characters; Description 1,000.
KEY_LENGTH = 255
TITLE_LENGTH = 255
# A Salesforce record id: 15 characters, or 18 with its checksum.
RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def checked_record_id(reference: str) -> str:
    """`reference`, the case's id, if it is a Salesforce record id: it goes into an address, a
    record and a SOQL query, so nothing else may pass unchecked."""
    if not RECORD_ID.fullmatch(reference):
        raise PermanentError("Salesforce named the case by something other than a record id")
    return reference


def file_key(idempotency_key: str, upload: DeliveryFile) -> str:
    """The value that finds this file of this delivery (or update) again, and no other.
    PermanentError if it is too long for the field that holds it."""
    key = notes.note_subject(idempotency_key, upload)
    if len(key) > KEY_LENGTH:
        raise PermanentError(
            f"The file {upload.id!r} cannot be sent to Salesforce: its key would be longer "
            f"than the {KEY_LENGTH} characters a text field holds"
        )
    return key


def content_version_for(
    upload: DeliveryFile, idempotency_key: str, case_id: str, key_field: str
) -> dict[str, Any]:
    """The ContentVersion that carries `upload` to the case `case_id` (a checked record id).

    Reads the file's bytes: PermanentError if it is gone (deleted by retention)."""
    key = file_key(idempotency_key, upload)
    return {
        # Salesforce's own upload names a file by its name without the extension, which it
        # reads from PathOnClient (FileType).
        "Title": (PurePosixPath(upload.name).stem or upload.name)[:TITLE_LENGTH],
        "PathOnClient": upload.name,
        "Description": key,
        key_field: key,
        "FirstPublishLocationId": case_id,
        "VersionData": base64.b64encode(upload.read()).decode("ascii"),
    }


def lookup_query(case_id: str, key_field: str, key: str) -> str:
    """SOQL for the files published to the case `case_id` with this key. `key_field` was checked
    to be an API name when the connection was saved; the key is escaped."""
    return (
        "SELECT Id FROM ContentVersion "  # noqa: S608
        f"WHERE FirstPublishLocationId = '{case_id}' AND {key_field} = '{soql_string(key)}'"
    )


def soql_string(value: str) -> str:
    """`value` inside a SOQL string literal's quotes: backslashes and quotes escaped."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def note_query(case_id: str, title: str) -> str:
    """SOQL for the Notes on the record `case_id` (a checked record id) with this Title."""
    return f"SELECT Id FROM Note WHERE ParentId = '{case_id}' AND Title = '{soql_string(title)}'"  # noqa: S608
