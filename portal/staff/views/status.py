"""Changing a case's status with a message to the resident (services/staff/status.py decides
and applies it). The page shows the case's reference, service and status, and no one's personal
data; the timeline it returns to records its own view."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.staff.access import visible_case, workspace_view
from portal.staff.forms import StatusChangeForm
from portal.staff.views.reason import ask_for_reason, reason_given
from services.notifications.residents import language_for
from services.staff.status import StatusChangeRefused, change_status


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def change(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    form = StatusChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = change_status(
                submission,
                request.user,
                status=data["status"],
                message=data["message"],
                note=data["note"],
            )
        except StatusChangeRefused as refused:
            form.add_error("status", refused.message)
        else:
            # The resident may have chosen no messages about status changes, or have no address
            # we can reach: the agent should know which.
            done = (
                _("Status changed to ‘%(status)s’. The resident has been told.")
                if change.resident_told
                else _(
                    "Status changed to ‘%(status)s’. The resident gets no messages about this "
                    "(their choice, or we cannot reach them): they will see it on their request "
                    "page."
                )
            )
            messages.success(request, done % {"status": submission.get_status_display()})
            return redirect("staff:case_timeline", submission.reference)
    return render(
        request,
        "staff/case_status.html",
        {
            "submission": submission,
            "form": form,
            "language": _language_name(language_for(submission)),
            "title": _("Change the status"),
            "button": _("Change the status and tell the resident"),
            "active": "cases",
        },
    )


def _language_name(code: str) -> str:
    """The resident's language as staff read it ("Welsh"), so they can write the message in it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
