"""Recording staff access to personal data (the AccessLog model says why)."""

from __future__ import annotations

from typing import Any

import structlog

from services.models import AccessLog, Submission

logger = structlog.get_logger(__name__)


def record_access(
    actor: Any, *, where: str, submission: Submission | None = None, subject: Any = None
) -> AccessLog:
    """One row per view; the log line carries ids only."""
    entry = AccessLog.objects.create(
        actor=actor, submission=submission, subject=subject, where=where
    )
    logger.info(
        "personal_data_viewed",
        actor_id=actor.pk,
        submission_id=getattr(submission, "pk", None),
        subject_id=getattr(subject, "pk", None),
        where=where,
    )
    return entry
