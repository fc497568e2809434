"""The language switcher: each page links to its own version in every other language."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language, get_language_info, override
from django.utils.translation.trans_real import get_supported_language_variant

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
    path = request.get_full_path() if request is not None else "/"
    current = _supported(get_language() or settings.LANGUAGE_CODE)
    # English is LANGUAGE_CODE ("en-gb") and lives at unprefixed addresses; translating to plain
    # "en" would give /en/... addresses, so the default language is asked for by its full code.
    default = settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        target = default if code == _supported(default) else code
        url = path if code == current else translate_url(path, target)
        if code != current and url == path:
            # The address did not resolve (a 404) or has no version in that language: offer the
            # home page in that language rather than a link that changes nothing.
            url = _home(target, fallback=path)
        name = get_language_info(code)["name_local"]
        links.append(LanguageLink(code=code, name=name, url=url, current=code == current))
    return links


def _supported(language: str) -> str:
    try:
        return get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGES[0][0]


def _home(language: str, fallback: str) -> str:
    with override(language):
        try:
            return reverse("home")
        except NoReverseMatch:
            return fallback
