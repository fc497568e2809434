"""A connection's statuses (system admins): the statuses its back office sends, each mapped to
a portal status (Needs your reply among them) with what residents are told; one added, changed
or removed at a time, each change recorded in the connection's history. `?status=` fills in
the status to map (a link from where an unmapped status is seen).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.studio.access import CONNECTIONS, connections_view
from portal.studio.forms.statuses import StatusMappingForm
from portal.studio.views import studio_page
from services.change_log import record_change
from services.models import Connection, StatusMapping


def _label(status: str) -> str:
    """The change, as the connection's history shows it: never more than the status's name."""
    return _("status mapping (%s)") % status


@connections_view
@require_http_methods(["GET", "HEAD", "POST"])
def status_list(request: HttpRequest, connection_id: int) -> HttpResponse:
    """The mapped statuses, and a form to add one."""
    connection = get_object_or_404(Connection, pk=connection_id)
    form = StatusMappingForm(
        request.POST if request.method == "POST" else None,
        connection=connection,
        initial={"external_status": request.GET.get("status", "")[:100]},
    )
    if form.is_valid():
        with transaction.atomic():
            mapping = form.save()
            record_change(request.user, connection, [_label(mapping.external_status)])
        messages.success(request, _("Status “%s” mapped") % mapping.external_status)
        return redirect("studio:connection_statuses", connection.pk)
    return studio_page(
        request,
        "studio/connection_statuses.html",
        {
            "connection": connection,
            "mappings": connection.status_mappings.all(),
            "form": form,
        },
        section=CONNECTIONS,
    )


@connections_view
@require_http_methods(["GET", "HEAD", "POST"])
def status_edit(request: HttpRequest, connection_id: int, mapping_id: int) -> HttpResponse:
    """Change one status's meaning, or (action "remove") stop mapping it."""
    connection = get_object_or_404(Connection, pk=connection_id)
    mapping = get_object_or_404(StatusMapping, pk=mapping_id, connection=connection)
    status = mapping.external_status
    if request.method == "POST" and request.POST.get("action") == "remove":
        with transaction.atomic():
            mapping.delete()
            record_change(request.user, connection, [_label(status)])
        messages.success(request, _("Status “%s” is no longer mapped") % status)
        return redirect("studio:connection_statuses", connection.pk)
    form = StatusMappingForm(
        request.POST if request.method == "POST" else None,
        instance=mapping,
        connection=connection,
    )
    if form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record_change(request.user, connection, [_label(saved.external_status)])
        messages.success(request, _("Status “%s” saved") % saved.external_status)
        return redirect("studio:connection_statuses", connection.pk)
    return studio_page(
        request,
        "studio/connection_status_form.html",
        {"connection": connection, "mapping": mapping, "status": status, "form": form},
        section=CONNECTIONS,
    )
