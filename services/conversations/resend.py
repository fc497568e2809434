"""Staff send a failed update again, once the back office's problem is fixed.

As "Retry now" does for a failed delivery (services/delivery/actions.py): the update is made
pending with a fresh attempt budget and queued on commit; `alerted_at` is cleared, so the
connection's owner is told again if it fails again; and who did it goes into the case's admin
history, which the staff timeline shows. Only a failed update can be sent again: one on its way
will be sent anyway, and one delivered must not reach the back office twice.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.conversations.outbox import queue_updates
from services.delivery.actions import ActionRefused
from services.models import OutgoingUpdate

logger = structlog.get_logger(__name__)

State = OutgoingUpdate.State


def send_again(update: OutgoingUpdate | int, by: Any) -> OutgoingUpdate:
    """Make the failed `update` pending and due now; ActionRefused (a message for staff) if it
    has not failed."""
    pk = update if isinstance(update, int) else update.pk
    with transaction.atomic():
        locked = (
            OutgoingUpdate.objects.select_for_update(of=("self",))
            .select_related("connection", "message__submission")
            .filter(pk=pk)
            .first()
        )
        if locked is None:
            raise ActionRefused(str(_("That update no longer exists.")))
        if locked.state != State.FAILED:
            raise ActionRefused(
                str(
                    _("Only an update that was not sent can be sent again. This one is: %(state)s.")
                    % {"state": locked.get_state_display()}
                )
            )
        OutgoingUpdate.objects.filter(pk=pk).update(
            state=State.PENDING,
            next_attempt_at=timezone.now(),
            first_attempt_at=None,
            lease_expires_at=None,
            claim_token=None,
            alerted_at=None,
        )
        if getattr(by, "pk", None) is not None:
            LogEntry.objects.log_actions(
                by.pk,
                [locked.message.submission],
                CHANGE,
                # English, as all admin history is; the kind's value, not its translation.
                change_message=(
                    f"Send again: update {pk} (a {locked.message.kind} from the resident) "
                    f"to {locked.connection.name} (was Failed)."
                ),
            )
        transaction.on_commit(lambda: queue_updates([pk]), robust=True)
    logger.info("update_sent_again", update_id=pk, user_id=getattr(by, "pk", None))
    locked.refresh_from_db()
    return locked
