"""A submission's files as adapters receive them: DeliveryFile objects bound to one connection.

Adapters never touch storage or models (integrations/base.py); this is where the portal's side
is bound in. `delivery_file(row, connection_id)` gives a DeliveryFile whose `read()` opens the
stored bytes and whose `signed_url()` makes a link only that connection may fetch the file by
(services/file_links.py). Both say plainly when the file cannot be had:

    deleted by retention          PermanentError naming the day it was deleted
    bytes missing from storage    PermanentError (nothing a retry could bring back)
    storage failing just now      TransientError (a retry may find it readable)

Nothing is read until an adapter asks, so mapping a payload costs no storage access.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.core.files.storage import Storage, default_storage

from integrations.base import DeliveryFile, PermanentError, TransientError
from services.file_links import signed_file_url
from services.models import SubmissionFile

LONDON = ZoneInfo("Europe/London")


def delivery_file(
    row: SubmissionFile, connection_id: int, storage: Storage | None = None
) -> DeliveryFile:
    """The file of `row` as the adapter of connection `connection_id` receives it."""
    return DeliveryFile(
        id=row.question_id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        opener=partial(_read, row, storage or default_storage),
        linker=partial(_link, row, connection_id),
    )


def delivery_files(submission_id: int, connection_id: int) -> dict[str, DeliveryFile]:
    """Each file of the submission by its question id, in the order they were submitted."""
    rows = SubmissionFile.objects.filter(submission_id=submission_id).order_by("pk")
    return {row.question_id: delivery_file(row, connection_id) for row in rows}


def _read(row: SubmissionFile, storage: Storage) -> bytes:
    _refuse_if_deleted(row)
    try:
        with storage.open(row.storage_name, "rb") as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        # Perhaps retention deleted it since this attempt loaded the row: say so if it did.
        row.deleted_at = (
            SubmissionFile.objects.filter(pk=row.pk).values_list("deleted_at", flat=True).first()
        )
        _refuse_if_deleted(row)
        raise PermanentError(
            f"The file {row.name!r} is no longer stored, so it cannot be sent"
        ) from None
    except OSError as exc:
        raise TransientError(
            f"The file {row.name!r} could not be read from storage: {exc.__class__.__name__}"
        ) from exc
    return data


def _link(row: SubmissionFile, connection_id: int) -> str:
    _refuse_if_deleted(row)
    return signed_file_url(row, connection_id)


def _refuse_if_deleted(row: SubmissionFile) -> None:
    if row.deleted_at is not None:
        raise PermanentError(deleted_message(row.name, row.deleted_at))


def deleted_message(name: str, deleted_at: datetime) -> str:
    day = deleted_at.astimezone(LONDON).strftime("%-d %B %Y")
    return (
        f"The file {name!r} was deleted under the retention policy on {day}, "
        "so it can no longer be sent"
    )
