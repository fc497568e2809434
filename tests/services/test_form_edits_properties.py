"""Properties of the form edits: whatever sequence of edits an admin makes, starting from any
seeded form, every accepted edit gives a schema parse_schema accepts, and every refused edit
changes nothing (the schema given is never touched, accepted or not)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.forms import edits
from services.forms.edits import EditError
from services.forms.questions import QUESTION_TYPES
from services.forms.schema import parse_schema
from services.forms.types_repeat import REPEATABLE_TYPES
from services.seed import SERVICES

WORDS = st.sampled_from(["Bin", "Start", "Your name", "Check", "2 items", "Ŵyr", "?", "Date"])
TYPES = st.sampled_from(sorted(QUESTION_TYPES))
OPTIONS = [{"value": "a", "label": {"en": "A"}}, {"value": "b", "label": {"en": "B"}}]


def text(words: str) -> dict[str, str]:
    return {"en": words, "cy": f"{words} (cy)"}


def new_question(kind: str, label: str) -> dict[str, Any]:
    question: dict[str, Any] = {"type": kind, "label": text(label)}
    if QUESTION_TYPES[kind].has_options:
        question["options"] = copy.deepcopy(OPTIONS)
    if kind == "repeat":
        question["questions"] = [{"id": "what", "type": "short_text", "label": text("What")}]
    return question


# The types a list of items may ask about each item, and one it may not (refused, not broken).
ITEM_TYPES = st.sampled_from([*REPEATABLE_TYPES, "file"])


# A form with a list of items, so that list edits are tried as often as the others.
WITH_A_LIST = {
    "pages": [
        {"id": "name", "questions": [{"id": "name", "type": "short_text", "label": text("Name")}]},
        {
            "id": "items",
            "questions": [
                {
                    "id": "items",
                    "type": "repeat",
                    "label": text("Items"),
                    "questions": [
                        {"id": "what", "type": "short_text", "label": text("What")},
                        {"id": "size", "type": "radios", "label": text("Size"), "options": OPTIONS},
                    ],
                    "validation": {"min": 1, "max": 5},
                }
            ],
        },
        {
            "id": "big",
            "show_if": {"question": "items", "op": "any_item", "field": "size", "value": ["b"]},
            "questions": [{"id": "access", "type": "long_text", "label": text("Access")}],
        },
    ]
}


class EditingAForm(RuleBasedStateMachine):
    """An admin editing one of the seeded forms at random."""

    def __init__(self) -> None:
        super().__init__()
        self.schema: dict[str, Any] = {}
        self.accepted = 0

    @initialize(schema=st.sampled_from([*(seed.schema for seed in SERVICES), WITH_A_LIST]))
    def start_from_a_seeded_form(self, schema: Any) -> None:
        self.schema = copy.deepcopy(schema)

    def apply(self, edit: Any, *args: Any, **kwargs: Any) -> None:
        """Make an edit; accepted, it must parse; refused, it must have changed nothing."""
        before = copy.deepcopy(self.schema)
        edited = None
        try:
            edited = edit(self.schema, *args, **kwargs)
        except EditError as refusal:
            reasons = refusal.errors
        else:
            reasons = []
        assert self.schema == before, "the schema given is never changed"
        if reasons or edited is None:
            assert reasons, "a refusal says why"
            return
        parse_schema(edited.schema)
        self.schema = edited.schema
        self.accepted += 1

    # Ids and positions are drawn as indexes so they are mostly ones the form has.
    def page_id(self, data: st.DataObject) -> str:
        pages = self.schema["pages"]
        return pages[data.draw(st.integers(0, len(pages) - 1))]["id"]

    def question_id(self, data: st.DataObject) -> str:
        ids = [q.id for q in parse_schema(self.schema).questions]
        return ids[data.draw(st.integers(0, len(ids) - 1))]

    def list_id(self, data: st.DataObject) -> str:
        """A list question's id, or any question's when the form has no list (then refused)."""
        ids = [q.id for q in parse_schema(self.schema).questions if q.type == "repeat"]
        return ids[data.draw(st.integers(0, len(ids) - 1))] if ids else self.question_id(data)

    def item_question_id(self, data: st.DataObject, list_id: str) -> str:
        question = parse_schema(self.schema).question(list_id)
        ids = [sub.id for sub in question.questions] or ["nothing"]
        return ids[data.draw(st.integers(0, len(ids) - 1))]

    def earlier_condition(self, data: st.DataObject) -> dict[str, Any]:
        question = parse_schema(self.schema).question(self.question_id(data))
        if question.type == "repeat":
            if data.draw(st.booleans()):
                count = data.draw(st.integers(1, 3))
                return {"question": question.id, "op": "count_at_least", "value": count}
            sub = question.questions[0]
            allowed = sorted(sub.kind.condition_values(sub) or {"x"})
            return {"question": question.id, "op": "any_item", "field": sub.id, "value": allowed}
        values = question.kind.condition_values(question)
        if values is None:
            return {"question": question.id, "op": "answered"}
        op = data.draw(st.sampled_from(["equals", "not", "one_of"]))
        value = data.draw(st.sampled_from(sorted(values)))
        return {"question": question.id, "op": op, "value": [value] if op == "one_of" else value}

    @rule(data=st.data(), kind=TYPES, label=WORDS, position=st.integers(0, 3))
    def add_question(self, data: st.DataObject, kind: str, label: str, position: int) -> None:
        self.apply(
            edits.add_question, self.page_id(data), new_question(kind, label), position=position
        )

    @rule(kind=TYPES, label=WORDS, position=st.integers(0, 12))
    def add_page(self, kind: str, label: str, position: int) -> None:
        self.apply(edits.add_page, new_question(kind, label), title=text(label), position=position)

    @rule(data=st.data(), position=st.integers(0, 12))
    def move_page(self, data: st.DataObject, position: int) -> None:
        self.apply(edits.move_page, self.page_id(data), position)

    @rule(data=st.data(), position=st.none() | st.integers(0, 3))
    def move_question(self, data: st.DataObject, position: int | None) -> None:
        self.apply(edits.move_question, self.question_id(data), self.page_id(data), position)

    @rule(data=st.data())
    def delete_question(self, data: st.DataObject) -> None:
        self.apply(edits.delete_question, self.question_id(data))

    @rule(data=st.data())
    def delete_page(self, data: st.DataObject) -> None:
        self.apply(edits.delete_page, self.page_id(data))

    @rule(data=st.data(), kind=TYPES, give_options=st.booleans())
    def change_type(self, data: st.DataObject, kind: str, give_options: bool) -> None:
        options = copy.deepcopy(OPTIONS) if give_options else None
        self.apply(edits.change_type, self.question_id(data), kind, options=options)

    @rule(data=st.data(), label=WORDS, required=st.booleans())
    def edit_question(self, data: st.DataObject, label: str, required: bool) -> None:
        self.apply(
            edits.edit_question,
            self.question_id(data),
            label=text(label),
            hint=data.draw(st.none() | st.just(text(label))),
            required=required,
        )

    @rule(data=st.data(), clear=st.booleans())
    def set_page_show_if(self, data: st.DataObject, clear: bool) -> None:
        condition = None if clear else self.earlier_condition(data)
        self.apply(edits.set_page_show_if, self.page_id(data), condition)

    @rule(data=st.data(), clear=st.booleans())
    def set_question_show_if(self, data: st.DataObject, clear: bool) -> None:
        condition = None if clear else self.earlier_condition(data)
        self.apply(edits.set_question_show_if, self.question_id(data), condition)

    @rule(data=st.data(), title=WORDS)
    def add_exit_page(self, data: st.DataObject, title: str) -> None:
        condition = self.earlier_condition(data)
        self.apply(edits.add_exit_page, text(title), text("Sorry."), condition)

    @rule(data=st.data(), title=st.none() | WORDS)
    def edit_page(self, data: st.DataObject, title: str | None) -> None:
        self.apply(edits.edit_page, self.page_id(data), title=text(title) if title else None)

    @rule(data=st.data(), kind=ITEM_TYPES, label=WORDS, position=st.integers(0, 3))
    def add_item_question(self, data: st.DataObject, kind: str, label: str, position: int) -> None:
        self.apply(
            edits.add_item_question,
            self.list_id(data),
            new_question(kind, label),
            position=position,
        )

    @rule(data=st.data(), label=WORDS, required=st.booleans())
    def edit_item_question(self, data: st.DataObject, label: str, required: bool) -> None:
        list_id = self.list_id(data)
        item_id = self.item_question_id(data, list_id)
        self.apply(edits.edit_item_question, list_id, item_id, label=text(label), required=required)

    @rule(data=st.data(), position=st.integers(0, 3))
    def move_item_question(self, data: st.DataObject, position: int) -> None:
        list_id = self.list_id(data)
        item_id = self.item_question_id(data, list_id)
        self.apply(edits.move_item_question, list_id, item_id, position)

    @rule(data=st.data())
    def delete_item_question(self, data: st.DataObject) -> None:
        list_id = self.list_id(data)
        self.apply(edits.delete_item_question, list_id, self.item_question_id(data, list_id))

    @rule(data=st.data(), item=WORDS, items=WORDS, most=st.integers(0, 60))
    def name_the_items(self, data: st.DataObject, item: str, items: str, most: int) -> None:
        self.apply(
            edits.edit_question,
            self.list_id(data),
            item_name=text(item),
            item_name_plural=text(items),
            validation={"max": most},
        )

    @invariant()
    def the_schema_always_parses(self) -> None:
        if self.schema:
            parse_schema(self.schema)


EditingAForm.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_edits_keeps_the_form_valid = EditingAForm.TestCase
