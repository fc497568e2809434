"""Status updates from back offices: deciding what each one does to a case, and applying it.

Updates arrive by signed callback (portal/callbacks) or by polling (services/updates/poll.py), in
any order and possibly more than once. Both paths end in `apply_updates`:

- every update is recorded once as a CaseUpdate; (connection, update_id) is unique, so a repeat
  (a retried callback, the overlap between two polls) is counted as a duplicate and does nothing;
- `decide` (a pure function) says whether it changes the case's status: an update older than the
  newest one already accepted for the case is out of order and ignored; a closed case never moves
  back to open unless the mapping says `reopen`; a status with no mapping is recorded, not
  applied, and shown to staff;
- a change of status is made with the submission's row locked, and the resident is told once,
  on the channels they chose and in their language (services/notifications), on commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Max

from integrations.base import StatusUpdate
from services.conversations.questions import question_text, record_question
from services.models import (
    CaseUpdate,
    Connection,
    Delivery,
    OutgoingMessage,
    StatusMapping,
    Submission,
)
from services.models.updates import DESCRIPTION_MAX_LENGTH
from services.notifications.rules import Kind
from services.notifications.tell import tell_resident

logger = structlog.get_logger(__name__)

Status = Submission.Status
Outcome = CaseUpdate.Outcome
STATUS_UPDATE = Kind.STATUS_UPDATE.value

CLOSED_STATUSES = frozenset({Status.CLOSED_FIXED, Status.CLOSED_NOT_COUNCIL, Status.DUPLICATE})
# Outcomes after which the case is known to be in the update's status as of its time: the newest
# of these is what an older update is compared with.
ACCEPTED_OUTCOMES = (Outcome.APPLIED, Outcome.UNCHANGED)


class MappingRow(Protocol):
    @property
    def portal_status(self) -> str: ...

    @property
    def reopen(self) -> bool: ...


@dataclass(frozen=True)
class Decision:
    status: str | None  # the new status, or None to leave the case as it is
    outcome: str

    @property
    def accepted(self) -> bool:
        return self.outcome in ACCEPTED_OUTCOMES


def decide(
    current: str,
    mapping_row: MappingRow | None,
    occurred_at: datetime,
    last_applied_at: datetime | None,
) -> Decision:
    """What one update does to a case in status `current`.

    `last_applied_at` is when the newest update already accepted for the case happened. Updates
    at the same moment are taken in the order they arrive: the later one wins.
    """
    if mapping_row is None:
        return Decision(None, Outcome.UNKNOWN_STATUS)
    if last_applied_at is not None and occurred_at < last_applied_at:
        return Decision(None, Outcome.OUT_OF_ORDER)
    target = mapping_row.portal_status
    if target == current:
        return Decision(None, Outcome.UNCHANGED)
    if current in CLOSED_STATUSES and target not in CLOSED_STATUSES and not mapping_row.reopen:
        return Decision(None, Outcome.CLOSED)
    return Decision(target, Outcome.APPLIED)


def decide_status(
    current: str,
    mapping_row: MappingRow | None,
    occurred_at: datetime,
    last_applied_at: datetime | None,
) -> str | None:
    """The case's new status after this update, or None if it stays as it is."""
    return decide(current, mapping_row, occurred_at, last_applied_at).status


@dataclass
class ApplyResult:
    received: int = 0
    duplicates: int = 0
    unknown_reference: int = 0
    applied: int = 0
    ignored: int = 0  # recorded but not applied: unchanged, out of order, closed, unknown status
    unknown_references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "duplicates": self.duplicates,
            "unknown_reference": self.unknown_reference,
            "applied": self.applied,
            "ignored": self.ignored,
        }


def mappings_for(connection: Connection) -> dict[str, StatusMapping]:
    return {m.external_status.strip().casefold(): m for m in connection.status_mappings.all()}


def submissions_by_reference(connection: Connection, references: Iterable[str]) -> dict[str, int]:
    """Submission ids by the back office's reference, for the cases this connection was sent."""
    wanted = {r for r in references if r}
    found: dict[str, int] = {}
    # The latest routing round's delivery wins if a back office reused a reference.
    rows = (
        Delivery.objects.filter(connection=connection, external_reference__in=wanted)
        .order_by("routing_round", "pk")
        .values_list("external_reference", "submission_id")
    )
    for reference, submission_id in rows:
        found[reference] = submission_id
    return found


