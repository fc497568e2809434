"""Routing: which back-office systems a submission goes to, and what each is sent.

    route(submission) -> (destinations, decision record)   services/routing/service.py
    decide(rules, mode, fallback, context) -> Decision      pure; services/routing/decide.py
    build_payload(mapping, context) -> dict                 pure; services/routing/mapping.py
    validate_condition / validate_mapping                   checked on save and import

The condition and mapping languages are described in conditions.py and mapping.py, and for
admins in docs/routing.md.
"""

from services.routing.conditions import RoutingContext, validate_condition
from services.routing.decide import Decision, RuleSpec, decide
from services.routing.mapping import (
    MappingContext,
    MappingError,
    build_payload,
    mapping_context_for,
    validate_mapping,
)
from services.routing.service import context_for, route

__all__ = [
    "Decision",
    "MappingContext",
    "MappingError",
    "RoutingContext",
    "RuleSpec",
    "build_payload",
    "context_for",
    "decide",
    "mapping_context_for",
    "route",
    "validate_condition",
    "validate_mapping",
]
