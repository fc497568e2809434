"""Searching the catalogue: what a resident typed, made safe, matched against what they read.

A council has tens to a few hundred services, so matching happens in Python on the names and
summaries as shown in the current language (with modeltranslation's fallback to English), which
a database filter on one language's column would miss.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Protocol

# Longer than any service name; a longer query is cut rather than refused.
MAX_QUERY_CHARS = 100


class Searchable(Protocol):
    name: str
    summary: str


def clean_query(raw: str) -> str:
    """The query as it will be searched for and shown back: NFC, no control or format
    characters, single spaces, at most MAX_QUERY_CHARS characters."""
    kept = "".join(
        char if unicodedata.category(char) not in ("Cc", "Cf", "Cs") else " "
        for char in raw[: MAX_QUERY_CHARS * 4]
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())[:MAX_QUERY_CHARS].strip()


def terms(query: str) -> list[str]:
    return query.casefold().split()


def matches(service: Searchable, words: Iterable[str]) -> bool:
    """Whether every word appears in the service's name or summary, ignoring case."""
    haystack = f"{service.name} {service.summary}".casefold()
    return all(word in haystack for word in words)
