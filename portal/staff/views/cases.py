"""Finding and opening cases. Each page starts from services.staff.scope's visible cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.core.downloads import file_download
from portal.core.paging import results_page
from portal.dashboard.answers import answer_rows
from portal.staff.access import visible_case, workspace_view
from portal.staff.forms import CaseSearchForm
from portal.staff.views.reason import ask_for_reason, reason_given
from services.audit import record_access, record_list
from services.cases import case_file, case_files
from services.models import Delivery, OutgoingUpdate, Submission
from services.staff.residents import cases_of
from services.staff.scope import cases_visible_to, sees_every_team
from services.staff.search import PAGE_SIZE, SearchPaginator, search_cases
from services.staff.timeline import case_events, undelivered_messages

OTHER_CASES_SHOWN = 20


@dataclass(frozen=True)
class SortableColumn:
    label: str | Promise
    ascending: str  # the sort key that orders this column up, or "" if it cannot be sorted
    descending: str

    def aria_sort(self, current: str) -> str:
        if current == self.ascending:
            return "ascending"
        if current == self.descending:
            return "descending"
        return "none"

    def next_sort(self, current: str) -> str:
        return self.descending if current == self.ascending else self.ascending


COLUMNS = (
    SortableColumn(_("Reference"), "reference", ""),
    SortableColumn(_("Resident"), "", ""),
    SortableColumn(_("Service"), "service", ""),
    SortableColumn(_("Status"), "status", ""),
    SortableColumn(_("Sent"), "oldest", "newest"),
)


@workspace_view
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = CaseSearchForm(request.GET, user=request.user)
    page = None
    page_numbers: list[int | None] = []
    sort = "newest"
    if form.is_valid():
        sort = form.cleaned_data["sort"]
        cases = search_cases(request.user, form.query())
        paged = results_page(SearchPaginator(cases, PAGE_SIZE), request.GET.get("page"))
        page, page_numbers = paged.page, paged.numbers
        record_list(request.user, where="staff:search", submissions=list(page.object_list))
    headers = [
        {
            "label": column.label,
            "aria_sort": column.aria_sort(sort),
            "sort": column.next_sort(sort) if column.ascending else "",
        }
        for column in COLUMNS
    ]
    return render(
        request,
        "staff/search.html",
        {
            "form": form,
            "page": page,
            "page_numbers": page_numbers,
            "headers": headers,
            "sort": sort,
            "active": "cases",
        },
    )


def _other_cases(request: HttpRequest, submission: Submission) -> list[Submission]:
    """The same resident's other cases this person may see (a guest's by their e-mail)."""
    return list(
        cases_visible_to(request.user)
        .filter(cases_of(submission))
        .exclude(pk=submission.pk)
        .select_related("service")
        .order_by("-created_at")[:OTHER_CASES_SHOWN]
    )


@workspace_view
@require_safe
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    reason = reason_given(request, submission)
    if reason is None:
        return ask_for_reason(submission)
    record_access(
        request.user,
        where="staff:case",
        submission=submission,
        subject=submission.user,
        reason=reason,
    )
    return render(
        request,
        "staff/case.html",
        {
            "submission": submission,
            "rows": answer_rows(submission),
            "files": case_files(submission),
            "other_cases": _other_cases(request, submission),
            "undelivered": undelivered_messages(submission),
            "tab": "details",
            "active": "cases",
        },
    )


@workspace_view
@require_safe
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    submission = visible_case(request, reference)
    reason = reason_given(request, submission)
    if reason is None:
        return ask_for_reason(submission)
    record_access(
        request.user,
        where="staff:timeline",
        submission=submission,
        subject=submission.user,
        reason=reason,
    )
    return render(
        request,
        "staff/case_timeline.html",
        {
            "submission": submission,
            "events": case_events(submission),
            "undelivered": undelivered_messages(submission),
            # Supervisors may retry these (portal/staff/views/deliveries.py).
            "failed_deliveries": (
                list(
                    submission.deliveries.filter(state=Delivery.State.FAILED).select_related(
                        "connection"
                    )
                )
                if sees_every_team(request.user)
                else []
            ),
            # Anyone working on the case may send these again (portal/staff/views/updates.py).
            "failed_updates": list(
                OutgoingUpdate.objects.filter(
                    message__submission=submission, state=OutgoingUpdate.State.FAILED
                ).select_related("connection", "message")
            ),
            "tab": "timeline",
            "active": "cases",
        },
    )


@workspace_view
@require_safe
def attachment(request: HttpRequest, reference: str, question_id: str) -> HttpResponseBase:
    """One file of the case, as a download (portal/core/downloads.py); 404 for a question with
    no file, or a file retention has deleted (the case page says so instead of linking it)."""
    submission = visible_case(request, reference)
    reason = reason_given(request, submission)
    if reason is None:
        return ask_for_reason(submission)
    file_row = case_file(submission, question_id)
    response = None if file_row is None else file_download(request, file_row)
    if file_row is None or response is None:
        raise Http404
    record_access(
        request.user,
        where="staff:attachment",
        submission=submission,
        subject=submission.user,
        file=file_row,
        reason=reason,
    )
    return response
