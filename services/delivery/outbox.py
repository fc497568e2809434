"""The outbox: deliveries are written with the submission, and queued only once it is committed.

`create_deliveries` runs inside the transaction that makes (or re-routes) a submission. It
records the routing decision on the submission, writes one Delivery per destination in one
INSERT, and asks for a `deliver` task per delivery after commit. If the transaction rolls back,
nothing is queued; if the commit succeeds but queueing fails (Redis down), the deliveries are
pending in the database and the sweeper queues them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from services.delivery.tasks import deliver
from services.models import Delivery, Destination, Submission

logger = structlog.get_logger(__name__)


def record_decision(
    submission: Submission,
    destinations: Sequence[Destination],
    decision_record: Mapping[str, Any],
) -> None:
    """Put the decision on `submission` as a new routing round (saved by the caller)."""
    submission.routing_round += 1
    submission.routing_decision = {
        **decision_record,
        "routed": bool(destinations),
        "round": submission.routing_round,
    }


def create_deliveries(
    submission: Submission,
    destinations: Sequence[Destination],
    decision_record: Mapping[str, Any] | None = None,
) -> list[Delivery]:
    """Create one Delivery per destination for the submission's routing round, queued on commit.

    Call inside the transaction that saved `submission`. With `decision_record` the decision is
    recorded as a new round and saved here (re-routing a case); without it, the caller has put
    it on the submission with `record_decision` before its first save (one query fewer, for
    submit_draft). With no destinations the decision says "not routed" (`routed: false`), so
    the submission is listed for people to act on.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_deliveries must run inside the submission's transaction")
    if decision_record is not None:
        record_decision(submission, destinations, decision_record)
        submission.save(update_fields=["routing_decision", "routing_round"])
    if not destinations:
        logger.warning("submission_not_routed", submission_id=submission.pk)
        return []
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                submission=submission,
                destination=destination,
                connection_id=destination.connection_id,
                routing_round=submission.routing_round,
                next_attempt_at=now,
                created_at=now,
            )
            for destination in destinations
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    # robust: after commit, no failure here may turn the saved request into an error page.
    transaction.on_commit(lambda: queue_deliveries(ids), robust=True)
    return deliveries


def queue_deliveries(ids: Sequence[int]) -> None:
    """Queue a task per delivery. A broker failure loses nothing: the sweeper finds them."""
    for delivery_id in ids:
        try:
            deliver.delay(delivery_id)
        except Exception as exc:
            logger.warning(
                "delivery_not_queued", delivery_id=delivery_id, error_class=exc.__class__.__name__
            )
            return
