"""Conditions that show or skip a page or question, and how they are evaluated.

In a schema a condition is one of
    {"question": "bin_type", "op": "equals", "value": "garden"}
    {"question": "bin_type", "op": "one_of", "value": ["garden", "food"]}
    {"question": "bin_type", "op": "not", "value": "garden"}      (true while unanswered, too)
    {"question": "crime_ref", "op": "answered"}
    {"all": [condition, ...]}   {"any": [condition, ...]}
For a checkboxes answer (a list), "equals" means "includes" and "one_of" "includes any of".
For a list of items (a "repeat" question, whose answer is a list of dicts) two more:
    {"question": "items", "op": "any_item", "field": "size", "value": ["large", "huge"]}
        some item's answer to the sub-question "size" is one of the values
    {"question": "items", "op": "count_at_least", "value": 3}     at least 3 items were added
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

OPS = ("equals", "one_of", "not", "answered", "any_item", "count_at_least")
# The ops that only make sense for a list of items, and the only ones that do.
LIST_OPS = ("any_item", "count_at_least")


@dataclass(frozen=True)
class Clause:
    question: str
    op: str
    value: Any = None  # a tuple for one_of and any_item, None for answered
    field: str | None = None  # any_item: the sub-question each item's answer is read from


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = Clause | AllOf | AnyOf


def has_answer(value: Any) -> bool:
    """Whether an answer counts as given: not None, "", [] or {}."""
    return value not in (None, "", [], {})


def evaluate(condition: Condition | Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether `condition` holds for `answers` (question id -> clean value). None always holds.

    A raw dict from a schema is accepted too; it must be well-formed (ValueError otherwise).
    """
    if condition is None:
        return True
    if isinstance(condition, Mapping):
        errors: list[str] = []
        parsed = parse_condition(condition, errors, "Condition")
        if parsed is None:
            raise ValueError("; ".join(errors))
        condition = parsed
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers) for c in condition.conditions)
    answer = answers.get(condition.question)
    if condition.op == "count_at_least":
        return isinstance(answer, list) and len(answer) >= condition.value
    if condition.op == "any_item":
        items = answer if isinstance(answer, list) else []
        return any(
            isinstance(item, Mapping) and item.get(condition.field) in condition.value
            for item in items
        )
    if condition.op == "answered":
        return has_answer(answer)
    if condition.op == "one_of":
        wanted = condition.value
        if isinstance(answer, list):
            return any(item in wanted for item in answer)
        return has_answer(answer) and answer in wanted
    matches = condition.value in answer if isinstance(answer, list) else answer == condition.value
    return matches if condition.op == "equals" else not matches


def clauses(condition: Condition | None) -> Iterator[Clause]:
    """Every clause inside a condition, for checking what it refers to."""
    if condition is None:
        return
    if isinstance(condition, Clause):
        yield condition
    else:
        for inner in condition.conditions:
            yield from clauses(inner)


def parse_condition(data: Any, errors: list[str], where: str) -> Condition | None:
    """Parse a condition's JSON, adding messages (prefixed with `where`) to `errors` on failure."""
    if not isinstance(data, Mapping):
        errors.append(f"{where}: a condition must be an object")
        return None
    for key, kind in (("all", AllOf), ("any", AnyOf)):
        if key in data:
            items = data[key]
            if len(data) != 1 or not isinstance(items, list) or not items:
                errors.append(f'{where}: "{key}" must be the only key and a non-empty list')
                return None
            parsed = [parse_condition(item, errors, where) for item in items]
            if any(p is None for p in parsed):
                return None
            return kind(tuple(p for p in parsed if p is not None))
    question, op = data.get("question"), data.get("op")
    if not isinstance(question, str) or not question:
        errors.append(f'{where}: a condition needs "question" (the id of an earlier question)')
        return None
    if op not in OPS:
        errors.append(f"{where}: condition op must be one of {', '.join(OPS)}, not {op!r}")
        return None
    extra = set(data) - {"question", "op", "value"} - ({"field"} if op == "any_item" else set())
    if extra:
        errors.append(f"{where}: unknown condition keys {', '.join(sorted(extra))}")
        return None
    value = data.get("value")
    if op == "answered":
        if value is not None:
            errors.append(f'{where}: an "answered" condition takes no value')
            return None
        return Clause(question, op)
    if op == "count_at_least":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                f'{where}: a "count_at_least" condition needs a whole number of 1 or more'
            )
            return None
        return Clause(question, op, value)
    if op == "any_item":
        field = data.get("field")
        if not isinstance(field, str) or not field:
            errors.append(f'{where}: an "any_item" condition needs "field" (a sub-question id)')
            return None
        if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
            errors.append(f'{where}: an "any_item" condition needs a non-empty list of values')
            return None
        return Clause(question, op, tuple(value), field)
    if op == "one_of":
        if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
            errors.append(f'{where}: a "one_of" condition needs a non-empty list of values')
            return None
        return Clause(question, op, tuple(value))
    if not _scalar(value) or value is None:
        errors.append(f'{where}: an "{op}" condition needs a single value')
        return None
    return Clause(question, op, value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)
