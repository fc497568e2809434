"""A rule's condition as the studio edits it: a list of parts, all of which (or any of which)
must hold, and each part in plain English with the form's own question and answer labels.

The condition language (services/routing/conditions.py) nests freely; people build conditions one
part at a time. A stored condition is read as
    {}                      no parts: every submission matches
    {"all": [p, ...]}       every part must hold
    {"any": [p, ...]}       one part is enough
    anything else           a single part
and written back the same way (one part is stored bare). Each part has a kind the studio can
build (an answer — for a list question, how many items it has or an item's answer — a postcode
district, an area, a channel, a time window); a part of another
shape (a nested "any", written in a routing file) is kept as it is and can be removed, not edited.
Checking a part is validate_condition's alone; nothing here refuses anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from services.forms.conditions import LIST_OPS
from services.forms.schema import FormSchema, Question
from services.forms.text import text
from services.routing.conditions import ANSWER_KEYS, ROUTING_KEYS, describe, q

ALL = "all"
ANY = "any"
ANSWER = "answer"
OTHER = "other"
# The kinds of part the studio builds, in the order it offers them.
KINDS = (ANSWER, *ROUTING_KEYS)


@dataclass(frozen=True)
class ConditionParts:
    match: str  # ALL or ANY
    parts: tuple[Any, ...]

    def as_condition(self) -> dict[str, Any]:
        """The stored JSON: {} for no parts, a single part bare, otherwise all/any."""
        if not self.parts:
            return {}
        if len(self.parts) == 1:
            return dict(self.parts[0])
        return {self.match: [dict(part) for part in self.parts]}

    def adding(self, part: Mapping[str, Any]) -> ConditionParts:
        return ConditionParts(self.match, (*self.parts, dict(part)))

    def removing(self, index: int) -> ConditionParts:
        """Without part `index`; IndexError if there is none."""
        if not 0 <= index < len(self.parts):
            raise IndexError(index)
        return ConditionParts(self.match, self.parts[:index] + self.parts[index + 1 :])

    def replacing(self, index: int, part: Mapping[str, Any]) -> ConditionParts:
        """With part `index` changed to `part`, in its place; IndexError if there is none."""
        if not 0 <= index < len(self.parts):
            raise IndexError(index)
        return ConditionParts(
            self.match, (*self.parts[:index], dict(part), *self.parts[index + 1 :])
        )

    def matching(self, match: str) -> ConditionParts:
        return ConditionParts(match, self.parts)


def parts_of(condition: Any) -> ConditionParts:
    """A stored condition as parts (never raises: a malformed one is a single "other" part)."""
    if isinstance(condition, Mapping) and not condition:
        return ConditionParts(ALL, ())
    if isinstance(condition, Mapping) and len(condition) == 1:
        ((key, value),) = condition.items()
        if key in (ALL, ANY) and isinstance(value, list) and value:
            return ConditionParts(key, tuple(value))
    return ConditionParts(ALL, (condition,))


def kind_of(part: Any) -> str:
    """ANSWER, one of ROUTING_KEYS, or OTHER for a part the studio does not build."""
    if not isinstance(part, Mapping):
        return OTHER
    if ANSWER_KEYS & set(part) or _negated_answer(part) is not None:
        return ANSWER
    if len(part) == 1 and next(iter(part)) in ROUTING_KEYS:
        return str(next(iter(part)))
    return OTHER


def _negated_answer(part: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The answer clause inside {"not": {...}} (how "is not one of" is stored), or None."""
    inner = part.get("not") if len(part) == 1 else None
    if isinstance(inner, Mapping) and ANSWER_KEYS & set(inner):
        return inner
    return None


def answer_choices(question: Question, lang: str = "en") -> list[tuple[str, str]] | None:
    """The values a condition on `question` may compare with, with their labels, in the form's
    order; None when any value may be typed (a text or number question)."""
    allowed = question.kind.condition_values(question)
    if allowed is None:
        return None
    labels = {option.value: text(option.label, lang) for option in question.options}
    # Types with fixed options of their own (yes/no) name them in `values`.
    own_values = getattr(question.kind, "values", None)
    if callable(own_values):
        labels.update({value: text(label, lang) for value, label in own_values(question).items()})
    ordered = [value for value in labels if value in allowed]
    ordered += sorted(allowed - set(ordered))
    return [(value, labels.get(value, value)) for value in ordered]


