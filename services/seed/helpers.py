"""Small builders that keep the seeded schemas readable."""

from __future__ import annotations

from typing import Any


def t(en: str, cy: str) -> dict[str, str]:
    """A bilingual text."""
    return {"en": en, "cy": cy}


def options(*choices: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Options from (value, English label, Welsh label) triples."""
    return [{"value": value, "label": t(en, cy)} for value, en, cy in choices]


def when(question: str, value: str) -> dict[str, Any]:
    return {"question": question, "op": "equals", "value": value}


def yes_no(qid: str, en: str, cy: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": "yes_no", "label": t(en, cy), **extra}


def page(page_id: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": page_id, "questions": list(questions), **extra}


def exit_page(
    page_id: str, title: dict[str, str], body: dict[str, str], show_if: dict[str, Any]
) -> dict[str, Any]:
    return {"id": page_id, "type": "exit", "title": title, "body": body, "show_if": show_if}


def address(qid: str, en: str, cy: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "address",
        "label": t(en, cy),
        "hint": t(
            "Enter a postcode to find the address, or type it in",
            "Rhowch god post i ddod o hyd i'r cyfeiriad, neu ei deipio",
        ),
        **extra,
    }


BIN_TYPES = options(
    ("general", "General waste (black bin)", "Gwastraff cyffredinol (bin du)"),
    ("recycling", "Recycling (blue bin)", "Ailgylchu (bin glas)"),
    ("food", "Food waste (green caddy)", "Gwastraff bwyd (cadi gwyrdd)"),
    ("garden", "Garden waste (brown bin)", "Gwastraff gardd (bin brown)"),
)
