"""Staff send a resident's failed update to a back office again, from the case's timeline,
through services/conversations/resend.send_again (its guard, its history entry). The same
permission as the other case actions (portal/staff/views/casework.py): anyone who may work on
the case, with a reason given for opening it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.staff.access import visible_case, workspace_view
from portal.staff.views.reason import ask_for_reason, reason_given
from services.conversations.resend import send_again
from services.delivery.actions import ActionRefused
from services.models import OutgoingUpdate


@workspace_view
@require_POST
def resend(request: HttpRequest, reference: str, update_id: int) -> HttpResponse:
    submission = visible_case(request, reference)
    if reason_given(request, submission) is None:
        return ask_for_reason(submission)
    update = OutgoingUpdate.objects.filter(message__submission=submission, pk=update_id).first()
    if update is None:
        raise Http404
    try:
        send_again(update, request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The update will be sent to %(system)s again now")
            % {"system": update.connection.name},
        )
    return redirect("staff:case_timeline", submission.reference)
