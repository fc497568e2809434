"""The questions of a draft: add (on a page or a new page), edit, change type, move, delete.

Each change is one edit of services/forms/edits.py saved by draft_edits.py `try_edit`; an
EditError is shown in the error summary and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.studio import drafts
from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.question import (
    ChooseTypeForm,
    QuestionForm,
    question_editor,
    type_name,
)
from portal.studio.views import studio_page
from portal.studio.views.draft_edits import confirm_delete, on_form, try_edit
from portal.studio.views.form import choose_type_page, on_draft_page, render_draft
from services.forms import edits
from services.forms.questions import QUESTION_TYPES
from services.models import FormVersion, Service


def draft_url(service: Service, anchor: str = "") -> str:
    url = reverse("studio:draft", args=[service.pk])
    return f"{url}#{anchor}" if anchor else url


def find_question(draft: FormVersion, question_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page holding a draft's question, and the question's JSON; 404 if there is none."""
    for page in draft.schema.get("pages", []):
        for question in page.get("questions", []) if isinstance(page, dict) else []:
            if isinstance(question, dict) and question.get("id") == question_id:
                return page, question
    raise Http404(_("There is no such question in this draft."))


def _label(question: dict[str, Any]) -> str:
    label = question.get("label")
    return str(label.get("en", "")) if isinstance(label, dict) else str(question.get("id"))


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _render_editor(
    request: HttpRequest,
    service: Service,
    form: QuestionForm,
    *,
    title: str,
    button: str,
    question_id: str | None = None,
) -> HttpResponse:
    return studio_page(
        request,
        "studio/question_form.html",
        {
            "service": service,
            "form": form,
            "title": title,
            "button": button,
            "type_name": type_name(form.type),
            "question_id": question_id,
            "back_url": draft_url(service, f"question-{question_id}" if question_id else ""),
        },
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def question_add(request: HttpRequest, service_id: int) -> HttpResponse:
    """Add a question to page `?page=` (or, without one, on a new page at the end): first its
    type, then the editor for that type."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    page_id = request.GET.get("page") or None
    if page_id is not None and not any(
        isinstance(p, dict) and p.get("id") == page_id for p in draft.schema.get("pages", [])
    ):
        raise Http404(_("There is no such page in this draft."))
    type_ = request.GET.get("type")
    if type_ not in QUESTION_TYPES:
        return choose_type_page(
            request,
            service,
            ChooseTypeForm,
            title=_("Add a question"),
            back_url=draft_url(service, f"page-{page_id}" if page_id else ""),
            page_id=page_id,
        )
    form, save = question_editor(type_, _posted(request), existing=None, new_page=page_id is None)
    if save and form.is_valid():
        question = form.question_json()
        if page_id is None:
            title = form.page_title_json()

            def edit(schema: edits.Schema) -> edits.Edited:
                return edits.add_page(schema, question, title=title)

            what = _("Page added, with question “%(label)s”") % {"label": _label(question)}
        else:

            def edit(schema: edits.Schema) -> edits.Edited:
                return edits.add_question(schema, page_id, question)

            what = _("Question “%(label)s” added") % {"label": _label(question)}
        done = try_edit(
            request,
            draft,
            edit,
            what,
            to=lambda edited: draft_url(service, f"question-{edited.question_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return _render_editor(
        request, service, form, title=_("Add a question"), button=_("Add the question")
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, service_id: int, question_id: str) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _page, question = find_question(draft, question_id)
    type_ = str(question.get("type"))
    if type_ not in QUESTION_TYPES:
        raise Http404(_("This question’s type is not known."))
    form, save = question_editor(type_, _posted(request), existing=question, new_page=False)
    if save and form.is_valid():
        changes = form.changes()
        what = _("Question “%(label)s” changed") % {"label": _label(question)}
        done = try_edit(
            request,
            draft,
            lambda schema: edits.edit_question(schema, question_id, **changes),
            what,
            to=draft_url(service, f"question-{question_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return _render_editor(
        request,
        service,
        form,
        title=_("Edit “%(label)s”") % {"label": _label(question)},
        button=_("Save the question"),
        question_id=question_id,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def question_type(request: HttpRequest, service_id: int, question_id: str) -> HttpResponse:
    """Change a question's type: what the new type cannot use is dropped, and the page it
    returns to says what (edits.change_type's notes). A new type with options starts from the
    old type's options, or yes and no; the editor then changes them."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _page, question = find_question(draft, question_id)
    form = ChooseTypeForm(
        request.POST if request.method == "POST" else None,
        initial={"type": question.get("type")},
    )
    if request.method == "POST" and form.is_valid():
        new_type = form.cleaned_data["type"]
        options: list[Mapping[str, Any]] | None = None
        needs_options = QUESTION_TYPES[new_type].has_options and not question.get("options")
        # A yes/no question's answers become the options; otherwise somewhere to start from,
        # which the editor, shown next, asks to change.
        if needs_options and question.get("type") != "yes_no":
            options = [{"value": "option-1", "label": {"en": str(_("Option 1"))}}]
        what = _("Question “%(label)s” made a %(type)s question") % {
            "label": _label(question),
            "type": type_name(new_type),
        }
        done = try_edit(
            request,
            draft,
            lambda schema: edits.change_type(schema, question_id, new_type, options=options),
            what,
            to=reverse("studio:question_edit", args=[service.pk, question_id]),
            refused=on_form(form),
            # What the new type cannot use is gone: a warning, as the editor opens next.
            notes=messages.warning,
        )
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/question_type.html",
        {
            "service": service,
            "form": form,
            "question_id": question_id,
            "title": _("Change the type of “%(label)s”") % {"label": _label(question)},
            "back_url": reverse("studio:question_edit", args=[service.pk, question_id]),
        },
        section=SERVICES,
    )


@studio_view
@require_POST
def question_move(request: HttpRequest, service_id: int, question_id: str) -> HttpResponse:
    """Move a question one place up or down its page; from the top or bottom of a page, to the
    end of the page before or the start of the page after (exit pages are passed over)."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    page, question = find_question(draft, question_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return render_draft(request, service, draft, [_("Choose to move the question up or down.")])
    target = _move_target(draft.schema, page, question, direction)
    if target is None:
        problem = _("The question is already at the %(end)s.") % {"end": _end(direction)}
        return render_draft(request, service, draft, [problem])
    page_id, position = target
    what = _("Question “%(label)s” moved %(direction)s") % {
        "label": _label(question),
        "direction": _("up") if direction == "up" else _("down"),
    }
    return try_edit(
        request,
        draft,
        lambda schema: edits.move_question(schema, question_id, page_id, position),
        what,
        to=draft_url(service, f"question-{question_id}"),
        refused=on_draft_page(request, service, draft),
    )


def _end(direction: str) -> str:
    return _("top of the form") if direction == "up" else _("bottom of the form")


def _move_target(
    schema: dict[str, Any], page: dict[str, Any], question: dict[str, Any], direction: str
) -> tuple[str, int] | None:
    pages = [p for p in schema["pages"] if isinstance(p, dict) and p.get("type") != "exit"]
    index = page["questions"].index(question)
    if direction == "up" and index > 0:
        return page["id"], index - 1
    if direction == "down" and index < len(page["questions"]) - 1:
        return page["id"], index + 1
    at = pages.index(page)
    if direction == "up" and at > 0:
        return pages[at - 1]["id"], len(pages[at - 1].get("questions", []))
    if direction == "down" and at < len(pages) - 1:
        return pages[at + 1]["id"], 0
    return None


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def question_delete(request: HttpRequest, service_id: int, question_id: str) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _page, question = find_question(draft, question_id)
    return confirm_delete(
        request,
        service,
        draft,
        lambda schema: edits.delete_question(schema, question_id),
        _("Question “%(label)s” deleted") % {"label": _label(question)},
        to=draft_url(service),
        title=_("Delete the question “%(label)s”?") % {"label": _label(question)},
        warning=_("Residents will no longer be asked it once this draft is published."),
        cancel_url=draft_url(service, f"question-{question_id}"),
    )