def apply_updates(
    connection: Connection, updates: Sequence[StatusUpdate], source: str
) -> ApplyResult:
    """Record each update once and apply those that change their case; see the module's doc."""
    result = ApplyResult(received=len(updates))
    mappings = mappings_for(connection)
    submission_ids = submissions_by_reference(connection, (u.external_reference for u in updates))
    for update in updates:
        submission_id = submission_ids.get(update.external_reference)
        if submission_id is None:
            result.unknown_reference += 1
            result.unknown_references.append(update.external_reference)
            continue
        outcome = _apply_one(connection, submission_id, update, mappings, source)
        if outcome is None:
            result.duplicates += 1
        elif outcome == Outcome.APPLIED:
            result.applied += 1
        else:
            result.ignored += 1
    if result.unknown_reference:
        logger.warning(
            "status updates for unknown references",
            connection=connection.slug,
            count=result.unknown_reference,
        )
    return result


def _apply_one(
    connection: Connection,
    submission_id: int,
    update: StatusUpdate,
    mappings: dict[str, StatusMapping],
    source: str,
) -> str | None:
    """The outcome recorded for `update`, or None if it had been recorded before."""
    with transaction.atomic():
        # The lock orders updates of one case: two arriving at once are decided one after the
        # other, each seeing the status and the newest accepted update the other left.
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("user", "service")
            .get(pk=submission_id)
        )
        if CaseUpdate.objects.filter(connection=connection, update_id=update.update_id).exists():
            return None
        last_applied_at = last_accepted_at(submission)
        mapping = mappings.get(update.status.strip().casefold())
        decision = decide(submission.status, mapping, update.occurred_at, last_applied_at)
        case_update = CaseUpdate(
            submission=submission,
            connection=connection,
            update_id=update.update_id,
            external_status=update.status,
            portal_status=(
                decision.status or (mapping.portal_status if mapping is not None else "")
            ),
            occurred_at=update.occurred_at,
            description=update.description[:DESCRIPTION_MAX_LENGTH],
            public_text_en=mapping.description_en if mapping is not None else "",
            public_text_cy=mapping.description_cy if mapping is not None else "",
            applied=decision.status is not None,
            outcome=decision.outcome,
            source=source,
        )
        try:
            # The same update id used by the back office for another case: the unique
            # constraint holds, and the savepoint keeps this transaction usable.
            with transaction.atomic():
                case_update.save(force_insert=True)
        except IntegrityError:
            return None
        if decision.outcome == Outcome.UNKNOWN_STATUS:
            logger.warning(
                "status update with an unmapped status",
                connection=connection.slug,
                external_status=update.status[:100],
                case_update=case_update.pk,
            )
        apply_decision(submission, case_update, decision)
        return decision.outcome


def last_accepted_at(submission: Submission) -> datetime | None:
    """When the newest update accepted for the case happened: what `decide` compares with."""
    at: datetime | None = CaseUpdate.objects.filter(
        submission=submission, outcome__in=ACCEPTED_OUTCOMES
    ).aggregate(at=Max("occurred_at"))["at"]
    return at


def apply_decision(
    submission: Submission, case_update: CaseUpdate, decision: Decision
) -> list[OutgoingMessage]:
    """Give the case its new status, if the decision changes it, and tell the resident: the
    messages queued to them, none if the status stays or they cannot be reached.

    The caller holds the submission's row lock and has saved `case_update`, in the same
    transaction: the e-mail is queued on commit, so a rolled-back change sends nothing.

    "Needs your reply" is a question to the resident, whoever set it: it is kept on the case
    for them to answer, and they are sent the question (kind information_request) instead of
    a status e-mail.
    """
    if decision.status is None:
        return []
    submission.status = decision.status
    submission.save(update_fields=["status"])
    if decision.status == Status.NEEDS_INFORMATION:
        question = record_question(
            submission,
            question_text(submission, case_update),
            case_update=case_update,
            author=case_update.changed_by,
        )
        return question.queued
    return notify_resident(submission, case_update)


def notify_resident(submission: Submission, case_update: CaseUpdate) -> list[OutgoingMessage]:
    """Tell the resident what changed, on the channels they chose for status changes, in their
    language (services/notifications); queued when the transaction commits. None queued when
    they chose no messages about it, or cannot be reached."""
    return tell_resident(submission, STATUS_UPDATE, {"case_update": case_update})
