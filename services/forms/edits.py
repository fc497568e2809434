"""Edits to a form's schema as pure functions: the core the form builder stands on.

Each edit takes a schema's JSON (as FormVersion.schema stores it, format in schema.py) and returns
an `Edited` holding a new schema; the schema it was given is never changed. An edit that would
leave problems `parse_schema` reports is refused with EditError naming what and why, so a builder
built on these functions can only ever save a schema that parses (a draft that had problems
before, from hand-edited JSON, may still be edited: only new problems are refused).

Branching is kept sound rather than repaired behind the admin's back: deleting a question that a
condition uses, or moving it after a page that depends on it, is refused naming the pages and
questions that depend on it. Deleting conditions silently would change who sees which pages, and
who is turned away by an exit page, without anyone deciding it. The one thing done for the admin
is removing a page left with no questions (a page needs one), which `Edited.notes` says.

New ids come from the English label or title (`new_question_id`, `new_page_id`): lower case,
unique in the form, fitting QUESTION_ID / PAGE_ID and never one of RESERVED_PAGE_IDS.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

from django.utils.translation import gettext as _

from services.forms.conditions import Clause, clauses, parse_condition
from services.forms.questions import QUESTION_TYPES, QuestionType
from services.forms.schema import (
    PAGE_ID,
    QUESTION_ID,
    RESERVED_PAGE_IDS,
    FormSchema,
    SchemaError,
    parse_schema,
)
from services.forms.text import Text

Schema = dict[str, Any]
# What edit_question may change; the id, type and show_if have their own edits.
EDITABLE_QUESTION_KEYS = (
    *("label", "hint", "name", "required", "options", "validation", "messages", "prefill"),
    *("item_name", "item_name_plural"),  # a list of items only (parse_schema refuses others)
)
# What edit_item_question may change on a question about each item of a list.
EDITABLE_ITEM_QUESTION_KEYS = ("label", "hint", "name", "required", "options", "validation")
ID_LENGTH = 30  # well inside the 50 the schema allows, so "_2" always fits


class EditError(ValueError):
    """An edit that was refused; `errors` says what and why, in order. Nothing was changed."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Edited:
    """The schema after an edit, the page or question it made or moved, and what the admin
    should be told (options dropped by a change of type, a page removed because it was empty)."""

    schema: Schema
    page_id: str | None = None
    question_id: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BranchChoice:
    """An earlier question a page may be shown for, with the answers it can give (None: any
    answer, so only "is answered" or a typed value makes sense)."""

    question_id: str
    label: Text
    answers: tuple[tuple[str, Text], ...] | None


# --- pages --------------------------------------------------------------------------------------


def add_page(
    schema: Mapping[str, Any],
    question: Mapping[str, Any],
    *,
    title: Mapping[str, str] | None = None,
    position: int | None = None,
) -> Edited:
    """A new question page at `position` (default: last) holding `question` (a page needs one)."""
    new = _copy(schema)
    pages = new["pages"]
    index = _insert_at(position, len(pages))
    page_id = new_page_id(new, _english(title) or _english(question.get("label")) or "page")
    page: dict[str, Any] = {"id": page_id, "questions": []}
    if title is not None:
        page["title"] = dict(title)
    pages.insert(index, page)
    question_id = _new_question(new, page, question, None)
    _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id, question_id=question_id)


def add_exit_page(
    schema: Mapping[str, Any],
    title: Mapping[str, str],
    body: Mapping[str, str],
    show_if: Mapping[str, Any],
    *,
    position: int | None = None,
) -> Edited:
    """An exit page ending the journey for those `show_if` holds for; by default it goes right
    after the last page holding a question the condition uses."""
    new = _copy(schema)
    pages = new["pages"]
    if position is None:
        used = _questions_in(show_if)
        position = max(
            (i + 1 for i, page in enumerate(pages) if used & set(_question_ids(page))), default=0
        )
    index = _insert_at(position, len(pages))
    page_id = new_page_id(new, _english(title) or "exit")
    page = {"id": page_id, "type": "exit", "title": dict(title), "body": dict(body)}
    page["show_if"] = copy.deepcopy(dict(show_if))
    pages.insert(index, page)
    _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id)


