"""The workspace's case search: one box plus filters, within what the user may see.

The box is compared with every kind of fact a caller might read out (see CaseIndex): the
reference exactly, and names, e-mail addresses, phone numbers, postcodes, UPRNs and address
text as parts. Each comparison is on one indexed column, so PostgreSQL answers the whole OR from
its trigram indexes (a BitmapOr); SQLite (`make run`) scans, which its demo data allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.postgres.lookups import DataContains
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value

from services.forms.references import normalise_reference
from services.models import Delivery, Submission
from services.models.case_index import email_list
from services.staff.normalise import phone_key, postcode_key, text_key
from services.staff.scope import cases_visible_to

# Cases on one page of results (the workspace's search page, and `make bench-search`).
PAGE_SIZE = 25
# A search page counts its matches up to this many: past it the count says "more than", which
# is all a person paging through results can use, and counting every match of a broad filter
# over a million cases would cost more than the rest of the page (`make bench-search`).
COUNT_LIMIT = 1000
# Shorter text matches too much to be useful, and trigram indexes cannot serve it.
MIN_PART_LENGTH = 3
MAX_QUERY_LENGTH = 200

# delivery state filter -> the deliveries a case must have one of
DELIVERY_STATES: dict[str, tuple[str, ...]] = {
    "delivered": (Delivery.State.DELIVERED, Delivery.State.RESOLVED),
    "retrying": (Delivery.State.PENDING, Delivery.State.IN_FLIGHT, Delivery.State.RETRYING),
    "failed": (Delivery.State.FAILED,),
}

# sort key -> ordering; the last field breaks ties so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "reference": ("reference",),
    "service": ("service__name", "-created_at", "-id"),
    "status": ("status", "-created_at", "-id"),
}


@dataclass(frozen=True)
class CaseQuery:
    text: str = ""
    service_id: int | None = None
    status: str = ""
    channel: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    delivery: str = ""
    sort: str = "newest"


def text_condition(text: str) -> Q:
    """What the search box matches. Empty text matches every case; text that is no kind of
    fact matches none (never every case: a typo must not list the whole centre's work)."""
    text = text.strip()
    if not text:
        return Q()
    # Read out any way ("k7wp 3xmr"), a reference has one spelling: looked up once in its own
    # unique index (a subquery PostgreSQL runs first), then compared with the index row's key.
    # Compared with the submission's own column instead, the OR would span two tables, which
    # no index serves: every search for reference-shaped text ("Campbell" is one) would read
    # every case (over a second at a million; `make bench-search`).
    reference = normalise_reference(text)
    condition = (
        Q(search_index__submission_id=_case_id(reference))
        if reference is not None
        else Q(pk__in=[])
    )
    lowered = text_key(text)
    if "@" in text:
        condition |= email_condition(lowered)
    if (phone := phone_key(text)) is not None:
        condition |= Q(search_index__phones__contains=phone)
    if (postcode := postcode_key(text)) is not None:
        condition |= Q(search_index__postcodes__contains=postcode)
    if text.isdigit():
        condition |= Q(search_index__uprns__contains=text)
    if len(lowered) >= MIN_PART_LENGTH and "@" not in text:
        condition |= Q(search_index__names__contains=lowered)
        condition |= Q(search_index__addresses__contains=lowered)
    return condition


def email_condition(email: str) -> Q:
    """Cases with this whole e-mail address among theirs (a part of one finds nothing: someone
    else's address may contain it). On PostgreSQL, from the GIN index of the address lists
    (CaseIndex.email_list); on SQLite (`make run`), as words of the text."""
    if connection.vendor == "postgresql":
        # string_to_array is not strict (a NULL in, not always a NULL out), so PostgreSQL cannot
        # tell on its own that this rules out cases without an index row, and would join every
        # case before comparing: saying so lets it start from the index.
        return Q(search_index__emails__isnull=False) & Q(
            DataContains(email_list("search_index__emails"), Value([email]))
        )
    column = "search_index__emails"
    return (
        Q(**{column: email})
        | Q(**{f"{column}__startswith": f"{email} "})
        | Q(**{f"{column}__endswith": f" {email}"})
        | Q(**{f"{column}__contains": f" {email} "})
    )


def _case_id(reference: str) -> Subquery:
    return Subquery(Submission.objects.filter(reference=reference).values("pk")[:1])


def search_cases(user: Any, query: CaseQuery) -> QuerySet[Submission]:
    """The cases the user may see that match, in the chosen order, ready to page."""
    cases = cases_visible_to(user).filter(text_condition(query.text))
    if query.service_id is not None:
        cases = cases.filter(service_id=query.service_id)
    if query.status:
        cases = cases.filter(status=query.status)
    if query.channel:
        cases = cases.filter(channel=query.channel)
    if query.submitted_from is not None:
        cases = cases.filter(created_at__date__gte=query.submitted_from)
    if query.submitted_to is not None:
        cases = cases.filter(created_at__date__lte=query.submitted_to)
    if query.delivery:
        states = DELIVERY_STATES[query.delivery]
        cases = cases.filter(
            Exists(Delivery.objects.filter(submission=OuterRef("pk"), state__in=states))
        )
    return cases.select_related("service", "user").order_by(*SORTS[query.sort])


class SearchPaginator(Paginator):
    """Pages of search results, counting at most COUNT_LIMIT of them: the pages go as far as
    that, and `more_than_counted` says when there were more (narrow the search to see them).

    The count reads the matching cases' ids (up to COUNT_LIMIT + 1), not just their number:
    when they are all known, a page is read by id. Read by the search's own conditions with a
    small LIMIT instead, PostgreSQL may expect a few of its guessed hundreds of matches to turn
    up soon along the date index, and walk a million cases to find the one there is (seconds;
    `make bench-search`). Two queries either way."""

    @cached_property
    def _matching_ids(self) -> list[int]:
        # Unordered: finding them needs no order, which could lead to the same walk by date.
        # With a status filter, PostgreSQL finds them in id order from indexes alone instead
        # (Submission.Meta's submission_status_by_id; tests/portal/staff/test_search_plans.py).
        return list(self._cases.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])

    @property
    def _cases(self) -> QuerySet[Submission]:
        return self.object_list  # type: ignore[return-value]

    @cached_property
    def count(self) -> int:
        return min(len(self._matching_ids), COUNT_LIMIT)

    @property
    def more_than_counted(self) -> bool:
        return len(self._matching_ids) > COUNT_LIMIT

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        cases = self._cases
        if not self.more_than_counted:
            cases = cases.filter(pk__in=self._matching_ids)
        return Page(cases[bottom:top], number, self)
