"""Admin actions sent ids that are not ids: a clear 400, not a server error.

An admin list page sends the rows ticked for an action as `_selected_action` values, and
ModelAdmin.response_action filters the model by them; a value that is not a primary key (only a
crafted request sends one) fails inside that query, which Django answers with a 500. This checks
them first, with the model's own primary-key field, on every model admin's list page (ours and
the ones allauth and django.contrib.auth register).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class AdminActionIdsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or helpers.ACTION_CHECKBOX_NAME not in request.POST:
            return None
        # ModelAdmin.get_urls marks each of its views with the model admin it belongs to.
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None:
            return None
        primary_key = model_admin.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                primary_key.to_python(value)
        except ValidationError:
            return HttpResponseBadRequest(
                "The rows chosen for the action are not rows of this list.",
                content_type="text/plain",
            )
        return None
