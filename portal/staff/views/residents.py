"""Finding a resident and their page: details, cases, unfinished forms and contact history.

Who a resident is, and why a person is reached only through a case in scope, is decided in
services/staff/residents.py; these views present it and write the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portal.core.paging import results_page
from portal.staff.access import visible_case, workspace_view
from portal.staff.forms import ResidentSearchForm
from portal.staff.views.reason import readable_without_asking
from services.audit import record_access, record_list
from services.staff.residents import (
    ResidentFile,
    cases_of,
    find_residents,
    found_residents,
    resident_file,
)

PAGE_SIZE = 25


@workspace_view
@require_safe
def find(request: HttpRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET)
    page = None
    page_numbers: list[int | None] = []
    found = []
    if form.is_valid() and form.cleaned_data["q"]:
        paginator = Paginator(find_residents(request.user, form.cleaned_data["q"]), PAGE_SIZE)
        paged = results_page(paginator, request.GET.get("page"))
        page, page_numbers = paged.page, paged.numbers
        found = found_residents(list(page.object_list))
        # Each row shows a person's contact details: the row's case names whose they are.
        record_list(request.user, where="staff:residents", submissions=[row.case for row in found])
    return render(
        request,
        "staff/residents.html",
        {
            "form": form,
            "page": page,
            "page_numbers": page_numbers,
            "found": found,
            "active": "residents",
        },
    )


@workspace_view
@require_safe
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    file = resident_file(request.user, Q(user_id=person.pk), user=person)
    if not file.cases_in_scope:  # no case of theirs is this person's work: as if no one
        raise Http404
    record_access(request.user, where="staff:resident", subject=person)
    return _page(request, file, guest_case=None)


@workspace_view
@require_safe
def guest(request: HttpRequest, reference: str) -> HttpResponse:
    """A guest, named by one of their cases (never by their e-mail address in a URL)."""
    case = visible_case(request, reference)
    if case.user_id is not None:
        return redirect("staff:resident", case.user_id)
    file = resident_file(request.user, cases_of(case), email=case.contact_email, guest_case=case)
    # A guest has no user to be the row's subject: the case that names them is.
    record_access(request.user, where="staff:resident", submission=case)
    return _page(request, file, guest_case=case)


def _page(request: HttpRequest, file: ResidentFile, guest_case: Any) -> HttpResponse:
    readable = readable_without_asking(request, {c.submission_id for c in file.contacts})
    return render(
        request,
        "staff/resident.html",
        {
            "file": file,
            "guest_case": guest_case,
            "contacts": [(contact, contact.submission_id in readable) for contact in file.contacts],
            "active": "residents",
        },
    )
