"""The one way to read a path's route and write it again in a language.

The resident pages sit in i18n_patterns: English unprefixed, Welsh under /cy/. Django resolves and
reverses those in the *active* language, which, outside the view (in middleware before
LocaleMiddleware, or while rendering a page for a path that is not ours), need not be the
path's. These helpers use the path's own language to resolve and the asked-for one to reverse,
so what comes out is always a path this site made, never a piece of the request's text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, ResolverMatch, resolve, reverse
from django.utils.translation import get_language_from_path, override


def path_language(path_info: str) -> str:
    """The language a path is in: its prefix's, or the default language's when it has none."""
    return get_language_from_path(path_info) or settings.LANGUAGE_CODE


def resolve_path(path_info: str, urlconf: str | None = None) -> ResolverMatch | None:
    """The route a path resolves to in its own language, or None when it resolves to none."""
    with override(path_language(path_info)):
        try:
            return resolve(path_info, urlconf=urlconf)
        except Resolver404:
            return None


def reverse_match(
    match: ResolverMatch,
    language: str,
    kwargs: dict[str, Any] | None = None,
    urlconf: str | None = None,
) -> str | None:
    """The path of a resolved route in `language`, with its kwargs or the ones given; None when
    the route cannot be written with them."""
    with override(language):
        try:
            return reverse(
                match.view_name,
                args=match.args,
                kwargs=match.kwargs if kwargs is None else kwargs,
                urlconf=urlconf,
            )
        except NoReverseMatch:
            return None
