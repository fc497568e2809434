"""The workspace's case search: one box plus filters, within what the user may see.

The box is compared with every kind of fact a caller might read out (see CaseIndex): the
reference exactly, and names, e-mail addresses, phone numbers, postcodes, UPRNs and address
text as parts. Each comparison is on one indexed column, so PostgreSQL answers the whole OR from
its trigram indexes (a BitmapOr); SQLite (`make run`) scans, which its demo data allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from services.forms.references import normalise_reference
from services.models import Delivery, Submission
from services.staff.normalise import phone_key, postcode_key, text_key
from services.staff.scope import cases_visible_to

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
    # The reference's own unique index; read out any way ("k7wp 3xmr"), it has one spelling.
    reference = normalise_reference(text)
    condition = Q(reference=reference) if reference is not None else Q(pk__in=[])
    lowered = text_key(text)
    if "@" in text:
        condition |= Q(search_index__emails__contains=lowered)
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
