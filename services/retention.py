"""Retention of closed cases: once a case has been closed for its service's retention period
(Service.retention_days, else SUBMISSION_RETENTION_DAYS), the daily task anonymises it.

Anonymised, not deleted, because the row is referred to by what must outlive it: the access log
("who saw my data?" must still be answerable, and its rows are never deleted by the portal), the
back office's record (the delivery keeps the back office's reference) and the council's counts
of requests per service. What made it personal goes, in one transaction per case: the answers,
the resident's link and contact details, the facts drawn from the answers (UPRN, place), the
uploaded files (bytes and rows), the search index's entry, the centre's notes and logged
contacts, the texts of its status updates (the statuses and their dates stay), the excerpts of
its delivery attempts and notes on its deliveries, and every message sent about it.

A case is left alone, whatever its age, while it is open (a reopened case starts its clock
again when it closes), while any of its deliveries still has work to do or has failed without
someone resolving it (Delivery.State DELIVERED, RESOLVED and CANCELLED are finished), and while
any message about it is still waiting to be sent.

The clock starts when the case was closed: the last status update that changed it (from a back
office or staff), or when it was made if none did. Files may go sooner: their bytes are kept
SUBMISSION_FILE_RETENTION_DAYS after the case was made (services/file_retention.py), whatever
its state; this task then removes the rows those leave behind.

Safe to run twice at once: each case is locked before it is changed, a case another run holds is
skipped (it is that run's), and the conditions are checked again under the lock. A file's bytes
are deleted inside the case's transaction before its row: if the transaction then fails, the
case is untouched and the next run deletes the (already missing) bytes again without error.
Each run writes a RetentionRun row with counts per service, never a reference or a word of a
case; logs carry the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from services.models import (
    Attempt,
    CaseActivity,
    CaseMessage,
    CaseUpdate,
    Delivery,
    OutgoingMessage,
    OutgoingUpdate,
    RetentionRun,
    Service,
    Submission,
    SubmissionFile,
)
from services.updates.apply import CLOSED_STATUSES

logger = structlog.get_logger(__name__)

BATCH_SIZE = 200
# Delivery states after which nothing more will be sent for the case.
FINISHED_DELIVERY_STATES = (
    Delivery.State.DELIVERED,
    Delivery.State.RESOLVED,
    Delivery.State.CANCELLED,
)
UNSENT_UPDATE_STATES = (
    OutgoingUpdate.State.PENDING,
    OutgoingUpdate.State.IN_FLIGHT,
    OutgoingUpdate.State.RETRYING,
)
UNSENT_MESSAGE_STATES = (
    OutgoingMessage.State.PENDING,
    OutgoingMessage.State.SENDING,
    OutgoingMessage.State.RETRYING,
)


def closed_at() -> Coalesce:
    """When each case was closed, as an annotation: the last status update that changed it, or
    its creation if none did (a case closed by hand in the admin)."""
    last_change = (
        CaseUpdate.objects.filter(submission=OuterRef("pk"), applied=True)
        .order_by()
        .values("submission")
        .annotate(at=Max("received_at"))
        .values("at")
    )
    return Coalesce(Subquery(last_change, output_field=DateTimeField()), F("created_at"))


def closed_cases(service: Service) -> QuerySet[Any]:
    """The service's closed cases not anonymised yet, each with its `closed_at`. (Typed Any: the
    type checker cannot follow annotations through a function's return.)"""
    return Submission.objects.filter(
        service=service, status__in=CLOSED_STATUSES, anonymised_at__isnull=True
    ).annotate(closed_at=closed_at())


