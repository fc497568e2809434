"""Question types chosen from a list: radios, select, checkboxes, yes/no and a declaration.

Only the values the schema defines are accepted; anything else is tampering and gets the same
message as choosing nothing, so a forged POST learns nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from services.forms.base import FieldData, Messages, QuestionType, TamperedInput, register
from services.forms.text import Text, text

if TYPE_CHECKING:
    from services.forms.schema import Question

_SELECT = (Text("Select {name}", "Dewiswch {name}"), Text("Select an option", "Dewiswch opsiwn"))


class _Single(QuestionType):
    """Exactly one of the question's options."""

    has_options = True
    messages: ClassVar[Messages] = {"required": _SELECT, "invalid": _SELECT}

    def values(self, question: Question) -> dict[str, Text]:
        return {option.value: option.label for option in question.options}

    def parse(self, question: Question, data: FieldData, lang: str) -> str | None:
        value = self.read_answer(question, data, lang)
        if value is None:
            return None
        if value not in self.values(question):
            raise self.error(question, "invalid", lang)
        return value

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        label = self.values(question).get(value)
        return text(label, lang) if label else ""

    def condition_values(self, question: Question) -> frozenset[str]:
        return frozenset(self.values(question))


@register("radios")
class Radios(_Single):
    pass


@register("select")
class Select(_Single):
    pass


@register("yes_no")
class YesNo(_Single):
    """Radios with the fixed options "yes" and "no" (labels Yes/Ie, No/Na)."""

    has_options = False
    messages: ClassVar[Messages] = {
        "required": (
            Text("Select {name}", "Dewiswch {name}"),
            Text("Select yes or no", "Dewiswch ie neu na"),
        ),
        "invalid": (
            Text("Select {name}", "Dewiswch {name}"),
            Text("Select yes or no", "Dewiswch ie neu na"),
        ),
    }

    def values(self, question: Question) -> dict[str, Text]:
        return {"yes": Text("Yes", "Ie"), "no": Text("No", "Na")}


@register("checkboxes")
class Checkboxes(QuestionType):
    """Any number of the options (at least one if required); "min"/"max" bound how many."""

    has_options = True
    validation_keys = frozenset({"min", "max"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Select {name}", "Dewiswch {name}"),
            Text("Select at least one option", "Dewiswch o leiaf un opsiwn"),
        ),
        "invalid": (
            Text("Select {name}", "Dewiswch {name}"),
            Text("Select at least one option", "Dewiswch o leiaf un opsiwn"),
        ),
        "too_few": (Text("Select at least {min} options", "Dewiswch o leiaf {min} opsiwn"),) * 2,
        "too_many": (
            Text("Select no more than {max} options", "Dewiswch ddim mwy na {max} opsiwn"),
        )
        * 2,
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> list[str] | None:
        raw = data.get(question.id)
        if raw is None:
            raw = []
        elif isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple) or len(raw) > len(question.options):
            raise TamperedInput(question.id)
        chosen = {self.read({"v": item}, "v") for item in raw} - {""}
        allowed = [option.value for option in question.options]
        if not chosen <= set(allowed):
            raise self.error(question, "invalid", lang)
        if not chosen:
            if question.required:
                raise self.error(question, "required", lang)
            return None
        rules = question.validation
        if rules.min is not None and len(chosen) < rules.min:
            raise self.error(question, "too_few", lang, min=int(rules.min))
        if rules.max is not None and len(chosen) > rules.max:
            raise self.error(question, "too_many", lang, max=int(rules.max))
        # The schema's order, not the browser's, so equal answers compare equal.
        return [value for value in allowed if value in chosen]

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        labels = {option.value: option.label for option in question.options}
        return "\n".join(text(labels[v], lang) for v in value or [] if v in labels)

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        return {question.id: list(value or [])}

    def condition_values(self, question: Question) -> frozenset[str]:
        return frozenset(option.value for option in question.options)


# A checkbox input posts its value attribute, or "on" when it has none.
_TICKED = frozenset({"yes", "on", "true"})


@register("declaration")
class Declaration(QuestionType):
    """A single checkbox that must be ticked; the label is the statement being confirmed."""

    messages: ClassVar[Messages] = {
        "required": (
            Text("Confirm {name}", "Cadarnhewch {name}"),
            Text(
                "Confirm that you agree with the declaration",
                "Cadarnhewch eich bod yn cytuno â'r datganiad",
            ),
        ),
    }

    def parse(self, question: Question, data: FieldData, lang: str) -> bool:
        try:
            value = self.read(data, question.id).lower()
        except TamperedInput:
            value = ""
        if value not in _TICKED:
            # A declaration is always required: an unticked box never passes.
            raise self.error(question, "required", lang)
        return True

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        return text(Text("Confirmed", "Wedi'i gadarnhau"), lang) if value else ""

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        return {question.id: "yes" if value else ""}
