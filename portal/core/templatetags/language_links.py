"""The language switcher: each page links to its own version in every other language.

The link is written from the route the request's path resolves to, reversed in the other
language, never from the path's own text: a request for //evil.example/cookies/ (which a browser
reads as another host) must not become a link off the site. A path that resolves to no route (a
404 page), or to one with no version in the other language, links to that language's home page.
"""

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import (
    get_language,
    get_language_info,
    get_supported_language_variant,
    override,
)

from portal.core.localised_urls import resolve_path, reverse_match

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in the language itself ("Cymraeg"), so a reader finds it whatever page they are on
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[LanguageLink]:
    request = context.get("request")
    current = _supported(get_language() or settings.LANGUAGE_CODE)
    # English is LANGUAGE_CODE ("en-gb") and lives at unprefixed addresses; reversing in plain
    # "en" would give /en/... addresses, so the default language is asked for by its full code.
    default = settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        target = default if code == _supported(default) else code
        url = "" if code == current else _url_in(request, target)
        name = get_language_info(code)["name_local"]
        links.append(LanguageLink(code=code, name=name, url=url, current=code == current))
    return links


def _url_in(request: HttpRequest | None, language: str) -> str:
    """This page's address in `language`, or that language's home page."""
    if request is None:
        return _home(language)
    urlconf = getattr(request, "urlconf", None)
    match = resolve_path(request.path_info, urlconf=urlconf)
    path = reverse_match(match, language, urlconf=urlconf) if match is not None else None
    if path is None or path == request.path:
        # No route, or one with no version in that language (outside i18n_patterns): the home
        # page in that language rather than a link that changes nothing.
        return _home(language)
    # The query string is kept (a search stays a search); re-encoded, and after a path this site
    # wrote, it cannot take the link anywhere else.
    query = request.GET.urlencode()
    return f"{path}?{query}" if query else path


def _home(language: str) -> str:
    with override(language):
        return reverse("home")


def _supported(language: str) -> str:
    try:
        return get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGES[0][0]
