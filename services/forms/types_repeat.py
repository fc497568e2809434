"""A repeating question ("add another"): the same few sub-questions answered for 1..N items.

In a schema:

    {"id": "items", "type": "repeat", "label": {...}, "questions": [sub-question, ...],
     "item_name": {"en": "item", "cy": "eitem"}, "item_name_plural": {"en": "items", ...},
     "validation": {"min": 1, "max": 10}}

Sub-questions are the simple types in REPEATABLE_TYPES, without show_if or prefill, with ids
unique within the list. The value is a list of dicts, one per item, keyed by sub-question id
(blank optional answers left out): [{"description": "Sofa", "size": "large"}, ...].

A list always needs at least one item (min defaults to 1): an optional list would need a
"do you have any?" question first, and a yes/no question before the page does that job better.

The journey asks one item at a time (`clean_item` with the sub-questions' own field names); the
whole list is re-checked on submit through `to_data` and `clean`, which use the flattened names
"<id>-<n>-<field>" ("items-2-description", "items-2-when-day"), so any page of fields cleans back
to the same list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from services.forms.base import AnswerError, FieldData, Messages, QuestionType, register
from services.forms.conditions import LIST_OPS, Clause
from services.forms.text import Text, text

if TYPE_CHECKING:
    from services.forms.schema import Question

# Types simple enough to ask once per item: one value each, no lookups, uploads or maps.
REPEATABLE_TYPES = ("short_text", "long_text", "number", "radios", "select", "yes_no", "date")
# GOV.UK Forms caps "add another" at 50 answers; nobody lists more on a phone.
MAX_ITEMS = 50
DEFAULT_MAX_ITEMS = 10
MAX_SUB_QUESTIONS = 10
DEFAULT_ITEM_NAME = Text("item", "eitem")
DEFAULT_ITEM_NAME_PLURAL = Text("items", "eitemau")
_ITEM_FIELD = re.compile(r"([0-9]{1,2})-(.+)")


def item_name(question: Question, lang: str, *, plural: bool = False) -> str:
    """What one item is called ("item", "eitem"), or several ("items")."""
    if plural:
        return text(question.item_name_plural or DEFAULT_ITEM_NAME_PLURAL, lang)
    return text(question.item_name or DEFAULT_ITEM_NAME, lang)


def counted_item_name(question: Question, count: int, lang: str) -> str:
    """The name after a number: "1 item", "2 items"; in Welsh a noun after a numeral stays
    singular ("2 eitem"), so the Welsh plural is only for "the items" without a number."""
    plural = count != 1 and not lang.lower().startswith("cy")
    return item_name(question, lang, plural=plural)


def item_count_limits(question: Question) -> tuple[int, int]:
    """(fewest, most) items the question accepts."""
    rules = question.validation
    fewest = int(rules.min) if rules.min is not None else 1
    most = int(rules.max) if rules.max is not None else DEFAULT_MAX_ITEMS
    return fewest, most


def item_prefix(question: Question, number: int) -> str:
    """The start of the flattened field names of item `number` (from 1): "items-2-"."""
    return f"{question.id}-{number}-"


def clean_item(
    question: Question, data: FieldData, lang: str = "en"
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """One item's answers from its sub-questions' own fields, and its errors by sub-question id.

    The item is only usable when the errors are empty.
    """
    item: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for sub in question.questions:
        fields = {name: data[name] for name in sub.kind.field_names(sub) if name in data}
        try:
            value = sub.kind.clean(sub, fields, lang)
        except AnswerError as error:
            errors[sub.id] = error
            continue
        if value is not None:
            item[sub.id] = value
    return item, errors


def item_data(question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
    """Fields (the sub-questions' own names) that `clean_item` turns back into `item`."""
    data: dict[str, Any] = {}
    for sub in question.questions:
        if item.get(sub.id) is not None:
            data.update(sub.kind.to_data(sub, item[sub.id]))
    return data


def item_lines(
    question: Question, item: Mapping[str, Any], lang: str, *, resident: bool
) -> list[tuple[str, str]]:
    """(label, answer) for each answered sub-question of one item, in schema order."""
    lines = []
    for sub in question.questions:
        value = item.get(sub.id)
        if value is None:
            continue
        kind = sub.kind
        if resident:
            shown = kind.display_for_resident(sub, value, lang)
        else:
            shown = kind.display(sub, value, lang)
        lines.append((text(sub.label, lang), shown.replace("\n", ", ")))
    return lines


def describe_item(question: Question, item: Mapping[str, Any], lang: str, *, resident: bool) -> str:
    """One item on one line: "Sofa, Large" (the answers, in schema order)."""
    return ", ".join(shown for _label, shown in item_lines(question, item, lang, resident=resident))


@register("repeat")
class Repeat(QuestionType):
    """A list of items, each answering the same sub-questions; "min"/"max" bound how many."""

    validation_keys = frozenset({"min", "max"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Add {name}", "Ychwanegwch {name}"),
            Text("Add at least one {item}", "Ychwanegwch o leiaf un {item}"),
        ),
        "too_few": (
            Text(
                "You need to add at least {min} {items}",
                "Mae angen ychwanegu o leiaf {min} {items}",
            ),
        )
        * 2,
        "too_many": (
            Text("You can add up to {max} {items}", "Gallwch ychwanegu hyd at {max} {items}"),
        )
        * 2,
        "add_another": (
            Text(
                "Select yes if you need to add another {item}",
                "Dewiswch ie os oes angen ychwanegu {item} arall",
            ),
        )
        * 2,
        "invalid": (
            Text(
                "Check the {items} you have added", "Gwiriwch yr {items} rydych wedi'u hychwanegu"
            ),
        )
        * 2,
    }

    def field_names(self, question: Question) -> list[str]:
        # First the summary page's yes/no (where a list-wide error is shown), then every item's.
        _fewest, most = item_count_limits(question)
        names = [f"{question.id}-add-another"]
        for number in range(1, most + 1):
            prefix = item_prefix(question, number)
            for sub in question.questions:
                names.extend(prefix + name for name in sub.kind.field_names(sub))
        return names

    def error(
        self, question: Question, code: str, lang: str, *, field: str | None = None, **values: Any
    ) -> AnswerError:
        values.setdefault("item", item_name(question, lang))
        # "{min} {items}": a number comes before it in every message that uses it.
        count = values.get("min", values.get("max", 2))
        values.setdefault("items", counted_item_name(question, int(count), lang))
        return super().error(question, code, lang, field=field, **values)

    def parse(self, question: Question, data: FieldData, lang: str) -> list[dict[str, Any]] | None:
        numbers = set()
        for name in data:
            found = _ITEM_FIELD.fullmatch(name[len(question.id) + 1 :])
            if name.startswith(f"{question.id}-") and found:
                numbers.add(int(found.group(1)))
        fewest, most = item_count_limits(question)
        if len(numbers) > most:
            raise self.error(question, "too_many", lang, max=most)
        if numbers != set(range(1, len(numbers) + 1)):  # a gap in the numbering is tampering
            raise self.error(
                question, "invalid", lang, items=item_name(question, lang, plural=True)
            )
        items = []
        for number in sorted(numbers):
            prefix = item_prefix(question, number)
            fields = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
            item, errors = clean_item(question, fields, lang)
            if errors:
                first = next(iter(errors.values()))
                name = item_name(question, lang)
                message = f"{name[:1].upper()}{name[1:]} {number}: {first.message}"
                # The item's own input (flattened), so the error belongs to one of field_names.
                raise AnswerError(message, field=prefix + first.field, code="item")
            items.append(item)
        if not items:
            raise self.error(question, "required", lang)
        if len(items) < fewest:
            raise self.error(question, "too_few", lang, min=fewest)
        return items

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        return self._lines(question, value, lang, resident=False)

    def display_for_resident(self, question: Question, value: Any, lang: str = "en") -> str:
        return self._lines(question, value, lang, resident=True)

    def _lines(self, question: Question, value: Any, lang: str, *, resident: bool) -> str:
        """One line per item: "1. Description: Sofa; Size: Large"."""
        lines = []
        for number, item in enumerate(value or [], start=1):
            parts = item_lines(question, item, lang, resident=resident)
            lines.append(f"{number}. " + "; ".join(f"{label}: {shown}" for label, shown in parts))
        return "\n".join(lines)

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for number, item in enumerate(value or [], start=1):
            prefix = item_prefix(question, number)
            data.update({prefix + k: v for k, v in item_data(question, item).items()})
        return data

    def check_schema(self, question: Question) -> list[str]:
        problems = []
        rules = question.validation
        for key, limit in (("min", rules.min), ("max", rules.max)):
            if limit is not None and (int(limit) != limit or not 1 <= limit <= MAX_ITEMS):
                problems.append(f"{key} must be a whole number of items from 1 to {MAX_ITEMS}")
        fewest, most = item_count_limits(question)
        if fewest > most:
            problems.append("min is more items than max")
        if not question.questions:
            problems.append("a list of items needs at least one question about each item")
        elif not any(sub.required for sub in question.questions):
            problems.append("at least one question about each item must be required")
        if len(question.questions) > MAX_SUB_QUESTIONS:
            problems.append(f"ask at most {MAX_SUB_QUESTIONS} questions about each item")
        if not question.required:
            problems.append("a list of items is always required (set min to say how many)")
        return problems


def list_condition_problems(clause: Clause, target: Question) -> list[str] | None:
    """What is wrong with a condition clause about a list of items (in plain English).

    None when neither the clause's op nor its question concerns lists, so the caller checks it
    as usual. The one owner of this rule: the schema, routing rules and the studio all ask here.
    """
    if clause.op not in LIST_OPS and target.type != "repeat":
        return None
    if target.type != "repeat":
        return [f"'{target.id}' is not a list of items, so '{clause.op}' does not apply to it"]
    if clause.op not in LIST_OPS:
        return [f"'{target.id}' is a list of items: use any_item or count_at_least"]
    if clause.op == "count_at_least":
        _fewest, most = item_count_limits(target)
        if clause.value > most:
            return [f"'{target.id}' takes at most {most} items, so this can never hold"]
        return []
    subs = {sub.id: sub for sub in target.questions}
    sub = subs.get(clause.field or "")
    if sub is None:
        return [f"'{clause.field}' is not a question about each item of '{target.id}'"]
    allowed = sub.kind.condition_values(sub)
    if allowed is None:
        return []
    return [
        f"'{value}' is not an option of '{target.id}' → '{sub.id}'"
        for value in clause.value
        if value not in allowed
    ]
