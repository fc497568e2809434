"""Adding to a case: an internal note, a logged contact. One thing per page, as GOV.UK asks;
each saves, then returns to the case's timeline where it now shows."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.staff.access import visible_case, workspace_view
from portal.staff.forms import ContactForm, NoteForm
from portal.staff.views.reason import ask_for_reason, reason_given
from services.staff.casework import add_note, log_contact


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def note(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        add_note(submission, request.user, form.cleaned_data["text"])
        messages.success(request, _("Note added"))
        return redirect("staff:case_timeline", submission.reference)
    return render(
        request,
        "staff/case_note.html",
        {"submission": submission, "form": form, "active": "cases"},
    )


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        log_contact(
            submission,
            request.user,
            kind=data["kind"],
            outcome=data["outcome"],
            text=data["text"],
        )
        messages.success(request, _("Contact logged"))
        return redirect("staff:case_timeline", submission.reference)
    return render(
        request,
        "staff/case_contact.html",
        {"submission": submission, "form": form, "active": "cases"},
    )
