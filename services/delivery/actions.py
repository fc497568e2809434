"""What people may do to deliveries by hand: retry now, cancel, mark resolved, re-run routing.

Each action is a plain function: one transaction, the row locked (SELECT ... FOR UPDATE) so it
cannot race a worker's claim, guard clauses that refuse a change the state machine does not allow
with an `ActionRefused` whose message is shown to the person as it is, and a record of who did it
and why (`resolved_by` and `resolution_note` on the delivery where there are such fields, and an
entry in the admin's history of the object in every case).

Which state each action accepts (see services/models/delivery.py for the states):

- retry_now:      pending, retrying, failed, or sending with a lease that ran out (a lost worker)
                  -> pending, due now, queued on commit. A failed delivery starts a fresh attempt
                  budget and will be alerted about again if it fails again.
- cancel:         pending, retrying, failed, or sending with a lease that ran out -> cancelled.
- mark_resolved:  the same states -> resolved ("sent by hand on ..."); a note is required.
  Never a delivery being sent right now (a live lease): its outcome is moments away, and
  changing it under the worker would hide what the back office did.
- rerun_routing:  see its docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from services.models import Delivery, Submission

if TYPE_CHECKING:
    from django.db.models import Model

logger = structlog.get_logger(__name__)

NOTE_MAX_LENGTH = 2000


class ActionRefused(Exception):
    """The action is not allowed for this delivery now; `message` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _clean_note(note: str | None, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ActionRefused("Enter a note saying why (for example “sent by hand on 3 March”).")
    if len(note) > NOTE_MAX_LENGTH:
        raise ActionRefused(f"The note must be {NOTE_MAX_LENGTH} characters or fewer.")
    return note


def _record(by: Any, obj: Model, message: str) -> None:
    """An entry in the object's admin history: who, what and why."""
    user_id = getattr(by, "pk", None)
    if user_id is not None:
        LogEntry.objects.log_actions(user_id, [obj], CHANGE, change_message=message)


def _lock(delivery: Delivery | int) -> Delivery:
    pk = delivery if isinstance(delivery, int) else delivery.pk
    locked = Delivery.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise ActionRefused("That delivery no longer exists.")
    return locked


def _lease_is_live(delivery: Delivery) -> bool:
    return (
        delivery.state == Delivery.State.IN_FLIGHT
        and delivery.lease_expires_at is not None
        and delivery.lease_expires_at > timezone.now()
    )


def _refuse_unless_workable(delivery: Delivery, action: str) -> None:
    """Guard for every action: nothing finished, nothing a worker holds right now."""
    state = delivery.state
    if state == Delivery.State.DELIVERED:
        raise ActionRefused(
            f"Cannot {action}: this delivery has already been delivered"
            + (
                f" (back-office reference {delivery.external_reference})."
                if delivery.external_reference
                else "."
            )
        )
    if state == Delivery.State.CANCELLED:
        raise ActionRefused(f"Cannot {action}: this delivery was cancelled.")
    if state == Delivery.State.RESOLVED:
        raise ActionRefused(f"Cannot {action}: this delivery was already resolved by hand.")
    if _lease_is_live(delivery):
        raise ActionRefused(
            f"Cannot {action}: this delivery is being sent right now. Wait a minute and look again."
        )


def queue_delivery(delivery_id: int) -> None:
    """Ask a worker to look at `delivery_id` once the current transaction commits."""
    from services.delivery.outbox import queue_deliveries

    transaction.on_commit(lambda: queue_deliveries([delivery_id]), robust=True)


def retry_now(delivery: Delivery | int, by: Any, note: str = "") -> Delivery:
    """Make the delivery due now and queue it; see the module docstring for the states."""
    note = _clean_note(note, required=False)
    with transaction.atomic():
        locked = _lock(delivery)
        _refuse_unless_workable(locked, "retry")
        was = locked.get_state_display()
        if locked.state == Delivery.State.FAILED:
            # A person has looked and wants it tried again: a fresh budget, and tell them again
            # if it fails again.
            locked.first_attempt_at = None
            locked.alerted_at = None
        locked.state = Delivery.State.PENDING
        locked.next_attempt_at = timezone.now()
        locked.lease_expires_at = None
        # A worker that lost its lease may still be running; without its claim it can no
        # longer record an outcome over this one.
        locked.claim_token = None
        locked.save(
            update_fields=[
                "state",
                "next_attempt_at",
                "lease_expires_at",
                "claim_token",
                "first_attempt_at",
                "alerted_at",
                "updated_at",
            ]
        )
        _record(by, locked, f"Retry now (was {was})." + (f" Note: {note}" if note else ""))
        queue_delivery(locked.pk)
    logger.info("delivery_retry_now", delivery_id=locked.pk, user_id=getattr(by, "pk", None))
    return locked


def _close(
    delivery: Delivery | int, by: Any, note: str, state: Delivery.State, *, clean: bool = True
) -> Delivery:
    action = "cancel" if state == Delivery.State.CANCELLED else "mark as resolved"
    if clean:
        note = _clean_note(note, required=True)
    with transaction.atomic():
        locked = _lock(delivery)
        _refuse_unless_workable(locked, action)
        was = locked.get_state_display()
        locked.state = state
        locked.resolution_note = note
        locked.resolved_by = by if getattr(by, "pk", None) is not None else None
        locked.next_attempt_at = None
        locked.lease_expires_at = None
        locked.claim_token = None
        locked.save(
            update_fields=[
                "state",
                "resolution_note",
                "resolved_by",
                "next_attempt_at",
                "lease_expires_at",
                "claim_token",
                "updated_at",
            ]
        )
        _record(by, locked, f"{locked.get_state_display()} (was {was}). Note: {note}")
    logger.info(
        "delivery_closed_by_hand",
        delivery_id=locked.pk,
        state=str(state),
        user_id=getattr(by, "pk", None),
    )
    return locked


def cancel(delivery: Delivery | int, by: Any, note: str) -> Delivery:
    """Stop trying: the delivery is not wanted (wrong destination, a duplicate case...)."""
    return _close(delivery, by, note, Delivery.State.CANCELLED)


def mark_resolved(delivery: Delivery | int, by: Any, note: str) -> Delivery:
    """Someone dealt with it by hand (entered it in the back office); the note says how."""
    return _close(delivery, by, note, Delivery.State.RESOLVED)


@dataclass
class RerunResult:
    submission: Submission
    routing_round: int
    created: list[Delivery] = field(default_factory=list)
    kept: list[Delivery] = field(default_factory=list)
    cancelled: list[Delivery] = field(default_factory=list)

    def summary(self) -> str:
        def names(deliveries: list[Delivery]) -> str:
            return ", ".join(d.destination.name for d in deliveries)

        parts = [f"{self.submission.reference}: routing re-run (round {self.routing_round})."]
        if not self.submission.routing_decision.get("routed"):
            parts.append("No destination was chosen: it is not routed.")
        if self.created:
            parts.append(f"Sending to {names(self.created)}.")
        if self.kept:
            parts.append(f"Already on its way or done, not sent again: {names(self.kept)}.")
        if self.cancelled:
            parts.append(f"Cancelled, no longer a destination: {names(self.cancelled)}.")
        return " ".join(parts)


def rerun_routing(submission: Submission | int, by: Any, note: str) -> RerunResult:
    """Route the submission again (after its service or location changed) as a new round.

    The new decision is recorded on the submission, with every earlier round's decision kept in
    its `previous_rounds`; earlier deliveries are never deleted. For each destination:

    - chosen now, and no earlier delivery to it (or only cancelled ones): a new delivery in the
      new round, queued on commit (services.delivery.outbox.create_deliveries);
    - chosen now, and an earlier delivery to it is still going, failed, delivered or resolved:
      no second delivery, because a second one would carry a new idempotency key and could make
      a second record in that back office. The earlier one carries on (it maps the submission as
      it is when sent); a failed one stays on the failed list for a person to retry or resolve;
    - not chosen now, with an earlier delivery still open (pending, waiting to retry, or sending
      under a lease that ran out): cancelled, with the note. Delivered, failed and resolved ones
      are history and are left as they are.

    Refused, changing nothing, while an earlier delivery to a destination no longer chosen is
    being sent right now (a live lease): its outcome is moments away.
    """
    from services.delivery.outbox import create_deliveries
    from services.routing import route

    note = _clean_note(note, required=True)
    pk = submission if isinstance(submission, int) else submission.pk
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("service", "form_version")
            .filter(pk=pk)
            .first()
        )
        if locked is None:
            raise ActionRefused("That submission no longer exists.")
        earlier = list(
            Delivery.objects.select_for_update(of=("self",))
            .filter(submission=locked)
            .exclude(state=Delivery.State.CANCELLED)
            .select_related("destination")
            .order_by("routing_round", "pk")
        )
        destinations, record = route(locked)
        chosen = {destination.pk for destination in destinations}

        to_cancel = [
            d for d in earlier if d.destination_id not in chosen and d.state in Delivery.OPEN_STATES
        ]
        busy = [d for d in to_cancel if _lease_is_live(d)]
        if busy:
            raise ActionRefused(
                f"Cannot re-run routing now: the delivery to {busy[0].destination.name} is being "
                "sent right now. Wait a minute and try again."
            )
        covered = {d.destination_id: d for d in earlier if d.destination_id in chosen}
        kept = list(covered.values())
        new = [destination for destination in destinations if destination.pk not in covered]

        previous = dict(locked.routing_decision or {})
        history = list(previous.pop("previous_rounds", []) or [])
        if previous:
            history.append(previous)
        created = create_deliveries(locked, new, {**record, "previous_rounds": history})
        # create_deliveries says "routed" only for what it created; a destination carried over
        # from an earlier round is routed too.
        locked.routing_decision["routed"] = bool(destinations)
        locked.routing_decision["carried_over"] = [d.destination.name for d in kept]
        locked.save(update_fields=["routing_decision"])

        result = RerunResult(locked, locked.routing_round, created=created, kept=kept)
        for delivery in to_cancel:
            result.cancelled.append(
                _close(
                    delivery,
                    by,
                    f"Routing re-run (round {locked.routing_round}): no longer a destination. "
                    f"{note}",
                    Delivery.State.CANCELLED,
                    clean=False,
                )
            )
        _record(by, locked, f"Routing re-run (round {locked.routing_round}). Note: {note}")
    logger.info(
        "routing_rerun",
        submission_id=locked.pk,
        routing_round=locked.routing_round,
        created=_ids(created),
        kept=_ids(kept),
        cancelled=_ids(result.cancelled),
        user_id=getattr(by, "pk", None),
    )
    return result


def _ids(deliveries: Iterable[Delivery]) -> list[int]:
    return [d.pk for d in deliveries]