def edit_page(
    schema: Mapping[str, Any],
    page_id: str,
    *,
    title: Mapping[str, str] | EllipsisType | None = ...,
    body: Mapping[str, str] | EllipsisType | None = ...,
) -> Edited:
    """Change a page's title (None removes it) or an exit page's body; `...` leaves it as it is."""
    new = _copy(schema)
    page = _page(new, page_id)
    for key, value in (("title", title), ("body", body)):
        if value is ...:
            continue
        if key == "body" and page.get("type") != "exit":
            raise EditError([_("Only an exit page has a body.")])
        if value is None:
            page.pop(key, None)
        else:
            page[key] = copy.deepcopy(dict(value))
    return Edited(_checked(schema, new), page_id=page_id)


def move_page(schema: Mapping[str, Any], page_id: str, position: int) -> Edited:
    """Move a page to `position` (0 is first), keeping every condition after what it uses."""
    new = _copy(schema)
    pages = new["pages"]
    page = _page(new, page_id)
    pages.remove(page)
    pages.insert(_insert_at(position, len(pages)), page)
    _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id)


def delete_page(schema: Mapping[str, Any], page_id: str) -> Edited:
    """Remove a page and its questions; refused while a condition uses one of them."""
    new = _copy(schema)
    page = _page(new, page_id)
    _refuse_if_used(new, set(_question_ids(page)), _("Page %(page)s") % {"page": _name(page)})
    new["pages"].remove(page)
    _refuse_if_no_questions_left(new)
    return Edited(_checked(schema, new))


def set_page_show_if(
    schema: Mapping[str, Any], page_id: str, condition: Mapping[str, Any] | None
) -> Edited:
    """Show a page only when `condition` holds (None: always). An exit page must keep one."""
    new = _copy(schema)
    page = _page(new, page_id)
    if condition is None:
        if page.get("type") == "exit":
            raise EditError(
                [
                    _(
                        "Exit page %(page)s needs a condition, or no one could ever continue. "
                        "Delete the page instead."
                    )
                    % {"page": _name(page)}
                ]
            )
        page.pop("show_if", None)
    else:
        page["show_if"] = copy.deepcopy(dict(condition))
        _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id)


def branching_choices(schema: Mapping[str, Any], page_id: str | None) -> list[BranchChoice]:
    """The questions a condition on page `page_id` (or its questions) may use: those on earlier
    pages, in order, with the answers each can give (page_id None: every question, for a new exit
    page, which goes after the question it uses). The schema must parse."""
    parsed = _parse(schema)
    choices: list[BranchChoice] = []
    for page in parsed.pages:
        if page.id == page_id:
            return choices
        for question in page.questions:
            if question.type == "repeat":
                continue  # branching on a list is by its items (any_item, count_at_least)
            allowed = question.kind.condition_values(question)
            answers = None
            if allowed is not None:
                answers = tuple(
                    (value, _answer_label(question.kind, question, value))
                    for value in _in_order(question, allowed)
                )
            choices.append(BranchChoice(question.id, question.label, answers))
    if page_id is None:
        return choices
    raise EditError([_("There is no page “%(id)s” in this form.") % {"id": page_id}])


# --- questions ----------------------------------------------------------------------------------


def add_question(
    schema: Mapping[str, Any],
    page_id: str,
    question: Mapping[str, Any],
    *,
    position: int | None = None,
) -> Edited:
    """Add `question` (its JSON without an id: one is made from its label) to a page."""
    new = _copy(schema)
    page = _page(new, page_id)
    if page.get("type") == "exit":
        raise EditError([_("An exit page has no questions; add the question to another page.")])
    question_id = _new_question(new, page, question, position)
    _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id, question_id=question_id)


