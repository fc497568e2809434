"""The pages of a repeating question ("add another"), the way GOV.UK Forms asks one.

A list question is alone on its page (parse_schema makes sure), and that page's address shows:

    (nothing)     the items added so far, each with Change and Remove links, and "Do you need to
                  add another item?" (yes/no); with no items yet, the first item's questions
    ?item=N       item N's questions (N is one past the last to add a new one)
    ?remove=N     "Are you sure you want to remove this item?" (yes/no)

Every step is an ordinary form post, so nothing needs JavaScript. Each item is checked by the
engine as it is saved (`clean_item`); the whole list again on "continue" and on submit. `change=1`
(from check your answers) is kept through every step and leads back there at the end.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.templatetags.govuk_forms import ErrorLink
from portal.journey import assisted
from portal.journey.fields import _one, build_field, build_fields_for
from portal.journey.pages import PageForm, check_url, first_to_do, page_url, post_data
from portal.journey.rendering import page_context
from services.drafts import save_page
from services.forms.navigation import next_page
from services.forms.questions import AnswerError, clean_answer
from services.forms.schema import FormSchema, Page, Question
from services.forms.text import Text, text
from services.forms.types_repeat import (
    clean_item,
    counted_item_name,
    item_count_limits,
    item_data,
    item_lines,
    item_name,
)
from services.models import Draft


def is_list_page(page: Page) -> bool:
    return len(page.questions) == 1 and page.questions[0].type == "repeat"


def check_rows(draft: Draft, page: Page, question: Question, lang: str) -> list[dict[str, Any]]:
    """Check your answers' rows for a list: how many there are (Change goes to the list, where
    more can be added), then each item with its own Change and Remove links."""
    items = draft.answers.get(question.id) or []
    count = len(items)
    name = counted_item_name(question, count, lang)
    rows = [
        {
            "key": text(question.label, lang),
            "lines": [_("%(count)s %(items)s") % {"count": count, "items": name}],
            "actions": [(_("Change"), list_url(draft, page, True))],
        }
    ]
    for number, item in enumerate(items, start=1):
        title = item_title(question, number, lang)
        rows.append(
            {
                "key": title,
                "lines": [
                    f"{label}: {shown}"
                    for label, shown in item_lines(question, item, lang, resident=True)
                ],
                "actions": [
                    (_("Change"), list_url(draft, page, True, item=number)),
                    (_("Remove"), list_url(draft, page, True, remove=number)),
                ],
            }
        )
    return rows


def item_title(question: Question, number: int, lang: str) -> str:
    """ "Item 2", in the question's own words."""
    name = item_name(question, lang)
    return f"{name[:1].upper()}{name[1:]} {number}"


def list_url(draft: Draft, page: Page, change: bool, **params: int) -> str:
    """The list page's address, or one of its steps (item=N, remove=N), keeping `change`."""
    query = QueryDict(mutable=True)
    query.update({key: str(value) for key, value in params.items()})
    if change:
        query["change"] = "1"
    return f"{page_url(draft, page)}?{query.urlencode()}" if query else page_url(draft, page)


def _number(raw: str | None, highest: int) -> int | None:
    """A step's item number from the address; 404 for anything but 1..highest."""
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise Http404
    return int(raw)


def list_page(
    request: HttpRequest,
    draft: Draft,
    schema: FormSchema,
    page: Page,
    change: bool,
    lang: str,
    back: str,
) -> HttpResponse:
    """The list page or one of its steps (see the module's docstring)."""
    question = page.questions[0]
    items = list(draft.answers.get(question.id) or [])
    _fewest, most = item_count_limits(question)
    if "item" in request.GET and "remove" in request.GET:
        raise Http404
    number = _number(request.GET.get("item"), min(len(items) + 1, most))
    removing = _number(request.GET.get("remove"), len(items))
    step = _Step(request, draft, schema, page, question, items, change, lang, back)
    if removing is not None:
        return step.remove(removing)
    if number is None and not items:
        number = 1  # nothing to list yet: straight to the first item's questions
    if number is not None:
        return step.item(number)
    return step.summary()


