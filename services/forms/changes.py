"""What a draft changes since the live version, as a service admin reads it before publishing.

`summarise_changes(live, draft)` compares two schemas' JSON question by question (matched by id,
which edits never change): questions added, removed, and changed (label, hint, type, options,
required, branching, rules, messages, prefill, page), plus exit pages added and removed.
`routing_affected(summary, rules, destinations)` says which routing rules and which destinations'
field mappings read a question the draft removes or re-types, so the admin is warned before
residents' cases start going to the wrong place. Both are pure; the questions a condition or a
mapping reads are decided by the routing languages' own modules (`questions_used`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from services.forms.schema import FormSchema, Page, Question, parse_schema
from services.forms.text import Text
from services.routing.conditions import questions_used as condition_questions
from services.routing.mapping import questions_used as spec_questions


@dataclass(frozen=True)
class QuestionChange:
    """One question added, removed or changed; `details` says how, one line each."""

    question_id: str
    label: Text
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeSummary:
    added: tuple[QuestionChange, ...] = ()
    removed: tuple[QuestionChange, ...] = ()
    changed: tuple[QuestionChange, ...] = ()
    exit_pages_added: tuple[Text, ...] = ()
    exit_pages_removed: tuple[Text, ...] = ()
    # Question id -> (old type, new type), for what the change affects.
    retyped: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.exit_pages_added
            or self.exit_pages_removed
        )


@dataclass(frozen=True)
class RuleUse:
    """A routing rule as far as questions go: its name and condition JSON."""

    name: str
    condition: Any


@dataclass(frozen=True)
class DestinationUse:
    """A destination as far as questions go: its name and field mapping JSON."""

    name: str
    mapping: Any


def summarise_changes(live: Mapping[str, Any] | None, draft: Mapping[str, Any]) -> ChangeSummary:
    """How `draft` differs from `live` (None: nothing is live yet, so every question is added).

    Both must parse (SchemaError otherwise): a draft with problems is fixed before it is
    reviewed."""
    old = parse_schema(live) if live is not None else FormSchema(())
    new = parse_schema(draft)
    old_questions = {q.id: q for q in old.questions}
    new_questions = {q.id: q for q in new.questions}
    added = [QuestionChange(q.id, q.label) for q in new.questions if q.id not in old_questions]
    removed = [QuestionChange(q.id, q.label) for q in old.questions if q.id not in new_questions]
    changed = []
    retyped = {}
    for question in new.questions:
        before = old_questions.get(question.id)
        if before is None:
            continue
        details = _differences(before, question, old.page_of(before.id), new.page_of(question.id))
        if details:
            changed.append(QuestionChange(question.id, question.label, tuple(details)))
        if before.type != question.type:
            retyped[question.id] = (before.type, question.type)
    old_exits = {p.id: p for p in old.pages if p.is_exit}
    new_exits = {p.id: p for p in new.pages if p.is_exit}
    return ChangeSummary(
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        exit_pages_added=tuple(_title(p) for i, p in new_exits.items() if i not in old_exits),
        exit_pages_removed=tuple(_title(p) for i, p in old_exits.items() if i not in new_exits),
        retyped=retyped,
    )


def routing_affected(
    summary: ChangeSummary,
    rules: Sequence[RuleUse],
    destinations: Sequence[DestinationUse],
) -> list[str]:
    """Warnings, one per rule or mapped field reading a question the draft removes or re-types."""
    removed = {change.question_id: change.label for change in summary.removed}
    labels = {change.question_id: change.label for change in summary.changed}
    warnings = []

    def why(question_id: str) -> str | None:
        if question_id in removed:
            return _("“%(question)s”, which this draft removes") % {
                "question": removed[question_id].en
            }
        if question_id in summary.retyped:
            old_type, new_type = summary.retyped[question_id]
            return _("“%(question)s”, which changes from %(old)s to %(new)s") % {
                "question": labels[question_id].en,
                "old": old_type,
                "new": new_type,
            }
        return None

    for rule in rules:
        for question_id in sorted(condition_questions(rule.condition)):
            reason = why(question_id)
            if reason is not None:
                warnings.append(
                    _("Routing rule “%(rule)s” checks the answer to %(reason)s.")
                    % {"rule": rule.name, "reason": reason}
                )
    for destination in destinations:
        mapping = destination.mapping if isinstance(destination.mapping, Mapping) else {}
        for target, spec in mapping.items():
            for question_id in sorted(spec_questions(spec)):
                reason = why(question_id)
                if reason is not None:
                    warnings.append(
                        _(
                            "Destination “%(destination)s” fills its field “%(field)s” from the "
                            "answer to %(reason)s."
                        )
                        % {"destination": destination.name, "field": target, "reason": reason}
                    )
    return warnings


def _differences(before: Question, after: Question, old_page: Page, new_page: Page) -> list[str]:
    details = []
    if before.label != after.label:
        details.append(_("Question text changed from “%(old)s”") % {"old": before.label.en})
    if before.hint != after.hint:
        details.append(_("Hint changed"))
    if before.type != after.type:
        details.append(
            _("Type changed from %(old)s to %(new)s") % {"old": before.type, "new": after.type}
        )
    details += _option_differences(before, after)
    if before.required != after.required:
        details.append(_("Now required") if after.required else _("Now optional"))
    if before.show_if != after.show_if:
        details.append(_("When it is asked changed (branching)"))
    if old_page.show_if != new_page.show_if:
        details.append(_("When its page is shown changed (branching)"))
    if before.validation != after.validation:
        details.append(_("Answer rules changed"))
    if before.messages != after.messages or before.name != after.name:
        details.append(_("Error messages changed"))
    if before.prefill != after.prefill:
        details.append(_("Prefilling from the resident's account changed"))
    if old_page.id != new_page.id:
        details.append(_("Moved to another page"))
    details += _item_question_differences(before, after)
    if (before.item_name, before.item_name_plural) != (after.item_name, after.item_name_plural):
        details.append(_("What the items are called changed"))
    return details


def _item_question_differences(before: Question, after: Question) -> list[str]:
    """A list's questions about each item: added, removed and changed, by their English text."""
    old = {sub.id: sub for sub in before.questions}
    new = {sub.id: sub for sub in after.questions}
    details = []
    for sub_id, sub in new.items():
        if sub_id not in old:
            details.append(
                _("Question “%(question)s” about each item added") % {"question": sub.label.en}
            )
        elif old[sub_id] != sub:
            details.append(
                _("Question “%(question)s” about each item changed") % {"question": sub.label.en}
            )
    for sub_id, sub in old.items():
        if sub_id not in new:
            details.append(
                _("Question “%(question)s” about each item removed") % {"question": sub.label.en}
            )
    return details


def _option_differences(before: Question, after: Question) -> list[str]:
    old = {o.value: o.label for o in before.options}
    new = {o.value: o.label for o in after.options}
    details = []
    for value, label in new.items():
        if value not in old:
            details.append(_("Option “%(option)s” added") % {"option": label.en})
        elif old[value] != label:
            details.append(_("Option “%(option)s” relabelled") % {"option": label.en})
    for value, label in old.items():
        if value not in new:
            details.append(_("Option “%(option)s” removed") % {"option": label.en})
    if [v for v in old if v in new] != [v for v in new if v in old]:
        details.append(_("Options reordered"))
    return details


def _title(page: Page) -> Text:
    return page.title or Text(page.id)
