"""A staff member changes a case's status, with a message the resident reads.

The change is a CaseUpdate like a back office's (source "staff"), decided and applied by
services/updates/apply.py's own rule (`decide`, `apply_decision`), so the two kinds of update
are ordered against each other and the resident is told the same way, in their language.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.models import CaseUpdate, OutgoingMessage, Submission
from services.updates.apply import apply_decision, decide, last_accepted_at

Outcome = CaseUpdate.Outcome


@dataclass(frozen=True)
class StaffChoice:
    """What `decide` reads from a status mapping, for the status a person chose. Choosing an
    open status for a closed case is that person's decision to reopen it."""

    portal_status: str
    reopen: bool = True


@dataclass(frozen=True)
class StatusChange:
    update: CaseUpdate
    # The messages queued to the resident about it: none when they chose no messages about status
    # changes or cannot be reached, which the person who made the change should be told.
    queued: list[OutgoingMessage]

    @property
    def resident_told(self) -> bool:
        return bool(self.queued)


class StatusChangeRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def change_status(
    submission: Submission, by: Any, *, status: str, message: str, note: str = ""
) -> StatusChange:
    """Record the change and apply it in one transaction, or refuse it and change nothing.

    `message` is what the resident reads (on their case page and in the e-mail); the staff member
    writes it once, in whichever language they use with the resident, so it is kept as both the
    English and the Welsh text. `note` is for staff only.
    """
    if status not in Submission.Status.values:
        raise ValueError(f"not a portal status: {status!r}")
    with transaction.atomic():
        # The same lock as a back office's update: the two are decided one after the other.
        case = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("user", "service")
            .get(pk=submission.pk)
        )
        now = timezone.now()
        decision = decide(case.status, StaffChoice(status), now, last_accepted_at(case))
        if decision.outcome == Outcome.UNCHANGED:
            raise StatusChangeRefused(
                _("The case is already ‘%(status)s’. Choose a different status.")
                % {"status": case.get_status_display()}
            )
        if decision.outcome != Outcome.APPLIED:
            # Out of order: a back office's update dated later than now is already applied.
            raise StatusChangeRefused(
                _("The back office has already given this case a newer status. Check its timeline.")
            )
        update = CaseUpdate.objects.create(
            submission=case,
            connection=None,
            changed_by=by,
            source=CaseUpdate.Source.STAFF,
            update_id=uuid.uuid4().hex,
            external_status="",
            portal_status=status,
            occurred_at=now,
            received_at=now,
            description=note,
            public_text_en=message,
            public_text_cy=message,
            applied=True,
            outcome=decision.outcome,
        )
        queued = apply_decision(case, update, decision)
    submission.status = case.status
    return StatusChange(update, queued)