def edit_question(schema: Mapping[str, Any], question_id: str, **changes: Any) -> Edited:
    """Change a question's label, hint, name, required, options, validation, messages or
    prefill; a value of None removes the key. Its id, type and condition have their own edits."""
    unknown = sorted(set(changes) - set(EDITABLE_QUESTION_KEYS))
    if unknown:
        raise EditError(
            [
                _("A question's %(keys)s cannot be changed here (these can: %(known)s).")
                % {"keys": ", ".join(unknown), "known": ", ".join(EDITABLE_QUESTION_KEYS)}
            ]
        )
    new = _copy(schema)
    _page_of, question = _question(new, question_id)
    for key, value in changes.items():
        if value is None:
            question.pop(key, None)
        else:
            question[key] = copy.deepcopy(value)
    return Edited(_checked(schema, new), question_id=question_id)


def move_question(
    schema: Mapping[str, Any], question_id: str, page_id: str, position: int | None = None
) -> Edited:
    """Move a question to `position` on page `page_id` (the same page or another; default last).
    A page left with no questions is removed, and the notes say so."""
    new = _copy(schema)
    source, question = _question(new, question_id)
    target = _page(new, page_id)
    if target.get("type") == "exit":
        raise EditError([_("An exit page has no questions; move the question to another page.")])
    source["questions"].remove(question)
    target["questions"].insert(_insert_at(position, len(target["questions"])), question)
    notes = _remove_if_empty(new, source)
    _refuse_out_of_order(new)
    return Edited(_checked(schema, new), page_id=page_id, question_id=question_id, notes=notes)


def delete_question(schema: Mapping[str, Any], question_id: str) -> Edited:
    """Remove a question; refused while a condition uses it. A page left empty is removed."""
    new = _copy(schema)
    page, question = _question(new, question_id)
    _refuse_if_used(new, {question_id}, _("Question %(question)s") % {"question": _name(question)})
    page["questions"].remove(question)
    notes = _remove_if_empty(new, page)
    _refuse_if_no_questions_left(new)
    return Edited(_checked(schema, new), notes=notes)


def set_question_show_if(
    schema: Mapping[str, Any], question_id: str, condition: Mapping[str, Any] | None
) -> Edited:
    """Ask a question only when `condition` holds (None: always); it may use earlier pages'
    questions only."""
    new = _copy(schema)
    _page_of, question = _question(new, question_id)
    if condition is None:
        question.pop("show_if", None)
    else:
        question["show_if"] = copy.deepcopy(dict(condition))
        _refuse_out_of_order(new)
    return Edited(_checked(schema, new), question_id=question_id)


def change_type(
    schema: Mapping[str, Any],
    question_id: str,
    new_type: str,
    *,
    options: list[Mapping[str, Any]] | None = None,
) -> Edited:
    """Make a question another type, keeping what the new type can use (label, hint, name,
    required, condition, and the options, rules, messages and prefill it shares) and dropping the
    rest, which `notes` lists. A type with options needs them: given as `options`, kept from the
    old type, or made from a yes/no question's answers."""
    new_kind = QUESTION_TYPES.get(new_type)
    if new_kind is None:
        raise EditError(
            [
                _("There is no question type “%(type)s” (types: %(types)s).")
                % {"type": new_type, "types": ", ".join(sorted(QUESTION_TYPES))}
            ]
        )
    new = _copy(schema)
    _page_of, question = _question(new, question_id)
    if "repeat" in (new_type, question.get("type")) and new_type != question.get("type"):
        raise EditError(
            [
                _(
                    "A list of items cannot become another type of question, nor another "
                    "question a list: add a new question instead."
                )
            ]
        )
    old_kind = QUESTION_TYPES.get(question.get("type", ""))
    if old_kind is None or (old_kind is new_kind and options is None):
        question["type"] = new_type
        return Edited(_checked(schema, new), question_id=question_id)
    notes = [*_carry_options(schema, question, old_kind, new_kind, options)]
    notes += _carry_validation(question, old_kind, new_kind)
    for code in sorted(set(question.get("messages") or {}) - set(new_kind.messages)):
        del question["messages"][code]
        notes.append(_("the custom “%(code)s” error message") % {"code": code})
    if question.get("messages") == {}:
        del question["messages"]
    if "prefill" in question and question["prefill"] not in new_kind.prefill_sources:
        notes.append(
            _("prefilling from the resident's %(source)s") % {"source": question["prefill"]}
        )
        del question["prefill"]
    question["type"] = new_type
    _refuse_conditions_on_lost_answers(new, question)
    dropped = (
        (
            _("Dropped, as %(type)s questions cannot use it: %(what)s.")
            % {"type": new_type, "what": "; ".join(notes)},
        )
        if notes
        else ()
    )
    return Edited(_checked(schema, new), question_id=question_id, notes=dropped)


