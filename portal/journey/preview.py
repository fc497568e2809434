"""The admin's preview of a form version: every page as a resident would see it, on one page.

Why this lives here and not in services/admin.py: the preview renders with the journey's own
field builders (portal/journey/fields.py, rendering.py) and question partials
(templates/journey/questions/), and the dependency direction is portal → services →
integrations, so services must not import portal. The view is therefore registered by the
portal's URLconf (portal/urls.py) at /admin/services/formversion/<id>/preview/, wrapped in
admin.site.admin_view so it takes the admin's sign-in (and the staff MFA every page has);
services/admin.py only *reverses* the URL name PREVIEW_URL_NAME to link to it, and shows no
link if the name is not installed.

What it shows: the version's pages in schema order, each question rendered by the same partial
a resident gets (labels, hints, inputs, options) inside the portal's GOV.UK base template,
with a note per page (and per conditional question) saying when it is shown, and exit pages as
the resident sees them. There is no <form> on the page, so nothing can be sent, and the buttons
are disabled. `?lang=cy` previews in Welsh. A draft whose schema does not parse shows its
errors, each naming the page and question, instead of the pages.
The studio's form builder shows the same preview (`render_preview`), of one page or all, with
its own back link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.journey.fields import Field, build_fields_for
from portal.journey.rendering import exit_page_context, page_context
from services.forms.conditions import AllOf, AnyOf, Clause, Condition
from services.forms.schema import FormSchema, Page, Question, SchemaError
from services.forms.text import text
from services.models import FormVersion

PREVIEW_URL_NAME = "admin_formversion_preview"
PREVIEW_LANGUAGES = ("en", "cy")


@dataclass
class PreviewQuestion:
    field: Field
    note: str  # when the question is shown, if it has a condition; "" if always


@dataclass
class PreviewPage:
    number: int
    page: Page
    note: str  # when the page is shown
    context: dict[str, Any]  # page_context() or exit_page_context(), as the journey uses
    questions: list[PreviewQuestion] = field(default_factory=list)


# --- Conditions in plain English ----------------------------------------------------------------


def describe_condition(condition: Condition, schema: FormSchema, lang: str) -> str:
    """A show_if condition as a sentence fragment, labels in curly quotes, in `lang`.

    For example: the question "Why do you need a replacement?" is the option "It was stolen".
    """
    if isinstance(condition, AllOf | AnyOf):
        parts = [_nested(inner, schema, lang) for inner in condition.conditions]
        joiner = _(" and ") if isinstance(condition, AllOf) else _(" or ")
        return joiner.join(parts)
    return _describe_clause(condition, schema, lang)


def _nested(condition: Condition, schema: FormSchema, lang: str) -> str:
    described = describe_condition(condition, schema, lang)
    return described if isinstance(condition, Clause) else f"({described})"


def _describe_clause(clause: Clause, schema: FormSchema, lang: str) -> str:
    try:
        question: Question | None = schema.question(clause.question)
    except KeyError:  # parse_schema refuses this; kept readable all the same
        question = None
    label = text(question.label, lang) if question is not None else clause.question
    if clause.op == "count_at_least":
        return _("‘%(question)s’ has at least %(count)s items") % {
            "question": label,
            "count": clause.value,
        }
    if clause.op == "any_item":
        subs = {sub.id: sub for sub in question.questions} if question is not None else {}
        about = subs.get(clause.field or "")
        listed = _or_list([f"‘{_value_label(about, value, lang)}’" for value in clause.value])
        return _("an item of ‘%(question)s’ has ‘%(field)s’ %(value)s") % {
            "question": label,
            "field": text(about.label, lang) if about is not None else clause.field,
            "value": listed,
        }
    many = question is not None and question.type == "checkboxes"
    values = clause.value if clause.op == "one_of" else (clause.value,)
    shown = [f"‘{_value_label(question, value, lang)}’" for value in values]
    listed = _or_list(shown)
    if clause.op == "answered":
        return _("‘%(question)s’ is answered") % {"question": label}
    if clause.op == "not":
        if many:
            return _("‘%(question)s’ does not include %(value)s") % {
                "question": label,
                "value": listed,
            }
        return _("‘%(question)s’ is not %(value)s (or is not answered)") % {
            "question": label,
            "value": listed,
        }
    if many:
        wording = _("‘%(question)s’ includes %(value)s")
        if len(shown) > 1:
            wording = _("‘%(question)s’ includes any of %(value)s")
        return wording % {"question": label, "value": listed}
    return _("‘%(question)s’ is %(value)s") % {"question": label, "value": listed}


def _value_label(question: Question | None, value: Any, lang: str) -> str:
    """What the resident reads for an answer value: the option's label where there is one."""
    if question is not None:
        for option in question.options:
            if option.value == value:
                return text(option.label, lang)
        if question.type == "yes_no" and isinstance(value, str):
            return question.kind.display(question, value, lang) or value
    return str(value)


