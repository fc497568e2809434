"""Response headers the portal adds itself, each decided in one place.

Permissions-Policy (every response): the browser features a page may use. The portal needs only
the location question's "Use my current location" (geolocation, from our own pages) and the
passkeys allauth offers (publickey-credentials-*, our own pages); everything else is refused, so
a script that got in through a dependency still cannot reach the camera, microphone or payment.

Cache-Control: no-store (pages with personal data): a resident's answers on a question or
check-your-answers page, their requests, their details, a guest's tracked request, allauth's
account pages, and any page shown to someone signed in. Without it the browser keeps them on
disk and the back button shows them on a shared computer after the resident has gone. Public
pages (the catalogue, the statement pages) stay cacheable for visitors who are not signed in.

A resident's file (a back office's signed link, a staff download: portal/core/downloads.py) is
sent as a download and nothing else (`as_download`): Content-Disposition: attachment under the
resident's name for it, the type established from its bytes with `nosniff` so no browser guesses
another, never stored by a cache, and a Content-Security-Policy that allows nothing at all and
sandboxes it, in case a browser renders it anyway. A download needs no relaxation of the pages'
policy; it gets a stricter one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

# URL namespaces whose every page shows a resident's answers or personal data: the journey
# (questions, check your answers, confirmation) and the account area (requests, drafts,
# details, tracking links).
PRIVATE_NAMESPACES = frozenset({"journey", "dashboard", "staff"})
# Set before CSPMiddleware sees the response, which then leaves it as it is.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """The header for {"geolocation": ["self"], "camera": []}: geolocation=(self), camera=()."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(policy.items())
    )


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def shows_personal_data(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is not None and (
        PRIVATE_NAMESPACES.intersection(match.namespaces)
        # allauth's pages name no namespace; they show e-mail addresses, sessions, devices.
        or match.func.__module__.partition(".")[0] == "allauth"
    ):
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if shows_personal_data(request):
            # no-store, and max-age=0, no-cache, must-revalidate, private for older caches.
            add_never_cache_headers(response)
        return response


def as_download(response: HttpResponseBase, filename: str, content_type: str) -> None:
    """Make `response` carry a resident's file as a download only (see the module's docstring)."""
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    add_never_cache_headers(response)