# --- the questions about each item of a list ---------------------------------------------------


def add_item_question(
    schema: Mapping[str, Any],
    question_id: str,
    item_question: Mapping[str, Any],
    *,
    position: int | None = None,
) -> Edited:
    """Add a question about each item to the list `question_id` (its JSON without an id: one is
    made from its label, unique in the list)."""
    new = _copy(schema)
    items = _item_questions(new, question_id)
    if not isinstance(item_question, Mapping) or "id" in item_question:
        raise EditError([_("A new question's id is made from its label; leave it out.")])
    label = _english(item_question.get("label"))
    if not label:
        raise EditError([_("A question needs a label in English.")])
    taken = {sub.get("id") for sub in items}
    sub_id = _unique(_question_id_base(label), "_", taken, QUESTION_ID)
    items.insert(
        _insert_at(position, len(items)), {"id": sub_id, **copy.deepcopy(dict(item_question))}
    )
    return Edited(_checked(schema, new), question_id=sub_id)


def edit_item_question(
    schema: Mapping[str, Any], question_id: str, item_question_id: str, **changes: Any
) -> Edited:
    """Change a question about each item (label, hint, name, required, options, validation);
    a value of None removes the key."""
    unknown = sorted(set(changes) - set(EDITABLE_ITEM_QUESTION_KEYS))
    if unknown:
        raise EditError(
            [
                _("A question's %(keys)s cannot be changed here (these can: %(known)s).")
                % {"keys": ", ".join(unknown), "known": ", ".join(EDITABLE_ITEM_QUESTION_KEYS)}
            ]
        )
    new = _copy(schema)
    item = _item_question(new, question_id, item_question_id)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = copy.deepcopy(value)
    return Edited(_checked(schema, new), question_id=item_question_id)


def move_item_question(
    schema: Mapping[str, Any], question_id: str, item_question_id: str, position: int
) -> Edited:
    """Ask a question about each item at another `position` in the list's questions."""
    new = _copy(schema)
    items = _item_questions(new, question_id)
    item = _item_question(new, question_id, item_question_id)
    items.remove(item)
    items.insert(_insert_at(position, len(items)), item)
    return Edited(_checked(schema, new), question_id=item_question_id)


def delete_item_question(
    schema: Mapping[str, Any], question_id: str, item_question_id: str
) -> Edited:
    """Stop asking a question about each item; refused while a condition uses its answers, and
    for the list's last question (a list asks at least one)."""
    new = _copy(schema)
    items = _item_questions(new, question_id)
    item = _item_question(new, question_id, item_question_id)
    users = _unique_in_order(
        use.where
        for use in condition_uses(new)
        if use.clause.question == question_id and use.clause.field == item_question_id
    )
    if users:
        raise EditError(
            [
                _(
                    "%(what)s cannot be deleted while conditions use its answers: on "
                    "%(dependants)s. Change or remove those conditions first."
                )
                % {
                    "what": _("Question %(question)s") % {"question": _name(item)},
                    "dependants": _and(users),
                }
            ]
        )
    if len(items) == 1:
        raise EditError(
            [_("A list of items asks at least one question about each item: add another first.")]
        )
    items.remove(item)
    return Edited(_checked(schema, new), question_id=question_id)


def _item_questions(schema: Mapping[str, Any], question_id: str) -> list[Any]:
    """The (mutable) list of questions about each item of the list `question_id`."""
    _page_of, question = _question(schema, question_id)
    if question.get("type") != "repeat":
        raise EditError([_("“%(id)s” is not a list of items.") % {"id": question_id}])
    items = question.setdefault("questions", [])
    if not isinstance(items, list):
        raise EditError([_("“%(id)s” is not a list of items.") % {"id": question_id}])
    return items


