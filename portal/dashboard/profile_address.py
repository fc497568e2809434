"""The profile's address: the journey's own address question, so a resident finds it by postcode
(or types it in) exactly as in a form, with or without JavaScript.

The question's three states and its buttons are portal/journey/addresses.py's; this module only
says what the profile page shows and what it saves. The staff workspace's caller details
(portal/staff/views/assist.py) take a caller's address the same way, under its own label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.journey.addresses import resolve, state_for_answer
from portal.journey.fields import Field, _one, build_field
from services.addresses import with_uprn
from services.forms.questions import AnswerError, clean_answer
from services.forms.schema import Question
from services.forms.text import Text

ADDRESS = Question(
    id="address",
    type="address",
    label=Text("Your address (optional)", "Eich cyfeiriad (dewisol)"),
    required=False,
)


@dataclass
class PostedAddress:
    field: Field  # what to show again
    value: dict[str, Any] | None  # what to save ({} for no address); None: nothing to save yet
    step: bool  # a button within the question (find, choose again, type it in) was pressed


def shown(address: Mapping[str, Any] | None, lang: str, question: Question = ADDRESS) -> Field:
    """The question showing the stored address: chosen from its postcode's list, or as typed."""
    value = dict(address) if address else None
    data = question.kind.to_data(question, value) if value else {}
    state = state_for_answer(question, value)
    return build_field(question, data, None, lang, heading=False, address=state)


def posted(post: Mapping[str, Any], lang: str, question: Question = ADDRESS) -> PostedAddress:
    state, data, step = resolve(question, post, _one(post, "action"))
    if step or data is None:
        field = build_field(question, post, None, lang, heading=False, address=state)
        return PostedAddress(field, None, step)
    try:
        value = clean_answer(question, data, lang) if data else None
    except AnswerError as error:
        field = build_field(question, data, error, lang, heading=False, address=state)
        return PostedAddress(field, None, False)
    field = build_field(question, data, None, lang, heading=False, address=state)
    return PostedAddress(field, with_uprn(value) if value else {}, False)
