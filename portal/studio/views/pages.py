"""The pages of a draft: title (and an exit page's text), branching, exit pages, move, delete.

Branching is asked in two steps (portal/studio/forms/branching.py): the question, by GET, from
`edits.branching_choices`; then its answers, by POST. Each change is an edit of
services/forms/edits.py saved by draft_edits.py `try_edit`; a refused edit is shown in the error
summary and saves nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.templatetags.govuk_forms import error_links
from portal.studio import drafts
from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.branching import (
    ALWAYS,
    AnswersForm,
    ExitPageForm,
    PageTitleForm,
    QuestionChoiceForm,
    choice_for,
    condition_initial,
    text_initial,
)
from portal.studio.views import studio_page
from portal.studio.views.draft_edits import confirm_delete, on_form, try_edit
from portal.studio.views.form import on_draft_page, render_draft
from portal.studio.views.questions import draft_url
from services.forms import edits
from services.forms.edits import EditError
from services.models import FormVersion


def find_page(draft: FormVersion, page_id: str) -> tuple[int, dict[str, Any]]:
    for index, page in enumerate(draft.schema.get("pages", [])):
        if isinstance(page, dict) and page.get("id") == page_id:
            return index, page
    raise Http404(_("There is no such page in this draft."))


def page_name(page: dict[str, Any]) -> str:
    for text in (page.get("title"), *(q.get("label") for q in page.get("questions") or [])):
        if isinstance(text, dict) and text.get("en"):
            return str(text["en"])
    return str(page.get("id"))


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def page_edit(request: HttpRequest, service_id: int, page_id: str) -> HttpResponse:
    """A page's title, or an exit page's title and text."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _index, page = find_page(draft, page_id)
    is_exit = page.get("type") == "exit"
    initial = {**text_initial(page.get("title"), "title"), **text_initial(page.get("body"), "body")}
    data = request.POST if request.method == "POST" else None
    form: ExitPageForm | PageTitleForm = (
        ExitPageForm(data, initial=initial) if is_exit else PageTitleForm(data, initial=initial)
    )
    if data is not None and form.is_valid():
        what = _("Page “%(page)s” changed") % {"page": page_name(page)}
        if isinstance(form, ExitPageForm):
            title, body = form.texts()

            def edit(schema: edits.Schema) -> edits.Edited:
                return edits.edit_page(schema, page_id, title=title, body=body)

        else:
            title_only = form.title()

            def edit(schema: edits.Schema) -> edits.Edited:
                return edits.edit_page(schema, page_id, title=title_only)

        done = try_edit(
            request,
            draft,
            edit,
            what,
            to=draft_url(service, f"page-{page_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/page_form.html",
        {
            "service": service,
            "form": form,
            "page": page,
            "is_exit": is_exit,
            "title": _("Edit the page “%(page)s”") % {"page": page_name(page)},
        },
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def page_branching(request: HttpRequest, service_id: int, page_id: str) -> HttpResponse:
    """Show this page only when an earlier question has certain answers (or always)."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _index, page = find_page(draft, page_id)
    is_exit = page.get("type") == "exit"
    try:
        choices = edits.branching_choices(draft.schema, page_id)
    except EditError as error:
        return render_draft(request, service, draft, error.errors)
    current = page.get("show_if")
    chosen_id = request.GET.get("question") or (
        current.get("question") if isinstance(current, dict) else None
    )
    if request.GET.get("question") == ALWAYS and not is_exit:
        return _always(request, service, draft, page, choices)
    choice = choice_for(choices, chosen_id)
    if choice is None or "change" in request.GET:
        pick = QuestionChoiceForm(
            choices,
            request.GET if "question" in request.GET and "change" not in request.GET else None,
            always=not is_exit,
            initial={"question": chosen_id},
        )
        pick.is_valid()
        return studio_page(
            request,
            "studio/branching_question.html",
            {
                "service": service,
                "form": pick,
                "page": page,
                "has_choices": bool(choices),
                "title": _("Show the page “%(page)s” only when…") % {"page": page_name(page)},
            },
            section=SERVICES,
        )
    form = AnswersForm(
        choice,
        request.POST if request.method == "POST" else None,
        initial=condition_initial(current, choice.question_id),
    )
    if request.method == "POST" and form.is_valid():
        condition = form.condition()
        what = _("When the page “%(page)s” is shown changed") % {"page": page_name(page)}
        done = try_edit(
            request,
            draft,
            lambda schema: edits.set_page_show_if(schema, page_id, condition),
            what,
            to=draft_url(service, f"page-{page_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/branching_answers.html",
        {
            "service": service,
            "form": form,
            "page": page,
            "choice": choice,
            "title": _("Show the page “%(page)s” only when…") % {"page": page_name(page)},
        },
        section=SERVICES,
    )


def _always(
    request: HttpRequest,
    service: Any,
    draft: FormVersion,
    page: dict[str, Any],
    choices: Any,
) -> HttpResponse:
    """ "Always show this page": the condition removed (sent as the question step's answer)."""
    what = _("The page “%(page)s” is now always shown") % {"page": page_name(page)}
    return try_edit(
        request,
        draft,
        lambda schema: edits.set_page_show_if(schema, str(page["id"]), None),
        what,
        to=draft_url(service, f"page-{page['id']}"),
        refused=on_draft_page(request, service, draft),
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def exit_page_add(request: HttpRequest, service_id: int) -> HttpResponse:
    """An exit page: the question and answers that lead to it, then its title and text. It goes
    after the page holding the question (edits.add_exit_page)."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    try:
        choices = edits.branching_choices(draft.schema, None)
    except EditError as error:
        return render_draft(request, service, draft, error.errors)
    choice = choice_for(choices, request.GET.get("question"))
    if choice is None or "change" in request.GET:
        pick = QuestionChoiceForm(choices, request.GET if "question" in request.GET else None)
        if "change" not in request.GET:
            pick.is_valid()
        return studio_page(
            request,
            "studio/branching_question.html",
            {
                "service": service,
                "form": pick,
                "page": None,
                "has_choices": bool(choices),
                "title": _("Add an exit page: who is turned away?"),
            },
            section=SERVICES,
        )
    data = request.POST if request.method == "POST" else None
    answers, texts = AnswersForm(choice, data), ExitPageForm(data)
    if data is not None and all([answers.is_valid(), texts.is_valid()]):
        condition = answers.condition()
        title, body = texts.texts()
        what = _("Exit page “%(title)s” added") % {"title": title["en"]}
        done = try_edit(
            request,
            draft,
            lambda schema: edits.add_exit_page(schema, title, body, condition),
            what,
            to=lambda edited: draft_url(service, f"page-{edited.page_id}"),
            refused=on_form(texts),
        )
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/exit_page_form.html",
        {
            "service": service,
            "form": texts,
            "answers_form": answers,
            "error_links": error_links(answers) + error_links(texts),
            "choice": choice,
            "title": _("Add an exit page"),
        },
        section=SERVICES,
    )


@studio_view
@require_POST
def page_move(request: HttpRequest, service_id: int, page_id: str) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    index, page = find_page(draft, page_id)
    direction = request.POST.get("direction")
    position = {"up": index - 1, "down": index + 1}.get(str(direction))
    if position is None or not 0 <= position < len(draft.schema["pages"]):
        problem = _("The page is already at the %(end)s.") % {
            "end": _("top of the form") if direction == "up" else _("bottom of the form")
        }
        return render_draft(request, service, draft, [problem])
    what = _("Page “%(page)s” moved %(direction)s") % {
        "page": page_name(page),
        "direction": _("up") if direction == "up" else _("down"),
    }
    return try_edit(
        request,
        draft,
        lambda schema: edits.move_page(schema, page_id, position),
        what,
        to=draft_url(service, f"page-{page_id}"),
        refused=on_draft_page(request, service, draft),
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def page_delete(request: HttpRequest, service_id: int, page_id: str) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    _index, page = find_page(draft, page_id)
    count = len(page.get("questions") or [])
    return confirm_delete(
        request,
        service,
        draft,
        lambda schema: edits.delete_page(schema, page_id),
        _("Page “%(page)s” deleted") % {"page": page_name(page)},
        to=draft_url(service),
        title=_("Delete the page “%(page)s”?") % {"page": page_name(page)},
        warning=(
            _("Its %(count)s questions are deleted with it.") % {"count": count}
            if count > 1
            else _("Residents will no longer see it once this draft is published.")
        ),
        cancel_url=draft_url(service, f"page-{page_id}"),
    )
