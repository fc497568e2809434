"""route(submission): rules loaded in few queries, the decision recorded as JSON."""

from __future__ import annotations

import json

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from integrations.registry import registry
from services.models import Connection, Destination, RoutingRule, RoutingRuleSet, Submission
from services.routing import context_for, mapping_context_for, route
from tests.services.routing.helpers import TicketAdapter, live_form, make_submission

pytestmark = pytest.mark.django_db

NORTH = {"name": "North ward", "polygon": [[-1.0, 52.2], [-0.8, 52.2], [-0.8, 52.3], [-1.0, 52.3]]}


@pytest.fixture
def ticket():
    with registry.replaced(TicketAdapter):
        yield Connection.objects.create(
            name="Tickets", slug="tickets", adapter="ticket", owner_email="it@example.gov.uk"
        )


def rule_set_with_rules(form, ticket, mode="first_match"):
    rule_set = RoutingRuleSet.objects.create(form=form, mode=mode)
    food = RoutingRule.objects.create(
        rule_set=rule_set,
        order=1,
        name="Food",
        condition={"question": "bin_type", "op": "equals", "value": "food"},
    )
    north = RoutingRule.objects.create(
        rule_set=rule_set, order=2, name="North", condition={"area": NORTH}
    )
    Destination.objects.create(rule_set=rule_set, rule=food, name="Food team", connection=ticket)
    Destination.objects.create(rule_set=rule_set, rule=north, name="North team", connection=ticket)
    Destination.objects.create(rule_set=rule_set, rule=None, name="Fallback", connection=ticket)
    return rule_set


def test_route_returns_the_destinations_and_a_json_record(ticket):
    form = live_form()
    rule_set_with_rules(form, ticket)
    submission = make_submission(form)

    destinations, record = route(submission)

    assert [d.name for d in destinations] == ["North team"]
    assert record["routed"] is True
    assert record["destinations"] == ["North team"]
    assert record["destination_ids"] == [destinations[0].pk]
    assert record["matched_rules"] == ["North"]
    assert "Rule ‘North’ matched: location is in North ward" in record["reasons"]
    json.dumps(record)  # storable on Submission.routing_decision as it is


def test_route_uses_the_fallback_when_nothing_matches(ticket):
    form = live_form()
    rule_set_with_rules(form, ticket)
    submission = make_submission(
        form, latitude=None, longitude=None, answers={"bin_type": "garden"}
    )
    destinations, record = route(submission)
    assert [d.name for d in destinations] == ["Fallback"]
    assert record["used_fallback"] is True


def test_a_form_without_rules_is_not_routed_and_the_record_says_so():
    submission = make_submission(live_form())
    destinations, record = route(submission)
    assert destinations == []
    assert record["routed"] is False
    assert record["reasons"] == ["This form has no routing rules: not routed"]


def test_route_loads_rules_destinations_and_connections_in_three_queries(ticket):
    form = live_form()
    rule_set = rule_set_with_rules(form, ticket, mode="all_match")
    for number in range(5):
        rule = RoutingRule.objects.create(rule_set=rule_set, order=10 + number, name=f"R{number}")
        Destination.objects.create(
            rule_set=rule_set, rule=rule, name=f"D{number}", connection=ticket
        )
    made = make_submission(form)
    submission = Submission.objects.select_related("service", "form_version").get(pk=made.pk)
    submission.form_version.parsed  # noqa: B018 (the caller has the schema already)

    with CaptureQueriesContext(db_connection) as queries:
        destinations, _record = route(submission)
        names = [d.connection.slug for d in destinations]

    assert len(queries) <= 3
    assert len(names) == 6


def test_context_for_takes_the_postcode_from_the_address_and_the_point_from_the_location():
    submission = make_submission(live_form(), channel="phone")
    context = context_for(submission)
    assert context.postcode == "NN1 1AA"
    assert (context.latitude, context.longitude) == (52.24, -0.89)
    assert context.channel == "phone"
    assert context.service_slug == "missed-bin"


def test_context_for_falls_back_to_a_postcode_answer_and_the_addresses_coordinates():
    answers = {
        "bin_type": "general",
        "address": {"line1": "1 A St", "town": "N", "postcode": "", "lat": 52.25, "lng": -0.9},
        "other_postcode": "NN2 6AB",
    }
    submission = make_submission(live_form(), answers=answers, latitude=None, longitude=None)
    context = context_for(submission)
    assert context.postcode == "NN2 6AB"
    assert (context.latitude, context.longitude) == (52.25, -0.9)


def test_mapping_context_for_a_guest_takes_the_name_from_the_form(django_user_model):
    submission = make_submission(live_form())
    context = mapping_context_for(submission)
    assert context.profile == {"full_name": "Sam Resident", "email": "sam@example.com", "phone": ""}
    assert context.meta["reference"] == "ABC-123"
    assert context.meta["service"] == "missed-bin"
    assert context.meta["form_version"] == 1

    user = django_user_model.objects.create_user(
        email="r@example.com", password="x" * 12, full_name="Robin Account", phone="07700900123"
    )
    submission = make_submission(
        submission.service.form, reference="DEF-456", user=user, contact_email=""
    )
    assert mapping_context_for(submission).profile == {
        "full_name": "Robin Account",
        "email": "r@example.com",
        "phone": "07700900123",
    }
