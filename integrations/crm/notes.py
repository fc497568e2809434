"""The resident's files as Dynamics notes (annotations) on the case: what each note says, and how
a retry finds the note an earlier attempt made.

Dynamics has no idempotency key for a note: every POST /annotations makes a new one. So each note
carries a subject made only of the delivery's key, the file's id and its hash, which a retry asks
for with $filter before sending the file again (see adapter.py).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from integrations.base import CaseUpdateOut, DeliveryFile, PermanentError

# The target field an admin maps the resident's files onto. It is never a column: each file in
# it (or anywhere else in the payload) becomes a note on the case.
FILES_FIELD = "files"
GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def split_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload's columns: every field but FILES_FIELD and those holding files.

    PermanentError if a field mixes files with other values, or FILES_FIELD holds something
    other than files: the mapping is wrong, and guessing would lose a file or a column.
    """
    columns: dict[str, Any] = {}
    for name, value in payload.items():
        items = value if isinstance(value, list) else [value]
        files = [item for item in items if isinstance(item, DeliveryFile)]
        if name == FILES_FIELD:
            if value is not None and len(files) != len(items):
                raise PermanentError(
                    f"The field {FILES_FIELD!r} must hold the resident's files (map a file "
                    "question onto it), but it holds something else"
                )
        elif files and len(files) != len(items):
            raise PermanentError(
                f"The field {name!r} holds files and other values together: map the files "
                f"onto {FILES_FIELD!r} and the values onto a column"
            )
        elif not files:
            columns[name] = value
    return columns


def note_subject(idempotency_key: str, upload: DeliveryFile) -> str:
    """The note's subject, made only of what a retry knows, so a lookup by it finds the note an
    earlier attempt made for this file of this delivery (and no other)."""
    return f"Portal file {upload.id} of {idempotency_key} (SHA-256 {upload.sha256[:16]})"


def note_for(
    upload: DeliveryFile, idempotency_key: str, binding: str, case_path: str
) -> dict[str, Any]:
    """The annotation that carries `upload` to the case at `case_path`: /incidents(<id>).

    Reads the file's bytes: PermanentError if it is gone (deleted by retention)."""
    return {
        "subject": note_subject(idempotency_key, upload),
        "notetext": f"Sent by the resident with their request: {upload.name} "
        f"({upload.content_type}, {upload.size:,} bytes)",
        "filename": upload.name,
        "mimetype": upload.content_type,
        "documentbody": base64.b64encode(upload.read()).decode("ascii"),
        "isdocument": True,
        binding: case_path,
    }


# What each kind of case update is called in its note's text.
UPDATE_HEADINGS = {
    "reply": "The resident replied",
    "reopen": "The resident asks to reopen the case",
    "not_fixed": "The resident says it is not fixed",
}


def update_subject(idempotency_key: str, kind: str) -> str:
    """The subject of a case update's note: a retry finds the note an earlier attempt made by it."""
    return f"Portal update ({kind}) {idempotency_key}"


# The longest Title a Salesforce Note takes.
SALESFORCE_TITLE_LENGTH = 80


def update_text(update: CaseUpdateOut) -> str:
    """What a case update's note says: who said what, when, and how many files follow."""
    heading = UPDATE_HEADINGS.get(update.kind, "The resident sent an update")
    files = f"\n\nFiles: {len(update.files)} (each a note of its own)" if update.files else ""
    return f"{heading} ({update.sent_at.isoformat(timespec='minutes')}):\n\n{update.text}{files}"


def update_note_for(
    update: CaseUpdateOut, idempotency_key: str, binding: str, case_path: str
) -> dict[str, Any]:
    """The annotation that carries what the resident said to the case at `case_path`."""
    return {
        "subject": update_subject(idempotency_key, update.kind),
        "notetext": update_text(update),
        "isdocument": False,
        binding: case_path,
    }


def checked_case_id(reference: str) -> str:
    """`reference`, the case's id, if notes can be bound to it and looked up by it: a GUID, as
    Dynamics' primary ids are. Anything else would go into an address and a query unchecked."""
    if not GUID.fullmatch(reference):
        raise PermanentError(
            "The CRM named the case by something other than a GUID, so files cannot be added "
            "to it as notes; check the primary id column"
        )
    return reference


def note_filter(case_id: str, subject: str) -> str:
    """An OData $filter for the notes on case `case_id` (a checked GUID) with this subject."""
    literal = subject.replace("'", "''")
    return f"_objectid_value eq {case_id} and subject eq '{literal}'"