# --- in plain English ---------------------------------------------------------------------------


def summarise(condition: Any, schema: FormSchema | None, lang: str = "en") -> str:
    """A whole condition in plain English, e.g. 'Which bin' is 'Garden waste' and channel is web
    (with curly quotes)."""
    parts = parts_of(condition)
    if not parts.parts:
        return _("every submission")
    joiner = _(" and ") if parts.match == ALL else _(" or ")
    return joiner.join(summarise_part(part, schema, lang) for part in parts.parts)


def summarise_part(part: Any, schema: FormSchema | None, lang: str = "en") -> str:
    """One part in plain English, naming questions and answers by their labels in `schema`."""
    if kind_of(part) != ANSWER:
        return describe(part)
    negated = _negated_answer(part)
    clause = negated if negated is not None else part
    question_id, op, value = (clause.get(k) for k in ("question", "op", "value"))
    question = _question(schema, question_id)
    if op in LIST_OPS:
        sentence = _summarise_list_part(clause, question, lang)
        # Negated in a routing file: said as the opposite of the sentence, not as an answer.
        if negated is None:
            return sentence
        return _("it is not so that %(condition)s") % {"condition": sentence}
    labels = dict(answer_choices(question, lang) or []) if question else {}
    name = q(text(question.label, lang)) if question else q(question_id)
    values = value if isinstance(value, list) else [value]
    shown = _(" or ").join(q(labels.get(str(v), v)) for v in values)
    if op == "answered":
        sentence = _("%(question)s is answered") % {"question": name}
        return _("%(question)s is not answered") % {"question": name} if negated else sentence
    if negated is not None or op == "not":
        return _("%(question)s is not %(values)s") % {"question": name, "values": shown}
    return _("%(question)s is %(values)s") % {"question": name, "values": shown}


def _summarise_list_part(clause: Mapping[str, Any], question: Question | None, lang: str) -> str:
    """ "'Items to collect' has at least 3 items", "an item of 'Items to collect' has 'Size'
    'Large' or 'Huge'"."""
    name = q(text(question.label, lang)) if question else q(clause.get("question"))
    value = clause.get("value")
    if clause.get("op") == "count_at_least":
        return _("%(question)s has at least %(count)s items") % {"question": name, "count": value}
    subs = {sub.id: sub for sub in question.questions} if question else {}
    about = subs.get(str(clause.get("field")))
    labels = dict(answer_choices(about, lang) or []) if about else {}
    values = value if isinstance(value, list) else [value]
    return _("an item of %(question)s has %(field)s %(values)s") % {
        "question": name,
        "field": q(text(about.label, lang)) if about else q(clause.get("field")),
        "values": _(" or ").join(q(labels.get(str(v), v)) for v in values),
    }


# A list question's sub-question is chosen as "<list id>.<sub-question id>" (ids have no dots).
TARGET_SEPARATOR = "."


def condition_targets(schema: FormSchema | None, lang: str = "en") -> list[tuple[str, str]]:
    """What a condition on an answer may look at, in the order residents meet the questions:
    each question; for a list, how many items it has and each question about its items."""
    if schema is None:
        return []
    targets = []
    for question in schema.questions:
        label = text(question.label, lang)
        if question.type != "repeat":
            targets.append((question.id, label))
            continue
        targets.append((question.id, _("%(question)s: how many items") % {"question": label}))
        for sub in question.questions:
            targets.append(
                (
                    f"{question.id}{TARGET_SEPARATOR}{sub.id}",
                    _("%(question)s: %(field)s of any item")
                    % {"question": label, "field": text(sub.label, lang)},
                )
            )
    return targets


