"""Recording staff access to personal data (the AccessLog model says why)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog

from services.cases import file_place
from services.models import AccessLog, Submission, SubmissionFile
from services.models.audit import FILE_QUESTION_MAX_LENGTH

logger = structlog.get_logger(__name__)

_BATCH = 1000


def record_access(
    actor: Any,
    *,
    where: str,
    submission: Submission | None = None,
    subject: Any = None,
    file: SubmissionFile | None = None,
    reason: str = "",
) -> AccessLog:
    """One row per view; the log line carries ids only (a reason may name people: not logged).
    A download passes the `file`: the row names it, and keeps where it stood among the case's
    files for when retention has deleted it (the AccessLog model says why)."""
    entry = AccessLog(
        actor=actor, submission=submission, subject=subject, where=where, reason=reason
    )
    if file is not None:
        name_file(entry, file)
    entry.save()
    logger.info(
        "personal_data_viewed",
        actor_id=actor.pk,
        submission_id=getattr(submission, "pk", None),
        subject_id=getattr(subject, "pk", None),
        file_id=getattr(file, "pk", None),
        where=where,
    )
    return entry


def name_file(entry: AccessLog, file: SubmissionFile) -> None:
    """Make the unsaved `entry` name the downloaded `file`, with the copies that outlive it."""
    place = file_place(file)
    entry.file = file
    entry.file_question = _cut(place.question, FILE_QUESTION_MAX_LENGTH)
    entry.file_number, entry.file_count = place.number, place.count


def _cut(words: str, length: int) -> str:
    return words if len(words) <= length else words[: length - 1] + "…"


def record_list(actor: Any, *, where: str, submissions: list[Submission]) -> None:
    """One row per case a list showed (a search result page): one INSERT whatever its length."""
    if not submissions:
        return
    AccessLog.objects.bulk_create(
        AccessLog(actor=actor, submission=submission, where=where) for submission in submissions
    )
    logger.info(
        "personal_data_listed",
        actor_id=actor.pk,
        submission_ids=[submission.pk for submission in submissions],
        where=where,
    )


def record_people(actor: Any, *, where: str, people: list[Any]) -> None:
    """One row per person a list showed (residents found by a search): one INSERT."""
    if not people:
        return
    AccessLog.objects.bulk_create(
        AccessLog(actor=actor, subject=person, where=where) for person in people
    )
    logger.info(
        "personal_data_listed",
        actor_id=actor.pk,
        subject_ids=[person.pk for person in people],
        where=where,
    )


def record_audit_read(
    actor: Any, seen: Iterable[tuple[int | None, int | None]], *, where: str
) -> None:
    """One row per (case id, account id) pair whose access-log entries someone read (the audit
    log's search or export), written in batches whatever their number."""
    batch: list[AccessLog] = []
    count = 0
    for submission_id, subject_id in seen:
        batch.append(
            AccessLog(actor=actor, submission_id=submission_id, subject_id=subject_id, where=where)
        )
        if len(batch) == _BATCH:
            AccessLog.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    if batch:
        AccessLog.objects.bulk_create(batch)
        count += len(batch)
    if count:
        logger.info("access_log_read", actor_id=actor.pk, entries_written=count, where=where)
