"""A service's form in the builder: its versions, a new draft, the draft's pages and questions,
a preview of any page, and publishing.

The draft page reads the schema's JSON as stored rather than only its parsed form, so a draft
with problems (a hand-edited schema) is still listed, with each problem `parse_schema` finds
shown beside the question it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.journey.preview import describe_condition, render_preview
from portal.studio import drafts, publish_refusals
from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.question import ChooseTypeForm, question_editor, type_name
from portal.studio.publish_refusals import Refusal, beside_questions_and_pages
from portal.studio.views import studio_page
from portal.studio.views.draft_edits import on_form
from services.catalogue import publish_version
from services.change_log import record_change
from services.forms import edits
from services.forms.changes import DestinationUse, RuleUse, routing_affected, summarise_changes
from services.forms.edits import EditError
from services.forms.publish_checks import PublishRefused, find_publish_problems, welsh_missing
from services.forms.schema import FormSchema, SchemaError, parse_schema
from services.models import FormVersion, Service
from services.models.forms import VersionStateError
from services.routing.service import load_rule_set


@dataclass
class ItemQuestionRow:
    """A question a list asks about each item."""

    id: str
    label: str
    type_name: str
    required: bool


@dataclass
class QuestionRow:
    id: str
    label: str
    type_name: str
    required: bool
    welsh_missing: int
    problems: list[str] = field(default_factory=list)
    is_list: bool = False
    items: list[ItemQuestionRow] = field(default_factory=list)


@dataclass
class PageCard:
    id: str
    number: int
    title: str
    is_exit: bool
    shown_when: str
    welsh_missing: int
    questions: list[QuestionRow] = field(default_factory=list)
    # Why the draft cannot be published, about this page (its condition, say).
    problems: list[str] = field(default_factory=list)


def _english(text: Any) -> str:
    return str(text.get("en", "")) if isinstance(text, dict) else ""


def page_cards(
    schema: dict[str, Any],
    beside: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {}),
) -> tuple[list[PageCard], list[str]]:
    """The draft's pages for the draft page, and the schema's problems that belong to no one
    question (those that do are listed on their question). `beside`: the reasons publishing
    is refused, by question and by page (publish_refusals.beside_questions_and_pages), each
    listed on its question or page too."""
    by_question, by_page = beside
    try:
        parsed: FormSchema | None = parse_schema(schema)
        problems: list[str] = []
    except SchemaError as exc:
        parsed, problems = None, list(exc.errors)
    gaps = welsh_missing(schema)
    cards: list[PageCard] = []
    placed: set[str] = set()
    pages = [p for p in schema.get("pages", []) if isinstance(p, dict)]
    for number, page in enumerate(pages, start=1):
        page_id = str(page.get("id"))
        shown_when = ""
        if page.get("show_if") is not None and parsed is not None:
            shown_when = describe_condition(parsed.page(page_id).show_if, parsed, "en")  # type: ignore[arg-type]
        rows = []
        for question in [q for q in page.get("questions", []) or [] if isinstance(q, dict)]:
            question_id = str(question.get("id"))
            mine = [p for p in problems if p.startswith(f"Question '{question_id}' ")]
            placed.update(mine)
            mine += [p for p in by_question.get(question_id, []) if p not in mine]
            rows.append(
                QuestionRow(
                    id=question_id,
                    label=_english(question.get("label")) or question_id,
                    type_name=type_name(str(question.get("type"))),
                    required=question.get("required", True) is not False,
                    welsh_missing=sum(g.question_id == question_id for g in gaps),
                    problems=mine,
                    is_list=question.get("type") == "repeat",
                    items=[
                        ItemQuestionRow(
                            id=str(item.get("id")),
                            label=_english(item.get("label")) or str(item.get("id")),
                            type_name=type_name(str(item.get("type"))),
                            required=item.get("required", True) is not False,
                        )
                        for item in question.get("questions") or []
                        if isinstance(item, dict)
                    ],
                )
            )
        first_label = rows[0].label if rows else page_id
        cards.append(
            PageCard(
                id=page_id,
                number=number,
                title=_english(page.get("title")) or first_label,
                is_exit=page.get("type") == "exit",
                shown_when=shown_when,
                welsh_missing=sum(g.page_id == page_id and g.question_id is None for g in gaps),
                questions=rows,
                problems=by_page.get(page_id, []),
            )
        )
    return cards, [p for p in problems if p not in placed]


@studio_view
@require_safe
def form_versions(request: HttpRequest, service_id: int) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    versions = drafts.versions_of(service)
    has_draft = any(v.status == FormVersion.Status.DRAFT for v in versions)
    has_live = any(v.status == FormVersion.Status.LIVE for v in versions)
    return studio_page(
        request,
        "studio/form_versions.html",
        {"service": service, "versions": versions, "has_draft": has_draft, "has_live": has_live},
        section=SERVICES,
    )


def choose_type_page(
    request: HttpRequest,
    service: Service,
    choose: type[ChooseTypeForm],
    *,
    title: str,
    back_url: str,
    **extra: Any,
) -> HttpResponse:
    """The first step of adding a question: its type, chosen by a GET form (`?type=`), so a type
    sent that `choose` does not offer is shown as the form's error."""
    form = choose(request.GET if "type" in request.GET else None)
    form.is_valid()
    return studio_page(
        request,
        "studio/question_type.html",
        {"service": service, "form": form, "title": title, "back_url": back_url, **extra},
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def draft_create(request: HttpRequest, service_id: int) -> HttpResponse:
    """Create a draft: a copy of the live version, or, when nothing is live, a form whose first
    question is asked for here (its type, then the question editor)."""
    service = drafts.service_or_404(service_id)
    if drafts.draft_of(service) is not None:
        return redirect("studio:draft", service.pk)
    if drafts.live_of(service) is not None:
        if request.method != "POST":
            return redirect("studio:form", service.pk)
        drafts.create_draft(request.user, service)
        messages.success(request, _("Draft created: a copy of the live version"))
        return redirect("studio:draft", service.pk)
    type_ = request.GET.get("type")
    if type_ is None or not ChooseTypeForm({"type": type_}).is_valid():
        return choose_type_page(
            request,
            service,
            ChooseTypeForm,
            title=_("The form’s first question"),
            back_url=reverse("studio:form", args=[service.pk]),
        )
    form, save = question_editor(
        type_, request.POST if request.method == "POST" else None, existing=None, new_page=True
    )
    if save and form.is_valid():
        question, title = form.question_json(), form.page_title_json()
        try:
            drafts.create_draft(
                request.user, service, lambda schema: edits.add_page(schema, question, title=title)
            )
        except EditError as error:
            on_form(form)(error.errors)
        else:
            messages.success(request, _("Draft created with its first question"))
            return redirect("studio:draft", service.pk)
    return studio_page(
        request,
        "studio/question_form.html",
        {
            "service": service,
            "form": form,
            "title": _("The form’s first question"),
            "button": _("Create the draft"),
            "type_name": type_name(type_),
            "back_url": reverse("studio:draft_create", args=[service.pk]),
        },
        section=SERVICES,
    )


def render_draft(
    request: HttpRequest, service: Service, draft: FormVersion, problems: list[str] | None = None
) -> HttpResponse:
    """The draft page; `problems` (an edit refused) go in its error summary."""
    cards, schema_problems = page_cards(
        draft.schema, beside_questions_and_pages(find_publish_problems(draft))
    )
    return studio_page(
        request,
        "studio/draft.html",
        {
            "service": service,
            "draft": draft,
            "cards": cards,
            "schema_problems": schema_problems,
            "edit_problems": problems or [],
            "welsh_missing": len(welsh_missing(draft.schema)),
            "question_pages": sum(not card.is_exit for card in cards),
        },
        section=SERVICES,
    )


def on_draft_page(
    request: HttpRequest, service: Service, draft: FormVersion
) -> Callable[[list[str]], HttpResponse]:
    """An edit's refusals in the draft page's error summary (for the buttons on that page)."""
    return lambda errors: render_draft(request, service, draft, errors)


@studio_view
@require_safe
def draft(request: HttpRequest, service_id: int) -> HttpResponse:
    service = drafts.service_or_404(service_id)
    return render_draft(request, service, drafts.draft_or_404(service))


@studio_view
@require_safe
def preview(request: HttpRequest, service_id: int, number: int) -> HttpResponse:
    """A version's pages as residents see them (all, or `?page=` alone), in English or Welsh,
    with the journey's own templates (portal/journey/preview.py)."""
    service = drafts.service_or_404(service_id)
    version = get_object_or_404(
        FormVersion.objects.select_related("form__service"), form__service=service, number=number
    )
    back = reverse(
        "studio:draft" if version.status == FormVersion.Status.DRAFT else "studio:form",
        args=[service.pk],
    )
    return render_preview(
        request,
        version,
        here=reverse("studio:preview", args=[service.pk, number]),
        back_url=back,
        back_label=_("Back to the form builder"),
        page_id=request.GET.get("page") or None,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, service_id: int) -> HttpResponse:
    """What the draft changes and what routing it affects, then Publish; a refusal lists every
    reason (services.catalogue.publish_version)."""
    service = drafts.service_or_404(service_id)
    version = drafts.draft_or_404(service)
    live = drafts.live_of(service)
    refusals: list[Refusal] = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                publish_version(version)
                record_change(request.user, version, [str(_("Published"))])
        except PublishRefused:
            # Each reason links to where it is shown and fixed.
            refusals = publish_refusals.refusals(service, version)
        except VersionStateError as error:
            refusals = [Refusal(str(message), "") for message in error.messages]
        else:
            messages.success(
                request,
                _("Version %(number)s published: residents now fill it in")
                % {"number": version.number},
            )
            return redirect("studio:form", service.pk)
    try:
        summary = summarise_changes(live.schema if live is not None else None, version.schema)
    except SchemaError as exc:
        summary = None
        to_draft = reverse("studio:draft", args=[service.pk])
        refusals = refusals or [Refusal(error, to_draft) for error in exc.errors]
    warnings: list[str] = []
    if summary is not None:
        rule_set = load_rule_set(service.pk)
        if rule_set is not None:
            warnings = routing_affected(
                summary,
                [RuleUse(rule.name, rule.condition) for rule in rule_set.rules.all()],
                [DestinationUse(d.name, d.mapping) for d in rule_set.destinations.all()],
            )
    return studio_page(
        request,
        "studio/publish.html",
        {
            "service": service,
            "draft": version,
            "live": live,
            "summary": summary,
            "warnings": warnings,
            "refusals": refusals,
        },
        section=SERVICES,
    )
