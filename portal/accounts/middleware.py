from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a staff member without MFA may still reach: the MFA set-up itself, signing out, assets.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/")


class RequireStaffMFAMiddleware:
    """Send staff and admins who have no second factor to MFA set-up before any other page.

    Residents may turn MFA on; people who can see other people's data must.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and user.is_council_staff
            and not is_mfa_enabled(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
