"""'Test connection': ask a connection's back office whether it answers, and record the outcome.

The one owner of the check for every screen that offers the button (the admin, the studio): it
calls the adapter's `check_connection()`, stores when it last worked or failed (and why, for the
health shown on the connection), and returns what to tell the person. The reason is the
adapter's error message, which never carries a secret or a payload value.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.base import DeliveryError
from integrations.registry import UnknownAdapter
from services.models import Connection

REASON_MAX_LENGTH = 300  # Connection.last_failure_message's


@dataclass(frozen=True)
class CheckOutcome:
    works: bool
    reason: str  # why it failed; "" when it works

    @property
    def message(self) -> str:
        if self.works:
            return _("The back office answered: the connection works.")
        return _("The connection failed: %s") % self.reason


def check_connection(connection: Connection) -> CheckOutcome:
    reason = ""
    try:
        connection.build_adapter().check_connection()
    except DeliveryError as error:
        reason = error.message
    except UnknownAdapter:
        reason = _("There is no adapter called “%s”.") % connection.adapter
    except Exception as error:  # a bug or bad options must not hide behind an error page
        reason = _("The check itself failed: %s") % error.__class__.__name__
    now = timezone.now()
    reason = reason[:REASON_MAX_LENGTH]
    if reason:
        Connection.objects.filter(pk=connection.pk).update(
            last_failure_at=now, last_failure_message=reason
        )
    else:
        Connection.objects.filter(pk=connection.pk).update(last_success_at=now)
    return CheckOutcome(works=not reason, reason=reason)
