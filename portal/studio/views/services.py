"""Services: the list with each one's state, and its start page made or changed.

Saving is the ModelForm's (the model's own checks, portal/studio/forms/service.py); each save is
recorded in the service's history (services/change_log.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.studio.access import SERVICES, studio_view
from portal.studio.forms.service import ServiceForm, welsh_missing
from portal.studio.views import studio_page
from services.change_log import record_addition, record_change
from services.models import Form, Service


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    has_published_form: bool
    is_routed: bool
    welsh_missing: int


@studio_view
@require_http_methods(["GET", "HEAD"])
def service_list(request: HttpRequest) -> HttpResponse:
    rows = [
        ServiceRow(
            service=service,
            has_published_form=service.live_version is not None,
            is_routed=service.unrouted_reason() is None,
            welsh_missing=welsh_missing(service),
        )
        for service in Service.objects.select_related("topic", "form")
    ]
    return studio_page(request, "studio/services.html", {"rows": rows}, section=SERVICES)


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            service = form.save()
            record_addition(request.user, service)
        messages.success(request, _("Service “%s” created") % service.name)
        return redirect("studio:services")
    return studio_page(
        request,
        "studio/service_form.html",
        {"form": form, "title": _("Create a service"), "button": _("Create the service")},
        section=SERVICES,
    )


@studio_view
@require_http_methods(["GET", "HEAD", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=service_id)
    title = _("Edit “%s”") % service.name  # before the form puts what was typed on `service`
    form = ServiceForm(request.POST if request.method == "POST" else None, instance=service)
    if form.is_valid():
        with transaction.atomic():
            form.save()
            record_change(request.user, service, form.changed_labels())
        messages.success(request, _("Service “%s” saved") % service.name)
        return redirect("studio:services")
    return studio_page(
        request,
        "studio/service_form.html",
        {
            "form": form,
            "service": service,
            "has_form": Form.objects.filter(service=service).exists(),
            "title": title,
            "button": _("Save the service"),
        },
        section=SERVICES,
    )
