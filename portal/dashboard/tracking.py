"""Guest tracking: find a request by its reference and postcode; a signed, expiring link shows it.

How links are made and read, and which request a reference and postcode name, are
services/tracking.py's: status e-mails carry the same links. Asking is rate limited per client
and per reference whether or not the details match, and the misses on one reference are capped
for the day, so the form can be used neither to find out which references exist nor to try one
reference against every postcode of a district.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.core import ratelimit
from services.forms.references import normalise_reference
from services.models import Submission
from services.my_requests import with_timeline
from services.tracking import LinkExpired, LinkInvalid, make_token, reference_for_token

__all__ = ["LinkExpired", "LinkInvalid", "make_token", "submission_for_token"]

# Every try, matching or not: per client and per reference, against guessing.
TRACK_PER_CLIENT = ratelimit.Limit("track:client", "5/10m")
TRACK_PER_REFERENCE = ratelimit.Limit("track:reference", "5/10m")
# Tries that did not match, per reference and day: ten minutes' wait alone would still let
# someone who has a reference try a few hundred postcodes a day.
TRACK_MISSES_PER_REFERENCE = ratelimit.Limit(
    "track:reference-misses",
    "10/d",
    _("You have tried too many times with this reference number. Try again tomorrow."),
)


def submission_for_token(token: str) -> Submission:
    """The submission a link is for; raises LinkExpired or LinkInvalid."""
    reference = reference_for_token(token)
    submission = with_timeline(Submission.objects.filter(reference=reference)).first()
    if submission is None:
        raise LinkInvalid
    return submission


def _reference_key(reference: str) -> str:
    return normalise_reference(reference) or reference.casefold()[:40]


def refuse_try(request: HttpRequest, reference: str) -> ratelimit.Refused | None:
    """Counts one try; Refused once this client or reference has had too many, or the reference
    has missed too often today. Counted whether or not the details match, so a refusal says
    nothing about what exists."""
    key = _reference_key(reference)
    return ratelimit.use_all(
        request, [(TRACK_PER_CLIENT, ratelimit.CLIENT), (TRACK_PER_REFERENCE, key)]
    ) or ratelimit.peek(request, TRACK_MISSES_PER_REFERENCE, key)


def count_miss(request: HttpRequest, reference: str) -> None:
    """A try whose details matched no request: it counts towards the reference's daily cap."""
    ratelimit.use(request, TRACK_MISSES_PER_REFERENCE, _reference_key(reference))
