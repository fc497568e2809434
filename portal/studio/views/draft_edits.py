"""Saving one edit of a draft from a form builder page, the same way on every page.

`drafts.apply_edit` saves the edit (and its change log entry) or refuses it, saving nothing.
A refusal is shown where the page shows problems: its form's error summary (`on_form`), the
draft page's (form.py `on_draft_page`) or a delete confirmation's (`confirm_delete`).
A saved edit is said in a success message, then what the edit's notes tell (options a change
of type dropped, a page removed because it was left empty), and the page goes on to where the
change is seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.studio import drafts
from portal.studio.access import SERVICES
from portal.studio.views import studio_page
from services.forms.edits import Edited, EditError
from services.models import FormVersion, Service

# What a refusal gives back: None to render the page's own form with the refusals on it, or a
# response of its own (the draft page). Bound, so a page whose refusals always answer
# with a response gets a response from `try_edit`, not an Optional.
AfterRefusal = TypeVar("AfterRefusal", bound=HttpResponse | None)


def try_edit(
    request: HttpRequest,
    draft: FormVersion,
    edit: drafts.Edit,
    what: str,
    *,
    to: str | Callable[[Edited], str],
    refused: Callable[[list[str]], AfterRefusal],
    notes: Callable[[HttpRequest, str], None] = messages.info,
) -> HttpResponse | AfterRefusal:
    """Save `edit` (recorded as `what`), then say `what` and redirect `to` (a URL, or one made
    from the edit, for a page or question it made); if refused, what `refused` makes of the
    reasons. `notes`: the level the edit's notes are told at."""
    try:
        edited = drafts.apply_edit(request.user, draft, edit, what)
    except EditError as error:
        return refused(error.errors)
    messages.success(request, what)
    for note in edited.notes:
        notes(request, note)
    return redirect(to(edited) if callable(to) else to)


def confirm_delete(
    request: HttpRequest,
    service: Service,
    draft: FormVersion,
    edit: drafts.Edit,
    what: str,
    *,
    to: str,
    title: str,
    warning: str,
    cancel_url: str,
) -> HttpResponse:
    """ "Delete this?" for a page or a question of the draft (GET: `title`, `warning`, and Yes
    or `cancel_url`); Yes (POST) saves the deleting `edit` through `try_edit`, its refusals
    listed in this page's error summary."""
    problems: list[str] = []
    if request.method == "POST":
        done = try_edit(request, draft, edit, what, to=to, refused=problems.extend)
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/confirm_delete.html",
        {
            "service": service,
            "title": title,
            "warning": warning,
            "problems": problems,
            "cancel_url": cancel_url,
        },
        section=SERVICES,
    )


def on_form(form: BaseForm) -> Callable[[list[str]], None]:
    """Refusals in the form's error summary: they concern the form as a whole."""

    def show(errors: list[str]) -> None:
        for message in errors:
            form.add_error(None, message)

    return show
