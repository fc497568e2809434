"""A service's routing: its rules in order with what each does in plain English, the fallback,
and the pages that add, change, move and delete rules and set the mode and the fallback.

Changes are services/routing/editing.py's (one transaction each, recorded in the history); a
change that would leave a live service unrouted is undone and the form asks the person to
confirm it, with the model's reason. Conditions are built on routing_conditions.py's pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.routing import (
    DeleteRuleForm,
    RoutingSettingsForm,
    RuleForm,
    UnroutedConfirmation,
)
from portal.studio.forms.routing_conditions import is_editable
from portal.studio.publish_refusals import beside_routing
from portal.studio.views import studio_page
from services.forms.publish_checks import find_publish_problems
from services.forms.schema import FormSchema, SchemaError
from services.models import Destination, Form, FormVersion, RoutingRule, RoutingRuleSet, Service
from services.routing import editing
from services.routing.condition_parts import ANSWER, parts_of, summarise, summarise_part


@dataclass(frozen=True)
class PartRow:
    index: int
    summary: str
    editable: bool


@dataclass(frozen=True)
class DestinationRow:
    destination: Destination
    # What publishing the draft would break in its field mapping (publish_refusals.py).
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RuleRow:
    rule: RoutingRule
    summary: str
    destinations: list[DestinationRow]
    parts: list[PartRow]
    # What publishing the draft would break in its condition (publish_refusals.py).
    problems: list[str] = field(default_factory=list)


def service_and_form(service_id: int) -> tuple[Service, Form]:
    """The service and its form; 404 for a service without a form (nothing to route yet)."""
    service = get_object_or_404(Service, pk=service_id)
    form = Form.objects.filter(service=service).first()
    if form is None:
        raise Http404
    return service, form


def live_schema(form: Form) -> FormSchema | None:
    version = form.live_version
    try:
        return version.parsed if version is not None else None
    except SchemaError:
        return None


def rule_of(service: Service, rule_id: int) -> RoutingRule:
    return get_object_or_404(
        RoutingRule.objects.select_related("rule_set"), pk=rule_id, rule_set__form__service=service
    )


def rule_rows(
    rule_set: RoutingRuleSet | None,
    schema: FormSchema | None,
    problems: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {}),
) -> list[RuleRow]:
    """The rules in order; `problems` (by rule name, by destination name) are what publishing
    the draft would break."""
    if rule_set is None:
        return []
    by_rule, by_destination = problems
    destinations = list(rule_set.destinations.select_related("connection"))
    return [
        RuleRow(
            rule=rule,
            summary=summarise(rule.condition, schema),
            destinations=[
                DestinationRow(d, by_destination.get(d.name, []))
                for d in destinations
                if d.rule_id == rule.pk
            ],
            parts=part_rows(rule, schema),
            problems=by_rule.get(rule.name, []),
        )
        for rule in rule_set.rules.all()
    ]


def part_rows(rule: RoutingRule, schema: FormSchema | None) -> list[PartRow]:
    return [
        PartRow(index, summarise_part(part, schema), is_editable(part))
        for index, part in enumerate(parts_of(rule.condition).parts)
    ]


def mapping_editor_exists() -> bool:
    """Whether the field mapping editor (another part of the studio) is installed yet."""
    try:
        reverse("studio:destination_mapping", kwargs={"destination_id": 0})
    except NoReverseMatch:
        return False
    return True


@studio_view
@require_http_methods(["GET", "HEAD"])
def routing(request: HttpRequest, service_id: int) -> HttpResponse:
    service, form = service_and_form(service_id)
    rule_set = RoutingRuleSet.objects.filter(form=form).first()
    schema = live_schema(form)
    draft = FormVersion.objects.filter(form=form, status=FormVersion.Status.DRAFT).first()
    problems = beside_routing(find_publish_problems(draft)) if draft and rule_set else ({}, {})
    fallback = [
        DestinationRow(destination, problems[1].get(destination.name, []))
        for destination in (
            rule_set.destinations.filter(rule=None).select_related("connection") if rule_set else []
        )
    ]
    return studio_page(
        request,
        "studio/routing.html",
        {
            "service": service,
            "rule_set": rule_set,
            "rows": rule_rows(rule_set, schema, problems),
            "fallback": fallback,
            "draft": draft,
            "has_live_form": schema is not None,
            "unrouted_reason": service.unrouted_reason(),
            "mapping_editor": mapping_editor_exists(),
            "answer_kind": ANSWER,
        },
        section=SERVICES,
    )


def _save(
    request: HttpRequest,
    service: Service,
    form: UnroutedConfirmation,
    change: Any,
    success: str,
) -> HttpResponse | None:
    """Run `change` keeping the service routed (or as confirmed); a redirect to the routing page
    on success, or None with the form told why not."""
    try:
        with editing.keeping_routed(
            service, allow_unrouted=bool(form.cleaned_data.get("leave_unrouted"))
        ):
            change()
    except editing.WouldLeaveUnrouted as refused:
        form.would_leave_unrouted(refused.reason)
        return None
    except editing.DestinationInUse as refused:
        form.add_error(None, str(refused))
        return None
    messages.success(request, success)
    return redirect("studio:routing", service.pk)


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def routing_settings(request: HttpRequest, service_id: int) -> HttpResponse:
    service, form_of_service = service_and_form(service_id)
    rule_set = RoutingRuleSet.objects.filter(form=form_of_service).first()
    initial = {
        "mode": rule_set.mode if rule_set else RoutingRuleSet.Mode.FIRST_MATCH,
        "fallback": [d.connection_id for d in rule_set.destinations.filter(rule=None)]
        if rule_set
        else [],
    }
    form = RoutingSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():

        def change() -> None:
            saved = editing.rule_set_for(request.user, form_of_service)
            editing.set_mode(request.user, saved, form.cleaned_data["mode"])
            editing.set_destinations(request.user, saved, None, form.cleaned_data["fallback"])

        done = _save(request, service, form, change, _("Routing of “%s” saved") % service.name)
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/routing_settings.html",
        {"form": form, "service": service},
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def rule_create(request: HttpRequest, service_id: int) -> HttpResponse:
    service, form_of_service = service_and_form(service_id)
    rule_set = RoutingRuleSet.objects.filter(form=form_of_service).first()
    form = RuleForm(request.POST if request.method == "POST" else None, rule_set=rule_set)
    if form.is_valid():
        data = form.cleaned_data
        created: list[RoutingRule] = []

        def change() -> None:
            saved = editing.rule_set_for(request.user, form_of_service)
            rule = editing.add_rule(
                request.user, saved, name=data["name"], is_active=data["is_active"]
            )
            editing.set_destinations(request.user, saved, rule, data["destinations"])
            created.append(rule)

        done = _save(request, service, form, change, _("Rule “%s” added") % data["name"])
        if done is not None:
            # Next: its conditions (until it has some, it matches every submission).
            return redirect("studio:routing_rule_edit", service.pk, created[0].pk)
    return studio_page(
        request,
        "studio/routing_rule_form.html",
        {"form": form, "service": service, "title": _("Add a rule"), "button": _("Add the rule")},
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def rule_edit(request: HttpRequest, service_id: int, rule_id: int) -> HttpResponse:
    service, form_of_service = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    parts = parts_of(rule.condition)
    initial = {
        "name": rule.name,
        "is_active": rule.is_active,
        "match": parts.match,
        "destinations": [d.connection_id for d in rule.destinations.all()],
    }
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        rule_set=rule.rule_set,
        rule=rule,
    )
    title = _("Rule “%s”") % rule.name
    if form.is_valid():
        data = form.cleaned_data

        def change() -> None:
            condition = parts.matching(data["match"]).as_condition()
            editing.change_rule(
                request.user,
                rule,
                name=data["name"],
                is_active=data["is_active"],
                condition=condition,
            )
            editing.set_destinations(request.user, rule.rule_set, rule, data["destinations"])

        done = _save(request, service, form, change, _("Rule “%s” saved") % data["name"])
        if done is not None:
            return done
        rule.refresh_from_db()
    schema = live_schema(form_of_service)
    return studio_page(
        request,
        "studio/routing_rule_form.html",
        {
            "form": form,
            "service": service,
            "rule": rule,
            "parts": part_rows(rule, schema),
            "summary": summarise(rule.condition, schema),
            "title": title,
            "button": _("Save the rule"),
        },
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def rule_delete(request: HttpRequest, service_id: int, rule_id: int) -> HttpResponse:
    service, _form = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    form = DeleteRuleForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        name = rule.name
        done = _save(
            request,
            service,
            form,
            lambda: editing.delete_rule(request.user, rule),
            _("Rule “%s” deleted") % name,
        )
        if done is not None:
            return done
    return studio_page(
        request,
        "studio/routing_rule_delete.html",
        {"form": form, "service": service, "rule": rule},
        section=SERVICES,
    )


@studio_view
@require_POST
def rule_move(request: HttpRequest, service_id: int, rule_id: int) -> HttpResponse:
    """Up or down one place (a button per direction on the routing page)."""
    service, _form = service_and_form(service_id)
    rule = rule_of(service, rule_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose to move the rule up or down"))
    else:
        editing.move_rule(request.user, rule, up=direction == "up")
        messages.success(request, _("Rule “%s” moved") % rule.name)
    return redirect("studio:routing", service.pk)
