"""Routing on a list question in the studio: the condition builder offers "how many items" and
each question about the items, stores any_item / count_at_least, and says so in plain English."""

import re
from typing import Any

import pytest
from django.urls import reverse

from portal.studio.forms.routing_conditions import initial_for, is_editable
from services.models import Connection, Destination, RoutingRule, RoutingRuleSet, Service
from services.routing.condition_parts import kind_of, summarise
from tests.portal.journey.forms import live_service
from tests.portal.journey.test_repeat import BULKY

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulky(db: None) -> Service:
    return live_service(BULKY, "bulky-routing")


@pytest.fixture
def rule(bulky: Service) -> RoutingRule:
    rule_set = RoutingRuleSet.objects.create(form=bulky.form)
    return RoutingRule.objects.create(rule_set=rule_set, name="Big loads", order=1, condition={})


def add_url(service: Service, rule: RoutingRule, **query: Any) -> str:
    address = reverse(
        "studio:routing_condition_add",
        kwargs={"service_id": service.pk, "rule_id": rule.pk, "kind": "answer"},
    )
    return address + (f"?question={query['question']}" if query else "")


def test_the_question_list_offers_the_number_of_items_and_each_question_about_them(
    service_admin_client, bulky, rule
):
    page = service_admin_client.get(add_url(bulky, rule)).content.decode()
    assert "Items to collect: how many items" in page
    assert "Items to collect: Size of any item" in page
    assert 'value="items.size"' in page


def test_any_item_condition_is_built_from_the_item_questions_own_choices(
    service_admin_client, bulky, rule
):
    add = add_url(bulky, rule, question="items.size")
    page = service_admin_client.get(add).content.decode()
    assert "Items to collect: Size" in page
    assert "Large" in page
    service_admin_client.post(add, {"values": ["large"]})
    rule.refresh_from_db()
    assert rule.condition == {
        "question": "items",
        "op": "any_item",
        "field": "size",
        "value": ["large"],
    }
    schema = bulky.form.live_version.parsed
    assert summarise(rule.condition, schema) == "an item of ‘Items to collect’ has ‘Size’ ‘Large’"


def test_count_condition_needs_a_sane_number_and_is_stored_as_count_at_least(
    service_admin_client, bulky, rule
):
    add = add_url(bulky, rule, question="items")
    for bad, message in (("0", "1 or more"), ("x", "whole number"), ("", "Enter the number")):
        response = service_admin_client.post(add, {"count": bad})
        assert response.status_code == 200
        assert message in response.content.decode()
    # More than the list allows (3) is refused by the one check of conditions, next to the field
    response = service_admin_client.post(add, {"count": "4"})
    assert "takes at most 3 items" in response.content.decode()
    rule.refresh_from_db()
    assert rule.condition == {}
    service_admin_client.post(add, {"count": "2"})
    rule.refresh_from_db()
    assert rule.condition == {"question": "items", "op": "count_at_least", "value": 2}
    schema = bulky.form.live_version.parsed
    assert summarise(rule.condition, schema) == "‘Items to collect’ has at least 2 items"


