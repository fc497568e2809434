"""Where a resident follows a request: their account, or for a guest a signed tracking link.

A tracking link carries the reference signed with a salt of its own, so it proves only that we
made it, and only for TRACK_LINK_MAX_AGE. It is only ever sent to the submission's own contact
address (by the status and acknowledgement e-mails), shown to the session that sent the
request, or given to someone who names the request by its reference and its postcode (or, for
a request without an address, its e-mail address or phone number): `find_for_tracking`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from services.delivery.alerts import absolute_url
from services.forms.references import normalise_reference
from services.models import Submission
from services.staff.index import index_values
from services.staff.normalise import phone_key, postcode_key

SALT = "dashboard.track"
TRACK_LINK_MAX_AGE = timedelta(days=7)


class LinkInvalid(Exception):
    """The link was altered, was never ours, or its submission no longer exists."""


class LinkExpired(LinkInvalid):
    """The link is genuine but older than TRACK_LINK_MAX_AGE."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(submission: Submission) -> str:
    return _signer().sign(submission.reference)


def reference_for_token(token: str) -> str:
    """The reference a token was made for; raises LinkExpired or LinkInvalid."""
    try:
        return str(_signer().unsign(token, max_age=TRACK_LINK_MAX_AGE))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None


def track_path(submission: Submission) -> str:
    """The path of the guest's page for `submission`, in the active language."""
    return reverse("dashboard:track_view", args=[make_token(submission)])


def resident_link(submission: Submission) -> str:
    """Where an e-mail sends the resident to see the request: the request in their account, or
    for a guest straight to it by a signed link (the e-mail goes to the address on the request,
    the same one a link asked for on the tracking page would go to)."""
    if submission.user_id is not None:
        return absolute_url(reverse("dashboard:submission", args=[submission.reference]))
    return absolute_url(track_path(submission))


def find_for_tracking(reference: str, answer: str) -> Submission | None:
    """The request a caller names by its reference (any case, spaces or dashes) and `answer`:
    a postcode of an address the request carries in any spacing, or, when it carries none,
    the e-mail address or phone number given with it. None when nothing matches, and for a
    request retention anonymised or whose resident deleted their account: neither names its
    resident any more, so neither can be shown to someone who names them.

    The request's postcodes, addresses and numbers are read as the staff search reads them
    (services/staff/index.py), so a caller is matched on what an agent would find them by.
    """
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    submission = (
        Submission.objects.select_related("user", "form_version", "service")
        .filter(reference=canonical, anonymised_at__isnull=True, detached_at__isnull=True)
        .first()
    )
    if submission is None or not _answer_matches(index_values(submission), answer):
        return None
    return submission


def _answer_matches(values: dict[str, str], answer: str) -> bool:
    postcodes = values["postcodes"].split()
    if postcodes:
        return postcode_key(answer) in postcodes
    email = answer.strip().lower()
    phone = phone_key(answer)
    return ("@" in email and email in values["emails"].split()) or (
        phone is not None and phone in values["phones"].split()
    )
