"""Changing a form's routing one step at a time, as the studio does: a rule added, changed, moved
or deleted, its condition or destinations replaced, the mode and the fallback set.

Every change runs in one transaction and is recorded in the changed object's history
(services/change_log.py). Two things are refused, with the reason, and change nothing:
- removing a destination that deliveries point at (their history needs it: switch the rule off
  instead), `DestinationInUse`;
- leaving a live service with no destination a case can reach (Service.unrouted_reason), unless
  the person has said they mean it, `WouldLeaveUnrouted`. The change is made, the rule asked,
  and the transaction rolled back, so the answer is the model's own rule on the real result.
Checking a condition is validate_condition's, before these are called.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from services.change_log import record_addition, record_change, record_deletion
from services.models import Connection, Destination, Form, RoutingRule, RoutingRuleSet, Service
from services.routing.conditions import q


class WouldLeaveUnrouted(Exception):
    """The change would leave a live service's cases going nowhere (the reason says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DestinationInUse(Exception):
    """A destination with deliveries cannot be removed."""


@contextmanager
def keeping_routed(service: Service, *, allow_unrouted: bool) -> Iterator[None]:
    """Run a change in a transaction; undo it and raise WouldLeaveUnrouted if it leaves the live
    `service` unrouted and the person has not allowed that."""
    with transaction.atomic():
        yield
        if service.is_live and not allow_unrouted:
            reason = service.unrouted_reason()
            if reason is not None:
                raise WouldLeaveUnrouted(reason)


def rule_set_for(by: Any, form: Form) -> RoutingRuleSet:
    """The form's rule set, made (and recorded) the first time its routing is changed."""
    rule_set, created = RoutingRuleSet.objects.get_or_create(form=form)
    if created:
        record_addition(by, rule_set)
    return rule_set


def add_rule(by: Any, rule_set: RoutingRuleSet, *, name: str, is_active: bool) -> RoutingRule:
    """A new rule at the end of the list, matching every submission until it has conditions."""
    last = rule_set.rules.aggregate(last=Max("order"))["last"] or 0
    rule = RoutingRule.objects.create(
        rule_set=rule_set, name=name, is_active=is_active, order=last + 1, condition={}
    )
    record_addition(by, rule)
    return rule


@transaction.atomic
def change_rule(by: Any, rule: RoutingRule, **values: Any) -> None:
    """Set name, is_active or condition; only what differs is saved and recorded."""
    labels = {"name": _("name"), "is_active": _("active"), "condition": _("condition")}
    changed = [field for field, value in values.items() if getattr(rule, field) != value]
    for field in changed:
        setattr(rule, field, values[field])
    if changed:
        rule.save(update_fields=changed)
        record_change(by, rule, [str(labels[field]) for field in changed])


@transaction.atomic
def move_rule(by: Any, rule: RoutingRule, *, up: bool) -> None:
    """Swap the rule with the one before (up) or after it; at either end nothing changes.

    The orders are renumbered 1, 2, 3, ... so rules with equal orders (from older data) move too.
    """
    rules = list(RoutingRule.objects.select_for_update().filter(rule_set=rule.rule_set_id))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rules):
        return
    rules[index], rules[other] = rules[other], rules[index]
    for order, each in enumerate(rules, start=1):
        if each.order != order:
            each.order = order
            each.save(update_fields=["order"])
    record_change(by, rule, [str(_("order"))])


def delete_rule(by: Any, rule: RoutingRule) -> None:
    """Delete the rule and its destinations; DestinationInUse if any has deliveries."""
    for destination in rule.destinations.all():
        _refuse_if_used(destination)
        record_deletion(by, destination)
    record_deletion(by, rule)
    rule.delete()


def set_destinations(
    by: Any, rule_set: RoutingRuleSet, rule: RoutingRule | None, connections: Sequence[Connection]
) -> None:
    """Make the rule's destinations (the fallback's when `rule` is None) go to `connections`.

    A connection kept keeps its destination and field mapping; a new one gets a destination
    named after it, starting with the field mapping of another destination of this form to the
    same connection (so the same back office is sent the same fields), or none yet.
    """
    current = list(rule_set.destinations.filter(rule=rule).select_related("connection"))
    wanted = {connection.pk: connection for connection in connections}
    for destination in current:
        if destination.connection_id not in wanted:
            _refuse_if_used(destination)
            record_deletion(by, destination)
            destination.delete()
    kept = {destination.connection_id for destination in current}
    for connection in connections:
        if connection.pk in kept:
            continue
        like = rule_set.destinations.filter(connection=connection).order_by("pk").first()
        destination = Destination.objects.create(
            rule_set=rule_set,
            rule=rule,
            connection=connection,
            name=_free_name(rule_set, connection, rule),
            mapping=dict(like.mapping) if like is not None else {},
        )
        record_addition(by, destination)


def set_mode(by: Any, rule_set: RoutingRuleSet, mode: str) -> None:
    if rule_set.mode != mode:
        rule_set.mode = mode
        rule_set.save(update_fields=["mode", "updated_at"])
        record_change(by, rule_set, [str(_("mode"))])


def _refuse_if_used(destination: Destination) -> None:
    if destination.deliveries.exists():
        raise DestinationInUse(
            _(
                "%(destination)s has deliveries, so it cannot be removed (their history needs "
                "it). Switch the rule off instead."
            )
            % {"destination": q(destination.name)}
        )


def _free_name(rule_set: RoutingRuleSet, connection: Connection, rule: RoutingRule | None) -> str:
    """The connection's name, or with the rule's name (then a number) when that is taken."""
    taken = set(rule_set.destinations.values_list("name", flat=True))
    limit = Destination._meta.get_field("name").max_length or 100
    candidates = [connection.name, f"{connection.name} ({rule.name if rule else _('fallback')})"]
    for name in candidates:
        if name[:limit] not in taken:
            return name[:limit]
    number = 2
    while (name := _numbered(candidates[1], number, limit)) in taken:
        number += 1
    return name


def _numbered(base: str, number: int, limit: int) -> str:
    suffix = f" {number}"
    return base[: limit - len(suffix)] + suffix
