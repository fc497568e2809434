"""A destination's field mapping: its back office's fields with where each value comes from, the
problems `validate_mapping` finds (required fields left unmapped, values of the wrong type), a
dry-run preview of the payload for a recent submission, and one page per field to change it.

Saving writes the same JSON as the admin (services/routing/mapping.py), one field at a time,
with the row locked so two people saving fields at once both keep their change; each save is
recorded in the destination's history (services/change_log.py). A preview shows a resident's
answers, so each one is recorded as an access (services/audit.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.studio.access import SERVICES, may_preview_payloads, studio_view
from portal.studio.forms.mapping import FieldMappingForm
from portal.studio.views import studio_page
from services.audit import record_access
from services.change_log import record_change
from services.models import Destination, Submission
from services.routing.mapping import field_problems, validate_mapping
from services.routing.mapping_editor import (
    TYPE_LABELS,
    describe,
    live_schema,
    preview_rows,
    recent_submissions,
    target_rows,
    with_field,
    without_field,
)
from services.routing.preview import preview_payload


def _destination(destination_id: int) -> Destination:
    return get_object_or_404(
        Destination.objects.select_related("connection", "rule", "rule_set__form__service"),
        pk=destination_id,
    )


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@studio_view
@require_http_methods(["GET", "HEAD"])
def mapping_overview(request: HttpRequest, destination_id: int) -> HttpResponse:
    destination = _destination(destination_id)
    adapter_class = destination.connection.adapter_class
    schema = live_schema(destination)
    mapping = destination.mapping if isinstance(destination.mapping, dict) else {}
    language = _language()
    rows = [
        {
            "row": row,
            "summary": describe(row.spec, schema, language) if row.spec is not None else "",
            "problems": (
                field_problems(row.name, row.spec, adapter_class=adapter_class, schema=schema)
                if row.spec is not None
                else []
            ),
        }
        for row in target_rows(adapter_class, mapping)
    ]
    context: dict[str, Any] = {
        "destination": destination,
        "service": destination.rule_set.form.service,
        "adapter_name": adapter_class.name if adapter_class else destination.connection.adapter,
        "any_fields": adapter_class is None or adapter_class.accepts_any_fields,
        "has_live_form": schema is not None,
        "rows": rows,
        "problems": validate_mapping(mapping, adapter_class=adapter_class, schema=schema),
        **_preview(request, destination),
    }
    return studio_page(request, "studio/mapping.html", context, section=SERVICES)


def _preview(request: HttpRequest, destination: Destination) -> dict[str, Any]:
    """The preview panel: recent submissions to pick from, and the payload of the one picked."""
    if not may_preview_payloads(request.user):
        return {"may_preview": False}
    recent = recent_submissions(destination)
    reference = request.GET.get("reference", "").strip().upper()[:40]
    preview: dict[str, Any] = {"may_preview": True, "recent": recent, "reference": reference}
    if not reference:
        return preview
    result = preview_payload(destination, reference)
    if "submission_id" in result:
        # A mapped payload is a resident's answers: record who looked.
        record_access(
            request.user,
            where="studio:payload_preview",
            submission=Submission.objects.get(pk=result["submission_id"]),
        )
    preview["result"] = {
        "errors": result["errors"],
        "warnings": result.get("warnings", []),
        "rows": preview_rows(result["payload"]) if "payload" in result else None,
    }
    return preview


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def mapping_field(request: HttpRequest, destination_id: int, target: str) -> HttpResponse:
    """Change one field's source, or (action "remove") stop sending the field."""
    destination = _destination(destination_id)
    if request.method == "POST" and request.POST.get("action") == "remove":
        return _remove(request, destination, target)
    return _edit(request, destination, target)


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def mapping_new(request: HttpRequest, destination_id: int) -> HttpResponse:
    """A field of the back office's not in the list (one that takes any field name)."""
    return _edit(request, _destination(destination_id), None)


def _edit(request: HttpRequest, destination: Destination, target: str | None) -> HttpResponse:
    adapter_class = destination.connection.adapter_class
    mapping = destination.mapping if isinstance(destination.mapping, dict) else {}
    if target is not None and target not in mapping:
        declared = {f.name for f in adapter_class.target_fields} if adapter_class else set()
        if target not in declared:
            # Not the back office's, not mapped: a new name is given on the new field's page.
            return redirect("studio:destination_mapping", destination.pk)
    schema = live_schema(destination)
    posted = request.method == "POST"
    form = FieldMappingForm(
        request.POST if posted else None,
        target=target,
        spec=mapping.get(target) if target is not None else None,
        schema=schema,
        adapter_class=adapter_class,
        taken=set(mapping),
        language=_language(),
    )
    # "Show its choices" (without JavaScript): the page again with the picked question's table.
    refreshing = posted and request.POST.get("action") == "choices"
    if posted and not refreshing and form.is_valid():
        saved_as = form.cleaned_data["target"]
        with transaction.atomic():
            locked = Destination.objects.select_for_update().get(pk=destination.pk)
            locked.mapping = with_field(locked.mapping or {}, saved_as, form.cleaned_data["spec"])
            locked.save(update_fields=["mapping"])
            record_change(request.user, locked, [_mapping_label(saved_as)])
        messages.success(request, _("Field “%s” saved") % saved_as)
        return redirect("studio:destination_mapping", destination.pk)
    declared_field = form.declared
    context = {
        "destination": destination,
        "service": destination.rule_set.form.service,
        "form": form.without_checking() if refreshing else form,
        "target": target,
        "declared": declared_field,
        "declared_type": TYPE_LABELS.get(declared_field.type, "") if declared_field else "",
        "is_mapped": target is not None and target in mapping,
        "has_live_form": schema is not None,
    }
    return studio_page(request, "studio/mapping_field.html", context, section=SERVICES)


def _remove(request: HttpRequest, destination: Destination, target: str) -> HttpResponse:
    with transaction.atomic():
        locked = Destination.objects.select_for_update().get(pk=destination.pk)
        if target in (locked.mapping or {}):
            locked.mapping = without_field(locked.mapping, target)
            locked.save(update_fields=["mapping"])
            record_change(request.user, locked, [_mapping_label(target)])
    messages.success(request, _("Field “%s” is no longer sent") % target)
    return redirect("studio:destination_mapping", destination.pk)


def _mapping_label(target: str) -> str:
    """The changed "field", as the history shows it: the mapping, and which of its fields."""
    return _("field mapping (%s)") % target
