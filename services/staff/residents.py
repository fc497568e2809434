"""Residents as the workspace knows them: finding a person, and what their page shows.

Who a resident is:
- an **account holder** is a user; their cases are those sent while signed in (`user`);
- a **guest** has no account: they are the e-mail address they gave on cases sent without
  signing in, compared without regard to case (`contact_email`, `user` empty). Nothing proves
  two such cases are one person but the address, so a guest is never merged with an account of
  the same address: the account holder proved the address, the guest did not. In URLs and the
  access log a guest is named by one of their cases (its reference), never by the address.
  A caller who gave an agent no e-mail address (only a phone number or a postal address) is
  their one case: nothing at all says two such cases are one person.

Scope: a person is found, and their page opens, only through a case the staff member may see
(services/staff/scope.py `cases_visible_to`): an agent has a reason to see someone when one of
that person's cases is their team's work. The page lists only those cases; it says how many
others the person has, without saying anything about them, so an agent can tell a caller that
another team has their other requests. Unfinished forms follow the same rule by service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from services.models import CaseActivity, Draft, Submission
from services.staff.casework import CONTACT_KINDS
from services.staff.scope import cases_visible_to, services_visible_to
from services.staff.search import text_condition

# A resident page lists at most this many of each; the counts say when there are more.
SHOWN = 50


def cases_of(submission: Submission) -> Q:
    """The cases of the person who sent `submission` (see the module's doc for who that is)."""
    if submission.user_id is not None:
        return Q(user_id=submission.user_id)
    if not submission.contact_email:
        return Q(pk=submission.pk)
    return guest_cases(submission.contact_email)


def guest_cases(email: str) -> Q:
    return Q(user__isnull=True, contact_email__iexact=email)


@dataclass(frozen=True)
class FoundResident:
    """One row of the resident search."""

    user: Any  # None for a guest
    email: str  # "" for a caller who gave none
    case: Submission  # their newest matching case: names a guest, and is what the audit row holds
    cases: int  # how many of their cases matched, within scope
    latest_at: Any

    @property
    def name(self) -> str:
        if self.user is not None:
            return str(self.user.full_name or self.email)
        return self.case.contact_name or self.email

    @property
    def phone(self) -> str:
        return str(self.user.phone if self.user is not None else self.case.contact_phone)

    @property
    def postcode(self) -> str:
        address = self.user.address if self.user is not None else self.case.contact_address
        return str((address or {}).get("postcode") or "") if isinstance(address, dict) else ""


def find_residents(user: Any, text: str) -> QuerySet[Any]:
    """The people whose cases, visible to `user`, match the search box's text: one row each
    (user_id, guest_email, cases, latest_at, latest_id), most recently active first.

    The text is compared exactly as the case search compares it (services/staff/search.py
    `text_condition`: names, e-mail addresses, phone numbers in any UK format, postcodes,
    UPRNs and address words, and references). Empty text finds nobody.
    """
    if not text.strip():
        return Submission.objects.none().values("pk")
    return (
        cases_visible_to(user)
        .filter(text_condition(text))
        .order_by()  # the model's ordering would join the GROUP BY
        .annotate(
            guest_email=Case(
                When(user__isnull=True, then=Lower("contact_email")), default=Value("")
            ),
            # A guest without an e-mail address is their one case (see the module's doc).
            guest_case=Case(When(user__isnull=True, contact_email="", then="pk"), default=None),
        )
        .values("user_id", "guest_email", "guest_case")
        .annotate(cases=Count("pk"), latest_at=Max("created_at"), latest_id=Max("pk"))
        .order_by("-latest_at", "user_id", "guest_email", "guest_case")
    )


def found_residents(rows: Sequence[dict[str, Any]]) -> list[FoundResident]:
    """A page of find_residents' rows with their people and cases: two queries, whatever its
    length."""
    users = get_user_model().objects.in_bulk([row["user_id"] for row in rows if row["user_id"]])
    cases = Submission.objects.select_related("service").in_bulk([row["latest_id"] for row in rows])
    found = []
    for row in rows:
        person = users.get(row["user_id"]) if row["user_id"] else None
        case = cases[row["latest_id"]]
        found.append(
            FoundResident(
                user=person,
                email=person.email if person is not None else case.contact_email,
                case=case,
                cases=row["cases"],
                latest_at=row["latest_at"],
            )
        )
    return found


@dataclass(frozen=True)
class ResidentFile:
    """What a resident's page shows to one staff member."""

    user: Any  # None for a guest
    email: str
    cases: list[Submission]  # within scope, newest first, at most SHOWN
    cases_in_scope: int
    cases_elsewhere: int  # their cases outside the staff member's scope: a number, nothing more
    drafts: list[Draft]  # unfinished forms of services in scope, most recently saved first
    drafts_elsewhere: int
    contacts: list[CaseActivity]  # logged contacts on their cases in scope, newest first
    # A guest's details as they gave them on the case that names them (an account's are its own).
    guest_case: Submission | None = None

    @property
    def name(self) -> str:
        if self.user is not None:
            return str(self.user.full_name or self.email)
        return (self.guest_case.contact_name if self.guest_case else "") or self.email

    @property
    def phone(self) -> str:
        if self.user is not None:
            return str(self.user.phone or "")
        return self.guest_case.contact_phone if self.guest_case else ""

    @property
    def address(self) -> dict[str, Any]:
        address = self.user.address if self.user is not None else None
        if self.user is None and self.guest_case is not None:
            address = self.guest_case.contact_address
        return address if isinstance(address, dict) else {}


def resident_file(
    staff: Any, owner: Q, *, user: Any = None, email: str = "", guest_case: Any = None
) -> ResidentFile:
    """The page of the person whose cases `owner` selects; a fixed number of queries. A guest
    is named by `guest_case`, one of their cases."""
    visible = cases_visible_to(staff).filter(owner)
    counts = Submission.objects.filter(owner).aggregate(
        total=Count("pk"), in_scope=Count("pk", filter=Q(pk__in=visible.values("pk")))
    )
    cases = list(visible.select_related("service").order_by("-created_at", "-pk")[:SHOWN])
    if user is not None:
        drafts_owner = Q(user=user)
    elif email:
        drafts_owner = Q(user__isnull=True, guest_email__iexact=email)
    else:  # a caller without an e-mail address: no unfinished form can be told to be theirs
        drafts_owner = Q(pk__in=[])
    drafts_owned = Draft.objects.filter(drafts_owner, expires_at__gt=timezone.now())
    services = services_visible_to(staff).values("pk")
    draft_counts = drafts_owned.aggregate(
        total=Count("pk"),
        in_scope=Count("pk", filter=Q(form_version__form__service__in=services)),
    )
    drafts = list(
        drafts_owned.filter(form_version__form__service__in=services)
        .select_related("form_version__form__service")
        .order_by("-updated_at")[:SHOWN]
    )
    contacts = list(
        CaseActivity.objects.filter(submission__in=visible.values("pk"), kind__in=CONTACT_KINDS)
        .select_related("author", "submission")
        .order_by("-at", "-pk")[:SHOWN]
    )
    return ResidentFile(
        user=user,
        email=user.email if user is not None else email,
        cases=cases,
        cases_in_scope=counts["in_scope"],
        cases_elsewhere=counts["total"] - counts["in_scope"],
        drafts=drafts,
        drafts_elsewhere=draft_counts["total"] - draft_counts["in_scope"],
        contacts=contacts,
        guest_case=guest_case,
    )