def test_an_unknown_item_question_is_asked_for_again(service_admin_client, bulky, rule):
    response = service_admin_client.get(add_url(bulky, rule, question="items.colour"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- the field mapping editor -------------------------------------------------------------------


@pytest.fixture
def destination(bulky: Service):
    connection = Connection.objects.create(
        name="Bulky system",
        slug="bulky-system",
        adapter="webhook",
        config={"url": "https://bulky.example.gov.uk/records"},
        owner_email="it@example.gov.uk",
    )
    rule_set, _created = RoutingRuleSet.objects.get_or_create(form=bulky.form)
    return Destination.objects.create(
        rule_set=rule_set, name="Bulky team", connection=connection, mapping={}
    )


def test_the_mapping_editor_offers_each_item_question_with_its_own_lookup_and_a_count(
    service_admin_client, destination
):
    new_field = reverse("studio:destination_mapping_new", args=[destination.pk])
    page = service_admin_client.get(new_field).content.decode()
    assert "Items to collect: Size of each item" in page
    assert "Send how many there are" in page
    # Sizes turned into codes, one per item
    chosen = service_admin_client.post(
        new_field,
        {"name": "sizes", "source": "answer", "answer": "items.size", "action": "choices"},
    ).content.decode()
    assert 'name="lookup_large"' in chosen
    service_admin_client.post(
        new_field,
        {
            "name": "sizes",
            "source": "answer",
            "answer": "items.size",
            "lookup_large": "L",
            "lookup_small": "S",
            "action": "save",
        },
    )
    # And how many items there are
    service_admin_client.post(
        new_field,
        {
            "name": "how_many",
            "source": "answer",
            "answer": "items",
            "count": "on",
            "action": "save",
        },
    )
    destination.refresh_from_db()
    assert destination.mapping == {
        "sizes": {
            "answer": "items",
            "part": "size",
            "transforms": [{"lookup": {"small": "S", "large": "L"}}],
        },
        "how_many": {"answer": "items", "transforms": [{"count": True}]},
    }
    overview = service_admin_client.get(
        reverse("studio:destination_mapping", args=[destination.pk])
    ).content.decode()
    assert "Size of each item" in overview
    assert "counted" in overview


# --- changing a list condition in place ---------------------------------------------------------


def edit_url(service: Service, rule: RoutingRule, index: int = 0) -> str:
    return reverse("studio:routing_condition_edit", args=[service.pk, rule.pk, index])


def test_a_count_condition_is_changed_in_place_with_its_number(service_admin_client, bulky, rule):
    rule.condition = {"question": "items", "op": "count_at_least", "value": 2}
    rule.save()
    rule_page = reverse("studio:routing_rule_edit", args=[bulky.pk, rule.pk])
    assert f'href="{edit_url(bulky, rule)}"' in service_admin_client.get(rule_page).content.decode()
    page = service_admin_client.get(edit_url(bulky, rule)).content.decode()
    assert 'name="count" value="2"' in page
    # Bad numbers are refused beside the field and change nothing
    for bad, message in (("0", "1 or more"), ("4", "takes at most 3 items"), ("", "Enter the")):
        response = service_admin_client.post(edit_url(bulky, rule), {"count": bad})
        assert response.status_code == 200
        assert message in response.content.decode()
    rule.refresh_from_db()
    assert rule.condition["value"] == 2
    response = service_admin_client.post(edit_url(bulky, rule), {"count": "3"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.condition == {"question": "items", "op": "count_at_least", "value": 3}


def test_an_any_item_condition_is_changed_in_place_from_the_item_questions_choices(
    service_admin_client, bulky, rule
):
    rule.condition = {
        "all": [
            {"channel": ["web"]},
            {"question": "items", "op": "any_item", "field": "size", "value": ["large"]},
        ]
    }
    rule.save()
    page = service_admin_client.get(edit_url(bulky, rule, 1)).content.decode()
    assert "Items to collect: Size" in page
    assert re.search(r'value="large"[^>]*checked', page)
    assert not re.search(r'value="small"[^>]*checked', page)
    response = service_admin_client.post(edit_url(bulky, rule, 1), {})
    assert "Choose at least one answer" in response.content.decode()
    rule.refresh_from_db()
    assert rule.condition["all"][1]["value"] == ["large"]
    service_admin_client.post(edit_url(bulky, rule, 1), {"values": ["small", "large"]})
    rule.refresh_from_db()
    assert rule.condition["all"] == [
        {"channel": ["web"]},
        {"question": "items", "op": "any_item", "field": "size", "value": ["small", "large"]},
    ]


def test_a_list_condition_on_a_question_the_live_form_no_longer_asks_can_only_be_removed(
    service_admin_client, bulky, rule
):
    rule.condition = {"question": "items", "op": "any_item", "field": "colour", "value": ["red"]}
    rule.save()
    response = service_admin_client.get(edit_url(bulky, rule), follow=True)
    assert "is not in the live form: remove it" in response.content.decode()
    rule.refresh_from_db()
    assert rule.condition["field"] == "colour"


@pytest.mark.parametrize(
    ("part", "initial"),
    [
        ({"question": "items", "op": "count_at_least", "value": 2}, {"count": 2}),
        (
            {"question": "items", "op": "any_item", "field": "size", "value": ["large"]},
            {"values": ["large"]},
        ),
        # Written in a routing file as the studio does not build them: removed, not changed
        ({"not": {"question": "items", "op": "count_at_least", "value": 2}}, None),
        ({"question": "items", "op": "count_at_least", "value": True}, None),
        ({"question": "items", "op": "any_item", "value": ["large"]}, None),
    ],
)
def test_list_parts_the_studio_builds_are_shown_in_their_forms(part, initial):
    assert initial_for(kind_of(part), part) == initial
    assert is_editable(part) is (initial is not None)


def test_a_list_condition_the_studio_does_not_build_is_only_removed(
    service_admin_client, bulky, rule
):
    rule.condition = {"not": {"question": "items", "op": "count_at_least", "value": 2}}
    rule.save()
    rule_page = reverse("studio:routing_rule_edit", args=[bulky.pk, rule.pk])
    page = service_admin_client.get(rule_page).content.decode()
    assert "it can be removed here, not changed" in page
    assert f'href="{edit_url(bulky, rule)}"' not in page
    assert service_admin_client.get(edit_url(bulky, rule)).status_code == 404


def test_a_negated_list_condition_is_said_as_the_opposite_of_the_list_sentence(bulky):
    schema = bulky.form.live_version.parsed
    negated = {"not": {"question": "items", "op": "count_at_least", "value": 3}}
    assert summarise(negated, schema) == (
        "it is not so that ‘Items to collect’ has at least 3 items"
    )
