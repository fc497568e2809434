"""Guest tracking: ask for a link with reference and e-mail address; open the link to see it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.dashboard import tracking
from portal.dashboard.forms import TrackForm
from portal.dashboard.request_page import request_page_context


@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            reference, email = form.cleaned_data["reference"], form.cleaned_data["email"]
            refused = tracking.refuse_request(request, reference, email)
            if refused is None:
                submission = tracking.find_submission(reference, email)
                if submission is not None:
                    tracking.send_link(request, submission)
                # The same answer either way: the page must not tell anyone what exists.
                return redirect("dashboard:track_sent")
            form.add_error(None, refused.message)
            status = 429
    else:
        form = TrackForm()
    return render(request, "dashboard/track.html", {"form": form}, status=status)


@require_safe
def track_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/track_sent.html")


@never_cache
@require_safe
def track_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        submission = tracking.submission_for_token(token)
    except tracking.LinkExpired:
        return render(request, "dashboard/track_link_invalid.html", {"expired": True}, status=400)
    except tracking.LinkInvalid:
        return render(request, "dashboard/track_link_invalid.html", {"expired": False}, status=400)
    return render(
        request,
        "dashboard/submission.html",
        {**request_page_context(submission, guest_view=True), "token": token},
    )
