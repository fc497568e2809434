"""The audit log: search who saw whose personal data, and export it as CSV for a subject access
request. Reading the log is itself recorded (services.audit_search says how)."""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from portal.core.paging import results_page
from portal.staff.access import audit_view
from portal.staff.audit_forms import AuditSearchForm
from services.audit_search import (
    csv_rows,
    file_seen,
    place_label,
    record_export,
    record_search,
    resident_of,
    search_access_log,
)

PAGE_SIZE = 50


@audit_view
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return _render(request, form)
    entries = search_access_log(form.query(), before=timezone.now())
    paged = results_page(Paginator(entries, PAGE_SIZE), request.GET.get("page"))
    shown = list(paged.page.object_list)
    record_search(request.user, shown, where="staff:audit_search")
    rows = [_row(entry) for entry in shown]
    return _render(request, form, page=paged.page, page_numbers=paged.numbers, rows=rows)


@audit_view
@require_safe
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return _render(request, form)
    started = timezone.now()
    # Entries up to now: the export's own entries, written next, are not part of it.
    entries = search_access_log(form.query(), before=started)
    record_export(request.user, entries)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(entries)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"access-log-{timezone.localtime(started):%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file-like object whose write returns the line: csv.writer makes each row a string that
    the streaming response sends straight away."""

    def write(self, value: str) -> str:
        return value


def _row(entry: Any) -> dict[str, Any]:
    name, email = resident_of(entry)
    return {
        "entry": entry,
        "what": place_label(entry.where),
        "file": file_seen(entry),
        "resident_name": name,
        "resident_email": email,
    }


def _render(request: HttpRequest, form: AuditSearchForm, **context: Any) -> HttpResponse:
    context.setdefault("page", None)
    return render(
        request,
        "staff/audit_log.html",
        {"form": form, "active": "audit", **context},
    )
