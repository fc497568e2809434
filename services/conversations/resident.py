"""What the resident says about their case: an answer to a question, reopening, "not fixed".

Each is one transaction with the case's row locked (the same lock as every status change): the
message and its files are recorded, the case goes back to "in progress" through the status rule
every update follows (services/updates/apply.py `decide`), and an OutgoingUpdate is written for
each back office holding the case (services/conversations/outbox.py), sent after commit. The
case's update says "You replied" (or "You reopened this request") on the resident's timeline;
staff see the message itself on theirs.

A reply is accepted only while the council waits for one ("needs your reply"); reopening only
for a closed case, within REOPEN_WITHIN_DAYS of its closing; "not fixed" only for one closed as
done. Anything else is refused with a sentence for the resident, and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from integrations.files import safe_filename
from services.conversations.outbox import create_outgoing
from services.forms.uploads import content_type_of
from services.models import CaseMessage, CaseUpdate, Submission, SubmissionFile
from services.submission_files import measure
from services.updates.apply import CLOSED_STATUSES, decide, last_accepted_at
from services.updates.apply import Outcome as UpdateOutcome

Kind = CaseMessage.Kind
Status = Submission.Status

# What the resident's own timeline says for each, in English and Welsh (kept on the update).
TIMELINE_TEXT = {
    Kind.REPLY: gettext_noop("You replied"),
    Kind.REOPEN: gettext_noop("You reopened this request"),
    Kind.NOT_FIXED: gettext_noop("You told us it is not fixed"),
}


class Refused(Exception):
    """The resident may not do this to the case now; `message` says why, for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    """A file the resident sent, already checked by content and stored (forms/uploads.py)."""

    reference: str  # where it is stored
    name: str  # the resident's name for it


@dataclass(frozen=True)
class ToDo:
    """What the resident is invited to do on their request's page now."""

    reply: bool
    reopen: bool
    not_fixed: bool


def closed_at(submission: Submission) -> datetime | None:
    """When the case reached its closed status: the newest accepted update that set it."""
    if submission.status not in CLOSED_STATUSES:
        return None
    at: datetime | None = (
        CaseUpdate.objects.filter(
            submission=submission,
            portal_status=submission.status,
            outcome=UpdateOutcome.APPLIED,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return at


def may_reopen(submission: Submission, now: datetime | None = None) -> bool:
    at = closed_at(submission)
    if at is None:
        return False
    return (now or timezone.now()) - at <= timedelta(days=settings.REOPEN_WITHIN_DAYS)


def to_do(submission: Submission, now: datetime | None = None) -> ToDo:
    reopen = may_reopen(submission, now)
    return ToDo(
        reply=submission.status == Status.NEEDS_INFORMATION,
        reopen=reopen,
        not_fixed=reopen and submission.status == Status.CLOSED_FIXED,
    )


def reply(
    submission: Submission, *, author: Any, text: str, files: Sequence[StoredFile] = ()
) -> CaseMessage:
    """Record the resident's answer to the council's question; raises Refused."""

    def allowed(case: Submission) -> None:
        if case.status != Status.NEEDS_INFORMATION:
            raise Refused(_("We are not waiting for a reply to this request."))

    return _resident_says(submission, Kind.REPLY, author, text, files, allowed)


def reopen(submission: Submission, *, author: Any, kind: str, text: str) -> CaseMessage:
    """Reopen a closed case (kind "reopen") or say it is not fixed ("not_fixed"); raises
    Refused."""
    if kind not in (Kind.REOPEN, Kind.NOT_FIXED):
        raise ValueError(f"not a way of reopening: {kind!r}")

    def allowed(case: Submission) -> None:
        if not may_reopen(case):
            raise Refused(_("This request can no longer be reopened. Send a new request."))
        if kind == Kind.NOT_FIXED and case.status != Status.CLOSED_FIXED:
            raise Refused(_("This request was not closed as done."))

    return _resident_says(submission, kind, author, text, (), allowed)


def _resident_says(
    submission: Submission,
    kind: str,
    author: Any,
    text: str,
    files: Sequence[StoredFile],
    allowed: Any,
    storage: Storage | None = None,
) -> CaseMessage:
    storage = storage or default_storage
    # Measured before the transaction: reading files holds no lock.
    measured = [(stored, *measure(stored.reference, storage)) for stored in files]
    with transaction.atomic():
        case = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("user", "service")
            .get(pk=submission.pk)
        )
        allowed(case)
        update = _back_in_progress(case, kind)
        message = CaseMessage.objects.create(
            submission=case,
            kind=kind,
            text=text,
            author=author if getattr(author, "is_authenticated", False) else None,
            case_update=update,
        )
        rows = SubmissionFile.objects.bulk_create(
            [
                SubmissionFile(
                    submission=case,
                    question_id=f"reply-{message.pk}-{number}",
                    name=safe_filename(stored.name, stored.reference.rsplit(".", 1)[-1]),
                    storage_name=stored.reference,
                    content_type=content_type_of(stored.reference),
                    size=size,
                    sha256=sha256,
                )
                for number, (stored, size, sha256) in enumerate(measured, start=1)
            ]
        )
        message.files.set(rows)
        create_outgoing(message)
    submission.status = case.status
    return message


def _back_in_progress(case: Submission, kind: str) -> CaseUpdate | None:
    """Move the case to "in progress" as any update would (None if the rule keeps it)."""
    now = timezone.now()
    decision = decide(case.status, _Reopening(), now, last_accepted_at(case))
    if decision.status is None:
        return None
    texts = {}
    for language in ("en", "cy"):
        with translation.override(language):
            texts[language] = _(TIMELINE_TEXT[Kind(kind)])
    update = CaseUpdate.objects.create(
        submission=case,
        connection=None,
        changed_by=None,
        source=CaseUpdate.Source.RESIDENT,
        update_id=uuid.uuid4().hex,
        external_status="",
        portal_status=decision.status,
        occurred_at=now,
        received_at=now,
        public_text_en=texts["en"],
        public_text_cy=texts["cy"],
        applied=True,
        outcome=decision.outcome,
    )
    case.status = decision.status
    case.save(update_fields=["status"])
    return update


@dataclass(frozen=True)
class _Reopening:
    """What `decide` reads from a mapping: the resident's word moves the case to in progress,
    and may reopen a closed one (only ever asked after `allowed` said it may)."""

    portal_status: str = Status.IN_PROGRESS
    reopen: bool = True
