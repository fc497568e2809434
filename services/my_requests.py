"""A signed-in resident's own requests: which are open, closed or waiting for their reply, how
many of each, what has happened to one, and what happens next and by when.

The domain's one reading of "your requests" for the resident's pages (portal/dashboard). Every
list and count starts from the resident's own submissions, so another person's request is never
counted or listed; guests' requests (no account) are never listed either: a guest follows theirs
by tracking link, whose page reads its timeline and next steps here like an account holder's.

Closed means one of the statuses `services.updates.apply` treats as closed (CLOSED_STATUSES, the
one owner of that rule); "needs your reply" is the NEEDS_INFORMATION status, which is also open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from services.models import CaseUpdate, Submission
from services.updates.apply import CLOSED_STATUSES
from services.working_days import add_working_days, working_days_between

Status = Submission.Status


class Show(StrEnum):
    """Which of their requests the resident asked to see (the list's `show` parameter)."""

    ALL = "all"
    OPEN = "open"
    NEEDS_REPLY = "needs-reply"
    CLOSED = "closed"

    @classmethod
    def parse(cls, value: str | None) -> Show:
        """The choice named by `value`; anything else (absent, mistyped, junk) shows all."""
        try:
            return cls(value or cls.ALL)
        except ValueError:
            return cls.ALL


_CONDITIONS: dict[Show, Q] = {
    Show.ALL: Q(),
    Show.OPEN: ~Q(status__in=CLOSED_STATUSES),
    Show.NEEDS_REPLY: Q(status=Status.NEEDS_INFORMATION),
    Show.CLOSED: Q(status__in=CLOSED_STATUSES),
}


def is_closed(submission: Submission) -> bool:
    return submission.status in CLOSED_STATUSES


def requests_of(user: Any, show: Show = Show.ALL) -> QuerySet[Submission]:
    """The resident's requests that `show` picks, newest first, each with its service.

    Ordered by the submission_user_recent index (user, -created_at); the id breaks ties so a page
    boundary never moves between two requests sent in the same instant.
    """
    return (
        Submission.objects.filter(_CONDITIONS[show], user=user)
        .select_related("service")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class RequestCounts:
    all: int
    open: int
    needs_reply: int
    closed: int

    def of(self, show: Show) -> int:
        return int(getattr(self, show.name.lower()))


def request_counts(user: Any) -> RequestCounts:
    """How many of the resident's requests each choice shows, in one query."""
    totals = Submission.objects.filter(user=user).aggregate(
        **{
            show.name.lower(): Count("id", filter=condition)
            for show, condition in _CONDITIONS.items()
        }
    )
    return RequestCounts(**{name: int(value or 0) for name, value in totals.items()})


@dataclass(frozen=True)
class TimelineEntry:
    """One change of status as the resident reads it: the status, the council's message about
    it in the page's language ("" if it said nothing more than the status), and when."""

    status: str
    status_label: str
    message: str
    at: datetime


def timeline(submission: Submission) -> list[TimelineEntry]:
    """The updates that changed the request's status, newest first (one query, or none if
    `case_updates` was prefetched).

    The message is the one residents see (CaseUpdate.resident_text: a back office's status in the
    words the council chose for it, or the officer's public message), in the language of the page
    being rendered; the back office's own notes are for staff and never here.
    """
    entries = []
    for update in sorted(
        (u for u in submission.case_updates.all() if u.applied and u.portal_status),
        key=lambda u: (u.occurred_at, u.pk),
        reverse=True,
    ):
        label = str(Status(update.portal_status).label)
        message = update.resident_text
        entries.append(
            TimelineEntry(
                status=update.portal_status,
                status_label=label,
                message="" if message == label else message,
                at=update.occurred_at,
            )
        )
    return entries


class Stage(StrEnum):
    """Where the request is, as "What happens next" tells it."""

    NEEDS_REPLY = "needs_reply"  # the council waits for the resident
    ON_TIME = "on_time"  # open, within the service's target time
    LATE = "late"  # open, past the target date
    NO_TARGET = "no_target"  # open, and the service promises no time
    CLOSED = "closed"


@dataclass(frozen=True)
class NextSteps:
    stage: Stage
    target_working_days: int | None  # the service's target, if it has one
    due: date | None  # the date the target gives, counted from the day it was sent
    closed_on: date | None = None  # the day it closed, if an update says when
    took_working_days: int | None = None  # working days from sent to closed


def council_today() -> date:
    """Today in the council's time zone (TIME_ZONE): the day a resident's "by" dates count from."""
    return timezone.localdate()


def next_steps(
    submission: Submission, entries: list[TimelineEntry], today: date | None = None
) -> NextSteps:
    """What happens next on `submission`, as of `today` (the council's today, by default).

    `entries` is its timeline(); the newest change to a closed status says when it closed.
    """
    today = today or council_today()
    target = submission.service.target_working_days
    sent_on = timezone.localdate(submission.created_at)
    region = settings.BANK_HOLIDAYS
    due = add_working_days(sent_on, target, region=region) if target else None
    if is_closed(submission):
        closed_at = next((e.at for e in entries if e.status in CLOSED_STATUSES), None)
        closed_on = timezone.localdate(closed_at) if closed_at else None
        took = working_days_between(sent_on, closed_on, region=region) if closed_on else None
        return NextSteps(Stage.CLOSED, target, due, closed_on, took)
    if submission.status == Status.NEEDS_INFORMATION:
        return NextSteps(Stage.NEEDS_REPLY, target, due)
    if due is None:
        return NextSteps(Stage.NO_TARGET, None, None)
    return NextSteps(Stage.LATE if today > due else Stage.ON_TIME, target, due)


def question_for_resident(entries: list[TimelineEntry]) -> str:
    """What the council asked, when it is waiting for the resident's reply: the message of the
    newest change to "needs your reply" ("" if it said nothing more)."""
    return next((e.message for e in entries if e.status == Status.NEEDS_INFORMATION), "")


def with_timeline(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """`queryset` with what the request page reads fetched with it: its service, its form
    version (for its answers), its status updates and its files, one query each."""
    return queryset.select_related("service", "form_version").prefetch_related(
        "files",
        Prefetch(
            "case_updates",
            # Only what the resident may see is fetched at all: the back office's notes stay.
            queryset=CaseUpdate.objects.filter(applied=True).only(
                "id",
                "submission_id",
                "portal_status",
                "public_text_en",
                "public_text_cy",
                "occurred_at",
                "applied",
            ),
        ),
    )
