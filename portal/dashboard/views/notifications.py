"""How we contact you: a signed-in resident's channel per kind of message, and their language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.templatetags.govuk_forms import error_links
from portal.dashboard.notifications_form import NotificationsForm
from portal.dashboard.views import resident
from services.notifications.rules import language_of


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    page_language = language_of(get_language())
    if request.method != "POST":
        form = NotificationsForm(user=resident(request), page_language=page_language)
        return _page(request, form)
    form = NotificationsForm(request.POST, user=resident(request), page_language=page_language)
    if not form.is_valid():
        return _page(request, form)
    language = form.save()
    # The account home in the language just chosen: choosing Cymraeg is choosing Welsh pages too.
    with translation.override(language):
        messages.success(request, _("Your choices have been saved"))
        home = reverse("dashboard:home")
    return redirect(home)


def _page(request: HttpRequest, form: NotificationsForm) -> HttpResponse:
    context = {"form": form, "error_links": error_links(form)}
    return render(request, "dashboard/notifications.html", context)
