"""Retention of submitted files: their bytes are deleted SUBMISSION_FILE_RETENTION_DAYS after the
submission was made (daily, from beat).

The row stays, marked `deleted_at`, so the case still says a file was sent and when it went:
its signed links stop working (services/file_links.py refuses deleted files) and a delivery that
still needs it fails permanently, naming the day (services/delivery/files.py). The bytes are
deleted first and the row marked after, so a run that stops between the two only leaves a row a
later run marks; a file storage will not delete now keeps its row unmarked for the next run.
Logs name file ids and error classes only, never a file's or a resident's name.

This is the files' own clock, counted from the day the case was made, open or closed. The case
itself has another, counted from the day it closed (services/retention.py): when that one ends,
the case is anonymised and its file rows go with whatever bytes were still kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db.models import QuerySet
from django.utils import timezone

from services.models import SubmissionFile

logger = structlog.get_logger(__name__)

BATCH_SIZE = 500


def expired_files(now: datetime) -> QuerySet[SubmissionFile]:
    """The files whose bytes are kept no longer: of submissions made before the retention
    period, not deleted yet."""
    cutoff = now - timedelta(days=settings.SUBMISSION_FILE_RETENTION_DAYS)
    return SubmissionFile.objects.filter(
        deleted_at__isnull=True, submission__created_at__lt=cutoff
    ).order_by("pk")


def delete_expired_files(
    now: datetime | None = None, *, storage: Storage | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Delete the bytes of every expired file and mark its row deleted; returns how many were.
    Idempotent: a second run finds none left (but those storage would not delete)."""
    now = now or timezone.now()
    storage = storage or default_storage
    deleted = failed = 0
    after = 0
    while True:
        batch = list(
            expired_files(now).filter(pk__gt=after).values_list("pk", "storage_name")[:batch_size]
        )
        if not batch:
            break
        after = batch[-1][0]
        for file_id, storage_name in batch:
            try:
                storage.delete(storage_name)  # no error if it is already gone
            except OSError as exc:
                failed += 1
                logger.warning(
                    "submission_file_not_deleted", file_id=file_id, error_class=type(exc).__name__
                )
                continue
            deleted += SubmissionFile.objects.filter(pk=file_id, deleted_at__isnull=True).update(
                deleted_at=now
            )
    if deleted or failed:
        logger.info("submission_files_deleted_by_retention", deleted=deleted, failed=failed)
    return deleted
