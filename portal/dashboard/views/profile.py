"""Tell us once: the details forms fill in for a signed-in resident."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.dashboard.forms import ProfileForm
from portal.dashboard.views import resident


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = resident(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your details have been saved"))
            return redirect("dashboard:home")
    else:
        form = ProfileForm(user=user)
    return render(request, "dashboard/profile.html", {"form": form})
