"""The questions a list question ("add another") asks about each item: add, edit, move, delete.

The same editor as any question (portal/studio/forms/question.py, without custom messages or
prefill, which a question about each item cannot have), each change one pure edit of
services/forms/edits.py saved by draft_edits.py `try_edit`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.studio import drafts
from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.question import ChooseItemTypeForm, question_editor, type_name
from portal.studio.views import studio_page
from portal.studio.views.draft_edits import confirm_delete, on_form, try_edit
from portal.studio.views.form import choose_type_page, on_draft_page, render_draft
from portal.studio.views.questions import _label, _posted, draft_url, find_question
from services.forms import edits
from services.forms.edits import EDITABLE_ITEM_QUESTION_KEYS
from services.forms.types_repeat import REPEATABLE_TYPES
from services.models import FormVersion


def find_list(draft: FormVersion, question_id: str) -> dict[str, Any]:
    """A draft's list question; 404 for any other question or none."""
    _page, question = find_question(draft, question_id)
    if question.get("type") != "repeat" or not isinstance(question.get("questions"), list):
        raise Http404(_("This question is not a list of items."))
    return question


def find_item_question(listed: dict[str, Any], item_question_id: str) -> dict[str, Any]:
    for item in listed["questions"]:
        if isinstance(item, dict) and item.get("id") == item_question_id:
            return item
    raise Http404(_("There is no such question about each item."))


def _render(
    request: HttpRequest, service: Any, form: Any, listed: dict[str, Any], **extra: Any
) -> HttpResponse:
    return studio_page(
        request,
        "studio/question_form.html",
        {
            "service": service,
            "form": form,
            "type_name": type_name(form.type),
            "item_of": _label(listed),
            "back_url": draft_url(service, f"question-{listed['id']}"),
            **extra,
        },
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def item_question_add(request: HttpRequest, service_id: int, question_id: str) -> HttpResponse:
    """Ask another question about each item: first its type (the simple ones), then the editor."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    listed = find_list(draft, question_id)
    type_ = request.GET.get("type")
    if type_ not in REPEATABLE_TYPES:
        return choose_type_page(
            request,
            service,
            ChooseItemTypeForm,
            title=_("Add a question about each item of “%(label)s”") % {"label": _label(listed)},
            back_url=draft_url(service, f"question-{question_id}"),
        )
    form, save = question_editor(
        type_, _posted(request), existing=None, new_page=False, item_question=True
    )
    if save and form.is_valid():
        item = form.question_json()
        what = _("Question “%(label)s” added to each item") % {"label": _label(item)}
        done = try_edit(
            request,
            draft,
            lambda schema: edits.add_item_question(schema, question_id, item),
            what,
            to=draft_url(service, f"question-{question_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return _render(
        request,
        service,
        form,
        listed,
        title=_("Add a question about each item"),
        button=_("Add the question"),
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def item_question_edit(
    request: HttpRequest, service_id: int, question_id: str, item_question_id: str
) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    listed = find_list(draft, question_id)
    item = find_item_question(listed, item_question_id)
    form, save = question_editor(
        str(item.get("type")), _posted(request), existing=item, new_page=False, item_question=True
    )
    if save and form.is_valid():
        changes = {k: v for k, v in form.changes().items() if k in EDITABLE_ITEM_QUESTION_KEYS}
        what = _("Question “%(label)s” about each item changed") % {"label": _label(item)}
        done = try_edit(
            request,
            draft,
            lambda schema: edits.edit_item_question(
                schema, question_id, item_question_id, **changes
            ),
            what,
            to=draft_url(service, f"question-{question_id}"),
            refused=on_form(form),
        )
        if done is not None:
            return done
    return _render(
        request,
        service,
        form,
        listed,
        title=_("Edit “%(label)s”") % {"label": _label(item)},
        button=_("Save the question"),
    )


@studio_view
@require_POST
def item_question_move(
    request: HttpRequest, service_id: int, question_id: str, item_question_id: str
) -> HttpResponse:
    """One place up or down the list's questions about each item."""
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    listed = find_list(draft, question_id)
    item = find_item_question(listed, item_question_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return render_draft(request, service, draft, [_("Choose to move the question up or down.")])
    position = listed["questions"].index(item) + (-1 if direction == "up" else 1)
    if not 0 <= position < len(listed["questions"]):
        return render_draft(
            request, service, draft, [_("The question is already at that end of the list.")]
        )
    what = _("Question “%(label)s” about each item moved") % {"label": _label(item)}
    return try_edit(
        request,
        draft,
        lambda schema: edits.move_item_question(schema, question_id, item_question_id, position),
        what,
        to=draft_url(service, f"question-{question_id}"),
        refused=on_draft_page(request, service, draft),
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def item_question_delete(
    request: HttpRequest, service_id: int, question_id: str, item_question_id: str
) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    draft = drafts.draft_or_404(service)
    listed = find_list(draft, question_id)
    item = find_item_question(listed, item_question_id)
    return confirm_delete(
        request,
        service,
        draft,
        lambda schema: edits.delete_item_question(schema, question_id, item_question_id),
        _("Question “%(label)s” about each item deleted") % {"label": _label(item)},
        to=draft_url(service, f"question-{question_id}"),
        title=_("Delete the question “%(label)s” about each item?") % {"label": _label(item)},
        warning=_("Residents will no longer be asked it once this draft is published."),
        cancel_url=draft_url(service, f"question-{question_id}"),
    )
