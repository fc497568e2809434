"""A supervisor says why before opening a case outside their own teams.

Supervisors may see every case (services/staff/scope.py); for one no team of theirs covers, the
workspace asks for a reason first, records it in the access log, and keeps it for the rest of
the session so every view of that case carries it. The prompt shows no personal data.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.staff.access import visible_case, workspace_view
from services.audit import record_access
from services.forms.normalise import UnsafeTextError, clean_text
from services.models import Submission
from services.staff.scope import cases_of_own_teams, is_outside_own_teams, sees_every_team

_SESSION_KEY = "staff_case_reasons"  # {submission pk (str): reason}
REASON_MAX_LENGTH = 500


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Your reason"),
        help_text=_("For example, the resident phoned and the team that handles it is closed"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter why you need to open this case"),
            "max_length": _("The reason must be %(limit_value)d characters or fewer"),
            "null_characters_not_allowed": _("Remove the special characters from the reason"),
        },
    )

    def clean_reason(self) -> str:
        try:
            return clean_text(self.cleaned_data["reason"], multiline=True)
        except UnsafeTextError:
            raise forms.ValidationError(
                _("Remove the special characters from the reason"), code="unsafe"
            ) from None


def reason_given(request: HttpRequest, submission: Submission) -> str | None:
    """The reason to record with a view of this case: "" when none is needed, None when one is
    needed and not given yet (the caller sends the person to the prompt)."""
    reasons: dict[str, str] = request.session.get(_SESSION_KEY, {})
    if str(submission.pk) in reasons:
        return reasons[str(submission.pk)]
    if is_outside_own_teams(request.user, submission):
        return None
    return ""


def readable_without_asking(request: HttpRequest, submission_ids: set[int]) -> set[int]:
    """Of these visible cases, those whose contents this person may read now: all of them for
    an agent (they see only their teams' cases); for a supervisor, their own teams' cases and
    those they have given a reason for. One query, however many cases."""
    if not sees_every_team(request.user) or not submission_ids:
        return set(submission_ids)
    reasons: dict[str, str] = request.session.get(_SESSION_KEY, {})
    own = cases_of_own_teams(request.user).filter(pk__in=submission_ids)
    return set(own.values_list("pk", flat=True)) | {i for i in submission_ids if str(i) in reasons}


def ask_for_reason(submission: Submission) -> HttpResponseRedirect:
    return redirect("staff:case_reason", submission.reference)


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def case_reason(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    case_url = reverse("staff:case", args=[submission.reference])
    if reason_given(request, submission) is not None:
        return redirect(case_url)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        reasons: dict[str, Any] = request.session.get(_SESSION_KEY, {})
        request.session[_SESSION_KEY] = {**reasons, str(submission.pk): reason}
        record_access(request.user, where="staff:reason", submission=submission, reason=reason)
        return redirect(case_url)
    return render(
        request,
        "staff/case_reason.html",
        {"submission": submission, "form": form, "active": "cases"},
    )