def _item_question(
    schema: Mapping[str, Any], question_id: str, item_question_id: str
) -> dict[str, Any]:
    for item in _item_questions(schema, question_id):
        if isinstance(item, dict) and item.get("id") == item_question_id:
            return item
    raise EditError(
        [
            _("There is no question “%(id)s” about each item of this list.")
            % {"id": item_question_id}
        ]
    )


# --- new ids ------------------------------------------------------------------------------------


def new_question_id(schema: Mapping[str, Any], label: str) -> str:
    """A question id made from `label` ("Which bin?" -> "which_bin"), unique in the schema."""
    taken = {q.get("id") for page in _pages(schema) for q in _questions(page)}
    return _unique(_question_id_base(label), "_", taken, QUESTION_ID)


def _question_id_base(label: str) -> str:
    base = _slug(label, "_")
    if not base or not base[0].isalpha():
        base = f"q_{base}".rstrip("_")
    return base


def new_page_id(schema: Mapping[str, Any], title: str) -> str:
    """A page id made from `title` ("Which bin?" -> "which-bin"), unique in the schema and not
    one the journey uses for its own pages."""
    taken = {page.get("id") for page in _pages(schema)} | RESERVED_PAGE_IDS
    return _unique(_slug(title, "-") or "page", "-", taken, PAGE_ID)


