"""A case's timeline: everything that happened to a submission, round by round.

The domain's one reading of it (the admin's submission page shows it; the staff workspace will):
each routing round's decision with its plain-English reasons, each delivery it made with every
attempt and outcome, what people did to them (the actions in services/delivery/actions.py record
themselves in the admin's log), and every status update the back offices sent.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils.dateparse import parse_datetime

from services.models import Attempt, CaseUpdate, Delivery, Submission


def _history(objects: list[Any]) -> dict[tuple[int | None, str], list[LogEntry]]:
    """What people did to these objects (the actions record themselves in the admin's log)."""
    if not objects:
        return {}
    types = ContentType.objects.get_for_models(*{type(o) for o in objects})
    ids_by_type: dict[int, list[str]] = defaultdict(list)
    for obj in objects:
        ids_by_type[types[type(obj)].pk].append(str(obj.pk))
    entries: dict[tuple[int | None, str], list[LogEntry]] = defaultdict(list)
    query = Q()
    for type_id, ids in ids_by_type.items():
        query |= Q(content_type_id=type_id, object_id__in=ids)
    for entry in LogEntry.objects.filter(query).select_related("user").order_by("action_time"):
        entries[(entry.content_type_id, entry.object_id)].append(entry)
    return dict(entries)


def _decision_entry(record: dict[str, Any], number: int) -> dict[str, Any]:
    decided_at = record.get("decided_at")
    return {
        "round": record.get("round") or number,
        "decided_at": parse_datetime(decided_at) if isinstance(decided_at, str) else None,
        "routed": bool(record.get("routed", record.get("destinations"))),
        "destinations": [str(name) for name in record.get("destinations") or []],
        "carried_over": [str(name) for name in record.get("carried_over") or []],
        "reasons": [str(reason) for reason in record.get("reasons") or []],
        "deliveries": [],
    }


def timeline(submission: Submission) -> dict[str, Any]:
    """Everything that happened to a submission, round by round, in six queries.

    Each routing round: its decision (with the reasons in plain English), then each delivery it
    made with every attempt, its outcome, and what people did to it (who and why); then every
    status update the back offices sent, including those not applied and why.
    """
    deliveries = list(
        Delivery.objects.filter(submission=submission)
        .select_related("destination", "connection", "resolved_by")
        .prefetch_related(Prefetch("attempt_set", queryset=Attempt.objects.order_by("number")))
        .order_by("routing_round", "created_at", "pk")
    )
    history = _history([submission, *deliveries])
    types = ContentType.objects.get_for_models(Submission, Delivery)

    current = dict(submission.routing_decision or {})
    records = [r for r in current.pop("previous_rounds", None) or [] if isinstance(r, dict)]
    if current:
        records.append(current)
    rounds: dict[int, dict[str, Any]] = {}
    for number, record in enumerate(records, start=1):
        entry = _decision_entry(record, number)
        rounds[entry["round"]] = entry
    for delivery in deliveries:
        entry = rounds.setdefault(
            delivery.routing_round, _decision_entry({"round": delivery.routing_round}, 0)
        )
        entry["deliveries"].append(
            {
                "delivery": delivery,
                "attempts": list(delivery.attempt_set.all()),
                "actions": history.get((types[Delivery].pk, str(delivery.pk)), []),
            }
        )
    return {
        "rounds": [rounds[number] for number in sorted(rounds)],
        "submission_actions": history.get((types[Submission].pk, str(submission.pk)), []),
        # Status updates from back offices, applied or not (the outcome says why not).
        "updates": list(
            CaseUpdate.objects.filter(submission=submission)
            .select_related("connection", "changed_by")
            .order_by("occurred_at", "pk")
        ),
    }
