"""Why a draft cannot be published yet: each reason a message a service admin can act on.

A draft is refused (services.catalogue.publish_version asks `publish_problems`) while
- any Welsh text is missing: labels, hints, short names, options, custom messages, page titles and
  exit pages (Welsh speakers would otherwise meet English mid-journey, as GOV.UK Forms refuses too);
- a branching condition uses a question the draft no longer has;
- a routing rule's condition or a destination's field mapping would stop working with the draft:
  it uses a question that no longer exists, or one whose answers no longer fit (an option removed,
  a type changed). Only problems the draft brings are counted; routing that was already wrong
  with the live version is the routing editor's to report, not a reason to block this draft.
The checks are pure functions of the schemas and the routing; `publish_problems` loads those.
`find_publish_problems` gives the same reasons with what each concerns (a page, a question, a
routing rule, a destination), so the studio can show each beside the thing to fix and link to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from services.forms.edits import condition_uses
from services.forms.schema import FormSchema, SchemaError, parse_schema
from services.models.forms import FormVersion, VersionStateError
from services.routing.conditions import validate_condition
from services.routing.mapping import validate_mapping
from services.routing.service import load_rule_set

if TYPE_CHECKING:
    from integrations.base import Adapter


class PublishRefused(VersionStateError):
    """A draft that cannot be published; `messages` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(list(problems))


@dataclass(frozen=True)
class WelshGap:
    """A text with English but no Welsh: where it is (for showing it beside the field), and what."""

    page_id: str
    question_id: str | None
    what: str
    message: str


@dataclass(frozen=True)
class PublishProblem:
    """One reason a draft cannot be published, and what it concerns: a question (`question_id`,
    on page `page_id`), a page (`page_id` alone), a routing rule (`rule`, its name) or a
    destination's field mapping (`destination`, its name); none of these for the whole form."""

    message: str
    page_id: str | None = None
    question_id: str | None = None
    rule: str | None = None
    destination: str | None = None
    welsh: bool = False


@dataclass(frozen=True)
class RoutedDestination:
    """A destination's name, field mapping and adapter (None: not installed)."""

    name: str
    mapping: Any
    adapter_class: type[Adapter] | None


def publish_problems(version: FormVersion) -> list[str]:
    """Every reason `version` (a draft) cannot be published; empty when it can."""
    return [problem.message for problem in find_publish_problems(version)]


def find_publish_problems(version: FormVersion) -> list[PublishProblem]:
    """Every reason `version` (a draft) cannot be published, with what each concerns."""
    live = (
        FormVersion.objects.filter(form_id=version.form_id, status=FormVersion.Status.LIVE)
        .exclude(pk=version.pk)
        .first()
    )
    live_schema = live.parsed if live is not None else None
    problems = branching_problems(live.schema if live is not None else None, version.schema)
    try:
        draft = parse_schema(version.schema)
    except SchemaError as exc:
        problems += _unexplained(exc.errors, version.schema)
        draft = None
    problems += [
        PublishProblem(gap.message, gap.page_id, gap.question_id, welsh=True)
        for gap in welsh_missing(version.schema)
    ]
    if draft is not None:
        rule_set = load_rule_set(version.form.service_id)
        if rule_set is not None:
            rules = [(rule.name, rule.condition) for rule in rule_set.rules.all()]
            destinations = [
                RoutedDestination(d.name, d.mapping, d.connection.adapter_class)
                for d in rule_set.destinations.all()
            ]
            problems += routing_problems(live_schema, draft, rules, destinations)
    return problems


def welsh_missing(schema: Mapping[str, Any]) -> list[WelshGap]:
    """Every text in a schema's JSON with English but no Welsh, in the order residents meet them."""
    gaps = []
    for page in _items(schema.get("pages")):
        page_id = str(page.get("id"))
        exit_page = page.get("type") == "exit"
        place = _("exit page “%(page)s”") if exit_page else _("page “%(page)s”")
        where = place % {"page": _english(page.get("title")) or page_id}
        for what, text in (("title", page.get("title")), ("body", page.get("body"))):
            if _lacks_welsh(text):
                shown = _("the title") if what == "title" else _("the text")
                gaps.append(WelshGap(page_id, None, what, _gap_message(where, shown)))
        for question in _items(page.get("questions")):
            question_id = str(question.get("id"))
            where = _("question “%(question)s”") % {
                "question": _english(question.get("label")) or question_id
            }
            for what, shown, text in _question_texts(question):
                if _lacks_welsh(text):
                    gaps.append(WelshGap(page_id, question_id, what, _gap_message(where, shown)))
    return gaps


def dangling_branching(live: Mapping[str, Any] | None, draft: Mapping[str, Any]) -> list[str]:
    """A message for each condition in the draft using a question the draft does not have."""
    return [problem.message for problem in branching_problems(live, draft)]


