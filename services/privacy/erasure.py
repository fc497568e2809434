"""Deleting a resident's account at their request: what goes, and what is kept and for how long.

Goes at once: their profile (name, phone, address, e-mail addresses), sign-in methods and every
signed-in session, their unfinished forms and the files uploaded through them, their prepared
data downloads, messages not sent yet, and the messages about their account itself.

Kept, no longer linked to them: the requests they sent. The council still has work to finish or
records to keep, so each stays with its answers until its service's retention period after it
closes (services/retention.py anonymises it then), but it no longer names their account or
their contact details, and the messages already sent about it keep no address.

The account row itself stays, emptied and deactivated (it can never sign in again): the access
log ("who saw my data?") points at it and must keep working, and so does this deletion's own
record, a Django admin LogEntry saying what was done, in counts.

Staff accounts are not deleted this way: they are the council's, and their actions are on
other people's records; a system admin deactivates them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

import structlog
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from services.drafts_cleanup import delete_draft
from services.models import (
    DataExport,
    Draft,
    NotificationPreference,
    OutgoingMessage,
    Service,
    Submission,
)
from services.privacy.export import delete_exports
from services.retention import UNSENT_MESSAGE_STATES

logger = structlog.get_logger(__name__)

DELETED_EMAIL_DOMAIN = "deleted.invalid"
# What a sent message about a kept request says instead of the address it went to (the field
# is encrypted, and an empty value is stored as NULL, which the column does not allow).
REMOVED_RECIPIENT = "(account deleted)"


class StaffAccountError(Exception):
    """Council staff cannot delete their own account from the resident's pages."""


@dataclass(frozen=True)
class KeptRequests:
    """Requests of one service that deleting the account keeps, and for how long after they
    close (the page explaining deletion lists these)."""

    service: str
    count: int
    days: int


def kept_requests(user: Any) -> list[KeptRequests]:
    counts = Counter(
        Submission.objects.filter(user=user, anonymised_at__isnull=True).values_list(
            "service", flat=True
        )
    )
    services = Service.objects.filter(pk__in=counts).order_by("name")
    return [
        KeptRequests(str(service.name), counts[service.pk], service.retention_period_days)
        for service in services
    ]


def may_delete_own_account(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_council_staff)


def erase_account(user: Any, *, storage: Storage | None = None) -> None:
    """Delete `user`'s account as the module says, in one transaction; StaffAccountError for
    staff. Files (drafts', downloads') are deleted after commit."""
    if not may_delete_own_account(user):
        raise StaffAccountError
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    user_model = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        locked = user_model.objects.select_for_update().get(pk=user.pk)
        drafts = list(Draft.objects.filter(user=locked))
        for draft in drafts:
            delete_draft(draft, storage=storage)
        exports = DataExport.objects.filter(user=locked)
        transaction.on_commit(partial(delete_exports, list(exports), storage=storage))
        submissions = list(Submission.objects.select_for_update().filter(user=locked))
        ours = Q(user=locked) | Q(submission__in=submissions)
        OutgoingMessage.objects.filter(ours, state__in=UNSENT_MESSAGE_STATES).delete()
        OutgoingMessage.objects.filter(user=locked, submission__isnull=True).delete()
        OutgoingMessage.objects.filter(ours).update(user=None, recipient=REMOVED_RECIPIENT)
        for submission in submissions:
            submission.user = None
            submission.contact_email = submission.contact_name = submission.contact_phone = ""
            submission.contact_address = {}
            submission.detached_at = now
            # The save re-writes the case's search entry: it no longer finds the account.
            submission.save(
                update_fields=[
                    "user",
                    "contact_email",
                    "contact_name",
                    "contact_phone",
                    "contact_address",
                    "detached_at",
                ]
            )
        EmailAddress.objects.filter(user=locked).delete()
        NotificationPreference.objects.filter(user=locked).delete()
        Authenticator.objects.filter(user=locked).delete()
        for session in UserSession.objects.filter(user=locked):
            session.end()
        locked.email = f"deleted-{locked.pk}@{DELETED_EMAIL_DOMAIN}"
        locked.full_name = ""
        locked.phone = ""
        locked.address = {}
        locked.language = ""
        locked.undeliverable = {}
        locked.is_active = False
        locked.set_unusable_password()
        locked.save()
        locked.groups.clear()
        summary = (
            f"Account deleted by its owner: {len(submissions)} requests kept without their "
            f"details, {len(drafts)} unfinished forms deleted"
        )
        LogEntry.objects.create(
            user=locked,
            content_type=ContentType.objects.get_for_model(user_model),
            object_id=str(locked.pk),
            object_repr=f"user {locked.pk}",
            action_flag=DELETION,
            change_message=summary,
        )
    logger.info(
        "account_deleted", user_id=user.pk, requests_kept=len(submissions), drafts=len(drafts)
    )
