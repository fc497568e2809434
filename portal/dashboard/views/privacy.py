"""Your data: see and download everything the portal holds about you, and delete your account.

Each page that shows the data, sends it or deletes the account asks for the password again if
it was not given in the last few minutes (allauth's reauthentication, as changing the e-mail
address or the password does), so a session left open on a shared computer gives neither.
What is in the data and what deletion keeps are services/privacy's to decide.
"""

from __future__ import annotations

import tempfile

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.accounts.templatetags.govuk_forms import error_links
from portal.core.headers import as_download
from portal.dashboard.forms import DeleteAccountForm
from portal.dashboard.views import resident
from services.models import DataExport
from services.privacy import erasure, export


def _download_name(extension: str) -> str:
    return f"your-data-{timezone.localdate():%Y-%m-%d}.{extension}"


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def your_data(request: HttpRequest) -> HttpResponse:
    """What we hold and how to get it. A large account's ZIP is prepared by a worker: POST asks
    for it, and the page says how it is going (reload or "Check again"; no script needed)."""
    user = resident(request)
    large = export.is_large(user)
    if request.method == "POST":
        if large:
            export.prepare(user, get_language() or "")
        return redirect("dashboard:your_data")
    prepared = export.latest(user) if large else None
    context = {
        "large": large,
        "prepared": prepared,
        "kept_until": export.kept_until(prepared) if prepared else None,
        "stale": prepared is not None and export.is_stale(prepared),
        "submission_count": user.submissions.count(),
    }
    return render(request, "dashboard/your_data.html", context)


@never_cache
@login_required
@reauthentication_required
@require_safe
def your_data_view(request: HttpRequest) -> HttpResponse:
    user = resident(request)
    if export.is_large(user):
        return redirect("dashboard:your_data")
    return render(request, "dashboard/your_data_view.html", {"data": export.collect(user)})


@never_cache
@login_required
@reauthentication_required
@require_safe
def your_data_json(request: HttpRequest) -> HttpResponse:
    user = resident(request)
    if export.is_large(user):
        return redirect("dashboard:your_data")
    response = HttpResponse(export.as_json(export.collect(user)))
    as_download(response, _download_name("json"), "application/json; charset=utf-8")
    return response


@never_cache
@login_required
@reauthentication_required
@require_safe
def your_data_zip(request: HttpRequest) -> HttpResponseBase:
    user = resident(request)
    if export.is_large(user):
        return redirect("dashboard:your_data")
    # Spooled: a small ZIP stays in memory, a bigger one goes to a temporary file; the response
    # closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    export.write_zip(user, out)
    out.seek(0)
    response = FileResponse(out)
    as_download(response, _download_name("zip"), "application/zip")
    return response


@never_cache
@login_required
@reauthentication_required
@require_safe
def your_data_prepared(request: HttpRequest) -> HttpResponseBase:
    """The ZIP a worker prepared, while it is kept; otherwise back to the page that says why."""
    prepared = export.latest(resident(request))
    if prepared is None or prepared.state != DataExport.State.READY:
        return redirect("dashboard:your_data")
    try:
        handle = default_storage.open(prepared.storage_name, "rb")
    except FileNotFoundError:
        return redirect("dashboard:your_data")
    response = FileResponse(handle)
    as_download(response, _download_name("zip"), "application/zip")
    return response


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = resident(request)
    if not erasure.may_delete_own_account(user):
        return render(request, "dashboard/account_delete_staff.html", status=403)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erasure.erase_account(user)
        logout(request)
        return redirect("dashboard:account_deleted")
    context = {
        "form": form,
        "error_links": error_links(form),
        "kept": erasure.kept_requests(user),
    }
    return render(request, "dashboard/account_delete.html", context)


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/account_deleted.html")
