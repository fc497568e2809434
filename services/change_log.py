"""Who changed what, and when, in the studio: entries in the Django admin's history (LogEntry).

Why LogEntry, and not AccessLog or a model of our own: AccessLog answers "who saw this person's
data, and why", and is read that way (a resident asks who looked at their case); a new start page
or a connection's timeout is not personal data seen. LogEntry is already where the admin records
who added or changed a service or a connection, and where the people's actions on deliveries are
recorded (services/delivery/actions.py). Writing the studio's changes there too keeps one history
per object, whichever screen the change was made on, and the admin's "History" page shows it.

Only which fields changed is recorded, never their values: a connection's secrets stay secret,
and the structured log line carries ids and field names alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import Model

logger = structlog.get_logger(__name__)
ACTION_NAMES = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def record_addition(by: Any, obj: Model) -> None:
    """`by` added `obj` (saved already)."""
    _record(by, obj, ADDITION, [{"added": {}}], fields=[])


def record_change(by: Any, obj: Model, changed: Iterable[str]) -> None:
    """`by` changed these fields of `obj` (their labels, as people know them); nothing if none."""
    fields = list(changed)
    if fields:
        _record(by, obj, CHANGE, [{"changed": {"fields": fields}}], fields=fields)


def record_deletion(by: Any, obj: Model) -> None:
    """`by` is deleting `obj` (call it before the delete, while it still has its id)."""
    _record(by, obj, DELETION, "", fields=[])


def _record(
    by: Any, obj: Model, action: int, message: list[Any] | str, *, fields: list[str]
) -> None:
    LogEntry.objects.log_actions(by.pk, [obj], action, change_message=message, single_object=True)
    logger.info(
        "studio_change",
        actor_id=by.pk,
        model=obj._meta.label,
        object_id=obj.pk,
        action=ACTION_NAMES[action],
        fields=fields,
    )
