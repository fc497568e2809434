"""Building schemas and questions for tests."""

from typing import Any

from services.forms.schema import Question, parse_schema


def text(en: str, cy: str = "") -> dict[str, str]:
    return {"en": en, "cy": cy} if cy else {"en": en}


def question(qtype: str, qid: str = "answer", **extra: Any) -> Question:
    """A parsed question of `qtype` on a one-page schema."""
    raw = {"id": qid, "type": qtype, "label": text(f"Label of {qid}"), **extra}
    return parse_schema({"pages": [{"id": "page", "questions": [raw]}]}).pages[0].questions[0]


def radios(qid: str, *values: str, **extra: Any) -> dict[str, Any]:
    options = [{"value": v, "label": text(v.title())} for v in values]
    return {"id": qid, "type": "radios", "label": text(qid), "options": options, **extra}


def page(page_id: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": page_id, "questions": list(questions), **extra}
