"""A signed-in person who uses the language switcher has chosen that language for what we send.

The switcher (portal/core/templatetags/language_links.py) is a plain link from a page to the
same page in the other language, so the choice is recognised by what it is: a request for a
page whose Referer is this very page, on this site, in the other language. Nothing else makes
that pair (every link the site writes stays in the page's language), and another site cannot
forge a same-origin Referer, so following a stray /cy/ link does not change anyone's language.
The choice is stored with services/notifications/preferences.py `remember_language`, the same
rule the notifications page uses.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from portal.core.localised_urls import path_language, resolve_path, reverse_match
from services.notifications.preferences import remember_language
from services.notifications.rules import language_of


def switched_to(request: HttpRequest) -> str | None:
    """The language the request switched this page to with the switcher, or None."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if not referer.path or referer.netloc != request.get_host():
        return None
    to_language = path_language(request.path_info)
    from_language = path_language(referer.path)
    if language_of(to_language) == language_of(from_language):
        return None
    urlconf = getattr(request, "urlconf", None)
    match = resolve_path(request.path_info, urlconf=urlconf)
    if match is None or reverse_match(match, from_language, urlconf=urlconf) != referer.path:
        return None
    return language_of(to_language)


class RememberSwitchedLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.user.is_authenticated:
            language = switched_to(request)
            if language is not None:
                remember_language(request.user, language)
        return self.get_response(request)
