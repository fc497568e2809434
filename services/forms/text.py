"""Bilingual text: every resident-facing string in a schema is an {"en": ..., "cy": ...} pair."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("en", "cy")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Text:
    """A string in English and, when translated, Welsh."""

    en: str
    cy: str = ""

    def get(self, lang: str) -> str:
        """The text in `lang` ("en" or "cy", "cy-gb" also works), falling back to English."""
        return text(self, lang)

    def to_json(self) -> dict[str, str]:
        return {"en": self.en, "cy": self.cy} if self.cy else {"en": self.en}

    def format(self, **values: object) -> Text:
        """Both languages with str.format placeholders filled in."""
        return Text(self.en.format(**values), self.cy.format(**values) if self.cy else "")


def text(t: Text | Mapping[str, str] | None, lang: str) -> str:
    """The string for `lang` from a Text or a raw {"en", "cy"} dict; Welsh falls back to English.

    A missing text gives "" so templates never fail on an optional hint or title.
    """
    if t is None:
        return ""
    code = (lang or DEFAULT_LANGUAGE).split("-")[0].lower()
    if isinstance(t, Text):
        chosen = t.cy if code == "cy" else t.en
        return chosen or t.en
    chosen = t.get(code) or "" if code in LANGUAGES else ""
    return chosen or t.get(DEFAULT_LANGUAGE) or ""
