from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from portal.accounts.mfa import has_second_factor

# What a staff member without a second factor may still use: the pages that set one up (an
# authenticator app or a passkey, the page that offers both, and the re-authentication allauth
# asks for before adding one) and signing out. Matched by the full view name, so the Welsh
# /cy/accounts/... pages are covered and nothing else is: the admin's own pages about
# authenticators are named admin:mfa_..., which a prefix would have let through.
_ALLOWED_VIEW_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
    }
)
# Served before the middleware in production (WhiteNoise), listed for any set-up where it is not.
_ALLOWED_PATH_PREFIXES = (settings.STATIC_URL or "/static/", "/health/")


def _is_allowed_without_mfa(request: HttpRequest) -> bool:
    if request.path_info.startswith(_ALLOWED_PATH_PREFIXES):
        return True
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        # An unknown page is no staff page, but nothing is lost by asking for MFA first.
        return False
    return view_name in _ALLOWED_VIEW_NAMES


class RequireStaffMFAMiddleware:
    """Send staff and admins who have no second factor to MFA set-up before any other page.

    Residents may turn MFA on; people who can see other people's data must. This covers the
    Django admin too: it signs people in through allauth and is just another page here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not _is_allowed_without_mfa(request)
            and user.is_council_staff
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                _(
                    "Council staff must set up two-factor authentication before they can "
                    "continue. Set up an authenticator app below."
                ),
                fail_silently=True,
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
