"""The form schema: what a FormVersion stores as JSON, parsed into frozen dataclasses.

Format (every text is {"en": ..., "cy": ...}; Welsh may be left out and falls back to English):

    {"pages": [
        {"id": "which-bin", "title": {...}?, "show_if": condition?, "questions": [
            {"id": "bin_type", "type": "radios", "label": {...}, "hint": {...}?,
             "name": {...}?  (short noun for default errors: "the type of bin"),
             "required": true, "options": [{"value": "general", "label": {...}}],
             "validation": {...}?, "messages": {"required": {...}}?, "show_if": condition?,
             "prefill": "full_name" | "email" | "phone" | "address"?}]},
        {"id": "items", "questions": [{"id": "list", "type": "repeat", "label": {...},
             "questions": [sub-question, ...], "item_name": {...}?, "item_name_plural": {...}?,
             "validation": {"min": 1, "max": 10}?}]},   (types_repeat.py; alone on its page)
        {"id": "not-us", "type": "exit", "title": {...}, "body": {...}, "show_if": condition}]}

`parse_schema` raises SchemaError listing every problem, each naming the page and question
("Question 'bin_type' on page 'which-bin': radios need at least one option"). Conditions:
see conditions.py; question types and their "validation" and "messages" keys: questions.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from services.forms.conditions import Condition, clauses, parse_condition
from services.forms.questions import QUESTION_TYPES, QuestionType
from services.forms.text import Text
from services.forms.types_repeat import REPEATABLE_TYPES, list_condition_problems

QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,49}")  # no hyphens: field names add "-day" etc.
PAGE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")
# Page ids become URL segments next to the journey's own pages, so these are taken.
RESERVED_PAGE_IDS = frozenset(
    {"start", "check", "check-your-answers", "confirmation", "submit"}
    | {"declaration", "resume", "save"}
)
DATE_RULES = ("past", "future", "today_or_past", "today_or_future")


class SchemaError(ValueError):
    """A schema that cannot be used; `errors` lists every problem found, in order."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Validation:
    """Rules for an answer; each question type uses the keys it understands."""

    min_length: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    whole_number: bool = False
    pattern: str | None = None
    pattern_message: Text | None = None
    date: str | None = None  # one of DATE_RULES
    max_size_mb: float | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: Text
    hint: Text | None = None
    name: Text | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    validation: Validation = field(default_factory=Validation)
    messages: Mapping[str, Text] = field(default_factory=dict)
    show_if: Condition | None = None
    prefill: str | None = None
    # A repeating question ("repeat"): what is asked about each item, and what an item is called.
    questions: tuple[Question, ...] = ()
    item_name: Text | None = None
    item_name_plural: Text | None = None

    @property
    def kind(self) -> QuestionType:
        """The question type object (clean, display, field_names, ...)."""
        return QUESTION_TYPES[self.type]


@dataclass(frozen=True)
class Page:
    """A page of questions, or an exit page (type "exit") that ends the journey with a message."""

    id: str
    type: str = "questions"
    title: Text | None = None
    body: Text | None = None
    questions: tuple[Question, ...] = ()
    show_if: Condition | None = None

    @property
    def is_exit(self) -> bool:
        return self.type == "exit"


@dataclass(frozen=True)
class FormSchema:
    pages: tuple[Page, ...]

    def page(self, page_id: str) -> Page:
        """The page with this id; KeyError if there is none."""
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order residents meet them."""
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def page_of(self, question_id: str) -> Page:
        """The page holding a question; KeyError if there is none."""
        for page in self.pages:
            if any(q.id == question_id for q in page.questions):
                return page
        raise KeyError(question_id)


def parse_schema(data: Any) -> FormSchema:
    """Parse and validate a schema's JSON; raises SchemaError naming every bad page and question."""
    return _Parser().parse(data)