def _or_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def page_note(page: Page, schema: FormSchema, lang: str) -> str:
    if page.show_if is None:
        return _("Always shown")
    return _("Shown only if %(condition)s") % {
        "condition": describe_condition(page.show_if, schema, lang)
    }


def question_note(question: Question, schema: FormSchema, lang: str) -> str:
    if question.show_if is None:
        return ""
    return _("This question is shown only if %(condition)s") % {
        "condition": describe_condition(question.show_if, schema, lang)
    }


# --- The pages ----------------------------------------------------------------------------------


def preview_pages(version: FormVersion, schema: FormSchema, lang: str) -> list[PreviewPage]:
    """Every page of `schema`, built as the journey builds it, with no answers given.

    Conditional questions are all shown (each with its note), so a page's heading follows the
    journey's rule for the page as a whole: one question means its label is the heading.
    """
    service = version.form.service
    pages = []
    for number, page in enumerate(schema.pages, start=1):
        note = page_note(page, schema, lang)
        if page.is_exit:
            pages.append(PreviewPage(number, page, note, exit_page_context(service, page, lang)))
            continue
        fields = build_fields_for(page.questions, {}, {}, {}, lang)
        questions = [PreviewQuestion(f, question_note(f.question, schema, lang)) for f in fields]
        context = page_context(service, page, fields, lang)
        pages.append(PreviewPage(number, page, note, context, questions))
    return pages


def may_preview(request: HttpRequest) -> bool:
    """As the admin's own has_view_permission: the view or the change permission."""
    user = request.user
    return user.has_perm("services.view_formversion") or user.has_perm(
        "services.change_formversion"
    )


@require_safe
def form_version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview page (wrapped in admin.site.admin_view by portal/urls.py)."""
    if not may_preview(request):
        raise PermissionDenied
    version = get_object_or_404(FormVersion.objects.select_related("form__service"), pk=pk)
    return render_preview(
        request,
        version,
        here=reverse(PREVIEW_URL_NAME, args=[version.pk]),
        back_url=reverse("admin:services_formversion_change", args=[version.pk]),
        back_label=_("Back to this version in the admin"),
    )


def render_preview(
    request: HttpRequest,
    version: FormVersion,
    *,
    here: str,
    back_url: str,
    back_label: str,
    page_id: str | None = None,
) -> HttpResponse:
    """The preview of `version` (every page, or only `page_id`'s), in `?lang=` (English or
    Welsh): the admin's preview and the studio's. `here` is the page's own address, for the
    language links; `back_url` where its back link goes. An unknown `page_id` is a 404."""
    lang = request.GET.get("lang", "en")
    if lang not in PREVIEW_LANGUAGES:
        lang = "en"
    try:
        schema: FormSchema | None = version.parsed
        schema_errors: list[str] = []
    except SchemaError as exc:
        schema, schema_errors = None, exc.errors
    if page_id is not None and schema is not None:
        try:
            schema.page(page_id)
        except KeyError:
            raise Http404(_("There is no such page in this form.")) from None
    query = f"&page={quote(page_id)}" if page_id is not None else ""
    # English is LANGUAGE_CODE ("en-gb"): the journey's own strings are translated from it.
    with translation.override(settings.LANGUAGE_CODE if lang == "en" else lang):
        pages = preview_pages(version, schema, lang) if schema is not None else []
        if page_id is not None:
            pages = [entry for entry in pages if entry.page.id == page_id]
        context = {
            "version": version,
            "service": version.form.service,
            "pages": pages,
            "page_count": len(schema.pages) if schema is not None else 0,
            "schema_errors": schema_errors,
            "preview_lang": lang,
            "english_url": f"{here}?lang=en{query}",
            "welsh_url": f"{here}?lang=cy{query}",
            "change_url": back_url,
            "back_label": back_label,
            "has_location": any(p.context.get("has_location") for p in pages),
        }
        # Rendered inside the override, so the journey's own words come out in `lang` too.
        return render(request, "services/preview.html", context)
