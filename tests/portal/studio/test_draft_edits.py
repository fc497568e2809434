"""`try_edit`, the way every form builder page saves an edit of a draft: a saved edit is said,
its notes told at the page's level, its change logged and the page redirected; a refused one
is handed to the page's `refused` (its form, the draft page, a delete confirmation's list),
saving, saying and logging nothing.

The views' own tests (test_form_builder.py, test_repeat_builder.py) go through these paths
page by page; these pin the helper's contract once, on the seeded "Report a missed bin" form.
"""

from typing import Any

import pytest
from django import forms
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import RequestFactory

from portal.studio.views.draft_edits import on_form, try_edit
from portal.studio.views.form import on_draft_page
from services.forms import edits
from services.forms.edits import EditError
from services.models import FormVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(service_admin: Any) -> HttpRequest:
    request = RequestFactory().post("/studio/")
    request.user = service_admin
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def said(request: HttpRequest) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in messages.get_messages(request)]


def stored(draft: FormVersion) -> dict[str, Any]:
    return FormVersion.objects.get(pk=draft.pk).schema


def logged(draft: FormVersion) -> list[str]:
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=draft.pk)]


def refuse(schema: edits.Schema) -> edits.Edited:
    """An edit the draft refuses: a later page is shown only for some answers to bin_type."""
    return edits.delete_question(schema, "bin_type")


def not_refused(errors: list[str]) -> None:
    pytest.fail(f"The edit was refused: {errors}")


def reasons(draft: FormVersion) -> list[str]:
    with pytest.raises(EditError) as refused:
        refuse(draft.schema)
    return refused.value.errors


def test_a_saved_edit_is_said_then_its_notes_at_the_pages_level_and_it_redirects(request_, draft):
    # Given a question alone on its page: deleting it removes the page too, which a note says
    response = try_edit(
        request_,
        draft,
        lambda schema: edits.delete_question(schema, "details"),
        "Question deleted",
        to="/studio/somewhere#here",
        refused=not_refused,
        notes=messages.warning,
    )

    assert response.status_code == 302
    assert response["Location"] == "/studio/somewhere#here"
    assert said(request_) == [
        (messages.SUCCESS, "Question deleted"),
        (messages.WARNING, "Page “details” had no questions left, so it was removed."),
    ]
    assert "details" not in [page["id"] for page in stored(draft)["pages"]]
    assert draft.schema == stored(draft)
    assert "Question deleted" in logged(draft)[-1]


def test_notes_are_told_as_information_unless_the_page_says_otherwise(request_, draft):
    try_edit(
        request_,
        draft,
        lambda schema: edits.delete_question(schema, "details"),
        "Question deleted",
        to="/studio/",
        refused=not_refused,
    )

    assert [level for level, _text in said(request_)] == [messages.SUCCESS, messages.INFO]


def test_the_redirect_can_be_made_from_what_the_edit_made(request_, draft):
    question = {"type": "short_text", "label": {"en": "Your name", "cy": "Eich enw"}}

    response = try_edit(
        request_,
        draft,
        lambda schema: edits.add_question(schema, "details", question),
        "Question added",
        to=lambda edited: f"/studio/#question-{edited.question_id}",
        refused=not_refused,
    )

    assert response["Location"] == "/studio/#question-your_name"


def test_a_refused_edit_goes_on_the_form_and_saves_says_and_logs_nothing(request_, draft):
    before, log_before = stored(draft), logged(draft)
    form = forms.Form({})

    response = try_edit(
        request_, draft, refuse, "Question deleted", to="/studio/", refused=on_form(form)
    )

    assert response is None
    assert list(form.non_field_errors()) == reasons(draft)
    assert "cannot be deleted while conditions use its answers" in reasons(draft)[0]
    assert said(request_) == []
    assert stored(draft) == before
    assert logged(draft) == log_before


def test_a_refused_edit_can_answer_with_the_draft_page_or_fill_a_list(request_, service, draft):
    page = try_edit(
        request_, draft, refuse, "x", to="/", refused=on_draft_page(request_, service, draft)
    )
    problems = []
    nothing = try_edit(request_, draft, refuse, "x", to="/", refused=problems.extend)

    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert "cannot be deleted while conditions use its answers" in page.content.decode()
    assert nothing is None
    assert problems == reasons(draft)
    assert said(request_) == []
