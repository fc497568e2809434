"""Connections (system admins): the list, a new one (choose its kind, then its options), an
existing one changed, and "Test connection".

Options are checked and stored by `apply_connection_options` (through the form); the test is
services/routing/connection_check.py's, as in the admin. A connection's secrets are never shown,
and these views' POST data is marked sensitive so an error report cannot carry them either.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal.studio.access import CONNECTIONS, connections_view
from portal.studio.forms.connection import ChooseAdapterForm, ConnectionForm
from portal.studio.views import studio_page
from services.change_log import record_addition, record_change
from services.delivery.alerts import absolute_url
from services.models import Connection
from services.routing.connection_check import check_connection
from services.routing.option_fields import adapter_choices, adapter_name, option_fields


@connections_view
@require_http_methods(["GET", "HEAD"])
def connection_list(request: HttpRequest) -> HttpResponse:
    names = dict(adapter_choices())
    rows = [
        (connection, names.get(connection.adapter, connection.adapter))
        for connection in Connection.objects.all()
    ]
    return studio_page(request, "studio/connections.html", {"rows": rows}, section=CONNECTIONS)


@connections_view
@require_http_methods(["GET", "HEAD"])
def choose_adapter(request: HttpRequest) -> HttpResponse:
    """A GET form, so it works without JavaScript and needs no token: the choice goes on to
    the options page of that kind of system."""
    form = ChooseAdapterForm(request.GET or None, choices=adapter_choices())
    if form.is_valid():
        return redirect("studio:connection_create", form.cleaned_data["adapter"])
    return studio_page(
        request, "studio/connection_choose.html", {"form": form}, section=CONNECTIONS
    )


@connections_view
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def connection_create(request: HttpRequest, adapter: str) -> HttpResponse:
    options = option_fields(adapter)
    if options is None:
        raise Http404
    form = ConnectionForm(
        request.POST if request.method == "POST" else None, adapter_id=adapter, options=options
    )
    if form.is_valid():
        with transaction.atomic():
            connection = form.save()
            record_addition(request.user, connection)
        messages.success(request, _("Connection “%s” created") % connection.name)
        return redirect("studio:connection_edit", connection.pk)
    title = _("New connection: %s") % adapter_name(adapter)
    return studio_page(
        request,
        "studio/connection_form.html",
        {"form": form, "title": title, "button": _("Create the connection")},
        section=CONNECTIONS,
    )


@connections_view
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def connection_edit(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=connection_id)
    options = option_fields(connection.adapter)
    if options is None:  # an adapter no longer installed: nothing here can be edited safely
        raise Http404
    saved = Connection.objects.get(pk=connection.pk)  # as stored, whatever the form puts on it
    form = ConnectionForm(
        request.POST if request.method == "POST" else None,
        instance=connection,
        adapter_id=connection.adapter,
        options=options,
    )
    if form.is_valid():
        with transaction.atomic():
            form.save()
            record_change(request.user, connection, form.changed_labels())
        messages.success(request, _("Connection “%s” saved") % connection.name)
        return redirect("studio:connection_edit", connection.pk)
    return studio_page(
        request,
        "studio/connection_form.html",
        {
            "form": form,
            "connection": saved,
            "adapter_name": adapter_name(connection.adapter),
            "callback_url": absolute_url(reverse("callback", args=[saved.slug])),
            "title": _("Edit “%s”") % saved.name,
            "button": _("Save the connection"),
        },
        section=CONNECTIONS,
    )


@connections_view
@require_POST
def test(request: HttpRequest, connection_id: int) -> HttpResponse:
    """Ask the back office whether it answers, with the saved options; say so on the page."""
    connection = get_object_or_404(Connection, pk=connection_id)
    outcome = check_connection(connection)
    if outcome.works:
        messages.success(request, outcome.message)
    else:
        messages.error(request, outcome.message)
    return redirect("studio:connection_edit", connection.pk)
