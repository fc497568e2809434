"""Routing a submission: load its form's rules, decide, and say which Destinations it goes to.

The decision itself is `decide` (pure); this module only turns models into its inputs and its
result into Destination rows plus a JSON record for Submission.routing_decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from services.forms.schema import FormSchema, SchemaError
from services.models import Destination, RoutingRule, RoutingRuleSet, Submission
from services.routing.conditions import RoutingContext
from services.routing.decide import RuleSpec, decide


def context_for(submission: Submission) -> RoutingContext:
    """The facts routing may look at, from `submission` and its form version's schema."""
    answers: Mapping[str, Any] = submission.answers or {}
    postcode, latitude, longitude = _from_answers(submission, answers)
    return RoutingContext(
        answers=answers,
        channel=submission.channel,
        submitted_at=submission.created_at,
        postcode=postcode,
        latitude=submission.latitude if submission.latitude is not None else latitude,
        longitude=submission.longitude if submission.latitude is not None else longitude,
        uprn=submission.uprn,
        service_slug=submission.service.slug,
    )


def _from_answers(
    submission: Submission, answers: Mapping[str, Any]
) -> tuple[str | None, float | None, float | None]:
    """The postcode (an address answer's first, else a postcode answer's) and any coordinates
    the address carries (a gazetteer lookup may give them)."""
    try:
        schema: FormSchema | None = submission.form_version.parsed
    except SchemaError:
        schema = None
    questions = schema.questions if schema is not None else ()
    postcode = None
    latitude = longitude = None
    for question in questions:
        value = answers.get(question.id)
        if question.type != "address" or not isinstance(value, Mapping):
            continue
        if postcode is None and isinstance(value.get("postcode"), str) and value["postcode"]:
            postcode = value["postcode"]
        lat = value.get("latitude", value.get("lat"))
        lng = value.get("longitude", value.get("lng"))
        if latitude is None and _number(lat) and _number(lng):
            latitude, longitude = float(lat), float(lng)
    if postcode is None:
        for question in questions:
            value = answers.get(question.id)
            if question.type == "postcode" and isinstance(value, str) and value:
                postcode = value
                break
    return postcode, latitude, longitude


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_rule_set(service_id: int) -> RoutingRuleSet | None:
    """A service's rule set with its rules, destinations and connections (three queries)."""
    return (
        RoutingRuleSet.objects.filter(form__service_id=service_id)
        .prefetch_related(
            Prefetch("rules", queryset=RoutingRule.objects.order_by("order", "pk")),
            Prefetch(
                "destinations",
                queryset=Destination.objects.select_related("connection").order_by("pk"),
            ),
        )
        .first()
    )


def route(submission: Submission) -> tuple[list[Destination], dict[str, Any]]:
    """Where `submission` goes: the Destinations, and the decision to store on it.

    The record is JSON: routed, destinations (names), destination_ids, matched_rules,
    used_fallback, reasons (plain English), mode, decided_at. No destinations means "not routed",
    which the record says and people must be shown.
    """
    decided_at = timezone.now().isoformat()
    rule_set = load_rule_set(submission.service_id)
    if rule_set is None:
        record = {
            "routed": False,
            "destinations": [],
            "destination_ids": [],
            "matched_rules": [],
            "used_fallback": False,
            "reasons": ["This form has no routing rules: not routed"],
            "mode": None,
            "decided_at": decided_at,
        }
        return [], record
    destinations = list(rule_set.destinations.all())
    by_rule: dict[int | None, list[str]] = {}
    for destination in destinations:
        by_rule.setdefault(destination.rule_id, []).append(destination.name)
    rules = [
        RuleSpec(rule.name, rule.condition, by_rule.get(rule.pk, []), rule.is_active)
        for rule in rule_set.rules.all()
    ]
    decision = decide(rules, rule_set.mode, by_rule.get(None, []), context_for(submission))
    by_name = {d.name: d for d in destinations}
    chosen = [by_name[name] for name in decision.destinations]
    record = {
        **decision.as_json(),
        "destination_ids": [d.pk for d in chosen],
        "mode": rule_set.mode,
        "decided_at": decided_at,
    }
    return chosen, record
