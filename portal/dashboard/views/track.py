"""Check the progress of a request: its reference and postcode lead to its page.

A match for a guest's request goes to the request's signed tracking link, the page its e-mails
link to; a match for a request made in an account goes to that account's page for it, behind
sign-in. Anything else gets one answer, whichever part was wrong.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.dashboard import tracking
from portal.dashboard.forms import TrackForm
from portal.dashboard.request_page import request_page_context
from services.tracking import find_for_tracking, track_path

NO_MATCH = _("We could not find a request with that reference and postcode")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        reference, answer = form.cleaned_data["reference"], form.cleaned_data["postcode"]
        refused = tracking.refuse_try(request, reference)
        if refused is not None:
            response = render(
                request, "dashboard/track_too_many.html", {"message": refused.message}, status=429
            )
            response["Retry-After"] = str(refused.retry_after)
            return response
        submission = find_for_tracking(reference, answer)
        if submission is None:
            tracking.count_miss(request, reference)
            form.add_error(None, NO_MATCH)
        elif submission.user_id is not None:
            # The owner has an account: the request is shown there, to them, once signed in.
            account_page = reverse("dashboard:submission", args=[submission.reference])
            if request.user.is_authenticated:
                return redirect(account_page)
            return redirect_to_login(account_page)
        else:
            return redirect(track_path(submission))
    return render(request, "dashboard/track.html", {"form": form})


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
