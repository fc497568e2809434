"""The "All services" page and each service's start page."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.catalogue import search
from services.models import FormVersion, Service


def live_services() -> QuerySet[Service]:
    """Services residents can use now: live, with a live form version to fill in."""
    return (
        Service.objects.filter(is_live=True, form__versions__status=FormVersion.Status.LIVE)
        .select_related("topic")
        .order_by("topic__order", "topic_id", "order", "name")
    )


@require_safe
def service_list(request: HttpRequest) -> HttpResponse:
    query = search.clean_query(request.GET.get("q", ""))
    services = list(live_services())
    if query:
        words = search.terms(query)
        services = [service for service in services if search.matches(service, words)]
    groups = [(topic, list(items)) for topic, items in groupby(services, key=attrgetter("topic"))]
    return render(
        request,
        "catalogue/list.html",
        {"query": query, "groups": groups, "result_count": len(services)},
    )


@require_safe
def start(request: HttpRequest, slug: str) -> HttpResponse:
    service = live_services().filter(slug=slug).first()
    if service is None:
        raise Http404("No live service with this slug")
    return render(request, "catalogue/start.html", {"service": service})