def with_pending_work(cases: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate whether each case still has a delivery or a message to finish: never touched.
    A resident's reply still on its way to a back office counts as its delivery's work."""
    unsent_update = OutgoingUpdate.objects.filter(
        delivery=OuterRef("pk"), state__in=UNSENT_UPDATE_STATES
    )
    unfinished_delivery = (
        Delivery.objects.filter(submission=OuterRef("pk"))
        .annotate(update_pending=Exists(unsent_update))
        .filter(~Q(state__in=FINISHED_DELIVERY_STATES) | Q(update_pending=True))
    )
    unsent_message = OutgoingMessage.objects.filter(
        submission=OuterRef("pk"), state__in=UNSENT_MESSAGE_STATES
    )
    return cases.annotate(
        delivery_pending=Exists(unfinished_delivery), message_pending=Exists(unsent_message)
    )


def expired_cases(service: Service, now: datetime) -> QuerySet[Any]:
    """The service's closed cases whose retention period ended by `now` and that retention may
    anonymise now (nothing left to deliver or send)."""
    cutoff = now - timedelta(days=service.retention_period_days)
    return with_pending_work(closed_cases(service).filter(closed_at__lt=cutoff)).filter(
        delivery_pending=False, message_pending=False
    )


@dataclass
class _Outcome:
    anonymised: int = 0
    skipped: int = 0
    files_not_deleted: int = 0


def apply_retention(
    now: datetime | None = None, *, storage: Storage | None = None, batch_size: int = BATCH_SIZE
) -> RetentionRun:
    """Anonymise every case whose retention period has ended, service by service; returns the
    run's record. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    storage = storage or default_storage
    run = RetentionRun.objects.create(started_at=timezone.now())
    total = _Outcome()
    per_service: dict[str, int] = {}
    for service in Service.objects.order_by("pk"):
        outcome = _apply_to_service(service, now, storage, batch_size)
        if outcome.anonymised:
            per_service[service.slug] = outcome.anonymised
        total.anonymised += outcome.anonymised
        total.skipped += outcome.skipped
        total.files_not_deleted += outcome.files_not_deleted
    run.finished_at = timezone.now()
    run.anonymised = total.anonymised
    run.per_service = per_service
    run.skipped = total.skipped
    run.files_not_deleted = total.files_not_deleted
    run.save()
    logger.info(
        "retention_applied",
        run_id=run.pk,
        anonymised=total.anonymised,
        per_service=per_service,
        skipped=total.skipped,
        files_not_deleted=total.files_not_deleted,
    )
    return run


def _apply_to_service(
    service: Service, now: datetime, storage: Storage, batch_size: int
) -> _Outcome:
    outcome = _Outcome()
    after = 0
    while True:
        batch = list(
            expired_cases(service, now)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return outcome
        after = batch[-1]
        for submission_id in batch:
            result = _anonymise(service, submission_id, now, storage)
            if result == "anonymised":
                outcome.anonymised += 1
            elif result == "skipped":
                outcome.skipped += 1
            elif result == "files":
                outcome.files_not_deleted += 1


def _anonymise(service: Service, submission_id: int, now: datetime, storage: Storage) -> str:
    """Anonymise one case under its row lock; says what happened ("anonymised", "skipped":
    another run holds it or it no longer qualifies, "files": storage kept a file)."""
    with transaction.atomic():
        submission = (
            expired_cases(service, now)
            .filter(pk=submission_id)
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if submission is None:
            return "skipped"
        files = list(SubmissionFile.objects.filter(submission=submission).order_by("pk"))
        for file_row in files:
            try:
                storage.delete(file_row.storage_name)  # no error if already gone
            except OSError as exc:
                # Leave the whole case for the next run rather than half of it now.
                logger.warning(
                    "retention_file_not_deleted",
                    file_id=file_row.pk,
                    error_class=type(exc).__name__,
                )
                transaction.set_rollback(True)
                return "files"
        SubmissionFile.objects.filter(submission=submission).delete()
        CaseActivity.objects.filter(submission=submission).delete()
        # Questions and the resident's replies: their words go, and with them where they went.
        CaseMessage.objects.filter(submission=submission).delete()
        CaseUpdate.objects.filter(submission=submission).update(
            description="", public_text_en="", public_text_cy=""
        )
        Attempt.objects.filter(delivery__submission=submission).update(excerpt="")
        Delivery.objects.filter(submission=submission).update(resolution_note="")
        OutgoingMessage.objects.filter(submission=submission).delete()
        routed = bool((submission.routing_decision or {}).get("routed"))
        submission.answers = {}
        submission.user = None
        submission.contact_email = submission.contact_name = submission.contact_phone = ""
        submission.contact_address = {}
        submission.uprn = ""
        submission.latitude = submission.longitude = None
        submission.routing_decision = {"routed": routed}
        submission.anonymised_at = now
        # The save re-writes the case's search entry from what is left: nothing to find it by.
        submission.save(
            update_fields=[
                "answers",
                "user",
                "contact_email",
                "contact_name",
                "contact_phone",
                "contact_address",
                "uprn",
                "latitude",
                "longitude",
                "routing_decision",
                "anonymised_at",
            ]
        )
    return "anonymised"


# --- What will be anonymised next (the staff retention page) ------------------------------------

SEE_RETENTION = "services.view_retentionrun"


def may_see_retention(user: Any) -> bool:
    """Who may open the retention page: council staff holding its permission (system admins and
    the data protection officer, portal/accounts/roles.py), so never on a password alone."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm(SEE_RETENTION)
        and user.is_council_staff
    )


def recent_runs(count: int = 10) -> list[RetentionRun]:
    return list(RetentionRun.objects.order_by("-started_at", "-id")[:count])


@dataclass(frozen=True)
class DueCase:
    reference: str
    closed_on: date
    due_on: date


@dataclass(frozen=True)
class ServiceOutlook:
    service: Service
    period_days: int
    due_now: int  # anonymised at the next run
    due_soon: int  # within the outlook's window after that
    held_back: int  # past their period but waiting for a delivery or message to finish
    next_cases: list[DueCase]


def outlook(
    now: datetime | None = None, *, within_days: int = 30, sample: int = 5
) -> list[ServiceOutlook]:
    """Per service with anything due within `within_days`: how many closed cases the next run
    anonymises, how many follow soon, how many wait for work to finish, and the first few
    references with their dates. References only: no resident's name or answer."""
    now = now or timezone.now()
    rows = []
    for service in Service.objects.order_by("name"):
        period = timedelta(days=service.retention_period_days)
        cases = with_pending_work(closed_cases(service))
        ready = cases.filter(delivery_pending=False, message_pending=False)
        due_now = ready.filter(closed_at__lt=now - period).count()
        horizon = now - period + timedelta(days=within_days)
        due_soon = ready.filter(closed_at__gte=now - period, closed_at__lt=horizon).count()
        held_back = (
            cases.filter(closed_at__lt=now - period)
            .exclude(delivery_pending=False, message_pending=False)
            .count()
        )
        if not (due_now or due_soon or held_back):
            continue
        first = ready.filter(closed_at__lt=horizon).order_by("closed_at", "pk")[:sample]
        next_cases = [
            DueCase(
                reference=case.reference,
                closed_on=timezone.localdate(case.closed_at),
                due_on=timezone.localdate(max(case.closed_at + period, now)),
            )
            for case in first
        ]
        rows.append(
            ServiceOutlook(
                service=service,
                period_days=service.retention_period_days,
                due_now=due_now,
                due_soon=due_soon,
                held_back=held_back,
                next_cases=next_cases,
            )
        )
    return rows
