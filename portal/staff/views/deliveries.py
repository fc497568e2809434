"""Supervisors retry a case's failed delivery from the workspace, through the same action the
delivery admin uses (services/delivery/actions.retry_now: its guards, its history entry)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.staff.access import visible_case, workspace_view
from portal.staff.views.reason import ask_for_reason, reason_given
from services.delivery.actions import ActionRefused, retry_now
from services.models import Delivery
from services.staff.scope import sees_every_team


@workspace_view
@require_POST
def retry(request: HttpRequest, reference: str, delivery_id: int) -> HttpResponse:
    if not sees_every_team(request.user):
        raise PermissionDenied
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    delivery = Delivery.objects.filter(submission=submission, pk=delivery_id).first()
    if delivery is None:
        raise Http404
    try:
        retry_now(delivery, request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The delivery will be sent again now"))
    return redirect("staff:case_timeline", submission.reference)
