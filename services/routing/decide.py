"""The routing decision: which destinations a submission goes to, and why. A pure function.

`decide` knows nothing of models: it takes the rules (in order), the mode, the fallback
destinations and the facts of one submission, and returns the destinations' names with reasons
in plain English. services/routing/service.py loads the rules and records the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.routing.conditions import ConditionError, RoutingContext, explain, q

FIRST_MATCH = "first_match"
ALL_MATCH = "all_match"
MODES = (FIRST_MATCH, ALL_MATCH)

# A destination is named by its name, which is unique within a rule set.
DestinationSpec = str

__all__ = [
    "ALL_MATCH",
    "FIRST_MATCH",
    "Decision",
    "DestinationSpec",
    "RoutingContext",
    "RuleSpec",
    "decide",
]


@dataclass(frozen=True)
class RuleSpec:
    name: str
    condition: Mapping[str, Any]
    destinations: Sequence[DestinationSpec]
    is_active: bool = True


@dataclass
class Decision:
    """Where a submission goes. Empty `destinations` means it is not routed (shown to people)."""

    destinations: list[DestinationSpec] = field(default_factory=list)
    matched_rules: list[str] = field(default_factory=list)
    used_fallback: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def routed(self) -> bool:
        return bool(self.destinations)

    def as_json(self) -> dict[str, Any]:
        return {
            "routed": self.routed,
            "destinations": list(self.destinations),
            "matched_rules": list(self.matched_rules),
            "used_fallback": self.used_fallback,
            "reasons": list(self.reasons),
        }


def decide(
    rules: Sequence[RuleSpec],
    mode: str,
    fallback: Sequence[DestinationSpec],
    context: RoutingContext,
) -> Decision:
    """Apply `rules` in order to `context`.

    first_match: the first active rule that matches decides. all_match: every matching active
    rule adds its destinations (each destination once). No match: the fallback destinations; no
    fallback either: no destinations, and a reason saying the submission is not routed. A rule
    whose condition cannot be evaluated does not match, and the reasons say so; this never
    raises for any answers.
    """
    decision = Decision()
    for rule in rules:
        if not rule.is_active:
            decision.reasons.append(f"Rule {q(rule.name)} is switched off, so it was skipped")
            continue
        try:
            why = explain(rule.condition, context)
        except ConditionError as error:
            decision.reasons.append(f"Rule {q(rule.name)} could not be checked: {error}")
            continue
        if why is None:
            decision.reasons.append(f"Rule {q(rule.name)} did not match")
            continue
        decision.matched_rules.append(rule.name)
        decision.reasons.append(f"Rule {q(rule.name)} matched: {why}")
        if not rule.destinations:
            decision.reasons.append(f"Rule {q(rule.name)} has no destinations")
        for destination in rule.destinations:
            if destination not in decision.destinations:
                decision.destinations.append(destination)
        if mode != ALL_MATCH:
            decision.reasons.append("Only the first matching rule is used")
            break
    if not decision.matched_rules:
        if fallback:
            decision.used_fallback = True
            decision.destinations = list(dict.fromkeys(fallback))
            names = ", ".join(q(d) for d in decision.destinations)
            decision.reasons.append(f"No rule matched, so it goes to the fallback: {names}")
        else:
            decision.reasons.append(
                "No rule matched and there is no fallback destination: not routed"
            )
    elif not decision.destinations:
        decision.reasons.append("The matching rules have no destinations: not routed")
    return decision
