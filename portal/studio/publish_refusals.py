"""Why a draft cannot be published, each reason with where to fix it.

services/forms/publish_checks.py says what each reason concerns (a question, a page, a routing
rule, a destination); this turns that into a link for the publish page's error summary, and
sorts the reasons by what they concern for the pages that show each one beside its thing:
- Welsh missing on a question or a page: its editor, where the field says "Welsh missing";
- anything else about a question or a page (a condition on a question the draft no longer has,
  a problem parse_schema finds): the draft page, beside that question or page;
- a routing rule or a destination's field mapping the draft would break: the routing page,
  beside that rule or destination.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from services.forms.publish_checks import PublishProblem, find_publish_problems
from services.models import FormVersion, RoutingRuleSet, Service


@dataclass(frozen=True)
class Refusal:
    message: str
    href: str


def refusals(service: Service, draft: FormVersion) -> list[Refusal]:
    """Every reason the draft cannot be published, linked to where it is fixed."""
    rule_set = RoutingRuleSet.objects.filter(form__service=service).first()
    rules: dict[str, int] = {}
    destinations: dict[str, int] = {}
    if rule_set is not None:
        rules = {name: pk for pk, name in rule_set.rules.values_list("pk", "name")}
        destinations = {name: pk for pk, name in rule_set.destinations.values_list("pk", "name")}
    return [
        Refusal(problem.message, _href(service, problem, rules, destinations))
        for problem in find_publish_problems(draft)
    ]


def _href(
    service: Service,
    problem: PublishProblem,
    rules: dict[str, int],
    destinations: dict[str, int],
) -> str:
    draft = reverse("studio:draft", args=[service.pk])
    routing = reverse("studio:routing", args=[service.pk])
    if problem.welsh and problem.question_id:
        return reverse("studio:question_edit", args=[service.pk, problem.question_id])
    if problem.welsh and problem.page_id:
        return reverse("studio:page_edit", args=[service.pk, problem.page_id])
    if problem.question_id:
        return f"{draft}#question-{problem.question_id}"
    if problem.page_id:
        return f"{draft}#page-{problem.page_id}"
    if problem.rule in rules:
        return f"{routing}#rule-{rules[problem.rule]}"
    if problem.destination in destinations:
        return f"{routing}#destination-{destinations[problem.destination]}"
    return draft


def beside_questions_and_pages(
    problems: list[PublishProblem],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The problems the draft page shows beside each question and each page (by id); Welsh
    missing is shown there as a tag, and in full in the editors."""
    questions: dict[str, list[str]] = {}
    pages: dict[str, list[str]] = {}
    for problem in problems:
        if problem.welsh:
            continue
        if problem.question_id:
            questions.setdefault(problem.question_id, []).append(problem.message)
        elif problem.page_id:
            pages.setdefault(problem.page_id, []).append(problem.message)
    return questions, pages


def beside_routing(
    problems: list[PublishProblem],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The problems the routing page shows beside each rule and destination (by name)."""
    rules: dict[str, list[str]] = {}
    destinations: dict[str, list[str]] = {}
    for problem in problems:
        if problem.rule:
            rules.setdefault(problem.rule, []).append(problem.message)
        elif problem.destination:
            destinations.setdefault(problem.destination, []).append(problem.message)
    return rules, destinations
