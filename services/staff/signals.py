"""Keeps the case search index in step with submissions, whoever saves them.

Submissions are written by the journey, the API, assisted digital, status updates and the
admin; a receiver here means none of them has to remember the index.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from services.models import Submission
from services.staff.index import index_submission

# A save that touches only these leaves every indexed fact as it was (status updates, routing).
_NOT_INDEXED = frozenset({"status", "routing_decision", "routing_round"})


@receiver(post_save, sender=Submission, dispatch_uid="staff_index_submission")
def _index_saved_submission(
    sender: type[Submission],
    instance: Submission,
    created: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    if update_fields is not None and set(update_fields) <= _NOT_INDEXED:
        return
    index_submission(instance, created=created)
