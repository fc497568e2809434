"""Deleting drafts: the expired ones (hourly, from beat) and one a resident throws away.

A draft lists the files uploaded through it in `uploads`. When the draft goes, a file goes with it
unless something still needs it: a submission's answers (the resident sent the form, so the file
is part of the record) or another draft. Files are deleted only after the transaction that deleted
the draft commits, so a rollback never leaves a draft pointing at a missing file; a file that
survives because deleting it failed is merely wasted space, and is logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

import structlog
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone

from services.forms.uploads import REFERENCE_PATTERN
from services.models import Draft, Submission

logger = structlog.get_logger(__name__)

BATCH_SIZE = 500


def delete_expired_drafts(
    now: datetime | None = None, *, storage: Storage | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Delete every draft that expired by `now`, and its files nothing else uses; returns how
    many drafts were deleted. Safe to run twice at once: each batch locks its rows and skips
    rows another run holds."""
    now = now or timezone.now()
    total = 0
    while True:
        batch = list(
            Draft.objects.filter(expires_at__lte=now)
            .order_by("expires_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        deleted = _delete(batch, expired_by=now, storage=storage) if batch else 0
        total += deleted
        # Nothing deleted means nothing left, or only rows another run is deleting right now.
        if deleted == 0:
            return total


def delete_draft(draft: Draft, *, storage: Storage | None = None) -> None:
    """Delete one draft (the resident asked to) and its files nothing else uses."""
    _delete([draft.pk], expired_by=None, storage=storage)


def delete_sent_draft(draft: Draft, sent_answers: Any, *, storage: Storage | None = None) -> None:
    """Delete a draft that has just become a submission, and, after commit, the files uploaded
    through it that the submission does not carry (ones the resident replaced on the way).

    Call it inside the submitting transaction, with the draft row locked. Its uploads were made
    through this draft alone, so what the sent answers do not name is left over; no query needed.
    """
    sent = json.dumps(sent_answers)
    leftovers = sorted(ref for ref in _file_references(draft.uploads) if ref not in sent)
    draft.delete()
    if leftovers:
        transaction.on_commit(partial(_delete_files, leftovers, storage or default_storage))


def _delete(pks: list[UUID], *, expired_by: datetime | None, storage: Storage | None) -> int:
    with transaction.atomic():
        rows = Draft.objects.filter(pk__in=pks)
        if expired_by is not None:
            # Checked again under the lock: a resident may have just come back and extended it.
            rows = rows.filter(expires_at__lte=expired_by)
        locked = list(rows.select_for_update(skip_locked=True).values_list("pk", "uploads"))
        if not locked:
            return 0
        candidates = {ref for _, uploads in locked for ref in _file_references(uploads)}
        Draft.objects.filter(pk__in=[pk for pk, _ in locked]).delete()
        orphans = sorted(ref for ref in candidates if not _still_used(ref))
        if orphans:
            transaction.on_commit(partial(_delete_files, orphans, storage or default_storage))
    return len(locked)


def _file_references(uploads: Any) -> Iterable[str]:
    """The well-formed stored-file references in a draft's `uploads`; anything else in that JSON
    is ignored, so a bad row can never make us delete a path outside the uploads folder."""
    if not isinstance(uploads, list):
        return []
    return [ref for ref in uploads if isinstance(ref, str) and REFERENCE_PATTERN.fullmatch(ref)]


def _still_used(reference: str) -> bool:
    # References are long random names, so finding one in the stored JSON text is exact enough;
    # and a false match only keeps a file, it never deletes one that is needed.
    return (
        Submission.objects.filter(answers__icontains=reference).exists()
        or Draft.objects.filter(uploads__icontains=reference).exists()
    )


def _delete_files(references: list[str], storage: Storage) -> None:
    for reference in references:
        try:
            storage.delete(reference)
        except OSError:
            logger.warning("draft_upload_not_deleted", upload=reference)
