"""Guest tracking: a signed, expiring link to one submission, e-mailed to its contact address.

How links are made and read is services/tracking.py's: status e-mails carry them too. Asking
for a link answers the same way whether or not the details match, and is rate limited per address
and per reference, so the form cannot be used to find out which references exist or whose they
are.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from portal.core import ratelimit
from services.forms.references import normalise_reference
from services.messages.outbox import queue_message
from services.models import Submission
from services.my_requests import with_timeline
from services.tracking import (
    TRACK_LINK_MAX_AGE,
    LinkExpired,
    LinkInvalid,
    make_token,
    reference_for_token,
    track_path,
)

__all__ = ["LinkExpired", "LinkInvalid", "make_token", "submission_for_token"]

# Asking for a link, matching or not: per client and per reference, against guessing.
TRACK_PER_CLIENT = ratelimit.Limit("track:client", "5/10m")
TRACK_PER_REFERENCE = ratelimit.Limit("track:reference", "5/10m")


def submission_for_token(token: str) -> Submission:
    """The submission a link is for; raises LinkExpired or LinkInvalid."""
    reference = reference_for_token(token)
    submission = with_timeline(Submission.objects.filter(reference=reference)).first()
    if submission is None:
        raise LinkInvalid
    return submission


def refuse_request(request: HttpRequest, reference: str, email: str) -> ratelimit.Refused | None:
    """Counts one request for a link; Refused once this client or reference has had too many, or
    the address typed has been sent too much. Counted whether or not the details match, so a
    refusal says nothing about what exists."""
    key = normalise_reference(reference) or reference.casefold()[:40]
    return ratelimit.use_all(
        request, [(TRACK_PER_CLIENT, ratelimit.CLIENT), (TRACK_PER_REFERENCE, key)]
    ) or ratelimit.use_mail_to_typed_address(request, email)


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
    link = request.build_absolute_uri(track_path(submission))
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
        submission=submission,
    )
