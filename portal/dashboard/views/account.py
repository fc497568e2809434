"""The signed-in resident's own requests and unfinished forms. Every query is filtered by the
resident, so another person's reference or draft is simply not found (404)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.dashboard.answers import answer_rows
from portal.dashboard.views import resident
from services.drafts_cleanup import delete_draft
from services.forms.references import normalise_reference
from services.models import Draft, Submission


@never_cache
@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    submissions = (
        Submission.objects.filter(user=resident(request))
        .select_related("service")
        .order_by("-created_at")
    )
    drafts = _unfinished(request).order_by("-updated_at")
    return render(request, "dashboard/home.html", {"submissions": submissions, "drafts": drafts})


@never_cache
@login_required
@require_safe
def submission_detail(request: HttpRequest, reference: str) -> HttpResponse:
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("Not a reference")
    submission = get_object_or_404(
        Submission.objects.select_related("service", "form_version"),
        reference=canonical,
        user=resident(request),
    )
    return render(
        request,
        "dashboard/submission.html",
        {"submission": submission, "rows": answer_rows(submission), "guest_view": False},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_delete(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    draft = get_object_or_404(_unfinished(request), pk=draft_id)
    if request.method == "POST":
        service_name = draft.service.name
        delete_draft(draft)
        messages.success(
            request,
            _("Your unfinished form ‘%(service)s’ has been deleted") % {"service": service_name},
        )
        return redirect("dashboard:home")
    return render(request, "dashboard/draft_delete.html", {"draft": draft})


def _unfinished(request: HttpRequest) -> QuerySet[Draft]:
    # A draft an agent is filling in for the resident is the agent's until it is sent.
    return Draft.objects.filter(
        user=resident(request), created_by__isnull=True, expires_at__gt=timezone.now()
    ).select_related("form_version__form__service")