def _slug(text: str, separator: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:  # whole words only, so an id never ends in half of one
        longer = f"{slug}{separator}{word}" if slug else word
        if len(longer) > ID_LENGTH:
            break
        slug = longer
    return slug or (words[0][:ID_LENGTH] if words else "")


def _unique(base: str, separator: str, taken: set[Any], pattern: re.Pattern[str]) -> str:
    candidate, number = base, 1
    while candidate in taken or not pattern.fullmatch(candidate):
        number += 1
        candidate = f"{base}{separator}{number}"
    return candidate


# --- checks -------------------------------------------------------------------------------------


def _checked(before: Mapping[str, Any], after: Schema) -> Schema:
    """`after`, if it has no problem `before` did not have already; EditError listing them."""
    known = set(_problems(before))
    new_problems = [p for p in _problems(after) if p not in known]
    if new_problems:
        raise EditError(new_problems)
    return after


def _problems(schema: Mapping[str, Any]) -> list[str]:
    try:
        parse_schema(schema)
    except SchemaError as exc:
        return exc.errors
    return []


def _parse(schema: Mapping[str, Any]) -> FormSchema:
    try:
        return parse_schema(schema)
    except SchemaError as exc:
        raise EditError(exc.errors) from None


@dataclass(frozen=True)
class ConditionUse:
    """A condition using a question: where it is (for messages), its page's index, the clause."""

    where: str
    page_index: int
    clause: Clause


def condition_uses(schema: Mapping[str, Any]) -> Iterator[ConditionUse]:
    """Every clause of every condition in a schema's JSON (pages', exit pages' and questions'),
    with where it is; malformed conditions are skipped (parse_schema reports them)."""
    for index, page in enumerate(_pages(schema)):
        owners: list[tuple[str, Any]] = []
        label = _("exit page %(page)s") if page.get("type") == "exit" else _("page %(page)s")
        owners.append((label % {"page": _name(page)}, page.get("show_if")))
        for question in _questions(page):
            where = _("question %(question)s") % {"question": _name(question)}
            owners.append((where, question.get("show_if")))
        for where, raw in owners:
            if raw is None:
                continue
            for clause in clauses(parse_condition(raw, [], where)):
                yield ConditionUse(where, index, clause)


def _refuse_if_used(schema: Mapping[str, Any], question_ids: set[str], what: str) -> None:
    dependants = _unique_in_order(
        use.where for use in condition_uses(schema) if use.clause.question in question_ids
    )
    if dependants:
        raise EditError(
            [
                _(
                    "%(what)s cannot be deleted while conditions use its answers: on "
                    "%(dependants)s. Change or remove those conditions first."
                )
                % {"what": what, "dependants": _and(dependants)}
            ]
        )


def _refuse_out_of_order(schema: Mapping[str, Any]) -> None:
    """Refuse when a condition would come before (or on the same page as) a question it uses."""
    page_of = {q.get("id"): i for i, page in enumerate(_pages(schema)) for q in _questions(page)}
    problems = []
    for use in condition_uses(schema):
        place = page_of.get(use.clause.question)
        if place is not None and place >= use.page_index:
            question = _question(schema, use.clause.question)[1]
            problems.append(
                _(
                    "The condition on %(where)s uses the answer to %(question)s, so that question "
                    "must be on an earlier page."
                )
                % {"where": use.where, "question": _name(question)}
            )
    if problems:
        raise EditError(_unique_in_order(problems))


def _refuse_conditions_on_lost_answers(
    schema: Mapping[str, Any], question: Mapping[str, Any]
) -> None:
    """After a change of type: conditions comparing answers the new type cannot give."""
    try:
        # Alone, without its own condition, which may use questions this one-page form lacks.
        alone = {key: value for key, value in question.items() if key != "show_if"}
        parsed = parse_schema({"pages": [{"id": "p", "questions": [alone]}]})
    except SchemaError:
        return  # the whole schema's check reports what is wrong with the question itself
    target = parsed.pages[0].questions[0]
    allowed = target.kind.condition_values(target)
    if allowed is None:
        return
    lost: list[str] = []
    for use in condition_uses(schema):
        clause = use.clause
        if clause.question != target.id or clause.op == "answered":
            continue
        values = clause.value if clause.op == "one_of" else (clause.value,)
        lost += [f"{use.where} (‘{v}’)" for v in values if v not in allowed]
    if lost:
        raise EditError(
            [
                _(
                    "%(question)s cannot become a %(type)s question while conditions use answers "
                    "it could no longer give: on %(dependants)s. Change those conditions first."
                )
                % {"question": _name(question), "type": target.type, "dependants": _and(lost)}
            ]
        )


def _refuse_if_no_questions_left(schema: Mapping[str, Any]) -> None:
    if not any(_questions(page) for page in _pages(schema)):
        raise EditError([_("A form needs at least one question, so the last cannot be deleted.")])


def _remove_if_empty(schema: Schema, page: dict[str, Any]) -> tuple[str, ...]:
    if page.get("type") == "exit" or page["questions"]:
        return ()
    schema["pages"].remove(page)
    return (_("Page “%(id)s” had no questions left, so it was removed.") % {"id": page["id"]},)


# --- changing type ------------------------------------------------------------------------------


def _carry_options(
    schema: Mapping[str, Any],
    question: dict[str, Any],
    old_kind: QuestionType,
    new_kind: QuestionType,
    options: list[Mapping[str, Any]] | None,
) -> list[str]:
    if not new_kind.has_options:
        if options is not None:
            raise EditError([_("%(type)s questions take no options.") % {"type": new_kind.name}])
        if "options" in question:
            labels = ", ".join(_english(o.get("label")) for o in question.pop("options"))
            return [_("the options (%(labels)s)") % {"labels": labels}]
        return []
    if options is not None:
        question["options"] = copy.deepcopy(list(options))
    elif "options" not in question:
        made = _options_from_answers(schema, question["id"], old_kind)
        if not made:
            raise EditError(
                [_("%(type)s questions need options: give at least one.") % {"type": new_kind.name}]
            )
        question["options"] = made
    return []


def _options_from_answers(
    schema: Mapping[str, Any], question_id: str, kind: QuestionType
) -> list[dict[str, Any]]:
    """Options for the answers a question of a fixed-answer type (yes/no) could give."""
    try:
        question = parse_schema(schema).question(question_id)
    except (SchemaError, KeyError):
        return []
    allowed = kind.condition_values(question)
    if allowed is None:
        return []
    return [
        {"value": value, "label": _answer_label(kind, question, value).to_json()}
        for value in _in_order(question, allowed)
    ]


def _carry_validation(
    question: dict[str, Any], old_kind: QuestionType, new_kind: QuestionType
) -> list[str]:
    rules = question.get("validation")
    if not isinstance(rules, dict):
        return []
    dropped = [
        key
        for key in sorted(rules)
        if key not in new_kind.validation_keys or _meaning(old_kind, key) != _meaning(new_kind, key)
    ]
    for key in dropped:
        del rules[key]
    if not rules:
        del question["validation"]
    return [_("the “%(rule)s” rule") % {"rule": key} for key in dropped]


def _meaning(kind: QuestionType, key: str) -> str:
    # Checkboxes' min and max count the boxes ticked; a number's bound the number typed.
    return f"{key} ticked" if kind.name == "checkboxes" else key


def _answer_label(kind: QuestionType, question: Any, value: str) -> Text:
    for option in question.options:
        if option.value == value:
            return option.label
    return Text(kind.display(question, value, "en"), kind.display(question, value, "cy"))


def _in_order(question: Any, values: frozenset[str]) -> list[str]:
    ordered = [o.value for o in question.options if o.value in values]
    # Types with fixed answers (yes/no) have no options: "yes" before "no" reads naturally.
    return ordered or sorted(values, reverse=True)


# --- finding things in the JSON -----------------------------------------------------------------


def _copy(schema: Mapping[str, Any]) -> Schema:
    if not isinstance(schema, Mapping) or not isinstance(schema.get("pages"), list):
        raise EditError(['The schema must be an object with a list of "pages"'])
    return copy.deepcopy(dict(schema))


def _pages(schema: Mapping[str, Any]) -> list[Any]:
    pages = schema.get("pages") if isinstance(schema, Mapping) else None
    return [p for p in pages if isinstance(p, dict)] if isinstance(pages, list) else []


def _questions(page: Mapping[str, Any]) -> list[Any]:
    questions = page.get("questions")
    return [q for q in questions if isinstance(q, dict)] if isinstance(questions, list) else []


def _question_ids(page: Mapping[str, Any]) -> list[str]:
    return [q["id"] for q in _questions(page) if isinstance(q.get("id"), str)]


def _page(schema: Mapping[str, Any], page_id: str) -> dict[str, Any]:
    for page in _pages(schema):
        if page.get("id") == page_id:
            return page
    raise EditError([_("There is no page “%(id)s” in this form.") % {"id": page_id}])


def _question(schema: Mapping[str, Any], question_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page holding a question, and the question."""
    for page in _pages(schema):
        for question in _questions(page):
            if question.get("id") == question_id:
                return page, question
    raise EditError([_("There is no question “%(id)s” in this form.") % {"id": question_id}])


def _new_question(
    schema: Schema, page: dict[str, Any], question: Mapping[str, Any], position: int | None
) -> str:
    if not isinstance(question, Mapping):
        raise EditError([_("A question must be an object with a type and a label.")])
    if "id" in question:
        raise EditError([_("A new question's id is made from its label; leave it out.")])
    label = _english(question.get("label"))
    if not label:
        raise EditError([_("A question needs a label in English.")])
    question_id = new_question_id(schema, label)
    questions = page.setdefault("questions", [])
    questions.insert(
        _insert_at(position, len(questions)), {"id": question_id, **copy.deepcopy(dict(question))}
    )
    return question_id


def _insert_at(position: int | None, length: int) -> int:
    if position is None:
        return length
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= length:
        raise EditError(
            [_("The position must be a whole number from 0 to %(last)s.") % {"last": length}]
        )
    return position


def _questions_in(condition: Any) -> set[str]:
    return {c.question for c in clauses(parse_condition(condition, [], "Condition"))}


def _english(text: Any) -> str:
    return (
        text.get("en", "").strip()
        if isinstance(text, Mapping) and isinstance(text.get("en"), str)
        else ""
    )


def _name(item: Mapping[str, Any]) -> str:
    """A page or question as an admin knows it: its English title or label, else its id."""
    text = _english(item.get("title")) or _english(item.get("label"))
    if not text:
        first = _questions(item)[:1]
        text = _english(first[0].get("label")) if first else ""
    return f"“{text or item.get('id')}”"


def _and(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _unique_in_order(items: Iterator[str] | list[str]) -> list[str]:
    return list(dict.fromkeys(items))