def branching_problems(
    live: Mapping[str, Any] | None, draft: Mapping[str, Any]
) -> list[PublishProblem]:
    """dangling_branching's problems, each on the page whose condition (or whose question's
    condition) uses the missing question."""
    draft_ids = _question_labels(draft)
    live_labels = _question_labels(live) if live is not None else {}
    pages = _items(draft.get("pages"))
    problems: list[PublishProblem] = []
    for use in condition_uses(draft):
        question_id = use.clause.question
        if question_id in draft_ids:
            continue
        if question_id in live_labels:
            message = _(
                "The branching on %(where)s uses the answer to “%(question)s”, which this draft "
                "removes. Change or remove that condition first."
            ) % {"where": use.where, "question": live_labels[question_id]}
        else:
            message = _(
                "The branching on %(where)s uses a question “%(question)s” that is not in the "
                "form. Change or remove that condition first."
            ) % {"where": use.where, "question": question_id}
        if all(problem.message != message for problem in problems):
            page_id = str(pages[use.page_index].get("id"))
            problems.append(PublishProblem(message, page_id=page_id))
    return problems


def routing_breaks(
    live: FormSchema | None,
    draft: FormSchema,
    rules: Sequence[tuple[str, Any]],
    destinations: Sequence[RoutedDestination],
) -> list[str]:
    """Problems routing would have with the draft that it does not have with the live version
    (None: nothing is live). The routing languages' own checks decide what is a problem."""
    return [p.message for p in routing_problems(live, draft, rules, destinations)]


def routing_problems(
    live: FormSchema | None,
    draft: FormSchema,
    rules: Sequence[tuple[str, Any]],
    destinations: Sequence[RoutedDestination],
) -> list[PublishProblem]:
    """routing_breaks's problems, each on its rule or destination."""
    problems = []
    for name, condition in rules:
        before = set(validate_condition(condition, live, name=name))
        for problem in validate_condition(condition, draft, name=name):
            if problem not in before:
                message = _("Routing would break: %(problem)s") % {"problem": problem}
                problems.append(PublishProblem(message, rule=name))
    for destination in destinations:
        adapter = destination.adapter_class
        before = set(validate_mapping(destination.mapping, adapter_class=adapter, schema=live))
        for problem in validate_mapping(destination.mapping, adapter_class=adapter, schema=draft):
            if problem not in before:
                message = _(
                    "The field mapping of destination “%(destination)s” would break: %(problem)s"
                ) % {"destination": destination.name, "problem": problem}
                problems.append(PublishProblem(message, destination=destination.name))
    return problems


def _unexplained(errors: list[str], draft: Mapping[str, Any]) -> list[PublishProblem]:
    """The schema's own problems, less those about a condition on a missing question, which
    `dangling_branching` has already said more plainly; each on its question when it names one
    (parse_schema's messages start "Question '<id>' ")."""
    missing = {
        use.clause.question
        for use in condition_uses(draft)
        if use.clause.question not in _question_labels(draft)
    }
    said = tuple(f"show_if refers to '{question_id}'" for question_id in missing)
    pages = {
        str(question.get("id")): str(page.get("id"))
        for page in _items(draft.get("pages"))
        for question in _items(page.get("questions"))
    }
    problems = []
    for error in errors:
        if any(s in error for s in said):
            continue
        named = next((q for q in pages if error.startswith(f"Question '{q}' ")), None)
        problems.append(PublishProblem(error, pages.get(named or ""), named))
    return problems


def _question_texts(question: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(key, what it is for an admin, the text) of every text a question has."""
    yield "label", _("the question text"), question.get("label")
    yield "hint", _("the hint"), question.get("hint")
    yield "name", _("the short name used in error messages"), question.get("name")
    for option in _items(question.get("options")):
        label = option.get("label")
        shown = _("option “%(option)s”") % {"option": _english(label) or option.get("value")}
        yield f"options.{option.get('value')}", shown, label
    messages = question.get("messages")
    for code, text in messages.items() if isinstance(messages, Mapping) else ():
        yield f"messages.{code}", _("the “%(code)s” error message") % {"code": code}, text
    validation = question.get("validation")
    if isinstance(validation, Mapping):
        yield (
            "validation.pattern_message",
            _("the message for an answer in the wrong format"),
            validation.get("pattern_message"),
        )
    # A list of items: what an item is called, and every text of each question about an item.
    yield "item_name", _("what one item is called"), question.get("item_name")
    yield "item_name_plural", _("what several items are called"), question.get("item_name_plural")
    for sub in _items(question.get("questions")):
        about = _("the question “%(question)s” about each item") % {
            "question": _english(sub.get("label")) or sub.get("id")
        }
        for what, shown, text in _question_texts(sub):
            yield f"questions.{sub.get('id')}.{what}", f"{about}: {shown}", text


def _gap_message(where: str, what: str) -> str:
    return _("Welsh missing on %(where)s: %(what)s.") % {"where": where, "what": what}


def _lacks_welsh(text: Any) -> bool:
    """A text with its English filled in and its Welsh left out or blank."""
    if not isinstance(text, Mapping) or not _english(text):
        return False
    welsh = text.get("cy")
    return not isinstance(welsh, str) or not welsh.strip()


def _question_labels(schema: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(question.get("id")): _english(question.get("label")) or str(question.get("id"))
        for page in _items(schema.get("pages"))
        for question in _items(page.get("questions"))
    }


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _english(text: Any) -> str:
    if isinstance(text, Mapping) and isinstance(text.get("en"), str):
        return text["en"].strip()
    return ""
