"""Adding to a case: an internal note, a logged contact. One thing per page, as GOV.UK asks;
each saves, then returns to the case's timeline where it now shows.

Both pages have one shape (`CaseworkPage`, templates/staff/case_form.html): only their form,
their words and what saving does differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.staff.access import visible_case, workspace_view
from portal.staff.forms import ContactForm, NoteForm
from portal.staff.views.reason import ask_for_reason, reason_given
from services.models import Submission
from services.staff.casework import add_note, log_contact


@dataclass(frozen=True)
class CaseworkPage:
    form_class: type[forms.Form]
    title: Promise
    button: Promise
    done: Promise  # the success message on the timeline
    save: Callable[[Submission, Any, dict[str, Any]], object]  # (case, staff member, data)


NOTE = CaseworkPage(
    form_class=NoteForm,
    title=_("Add a note"),
    button=_("Add the note"),
    done=_("Note added"),
    save=lambda case, by, data: add_note(case, by, data["text"]),
)
CONTACT = CaseworkPage(
    form_class=ContactForm,
    title=_("Log a contact"),
    button=_("Log the contact"),
    done=_("Contact logged"),
    save=lambda case, by, data: log_contact(
        case, by, kind=data["kind"], outcome=data["outcome"], text=data["text"]
    ),
)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _casework(request, reference, NOTE)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    return _casework(request, reference, CONTACT)


def _casework(request: HttpRequest, reference: str, page: CaseworkPage) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    form = page.form_class(request.POST if request.method == "POST" else None)
    if form.is_valid():
        page.save(submission, request.user, form.cleaned_data)
        messages.success(request, str(page.done))
        return redirect("staff:case_timeline", submission.reference)
    return render(
        request,
        "staff/case_form.html",
        {
            "submission": submission,
            "form": form,
            "title": page.title,
            "button": page.button,
            "active": "cases",
        },
    )
