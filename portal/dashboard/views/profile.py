"""Tell us once: the details forms fill in for a signed-in resident."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.templatetags.govuk_forms import error_links
from portal.dashboard import profile_address
from portal.dashboard.forms import ProfileForm
from portal.dashboard.views import resident
from portal.journey.fields import Field
from portal.journey.pages import error_links as field_error_links
from portal.journey.pages import post_data


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = resident(request)
    lang = get_language() or "en"
    if request.method != "POST":
        address = user.address if isinstance(user.address, dict) else None
        return _page(request, ProfileForm(user=user), profile_address.shown(address, lang))
    address_posted = profile_address.posted(post_data(request.POST), lang)
    if address_posted.step:
        # A button within the address question: show its next state, keep what was typed
        # elsewhere, and judge nothing yet.
        typed = {name: request.POST.get(name, "") for name in ("full_name", "phone")}
        return _page(request, ProfileForm(user=user, initial=typed), address_posted.field)
    form = ProfileForm(request.POST, user=user)
    if form.is_valid() and address_posted.value is not None:
        form.save(address_posted.value)
        messages.success(request, _("Your details have been saved"))
        return redirect("dashboard:home")
    return _page(request, form, address_posted.field)


def _page(request: HttpRequest, form: ProfileForm, address: Field) -> HttpResponse:
    context = {
        "form": form,
        "address": address,
        "error_links": [*error_links(form), *field_error_links([address])],
    }
    return render(request, "dashboard/profile.html", context)
