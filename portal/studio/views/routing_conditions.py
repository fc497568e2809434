"""A rule's condition, one part at a time: choose what the rule looks at, then build that part
from lists (for an answer: the question first, then its own choices), change a part in place
(the same form, filled in with what it is), or remove a part.

Each page works without JavaScript: choosing is a GET form, saving a POST. The part is checked by
validate_condition (through the form) and the rule saved by services/routing/editing.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.routing_conditions import (
    KIND_CHOICES,
    PART_FORMS,
    ChooseKindForm,
    ChooseQuestionForm,
    ConditionPartForm,
    answer_form,
    initial_for,
)
from portal.studio.views import studio_page
from portal.studio.views.routing import live_schema, rule_of, service_and_form
from services.forms.schema import FormSchema, Question
from services.models import RoutingRule, Service
from services.routing import editing
from services.routing.condition_parts import (
    ANSWER,
    answer_of,
    find_target,
    kind_of,
    list_target_of,
    parts_of,
)


@studio_view
@require_http_methods(["GET", "HEAD"])
def choose_kind(request: HttpRequest, service_id: int, rule_id: int) -> HttpResponse:
    service, form_of_service = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    form = ChooseKindForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "studio:routing_condition_add", service.pk, rule.pk, form.cleaned_data["kind"]
        )
    return studio_page(
        request,
        "studio/routing_condition_kind.html",
        {
            "form": form,
            "service": service,
            "rule": rule,
            "has_live_form": live_schema(form_of_service) is not None,
        },
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def add_part(request: HttpRequest, service_id: int, rule_id: int, kind: str) -> HttpResponse:
    service, form_of_service = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    if kind not in PART_FORMS:
        raise Http404
    schema = live_schema(form_of_service)
    context = _context(service, rule, kind, schema)
    data = request.POST if request.method == "POST" else None
    form: ConditionPartForm
    if kind == ANSWER:
        chooser = ChooseQuestionForm(request.GET or None, schema=schema)
        target = chooser.chosen()
        if target is None:
            # First the question, so the next page can offer its own answers.
            return studio_page(
                request,
                "studio/routing_condition_question.html",
                {**context, "form": chooser},
                section=SERVICES,
            )
        form = answer_form(data, schema=schema, rule_name=rule.name, target=target)
        context.update(_about(target))
    else:
        form = PART_FORMS[kind](data, schema=schema, rule_name=rule.name)
    if form.is_valid():
        condition = parts_of(rule.condition).adding(form.part()).as_condition()
        editing.change_rule(request.user, rule, condition=condition)
        messages.success(request, _("Condition added to “%s”") % rule.name)
        return redirect("studio:routing_rule_edit", service.pk, rule.pk)
    return studio_page(
        request, "studio/routing_condition_form.html", {**context, "form": form}, section=SERVICES
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def edit_part(request: HttpRequest, service_id: int, rule_id: int, index: int) -> HttpResponse:
    """Change part `index` of the rule's condition with the form that made it; a part written
    in a routing file in a way the studio does not build can only be removed (404 here)."""
    service, form_of_service = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    parts = parts_of(rule.condition)
    if not 0 <= index < len(parts.parts):
        raise Http404
    part = parts.parts[index]
    kind = kind_of(part)
    initial = initial_for(kind, part) if kind in PART_FORMS else None
    if initial is None:
        raise Http404
    schema = live_schema(form_of_service)
    context = {**_context(service, rule, kind, schema), "editing": True}
    data = request.POST if request.method == "POST" else None
    form: ConditionPartForm
    if kind == ANSWER:
        target = _target(schema, part)
        if target is None:
            # The live form no longer asks it: the part can only be removed.
            messages.error(
                request,
                _("The question this condition looks at is not in the live form: remove it"),
            )
            return redirect("studio:routing_rule_edit", service.pk, rule.pk)
        form = answer_form(data, schema=schema, rule_name=rule.name, target=target, initial=initial)
        context.update(_about(target))
    else:
        form = PART_FORMS[kind](data, schema=schema, rule_name=rule.name, initial=initial)
    if form.is_valid():
        condition = parts.replacing(index, form.part()).as_condition()
        editing.change_rule(request.user, rule, condition=condition)
        messages.success(request, _("Condition changed in “%s”") % rule.name)
        return redirect("studio:routing_rule_edit", service.pk, rule.pk)
    return studio_page(
        request, "studio/routing_condition_form.html", {**context, "form": form}, section=SERVICES
    )


def _context(
    service: Service, rule: RoutingRule, kind: str, schema: FormSchema | None
) -> dict[str, Any]:
    """What a condition part's page shows, adding a part or changing one."""
    return {
        "service": service,
        "rule": rule,
        "kind": kind,
        "kind_label": dict(KIND_CHOICES)[kind],
        "has_live_form": schema is not None,
    }


def _about(target: tuple[Question, Any]) -> dict[str, Any]:
    """An answer part's page: the question it looks at; for a list's question about each item,
    a heading naming both."""
    question, item_question = target
    about: dict[str, Any] = {"question": question}
    if item_question is not None:
        about["heading"] = f"{question.label.en}: {item_question.label.en}"
    return about


def _target(schema: FormSchema | None, part: dict[str, Any]) -> tuple[Question, Any] | None:
    """What an answer part looks at in the live form, as the add page chose it: a question, a
    list ("at least N items") or a list's question about each item ("any item whose …");
    None when the live form no longer asks it as such (only removing the part is offered)."""
    list_target = list_target_of(part)
    answer = answer_of(part)
    if list_target is None and answer is None:
        return None
    target = find_target(schema, list_target or (answer[0] if answer else ""))
    if target is None or (target[0].type == "repeat") != (list_target is not None):
        return None  # a list part on a question that is no longer a list, or the other way
    return target


@studio_view
@require_POST
def remove_part(request: HttpRequest, service_id: int, rule_id: int, index: int) -> HttpResponse:
    service, _form = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    try:
        condition = parts_of(rule.condition).removing(index).as_condition()
    except IndexError:
        # A page from before another change: say so rather than remove the wrong part.
        messages.error(request, _("That condition is no longer there: nothing was removed"))
    else:
        editing.change_rule(request.user, rule, condition=condition)
        messages.success(request, _("Condition removed from “%s”") % rule.name)
    return redirect("studio:routing_rule_edit", service.pk, rule.pk)
