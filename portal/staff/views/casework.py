"""Adding to a case: an internal note, a logged contact, a question to the resident. One thing
per page, as GOV.UK asks; each saves, then returns to the case's timeline where it now shows.

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
from portal.staff.forms import ContactForm, NoteForm, QuestionForm
from portal.staff.views.reason import ask_for_reason, reason_given
from services.conversations.ask import ask_resident
from services.models import Submission
from services.staff.casework import add_note, log_contact
from services.staff.status import StatusChangeRefused


@dataclass(frozen=True)
class CaseworkPage:
    form_class: type[forms.Form]
    title: Promise
    button: Promise
    done: Promise  # the success message on the timeline
    # (case, staff member, data); may raise StatusChangeRefused, shown as the form's error
    save: Callable[[Submission, Any, dict[str, Any]], object]


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

QUESTION = CaseworkPage(
    form_class=QuestionForm,
    title=_("Ask the resident a question"),
    button=_("Send the question"),
    done=_("Question sent. The case is waiting for the resident’s reply."),
    save=lambda case, by, data: ask_resident(case, by, data["question"]),
)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _casework(request, reference, NOTE)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    return _casework(request, reference, CONTACT)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def question(request: HttpRequest, reference: str) -> HttpResponse:
    return _casework(request, reference, QUESTION)


def _casework(request: HttpRequest, reference: str, page: CaseworkPage) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    form = page.form_class(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            page.save(submission, request.user, form.cleaned_data)
        except StatusChangeRefused as refused:
            form.add_error(None, refused.message)
        else:
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