def find_target(schema: FormSchema | None, target: str) -> tuple[Question, Question | None] | None:
    """(question, sub-question or None) for a target from condition_targets; None if unknown."""
    question_id, _dot, sub_id = target.partition(TARGET_SEPARATOR)
    question = _question(schema, question_id)
    if question is None:
        return None
    if not sub_id:
        return question, None
    subs = {sub.id: sub for sub in question.questions}
    return (question, subs[sub_id]) if sub_id in subs else None


def count_part(question_id: str, count: int) -> dict[str, Any]:
    """A list has at least `count` items."""
    return {"question": question_id, "op": "count_at_least", "value": count}


def item_part(question_id: str, field: str, values: Sequence[str]) -> dict[str, Any]:
    """Some item of a list answers its sub-question `field` with one of `values`."""
    return {"question": question_id, "op": "any_item", "field": field, "value": list(values)}


def count_of(part: Mapping[str, Any]) -> tuple[str, int] | None:
    """(list question id, number of items) of a part count_part made; None for another part."""
    question, value = part.get("question"), part.get("value")
    if part.get("op") != "count_at_least" or not isinstance(question, str):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return question, value


def item_of(part: Mapping[str, Any]) -> tuple[str, str, list[str]] | None:
    """(list question id, its question about each item, values) of a part item_part made; None
    for another part."""
    question, field, values = part.get("question"), part.get("field"), part.get("value")
    if part.get("op") != "any_item" or not isinstance(question, str):
        return None
    if not isinstance(field, str) or not isinstance(values, list) or not values:
        return None
    if not all(isinstance(v, str | int | float) for v in values):
        return None
    return question, field, [str(v) for v in values]


def list_target_of(part: Mapping[str, Any]) -> str | None:
    """The target (as condition_targets names it: "items", "items.size") of a list part the
    studio builds, so it is changed with the form that made it; None for any other part."""
    counted = count_of(part)
    if counted is not None:
        return counted[0]
    item = item_of(part)
    return f"{item[0]}{TARGET_SEPARATOR}{item[1]}" if item is not None else None


def _question(schema: FormSchema | None, question_id: Any) -> Question | None:
    if schema is None or not isinstance(question_id, str):
        return None
    try:
        return schema.question(question_id)
    except KeyError:
        return None


# How the studio asks about an answer: "is", "is not", "is answered", "is not answered".
IS, IS_NOT, ANSWERED, NOT_ANSWERED = "is", "is_not", "answered", "not_answered"
ANSWER_OPS = (IS, IS_NOT, ANSWERED, NOT_ANSWERED)


def answer_of(part: Mapping[str, Any]) -> tuple[str, str, list[str]] | None:
    """An answer part as the studio asks about it: (question id, one of ANSWER_OPS, values);
    the inverse of answer_part, None for a part it did not make."""
    inner = _negated_answer(part)
    negated = inner is not None
    clause = inner if inner is not None else part
    question, op, value = clause.get("question"), clause.get("op"), clause.get("value")
    if not isinstance(question, str):
        return None
    if op == "answered":
        return question, NOT_ANSWERED if negated else ANSWERED, []
    if op == "one_of" and isinstance(value, list):
        return question, IS_NOT if negated else IS, [str(v) for v in value]
    if op in ("equals", "not") and not negated and value is not None:
        return question, IS if op == "equals" else IS_NOT, [str(value)]
    return None


def answer_part(question_id: str, op: str, values: Sequence[str]) -> dict[str, Any]:
    """The clause for `op` (one of ANSWER_OPS) on a question; "is" with several values means
    "is one of them", "is not" with several "is none of them"."""
    if op in (ANSWERED, NOT_ANSWERED):
        clause: dict[str, Any] = {"question": question_id, "op": "answered"}
        return {"not": clause} if op == NOT_ANSWERED else clause
    if len(values) == 1:
        return {"question": question_id, "op": "equals" if op == IS else "not", "value": values[0]}
    clause = {"question": question_id, "op": "one_of", "value": list(values)}
    return {"not": clause} if op == IS_NOT else clause
