"""Guest tracking: a signed, expiring link to one submission, e-mailed to its contact address.

The link carries the reference signed with a salt of its own, so it proves only that we sent it,
and only for TRACK_LINK_MAX_AGE. Asking for a link answers the same way whether or not the
details match, and is rate limited per address and per reference, so the form cannot be used to
find out which references exist or whose they are.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from services.forms.references import normalise_reference
from services.messages.outbox import queue_message
from services.models import Submission

SALT = "dashboard.track"
TRACK_LINK_MAX_AGE = timedelta(days=7)
# allauth's limiter (the one that guards sign-in), with rates of our own rather than allauth's.
RATE_LIMITS = {"track": "5/10m/ip,5/10m/key"}
RATE_LIMIT_MINUTES = 10


class LinkInvalid(Exception):
    """The link was altered, was never ours, or its submission no longer exists."""


class LinkExpired(LinkInvalid):
    """The link is genuine but older than TRACK_LINK_MAX_AGE."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(submission: Submission) -> str:
    return _signer().sign(submission.reference)


def submission_for_token(token: str) -> Submission:
    """The submission a link is for; raises LinkExpired or LinkInvalid."""
    try:
        reference = _signer().unsign(token, max_age=TRACK_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    submission = (
        Submission.objects.select_related("service", "form_version")
        .filter(reference=reference)
        .first()
    )
    if submission is None:
        raise LinkInvalid
    return submission


def allow_request(request: HttpRequest, reference: str) -> bool:
    """Counts one request for a link; False once this address or reference has had too many."""
    key = normalise_reference(reference) or reference.casefold()[:40]
    usage = ratelimit.consume(request, app="dashboard", action="track", config=RATE_LIMITS, key=key)
    return usage is not None


def find_submission(reference: str, email: str) -> Submission | None:
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    return (
        Submission.objects.select_related("service")
        .filter(reference=canonical, contact_email__iexact=email.strip())
        .first()
    )


def send_link(request: HttpRequest, submission: Submission) -> None:
    """E-mail the link to the address on the submission (queued; the worker sends it)."""
    link = request.build_absolute_uri(
        reverse("dashboard:track_view", args=[make_token(submission)])
    )
    context = {
        "council_name": settings.COUNCIL_NAME,
        "reference": submission.reference,
        "service_name": submission.service.name,
        "link": link,
        "days": TRACK_LINK_MAX_AGE.days,
    }
    subject = " ".join(render_to_string("dashboard/email/track_subject.txt", context).split())
    body = render_to_string("dashboard/email/track_message.txt", context)
    queue_message(
        kind="tracking_link",
        recipient=submission.contact_email,
        subject=subject,
        body=body,
        language=translation.get_language() or "",
    )
