"""The resident answers the council's question, reopens a closed request or says it is not fixed.

Each page works for the signed-in owner (/account/requests/<reference>/...; anyone else's
reference is simply not found) and for a guest through the tracking link we e-mailed them
(/track/<token>/...; the signed token is the proof, as for seeing the request). The forms post
plain HTML (files included), check everything on the server, and show GOV.UK errors; nothing
is saved until all of it is right (services/conversations/resident.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.templatetags.govuk_forms import ErrorLink
from portal.dashboard import tracking
from portal.dashboard.forms import ReopenForm, ReplyForm
from portal.dashboard.views import resident
from portal.journey.uploads import too_big_fields
from services.conversations.resident import Refused, reopen, reply, to_do
from services.forms.references import normalise_reference
from services.models import Submission


class _Place:
    """Where the pages of one request are, for its owner or for a guest's link."""

    def __init__(self, submission: Submission, token: str | None) -> None:
        self.submission = submission
        self.token = token

    def url(self, name: str) -> str:
        if self.token is None:
            return reverse(f"dashboard:{name}", args=[self.submission.reference])
        return reverse(f"dashboard:track_{name}", args=[self.token])

    @property
    def request_page(self) -> str:
        return self.url("view") if self.token else self.url("submission")


def _owned(request: HttpRequest, reference: str) -> _Place:
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("Not a reference")
    submission = get_object_or_404(
        Submission.objects.select_related("service", "user"),
        reference=canonical,
        user=resident(request),
    )
    return _Place(submission, None)


def _guest(request: HttpRequest, token: str) -> _Place | HttpResponse:
    try:
        submission = tracking.submission_for_token(token)
    except tracking.LinkExpired:
        return render(request, "dashboard/track_link_invalid.html", {"expired": True}, status=400)
    except tracking.LinkInvalid:
        return render(request, "dashboard/track_link_invalid.html", {"expired": False}, status=400)
    return _Place(submission, token)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _reply(request, _owned(request, reference))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_reply_page(request: HttpRequest, token: str) -> HttpResponse:
    return _with_guest(request, token, _reply)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reopen_page(request: HttpRequest, reference: str) -> HttpResponse:
    return _reopen(request, _owned(request, reference))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_reopen_page(request: HttpRequest, token: str) -> HttpResponse:
    return _with_guest(request, token, _reopen)


def _with_guest(
    request: HttpRequest, token: str, page: Callable[[HttpRequest, _Place], HttpResponse]
) -> HttpResponse:
    place = _guest(request, token)
    return place if isinstance(place, HttpResponse) else page(request, place)


def _reply(request: HttpRequest, place: _Place) -> HttpResponse:
    submission = place.submission
    if request.method != "POST":
        if not to_do(submission).reply:
            return redirect(place.request_page)
        form = ReplyForm()
    else:
        form = ReplyForm(
            request.POST, request.FILES, too_big="attachments" in too_big_fields(request)
        )
        if form.is_valid():
            try:
                reply(
                    submission,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    files=form.stored,
                )
            except Refused as refused:
                return _refused(request, place, refused, _("Reply to our question"))
            messages.success(
                request, _("Your reply has been sent. We will be in touch if we need more.")
            )
            return redirect(place.request_page)
    return render(
        request,
        "dashboard/reply.html",
        {"submission": submission, "form": form, "action": place.url("reply"), "place": place},
    )


def _refused(request: HttpRequest, place: _Place, refused: Refused, title: str) -> HttpResponse:
    """The request has moved on since the page was shown (answered, reopened, too long
    closed): say so, with the way back to it; nothing was saved."""
    return render(
        request,
        "dashboard/conversation_refused.html",
        {
            "submission": place.submission,
            "place": place,
            "title": title,
            "refused": refused.message,
            "error_links": [ErrorLink(refused.message, "#refused")],
        },
    )


def _reopen(request: HttpRequest, place: _Place) -> HttpResponse:
    submission = place.submission
    can = to_do(submission)
    if not can.reopen and request.method != "POST":
        return redirect(place.request_page)
    form = ReopenForm(request.POST if request.method == "POST" else None, not_fixed=can.not_fixed)
    if request.method == "POST" and form.is_valid():
        try:
            reopen(
                submission,
                author=request.user,
                kind=form.chosen_kind,
                text=form.cleaned_data["text"],
            )
        except Refused as refused:
            return _refused(request, place, refused, _("Reopen your request"))
        messages.success(request, _("Your request has been reopened. We will look at it again."))
        return redirect(place.request_page)
    return render(
        request,
        "dashboard/reopen.html",
        {"submission": submission, "form": form, "action": place.url("reopen"), "place": place},
    )
