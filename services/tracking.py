"""Where a resident follows a request: their account, or for a guest a signed tracking link.

A tracking link carries the reference signed with a salt of its own, so it proves only that we
made it, and only for TRACK_LINK_MAX_AGE. It is only ever sent to the submission's own contact
address (by the status and acknowledgement e-mails, and by portal/dashboard/tracking.py when
the guest asks with their reference and address) or shown to the session that sent the request.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from services.delivery.alerts import absolute_url
from services.models import Submission

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