class _Parser:
    def __init__(self) -> None:
        self.errors: list[str] = []
        # Questions defined so far, for checking that conditions only look backwards.
        self.seen: dict[str, Question] = {}
        self.before_page: dict[str, Question] = {}

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def parse(self, data: Any) -> FormSchema:
        if not isinstance(data, Mapping) or not isinstance(data.get("pages"), list):
            raise SchemaError(['The schema must be an object with a list of "pages"'])
        if set(data) - {"pages"}:
            self.fail("The schema", f"unknown keys {', '.join(sorted(set(data) - {'pages'}))}")
        if not data["pages"]:
            self.errors.append("The schema needs at least one page")
        pages = [self.page(raw, number) for number, raw in enumerate(data["pages"], start=1)]
        ids = [p.id for p in pages if p is not None]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            self.errors.append(f"Page id '{duplicate}' is used more than once")
        if self.errors:
            raise SchemaError(self.errors)
        return FormSchema(tuple(p for p in pages if p is not None))

    def page(self, raw: Any, number: int) -> Page | None:
        if not isinstance(raw, Mapping):
            self.fail(f"Page {number}", "must be an object")
            return None
        page_id = raw.get("id")
        where = f"Page '{page_id}'" if isinstance(page_id, str) else f"Page {number}"
        if not isinstance(page_id, str) or not PAGE_ID.fullmatch(page_id):
            self.fail(where, "id must be lower-case letters, digits and hyphens")
        elif page_id in RESERVED_PAGE_IDS:
            self.fail(where, "this id is used by the journey itself; choose another")
        # Conditions, on the page or its questions, may only use questions from earlier pages:
        # one thing per page, so the server always knows what to show before rendering.
        self.before_page = dict(self.seen)
        show_if = self.condition(raw.get("show_if"), where, self.before_page)
        kind = raw.get("type", "questions")
        if kind == "exit":
            return self.exit_page(raw, where, str(page_id), show_if)
        if kind != "questions":
            self.fail(where, f'type must be "exit" or left out, not {kind!r}')
        self.unknown_keys(raw, {"id", "type", "title", "show_if", "questions"}, where)
        title = self.text(raw.get("title"), where, "title", optional=True)
        raw_questions = raw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.fail(where, "needs at least one question")
            raw_questions = []
        questions = [self.question(q, str(page_id), i) for i, q in enumerate(raw_questions, 1)]
        parsed = tuple(q for q in questions if q is not None)
        if len(parsed) > 1 and any(q.type == "repeat" for q in parsed):
            # Its own pages (one item, then the list) replace the page: nothing else fits on them.
            self.fail(where, "a list of items must be the only question on its page")
        return Page(str(page_id), "questions", title, None, parsed, show_if)

    def exit_page(self, raw: Mapping[str, Any], where: str, page_id: str, show_if: Any) -> Page:
        self.unknown_keys(raw, {"id", "type", "title", "body", "show_if"}, where)
        if raw.get("show_if") is None:
            self.fail(where, "an exit page needs show_if, or no one could ever continue")
        title = self.text(raw.get("title"), where, "title")
        body = self.text(raw.get("body"), where, "body")
        return Page(page_id, "exit", title, body, (), show_if)

    def question(
        self, raw: Any, page_id: str, number: int, *, within: str | None = None
    ) -> Question | None:
        """A question, or with `within` one of the sub-questions of that repeating question."""
        place = f"in '{within}' on page '{page_id}'" if within else f"on page '{page_id}'"
        if not isinstance(raw, Mapping):
            self.fail(f"Question {number} {place}", "must be an object")
            return None
        qid = raw.get("id")
        where = (
            f"Question '{qid}' {place}" if isinstance(qid, str) else f"Question {number} {place}"
        )
        if not isinstance(qid, str) or not QUESTION_ID.fullmatch(qid):
            self.fail(where, "id must be lower-case letters, digits and underscores")
            return None
        if qid in self.seen:
            self.fail(where, "this id is used by an earlier question")
            return None
        kind_name = raw.get("type")
        known = {"id", "type", "label", "hint", "name", "required", "options", "validation"}
        if within is not None:
            if kind_name not in REPEATABLE_TYPES:
                allowed = ", ".join(REPEATABLE_TYPES)
                self.fail(where, f"a question about each item must be one of {allowed}")
                return None
        else:
            known |= {"messages", "show_if", "prefill"}
        if kind_name == "repeat":
            known |= {"questions", "item_name", "item_name_plural"}
        self.unknown_keys(raw, known, where)
        if kind_name not in QUESTION_TYPES:
            self.fail(
                where, f"unknown type {kind_name!r} (known: {', '.join(sorted(QUESTION_TYPES))})"
            )
            return None
        kind = QUESTION_TYPES[kind_name]
        required = raw.get("required", True)
        if not isinstance(required, bool):
            self.fail(where, '"required" must be true or false')
        prefill = raw.get("prefill")
        if prefill is not None and prefill not in kind.prefill_sources:
            allowed = ", ".join(sorted(kind.prefill_sources)) or "nothing"
            self.fail(
                where, f"{kind_name} questions can be prefilled from {allowed}, not {prefill!r}"
            )
        question = Question(
            id=qid,
            type=kind_name,
            label=self.text(raw.get("label"), where, "label") or Text(qid),
            hint=self.text(raw.get("hint"), where, "hint", optional=True),
            name=self.text(raw.get("name"), where, "name", optional=True),
            required=required is not False,
            options=self.options(raw.get("options"), where, kind),
            validation=self.validation(raw.get("validation"), where, kind),
            messages=self.messages(raw.get("messages"), where, kind),
            show_if=self.condition(raw.get("show_if"), where, self.before_page),
            prefill=prefill,
        )
        if kind_name == "repeat":
            question = replace(
                question,
                questions=self.sub_questions(raw.get("questions"), page_id, qid, where),
                item_name=self.text(raw.get("item_name"), where, "item_name", optional=True),
                item_name_plural=self.text(
                    raw.get("item_name_plural"), where, "item_name_plural", optional=True
                ),
            )
        self.seen[qid] = question
        for problem in kind.check_schema(question):
            self.fail(where, problem)
        return question

    def sub_questions(
        self, raw: Any, page_id: str, within: str, where: str
    ) -> tuple[Question, ...]:
        """The questions asked about each item; their ids need only be unique in the list."""
        if not isinstance(raw, list) or not raw:
            self.fail(where, '"questions" must list the questions asked about each item')
            return ()
        # Sub-questions are nobody's "earlier question": parse them in a scope of their own.
        outer, self.seen = self.seen, {}
        try:
            parsed = [self.question(q, page_id, n, within=within) for n, q in enumerate(raw, 1)]
        finally:
            self.seen = outer
        return tuple(q for q in parsed if q is not None)

    def options(self, raw: Any, where: str, kind: QuestionType) -> tuple[Option, ...]:
        if not kind.has_options:
            if raw is not None:
                self.fail(where, f"{kind.name} questions do not take options")
            return ()
        if not isinstance(raw, list) or not raw:
            self.fail(where, f"{kind.name} need at least one option")
            return ()
        options = []
        for number, item in enumerate(raw, start=1):
            value = item.get("value") if isinstance(item, Mapping) else None
            if not isinstance(value, str) or not OPTION_VALUE.fullmatch(value):
                self.fail(
                    where, f"option {number} needs a value of lower-case letters, digits, - or _"
                )
                continue
            self.unknown_keys(item, {"value", "label"}, f"{where}, option '{value}'")
            label = self.text(item.get("label"), f"{where}, option '{value}'", "label")
            options.append(Option(value, label or Text(value)))
        values = [o.value for o in options]
        for duplicate in sorted({v for v in values if values.count(v) > 1}):
            self.fail(where, f"option value '{duplicate}' is used more than once")
        return tuple(options)

    def validation(self, raw: Any, where: str, kind: QuestionType) -> Validation:
        if raw is None:
            return Validation()
        if not isinstance(raw, Mapping):
            self.fail(where, '"validation" must be an object')
            return Validation()
        for key in sorted(set(raw) - kind.validation_keys):
            self.fail(where, f"validation '{key}' does not apply to {kind.name} questions")
        rules: dict[str, Any] = {}
        for key in ("min_length", "max_length"):
            if key in raw:
                if isinstance(raw[key], bool) or not isinstance(raw[key], int) or raw[key] < 1:
                    self.fail(where, f"{key} must be a whole number of 1 or more")
                else:
                    rules[key] = raw[key]
        for key in ("min", "max", "max_size_mb"):
            if key in raw:
                if isinstance(raw[key], bool) or not isinstance(raw[key], int | float):
                    self.fail(where, f"{key} must be a number")
                else:
                    rules[key] = raw[key]
        if rules.get("min_length", 0) > rules.get("max_length", float("inf")):
            self.fail(where, "min_length is more than max_length")
        if rules.get("min", float("-inf")) > rules.get("max", float("inf")):
            self.fail(where, "min is more than max")
        if "max_size_mb" in rules and not 0 < rules["max_size_mb"] <= 50:
            self.fail(where, "max_size_mb must be more than 0 and at most 50")
        if "whole_number" in raw and not isinstance(raw["whole_number"], bool):
            self.fail(where, "whole_number must be true or false")
        elif "whole_number" in raw:
            rules["whole_number"] = raw["whole_number"]
        if "pattern" in raw:
            rules["pattern"] = self.pattern(raw["pattern"], where)
        if "pattern_message" in raw:
            rules["pattern_message"] = self.text(raw["pattern_message"], where, "pattern_message")
        if "date" in raw:
            if raw["date"] not in DATE_RULES:
                self.fail(where, f"validation date must be one of {', '.join(DATE_RULES)}")
            else:
                rules["date"] = raw["date"]
        return Validation(**rules)

    def pattern(self, raw: Any, where: str) -> str | None:
        if not isinstance(raw, str) or not raw:
            self.fail(where, "pattern must be a regular expression")
            return None
        try:
            re.compile(raw)
        except re.error as exc:
            self.fail(where, f"pattern is not a valid regular expression ({exc})")
            return None
        return raw

    def messages(self, raw: Any, where: str, kind: QuestionType) -> dict[str, Text]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(where, '"messages" must be an object')
            return {}
        parsed = {}
        for code, value in raw.items():
            if code not in kind.messages:
                known = ", ".join(sorted(kind.messages))
                self.fail(where, f"no message '{code}' for {kind.name} questions (known: {known})")
                continue
            message = self.text(value, where, f"message '{code}'")
            if message is not None:
                parsed[code] = message
        return parsed

    def condition(self, raw: Any, where: str, earlier: dict[str, Question]) -> Condition | None:
        if raw is None:
            return None
        condition = parse_condition(raw, self.errors, where)
        for clause in clauses(condition):
            target = earlier.get(clause.question)
            if target is None:
                self.fail(
                    where,
                    f"show_if refers to '{clause.question}', not a question on an earlier page",
                )
                continue
            list_problems = list_condition_problems(clause, target)
            if list_problems is not None:
                for problem in list_problems:
                    self.fail(where, f"show_if: {problem}")
                continue
            allowed = target.kind.condition_values(target)
            values = clause.value if clause.op == "one_of" else (clause.value,)
            if allowed is not None and clause.op != "answered":
                for value in values:
                    if value not in allowed:
                        self.fail(where, f"show_if: '{value}' is not an option of '{target.id}'")
        return condition

    def text(self, raw: Any, where: str, what: str, *, optional: bool = False) -> Text | None:
        if raw is None and optional:
            return None
        if (
            not isinstance(raw, Mapping)
            or not isinstance(raw.get("en"), str)
            or not raw["en"].strip()
            or not isinstance(raw.get("cy", ""), str)
            or set(raw) - {"en", "cy"}
        ):
            self.fail(
                where, f'{what} must be {{"en": "...", "cy": "..."}} with the English filled in'
            )
            return None
        return Text(raw["en"], raw.get("cy", ""))

    def unknown_keys(self, raw: Mapping[str, Any], known: set[str], where: str) -> None:
        if set(raw) - known:
            self.fail(where, f"unknown keys {', '.join(sorted(map(str, set(raw) - known)))}")