class _Step:
    """One request to a list page: what every step needs to know, and the steps."""

    def __init__(
        self,
        request: HttpRequest,
        draft: Draft,
        schema: FormSchema,
        page: Page,
        question: Question,
        items: list[dict[str, Any]],
        change: bool,
        lang: str,
        back: str,
    ) -> None:
        self.request, self.draft, self.schema, self.page = request, draft, schema, page
        self.question, self.items, self.change, self.lang = question, items, change, lang
        self.back = back
        self.service = draft.form_version.form.service

    # --- one item's questions -------------------------------------------------------------------

    def item(self, number: int) -> HttpResponse:
        errors: dict[str, AnswerError] = {}
        if self.request.method == "POST":
            data = post_data(self.request.POST)
            item, errors = clean_item(self.question, data, self.lang)
            if not errors:
                items = list(self.items)
                if number > len(items):
                    items.append(item)
                else:
                    items[number - 1] = item
                self.save(items)
                return redirect(list_url(self.draft, self.page, self.change))
        elif number <= len(self.items):
            data = item_data(self.question, self.items[number - 1])
        else:
            data = {}
        fields = build_fields_for(self.question.questions, data, errors, {}, self.lang)
        context = {
            **page_context(self.service, self.page, fields, self.lang),
            **assisted.frame(self.draft),
            "draft": self.draft,
            "action": list_url(self.draft, self.page, self.change, item=number),
            "back_url": list_url(self.draft, self.page, self.change) if self.items else self.back,
            "caption": self.item_title(number),
        }
        if len(fields) != 1:
            context["page_heading"] = text(self.question.label, self.lang)
        return render(self.request, "journey/page.html", context)

    def item_title(self, number: int) -> str:
        return item_title(self.question, number, self.lang)

    # --- the list so far ------------------------------------------------------------------------

    def summary(self) -> HttpResponse:
        _fewest, most = item_count_limits(self.question)
        can_add = len(self.items) < most
        error: AnswerError | None = None
        answer = ""
        if self.request.method == "POST":
            data = post_data(self.request.POST)
            answer = _one(data, self.add_another_id) if can_add else "no"
            if answer == "yes":
                url = list_url(self.draft, self.page, self.change, item=len(self.items) + 1)
                return redirect(url)
            if answer == "no":
                error = self.list_error()
                if error is None:
                    return self.finish()
            else:
                error = self.question.kind.error(
                    self.question, "add_another", self.lang, field=self.add_another_id
                )
        elif self.request.GET.get("check") == "1":
            # Sent back from check your answers: say what the server refused.
            error = self.list_error()
        return self.render_summary(error, answer, can_add)

    @property
    def add_another_id(self) -> str:
        return f"{self.question.id}-add-another"

    def list_error(self) -> AnswerError | None:
        """What is wrong with the list as a whole (too few items, an item no longer valid)."""
        data = self.question.kind.to_data(self.question, self.items)
        try:
            clean_answer(self.question, data, self.lang)
        except AnswerError as error:
            return error
        return None

    def finish(self) -> HttpResponse:
        if self.change:
            return redirect(first_to_do(self.draft, self.schema, change=True))
        following = next_page(self.schema, self.draft.answers, self.page.id)
        return redirect(page_url(self.draft, following) if following else check_url(self.draft))

    def render_summary(self, error: AnswerError | None, answer: str, can_add: bool) -> Any:
        count = len(self.items)
        _fewest, most = item_count_limits(self.question)
        name = counted_item_name(self.question, count, self.lang)
        heading = _("You have added %(count)s %(items)s") % {"count": count, "items": name}
        another = Question(
            id=self.add_another_id,
            type="yes_no",
            label=Text(
                _("Do you need to add another %(item)s?")
                % {"item": item_name(self.question, self.lang)}
            ),
        )
        on_radios = error is not None and error.field == self.add_another_id
        field = build_field(
            another,
            {another.id: answer},
            error if on_radios else None,
            self.lang,
            heading=False,
        )
        context = {
            "form": PageForm(errors={self.question.id: error} if error else {}),
            "error_links": [ErrorLink(error.message, f"#{self.error_target(error, can_add)}")]
            if error
            else [],
            "error": error,
            "service": self.service,
            "draft": self.draft,
            "page": self.page,
            "page_heading": heading,
            "question_label": text(self.question.label, self.lang),
            "rows": self.rows(),
            "field": field,
            "can_add": can_add,
            "most": most,
            "items_name": counted_item_name(self.question, most, self.lang),
            "action": list_url(self.draft, self.page, self.change),
            "back_url": self.back,
            **assisted.frame(self.draft),
        }
        return render(self.request, "journey/repeat_summary.html", context)

    def error_target(self, error: AnswerError, can_add: bool) -> str:
        """The yes/no for a list-wide problem (the list itself when full), else the item's row
        (an item's error names its input, "items-2-size": item 2's row is "items-item-2")."""
        if error.field == self.add_another_id:
            return self.add_another_id if can_add else f"{self.question.id}-list"
        number = error.field.removeprefix(f"{self.question.id}-").partition("-")[0]
        return f"{self.question.id}-item-{number}"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{self.question.id}-item-{number}",
                "title": self.item_title(number),
                "lines": item_lines(self.question, item, self.lang, resident=True),
                "change_url": list_url(self.draft, self.page, self.change, item=number),
                "remove_url": list_url(self.draft, self.page, self.change, remove=number),
            }
            for number, item in enumerate(self.items, start=1)
        ]

    # --- removing an item -----------------------------------------------------------------------

    def remove(self, number: int) -> HttpResponse:
        confirm = Question(
            id="remove",
            type="yes_no",
            label=Text(
                _("Are you sure you want to remove this %(item)s?")
                % {"item": item_name(self.question, self.lang)}
            ),
        )
        error: AnswerError | None = None
        answer = ""
        if self.request.method == "POST":
            answer = _one(post_data(self.request.POST), confirm.id)
            if answer == "yes":
                self.save([item for n, item in enumerate(self.items, 1) if n != number])
            if answer in ("yes", "no"):
                return redirect(list_url(self.draft, self.page, self.change))
            message = _("Select yes if you want to remove this %(item)s") % {
                "item": item_name(self.question, self.lang)
            }
            error = AnswerError(message, field=confirm.id, code="required")
        field = build_field(confirm, {confirm.id: answer}, error, self.lang, heading=False)
        context = {
            "form": PageForm(errors={confirm.id: error} if error else {}),
            "error_links": [ErrorLink(error.message, f"#{field.error_target}")] if error else [],
            "service": self.service,
            "draft": self.draft,
            "field": field,
            "page_heading": _("Remove %(item)s")
            % {"item": f"{item_name(self.question, self.lang)} {number}"},
            "lines": item_lines(self.question, self.items[number - 1], self.lang, resident=True),
            "action": list_url(self.draft, self.page, self.change, remove=number),
            "back_url": list_url(self.draft, self.page, self.change),
            **assisted.frame(self.draft),
        }
        return render(self.request, "journey/repeat_remove.html", context)

    def save(self, items: list[dict[str, Any]]) -> None:
        save_page(self.draft, self.schema, self.page, {self.question.id: items} if items else {})
        self.items = items
